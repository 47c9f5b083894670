"""The one rule for corrections, retractions and errata: what they may point at, what they change.

A correction, retraction or erratum (SourceErrorNoted) points at an event of its own stream that
is not itself a correction or retraction (nor, for an erratum, an erratum; a wrong erratum is
retracted or corrected); an erratum changes nothing of its target. A correction changes at least one field or the date; its fields must be fields of
the target's type, and the target's recorded data with them merged in must still be valid. The
service applies this rule to every append; the importer applies it to targets met earlier in
the file, through the same function.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from pydantic import ValidationError

from application.errors import invalid_data
from application.event_input import NewEvent, data_model, domain_values
from domain.catalogue import EVENT_TYPES
from domain.corrections import EventCorrected, EventRetracted, SourceErrorNoted
from domain.errors import InvalidEventError, UnknownStreamError

CORRECTION_TYPES = (EventCorrected.type_name(), EventRetracted.type_name())
#: Types that point at another event, and the data field that names it.
REFERENCES = {
    EventCorrected.type_name(): "corrects",
    EventRetracted.type_name(): "retracts",
    SourceErrorNoted.type_name(): "event",
}
#: What an erratum does not point at (corrections and retractions may point at an erratum).
NOT_TARGETS = (*CORRECTION_TYPES, SourceErrorNoted.type_name())


@dataclass(frozen=True)
class Target:
    """The event a correction or retraction points at: its stream, type and recorded data."""

    stream_id: str
    type_name: str
    data: Callable[[], dict[str, Any]]
    #: How many sources the target rests on (an erratum names one of them); None: not known.
    source_count: Callable[[], int] | None = None


def reference(event: NewEvent) -> tuple[str, str] | None:
    """The field (``corrects``, ``retracts``, ``event``) and the event id it names; None for
    events that point at none."""
    name = REFERENCES.get(event.event_type.name)
    if name is None:
        return None
    return name, str(event.data[name])


def checked(event: NewEvent, stream_id: UUID, target: Target | None, pointer: str = "") -> NewEvent:
    """The event, its reference checked and a correction's fields made domain values.

    ``target`` is what the reference names, None if nothing recorded has that id. Errors point
    into the event at ``pointer``.
    """
    found = reference(event)
    if found is None:
        return event
    name, pointed = found
    fields: dict[str, Any] = event.data.get("fields") or {}
    if name == "corrects" and not fields and event.data.get("occurred") is None:
        raise InvalidEventError(
            "a correction changes at least one field or the date", pointer=f"{pointer}/data/fields"
        )
    if target is None or target.stream_id != str(stream_id):
        raise UnknownStreamError(
            f"no event {pointed} in this stream", pointer=f"{pointer}/data/{name}"
        )
    if target.type_name in (NOT_TARGETS if name == "event" else CORRECTION_TYPES):
        raise InvalidEventError(
            f"a {target.type_name} is not {'noted' if name == 'event' else 'corrected'};"
            " point at the original",
            pointer=f"{pointer}/data/{name}",
        )
    index = event.data.get("source_index") if name == "event" else None
    if index is not None and target.source_count is not None and index >= target.source_count():
        raise InvalidEventError(
            f"the event has {target.source_count()} source(s), counted from 0",
            pointer=f"{pointer}/data/source_index",
        )
    if name != "corrects" or not fields:
        return event
    target_type = EVENT_TYPES[target.type_name]
    model = data_model(target_type)
    for field in fields:
        if field not in model.model_fields:
            raise InvalidEventError(
                f"{target_type.name} has no field {field!r}",
                pointer=f"{pointer}/data/fields/{field}",
            )
    try:
        merged = model.model_validate({**target.data(), **fields})
    except ValidationError as error:
        raise invalid_data(
            error, f"{pointer}/data/fields", "The corrected event is invalid"
        ) from None
    values = domain_values(merged, list(fields), f"{pointer}/data/fields")
    return dataclasses.replace(event, data={**event.data, "fields": values})
