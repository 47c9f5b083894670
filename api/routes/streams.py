"""Create, append to and replay the three kinds of stream: /talks, /delegations, /positions."""

from __future__ import annotations

import hashlib
import json
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Body, Header, Query, Request, Response
from fastapi.responses import HTMLResponse

from api.auth import Editor, Reader
from api.bodies import AppendIn, AppendOut, BatchAppendIn
from api.deps import ReadsDep, ServiceDep
from api.limits import expensive
from api.params import At, Instant, moment
from api.responses.events import StoredEvent
from api.responses.states import ActorState, DelegationState, PositionState, TalksState
from api.routes.pages import talks_page
from api.web.negotiation import wants_html
from application.errors import ApplicationError, InvalidRequestError, within
from application.event_input import CreateIn, new_event
from application.limits import MAX_POSITION
from application.service import AppendResult, Idempotency
from domain.catalogue import creation_type
from domain.errors import DomainError, InvalidEventError

#: What a read of a stream of each kind answers.
STATES: dict[str, Any] = {
    "talks": TalksState,
    "delegations": DelegationState,
    "positions": PositionState,
    "actors": ActorState,
}
#: A Talks read by a browser is its page.
PAGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The state as JSON, or the Talks' page to a browser (Accept: text/html)",
        "content": {"text/html": {"schema": {"type": "string"}}},
    }
}

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


IfMatch = Annotated[
    str | None,
    Header(alias="If-Match", max_length=40, description="The version the stream must be at."),
]


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
        msg = 'If-Match holds the stream version, such as 3 or "3"'
        raise InvalidRequestError(msg, parameter="If-Match")
    if in_body is not None and in_body != int(text):
        msg = "If-Match and expected_version disagree"
        raise InvalidRequestError(msg, pointer="/expected_version")
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
            events = [new_event(kind, item, f"/events/{i}") for i, item in enumerate(body.events)]
        else:
            events = [new_event(kind, body)]
        try:
            result = service.append(
                kind,
                stream_id,
                events,
                expected_version=expected(if_match, body.expected_version),
                idempotency=idempotency(idempotency_key, request, body),
                principal=editor.principal,
            )
        except (DomainError, ApplicationError) as error:
            if isinstance(body, BatchAppendIn) and error.index is not None:
                within(error, f"/events/{error.index}")
            raise
        return answer(result, response)

    append.__doc__ = f"Append one event, or a list atomically, to a {label}."

    @router.get(
        "/{stream_id}",
        response_model=STATES[kind],
        name=f"read_{kind}",
        dependencies=[Reader],
        responses=PAGE_RESPONSES if kind == "talks" else None,
    )
    def read(
        stream_id: UUID,
        request: Request,
        response: Response,
        service: ServiceDep,
        reads: ReadsDep,
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
            page = talks_page(reads, stream_id)
            page.headers["Vary"] = "Accept"
            return page
        if kind == "talks":  # the same address answers HTML or JSON: caches must tell them apart
            response.headers["Vary"] = "Accept"
        reads.require_position(min_position)
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
        response_model=list[StoredEvent],
        name=f"events_{kind}",
        dependencies=[Reader],
    )
    def events(stream_id: UUID, service: ServiceDep) -> list[dict[str, Any]]:
        return service.stream_events(kind, stream_id)

    events.__doc__ = f"Every event of a {label} with envelope, version and global position."
    return router
