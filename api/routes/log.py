"""The global ordered log and the catalogue of event types."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import Reader
from api.bodies import body_schema
from api.deps import ServiceDep
from api.responses.events import EventTypeOut, LogPage
from application.limits import MAX_PAGE, MAX_POSITION
from domain.catalogue import CAMEO_SCHEME, EVENT_TYPES

router = APIRouter(tags=["log"], dependencies=[Reader])


@router.get("/events", response_model=LogPage)
def read_log(
    service: ServiceDep,
    after: Annotated[int, Query(ge=0, le=MAX_POSITION, description="Position to read after")] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")] = 100,
) -> dict[str, Any]:
    """The global log in order, from just after ``after``, paged."""
    events = service.log(after, limit)
    return {
        "events": events,
        "next_after": events[-1]["position"] if events else after,
        "head": service.head(),
    }


@router.get("/event-types", response_model=list[EventTypeOut])
def read_event_types() -> list[dict[str, Any]]:
    """Every event type: aggregate, description, CAMEO code, JSON Schema and a postable example."""
    return [
        {
            "name": t.name,
            "aggregate": t.kind,
            "description": t.description,
            "cameo": t.cameo,
            "cameo_scheme": CAMEO_SCHEME if t.cameo else None,
            "creates_stream": t.creates,
            "schema": body_schema(t),
            "examples": [{"path": t.example_path(), "body": t.example_body()}],
        }
        for t in EVENT_TYPES.values()
    ]
