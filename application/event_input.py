"""An event as clients write it (pydantic v2), in a request body or an import line, and how it
becomes domain values.

Unknown fields are refused everywhere (``extra="forbid"``); each event type's ``data`` is checked
against a model built from the event class's own fields, so the domain stays the one source.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal, Union
from uuid import UUID, uuid4

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    ValidationError,
    WithJsonSchema,
    create_model,
)

from application.errors import invalid_data
from application.text import LongText, ShortText  # they refuse control characters
from domain.catalogue import EventType, event_type
from domain.coding import Coding, Plover
from domain.envelope import FORWARD_MODALITIES, Envelope, Person, Source
from domain.errors import InvalidEventError
from domain.occurrence import Occurrence
from domain.participants import ROLES, Participant
from domain.quantities import Quantity
from domain.text import controls_in

MAX_BATCH = 500


class Strict(BaseModel):
    """A body that refuses unknown fields."""

    model_config = ConfigDict(extra="forbid")


class PersonIn(Strict):
    """A person: name and title."""

    name: ShortText
    title: ShortText | None = None


MAX_AMOUNT = 10**12


def _amount(value: Any) -> int | float:
    """A JSON number kept as given (390 stays 390), finite and bounded; the domain refuses a
    negative one (domain/quantities.py)."""
    number: int | float = value if isinstance(value, int | float) else math.nan
    if isinstance(value, bool) or not math.isfinite(number):
        raise ValueError("a number is expected")  # pydantic reports a ValueError at the field
    if abs(number) > MAX_AMOUNT:
        raise ValueError(f"a number of at most {MAX_AMOUNT}")
    return number


#: A number in a count or a measure (one JSON Schema number, not an int/float union).
Amount = Annotated[
    int | float,
    PlainValidator(_amount),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": MAX_AMOUNT}),
]


class QuantityIn(Strict):
    """A count or a measure: a value, or a range (min and max), with its unit."""

    value: Amount | None = Field(None, description="The number, if the source gives one")
    min: Amount | None = Field(None, description="The least, if the source gives a range")
    max: Amount | None = Field(None, description="The most, if the source gives a range")
    unit: ShortText = Field(description='What is counted: "prisoners of war", "minutes"')
    approximate: bool = Field(False, description='The source says "about", "some", "nearly"')


class ParticipantIn(Strict):
    """Who took part, and in what role."""

    actor: ShortText = Field(description="An Actor's id, or a name as written")
    role: ShortText = Field(description="One of " + ", ".join(ROLES))


class OccurrenceIn(Strict):
    """When it happened: a value with its precision, or a wording resolved against an anchor."""

    precision: Literal["minute", "day", "month", "interval", "edtf", "unknown"] | None = None
    value: ShortText | None = Field(
        None,
        description="EDTF: 2025-06-01, 2025-06, 2025-05-23/2025-05-25, ../2025-06-01,"
        " 2025-05-14?, 2025-06-XX, [2025-05-14,2025-05-15], or an RFC 3339 time",
    )
    wording: ShortText | None = Field(
        None, description='The source\'s words: "Sunday", "next week"'
    )
    anchor: ShortText | None = Field(
        None, description="RFC 3339 time the statement was made (or published), or a day"
    )
    uncertain: bool = False
    tz: ShortText | None = Field(
        None, description="IANA time zone whose calendar days the value names: Europe/Kyiv"
    )


class SourceIn(Strict):
    """A source: URL or outlet, publication time, verbatim quote."""

    url: ShortText | None = None
    outlet: ShortText | None = None
    published_at: ShortText | None = None
    quote: LongText | None = None


class PloverIn(Strict):
    """A PLOVER coding: category, mode, context."""

    category: ShortText
    mode: ShortText | None = None
    context: list[ShortText] = Field(default_factory=list, max_length=10)


class CodingIn(Strict):
    """An analyst's coding of the event, overriding its type's default CAMEO code."""

    cameo: ShortText | None = Field(None, description='CAMEO code as a string: "1056"')
    scheme: ShortText | None = Field(None, description="Which CAMEO numbering: manual or GDELT")
    plover: PloverIn | None = None
    coded_by: ShortText | None = None


class EventIn(Strict):
    """One event: its type, its own data, and the common envelope."""

    type: ShortText
    data: dict[str, Any] = Field(default_factory=dict)
    occurred: OccurrenceIn
    sources: list[SourceIn] = Field(min_length=1, max_length=20)
    attributed_to: ShortText | None = None
    modality: Literal["asserted", "planned", "expected", "reported", "disputed"] = "asserted"
    recorded_by: ShortText | None = None
    coding: CodingIn | None = None
    event_id: UUID | None = Field(None, description="Client-chosen event id (for imports)")


class CreateIn(EventIn):
    """The first event of a new stream, with an optional client-chosen stream id."""

    id: UUID | None = None


# Per-type data models, built from the domain's event classes.

_INPUT_TYPES: dict[Any, Any] = {
    Person: PersonIn,
    Occurrence: OccurrenceIn,
    Quantity: QuantityIn,
    Participant: ParticipantIn,
    str: ShortText,
}
#: Every number a body takes is bounded (in the schema and enforced): a round's number, a length.
RoundNumber = Annotated[int, Field(ge=1, le=10_000, description="A round's number, from 1")]
Minutes = Annotated[int, Field(ge=0, le=525_600, description="Minutes, up to a year")]
Count = Annotated[int, Field(ge=0, le=1_000_000_000)]
_NUMBERS: dict[str, Any] = {
    "number": RoundNumber,
    "round_number": RoundNumber,
    "duration_minutes": Minutes,
}


def _input_type(hint: Any, name: str = "") -> Any:
    """The pydantic input type for a domain field type (Person -> PersonIn, int -> bounded)."""
    if hint is int:
        return _NUMBERS.get(name, Count)
    if hint in _INPUT_TYPES:
        return _INPUT_TYPES[hint]
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin is list:
        return list[_input_type(args[0], name)]  # type: ignore[misc]
    if origin in (Union, types.UnionType):
        return Union[tuple(_input_type(arg, name) for arg in args)]  # noqa: UP007
    return hint


@cache
def data_model(event_type: EventType) -> type[BaseModel]:
    """The pydantic model of one event type's ``data``."""
    fields: dict[str, Any] = {}
    for name, hint in event_type.event_class.data_fields().items():
        default = event_type.event_class.__dataclass_fields__[name].default
        fields[name] = (_input_type(hint, name), ... if default is dataclasses.MISSING else default)
    return create_model(
        f"{event_type.name}Data",
        __config__=ConfigDict(extra="forbid"),
        __doc__=event_type.description,
        **fields,
    )


