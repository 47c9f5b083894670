"""Create, append to and replay the three kinds of stream: /talks, /delegations, /positions."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from datetime import UTC, date, datetime, time
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BeforeValidator, ValidationError

from api.auth import Editor, Reader
from api.deps import ServiceDep
from api.limits import expensive
from api.problems import ProblemError, invalid_event
from api.schemas import (
    AppendIn,
    AppendOut,
    BatchAppendIn,
    CreateIn,
    EventIn,
    data_model,
    domain_values,
    to_data,
    to_envelope,
)
from api.web.negotiation import wants_html
from domain.catalogue import EVENT_TYPES, creation_type, event_type
from domain.corrections import EventCorrected
from domain.errors import DomainError, InvalidEventError
from domain.text import controls_in
from store.schema import MAX_POSITION
from store.service import AppendResult, Idempotency, NewEvent, TimelineService

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Retrying with the same key and body returns the first answer and "
        "appends nothing; the same key with another body is 422. A key is scoped to the "
        "principal (API key) that used it.",
    ),
]


#: How an RFC 3339 date, and an RFC 3339 time, begin: a bare number (which pydantic's lax mode
#: would read as a Unix time) or an ISO 8601 form outside RFC 3339 (20250601) never does.
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}")


def _instant(value: Any) -> Any:
    """An RFC 3339 time with offset, left for pydantic to read once it has that form."""
    if isinstance(value, str) and not _TIME.match(value):
        msg = "not an RFC 3339 time with offset, such as 2025-06-01T12:00:00Z"
        raise ValueError(msg)
    return value


def _point(value: Any) -> Any:
    """A date (YYYY-MM-DD) or an RFC 3339 time with offset, told apart by their form.

    (Left to itself, pydantic reads a time at midnight as a date, and a number as a Unix time.)
    """
    if not isinstance(value, str):
        return value
    if "T" not in value and " " not in value:
        if not _DATE.fullmatch(value):
            msg = "not a date (YYYY-MM-DD) nor an RFC 3339 time with offset"
            raise ValueError(msg)
        return date.fromisoformat(value)
    _instant(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if moment.tzinfo is None:
        msg = "a time needs its offset: Z or +HH:MM"
        raise ValueError(msg)
    return moment


#: A date or a time (RFC 3339): ``at``, and the bounds of timelines and diffs.
Point = Annotated[date | AwareDatetime, BeforeValidator(_point)]
#: A time with offset (RFC 3339): ``as_of``.
Instant = Annotated[AwareDatetime, BeforeValidator(_instant)]
At = Annotated[
    Point | None,
    Query(
        description="Valid time: the state of the world at this date (its end) or instant, "
        "from the facts that may have happened by then, in the order they happened"
    ),
]
IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=40, description="The version the stream must be at."),
]


def new_event(kind: str, body: EventIn, pointer: str = "") -> NewEvent:
    """A validated NewEvent from a body; errors point into the body."""
    try:
        found = event_type(body.type, kind)
    except InvalidEventError as error:
        raise InvalidEventError(error.message, pointer=f"{pointer}/type") from None
    for at, character in controls_in(body.data, f"{pointer}/data"):
        raise InvalidEventError(f"control character {character} is not allowed", pointer=at)
    try:
        data = to_data(found, body, pointer)
    except ValidationError as error:
        raise invalid_event(error, f"{pointer}/data") from None
    envelope = to_envelope(body, pointer)
    return NewEvent(found, envelope, data, **({"event_id": body.event_id} if body.event_id else {}))


def with_corrected_fields(service: TimelineService, event: NewEvent, pointer: str) -> NewEvent:
    """A correction's fields, validated against its target's own type and made domain values.

    The corrected event must be valid as a whole: the fields are checked merged into the
    target's recorded data. An unknown target is left to the service, which refuses it.
    """
    if event.event_type.name != EventCorrected.type_name():
        return event
    fields = event.data.get("fields") or {}
    if not fields and event.data.get("occurred") is None:
        raise InvalidEventError(
            "a correction changes at least one field or the date", pointer=f"{pointer}/data/fields"
        )
    found = service.target(event.data["corrects"])
    if found is None or EVENT_TYPES[found["type"]].event_class.ANY_STREAM:
        return event
    target_type = EVENT_TYPES[found["type"]]
    model = data_model(target_type)
    for name in fields:
        if name not in model.model_fields:
            raise InvalidEventError(
                f"{target_type.name} has no field {name!r}", pointer=f"{pointer}/data/fields/{name}"
            )
    original = service.events_of(UUID(found["stream_id"]), found["version"])[-1].data()
    try:
        merged = model.model_validate({**original, **fields})
    except ValidationError as error:
        raise invalid_event(
            error, f"{pointer}/data/fields", "The corrected event is invalid"
        ) from None
    values = domain_values(merged, list(fields), f"{pointer}/data/fields")
    return dataclasses.replace(event, data={**event.data, "fields": values})


def instant(value: date | datetime) -> datetime:
    """A date or time parameter as an instant: a date means the end of that day (UTC)."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.max, tzinfo=UTC)


def moment(value: date | datetime | None) -> datetime | None:
    """An optional ``at`` value as an instant (see ``instant``)."""
    return None if value is None else instant(value)


def idempotency(key: str | None, request: Request, body: Any) -> Idempotency | None:
    """The key with a hash of the method, path and canonical body."""
    if key is None:
        return None
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n{canonical}".encode())
    return Idempotency(key, digest.hexdigest())