# From validated bodies to domain values.


def _domain_value(value: Any, forward: bool, pointer: str) -> Any:
    if isinstance(value, PersonIn):
        return Person(name=value.name, title=value.title)
    if isinstance(value, OccurrenceIn):
        return to_occurrence(value, forward=forward, pointer=pointer)
    if isinstance(value, QuantityIn):
        return Quantity(**value.model_dump())
    if isinstance(value, ParticipantIn):
        return Participant(actor=value.actor, role=value.role)
    if isinstance(value, list):
        return [_domain_value(v, forward, f"{pointer}/{i}") for i, v in enumerate(value)]
    return value


def to_occurrence(value: OccurrenceIn, *, forward: bool, pointer: str) -> Occurrence:
    """An occurrence, its wording resolved; errors point into the body at ``pointer``."""
    try:
        return Occurrence.build(
            precision=value.precision,
            value=value.value,
            wording=value.wording,
            anchor=value.anchor,
            uncertain=value.uncertain,
            forward=forward,
            tz=value.tz,
        )
    except InvalidEventError as error:
        raise InvalidEventError(
            error.message, pointer=error.pointer.replace("/occurred", pointer, 1)
        ) from None


def to_envelope(body: EventIn, pointer: str = "") -> Envelope:
    """The domain envelope of a validated body."""
    forward = body.modality in FORWARD_MODALITIES
    return Envelope(
        occurred=to_occurrence(body.occurred, forward=forward, pointer=f"{pointer}/occurred"),
        sources=tuple(Source(**source.model_dump()) for source in body.sources),
        attributed_to=body.attributed_to,
        modality=body.modality,
        recorded_by=body.recorded_by,
        coding=None if body.coding is None else to_coding(body.coding),
    )


def to_coding(value: CodingIn) -> Coding:
    """The domain coding of a validated body's ``coding``."""
    plover = value.plover
    return Coding(
        cameo=value.cameo,
        scheme=value.scheme,
        plover=None
        if plover is None
        else Plover(plover.category, plover.mode, tuple(plover.context)),
        coded_by=value.coded_by,
    )


def to_data(event_type: EventType, body: EventIn, pointer: str = "") -> dict[str, Any]:
    """The event's own data as domain values; raises pydantic's ValidationError on bad shape."""
    model = data_model(event_type).model_validate(body.data)
    return domain_values(model, list(type(model).model_fields), f"{pointer}/data")


def domain_values(model: BaseModel, names: list[str], pointer: str) -> dict[str, Any]:
    """Some fields of a validated data model as domain values (people, occurrences).

    Dates inside the data (a round's date) are schedules: relative wording looks forward.
    """
    return {name: _domain_value(getattr(model, name), True, f"{pointer}/{name}") for name in names}


@dataclass(frozen=True)
class NewEvent:
    """An event to append: its type, envelope and data, already validated in shape."""

    event_type: EventType
    envelope: Envelope
    data: dict[str, Any]
    event_id: UUID = field(default_factory=uuid4)


def new_event(kind: str, body: EventIn, pointer: str = "") -> NewEvent:
    """A validated NewEvent of a stream of ``kind`` from a body; errors point into the body."""
    try:
        found = event_type(body.type, kind)
    except InvalidEventError as error:
        raise InvalidEventError(error.message, pointer=f"{pointer}/type") from None
    for at, character in controls_in(body.data, f"{pointer}/data"):
        raise InvalidEventError(f"control character {character} is not allowed", pointer=at)
    try:
        data = to_data(found, body, pointer)
    except ValidationError as error:
        raise invalid_data(error, f"{pointer}/data") from None
    envelope = to_envelope(body, pointer)
    return NewEvent(found, envelope, data, **({"event_id": body.event_id} if body.event_id else {}))