def expected(if_match: str | None, in_body: int | None) -> int | None:
    """The expected version from If-Match or the body; they must agree if both are given."""
    if if_match is None:
        return in_body
    text = if_match.strip().removeprefix("W/").strip('"')
    if text == "*":  # HTTP: any current version (the stream must exist, as for every append)
        return in_body
    if not text.isdigit():
        raise ProblemError(
            422,
            "invalid-request",
            "The request is invalid",
            'If-Match holds the stream version, such as 3 or "3"',
            parameter="If-Match",
        )
    if in_body is not None and in_body != int(text):
        raise ProblemError(
            422,
            "invalid-request",
            "The request is invalid",
            "If-Match and expected_version disagree",
            pointer="/expected_version",
        )
    return int(text)


def answer(result: AppendResult, response: Response) -> AppendOut:
    """201 with the stream's new version as ETag; replays say so in a header."""
    response.headers["ETag"] = f'"{result.version}"'
    response.headers["Location"] = f"/{result.kind}/{result.stream_id}"
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return AppendOut.model_validate(result, from_attributes=True)


def stream_router(kind: str, label: str) -> APIRouter:
    """The four stream routes for one kind of aggregate."""
    router = APIRouter(prefix=f"/{kind}", tags=[kind])
    creates = creation_type(kind).name

    @router.post("", status_code=201, response_model=AppendOut, name=f"create_{kind}")
    def create(
        body: CreateIn,
        request: Request,
        response: Response,
        service: ServiceDep,
        editor: Editor,
        idempotency_key: IdempotencyKey = None,
    ) -> AppendOut:
        if body.type != creates:
            raise InvalidEventError(f"a {label} opens with {creates}", pointer="/type")
        result = service.create(
            kind,
            new_event(kind, body),
            stream_id=body.id,
            idempotency=idempotency(idempotency_key, request, body),
            principal=editor.principal,
        )
        return answer(result, response)

    create.__doc__ = f"Open a new {label} stream with its first event, {creates}."

    @router.post(
        "/{stream_id}/events", status_code=201, response_model=AppendOut, name=f"append_{kind}"
    )
    def append(
        stream_id: UUID,
        body: Annotated[AppendIn, Body()],
        request: Request,
        response: Response,
        service: ServiceDep,
        editor: Editor,
        idempotency_key: IdempotencyKey = None,
        if_match: IfMatch = None,
    ) -> AppendOut:
        if isinstance(body, BatchAppendIn):
            events = [
                with_corrected_fields(
                    service, new_event(kind, item, f"/events/{i}"), f"/events/{i}"
                )
                for i, item in enumerate(body.events)
            ]
        else:
            events = [with_corrected_fields(service, new_event(kind, body), "")]
        try:
            result = service.append(
                kind,
                stream_id,
                events,
                expected_version=expected(if_match, body.expected_version),
                idempotency=idempotency(idempotency_key, request, body),
                principal=editor.principal,
            )
        except DomainError as error:
            index = getattr(error, "index", None)
            if isinstance(body, BatchAppendIn) and index is not None:
                error.pointer = f"/events/{index}{error.pointer}"
            raise
        return answer(result, response)

    append.__doc__ = f"Append one event, or a list atomically, to a {label}."

    @router.get(
        "/{stream_id}", response_model=dict[str, Any], name=f"read_{kind}", dependencies=[Reader]
    )
    def read(
        stream_id: UUID,
        request: Request,
        response: Response,
        service: ServiceDep,
        version: Annotated[
            int | None, Query(ge=1, le=MAX_POSITION, description="State after N events")
        ] = None,
        as_of: Annotated[
            Instant | None, Query(description="State from events recorded by then")
        ] = None,
        at: At = None,
        min_position: Annotated[
            int | None,
            Query(
                ge=0,
                le=MAX_POSITION,
                description="A stream read includes every append that has answered; "
                "a position beyond the head of the log is 409",
            ),
        ] = None,
    ) -> dict[str, Any] | HTMLResponse:
        if kind == "talks" and wants_html(request):  # a browser: the page of the talks
            from api.routes.pages import talks_page  # pages build on views, views on streams

            page = talks_page(request.app.state.components, stream_id)
            page.headers["Vary"] = "Accept"
            return page
        if kind == "talks":  # the same address answers HTML or JSON: caches must tell them apart
            response.headers["Vary"] = "Accept"
        if min_position is not None and min_position > (head := service.head()):
            raise ProblemError(
                409,
                "position-unknown",
                "Position not in the log yet",
                f"the log ends at position {head}, before position {min_position}",
                parameter="min_position",
                head=head,
            )
        if as_of is None and at is None:
            state = service.state(kind, stream_id, version=version)
        else:
            with expensive(request):  # time travel folds the stream's facts anew
                state = service.state(kind, stream_id, version=version, as_of=as_of, at=moment(at))
        response.headers["ETag"] = f'"{state["version"]}"'
        return state

    read.__doc__ = f"The current state of a {label}, or at a version, or as known at a time."

    @router.get(
        "/{stream_id}/events",
        response_model=list[dict[str, Any]],
        name=f"events_{kind}",
        dependencies=[Reader],
    )
    def events(stream_id: UUID, service: ServiceDep) -> list[dict[str, Any]]:
        return service.stream_events(kind, stream_id)

    events.__doc__ = f"Every event of a {label} with envelope, version and global position."
    return router
