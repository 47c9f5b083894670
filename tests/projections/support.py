"""Shared helpers of the projection tests: event bodies, appends through the service, view reads."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from uuid import UUID

from application.components import Components
from application.event_input import CreateIn, EventIn, new_event
from application.service import AppendResult, TimelineService
from entrypoints.bootstrap import build
from projections import queries
from projections.projector import Projector
from projections.registry import all_views
from store.settings import Settings
from store.sql import Database, Row

BACKEND = os.environ.get("NT_TEST_BACKEND", "sqlite")
VIEWS = ("talks_overview", "timeline", "positions", "statements", "delegations", "search")
EVERYTHING = queries.Page(limit=1_000_000)
UNKNOWN = {"precision": "unknown"}


def day(value: str) -> dict[str, Any]:
    """An occurrence on one day."""
    return {"precision": "day", "value": value}


def body(
    event_type: str,
    data: dict[str, Any] | None = None,
    *,
    occurred: dict[str, Any] | None = None,
    quotes: tuple[str, ...] = (),
    **overrides: Any,
) -> dict[str, Any]:
    """A request body; one source per quote (or one source without a quote)."""
    sources = [{"outlet": "Test Wire", "quote": quote} for quote in quotes] or [
        {"url": "https://example.org/report"}
    ]
    return {
        "type": event_type,
        "data": data or {},
        "occurred": occurred or day("2025-06-02"),
        "sources": sources,
    } | overrides


def create(
    service: TimelineService, kind: str, created: dict[str, Any], stream_id: UUID | None = None
) -> AppendResult:
    """Open a stream through the service, from a body."""
    return service.create(
        kind, new_event(kind, CreateIn.model_validate(created)), stream_id=stream_id
    )


def append(
    service: TimelineService, kind: str, stream_id: str | UUID, *bodies: dict[str, Any]
) -> AppendResult:
    """Append bodies to a stream atomically, through the service."""
    events = [new_event(kind, EventIn.model_validate(item)) for item in bodies]
    return service.append(kind, UUID(str(stream_id)), events)


def talks(service: TimelineService, title: str = "Talks", **data: Any) -> str:
    """A new Talks between Ukraine and Russia (unless told otherwise); its id."""
    fields = {"title": title, "parties": ["Ukraine", "Russia"]} | data
    return create(service, "talks", body("TalksProposed", fields, occurred=UNKNOWN)).stream_id


def stream(service: TimelineService, kind: str, talks_id: str, party: str, **data: Any) -> str:
    """A new delegation or position of ``party`` to a Talks; its id."""
    first = "DelegationAnnounced" if kind == "delegations" else "PositionTaken"
    fields = {"talks_id": talks_id, "party": party} | data
    return create(service, kind, body(first, fields)).stream_id


@contextmanager
def opened(settings: Settings) -> Iterator[Components]:
    """The store, service and projector of a process that does not follow the log."""
    components = build(settings, follow=False)
    try:
        yield components
    finally:
        components.close()


def fresh_projector(components: Components, batch_size: int = 500) -> Projector:
    """Another projector with the real views over the same store (a restarted process)."""
    projector = Projector(components.application, all_views(), batch_size=batch_size)
    projector.setup()
    return projector


def timeline(db: Database, **filters: Any) -> list[Row]:
    """The whole timeline, filtered."""
    arguments: dict[str, Any] = dict.fromkeys(("talks_id", "kind", "actor", "date_from", "date_to"))
    return queries.timeline(db, **(arguments | filters), page=EVERYTHING)


def statements(db: Database, **filters: Any) -> list[Row]:
    """Every statement, filtered."""
    arguments: dict[str, Any] = dict.fromkeys(("speaker", "text", "talks_id"))
    return queries.statements(db, **(arguments | filters), page=EVERYTHING)


def count(db: Database, table: str) -> int:
    """How many rows a table holds."""
    return int(db.query(f"SELECT COUNT(*) AS n FROM {table}")[0]["n"])


def tracking(db: Database, view: str) -> Row:
    """The view's tracking row."""
    return db.query("SELECT * FROM nt_projection_tracking WHERE view = ?", (view,))[0]


def digests(projector: Projector) -> dict[str, tuple[int, str]]:
    """Every view's position and digest."""
    return {name: projector.digest(name) for name in projector.views}


def quote_count(db: Database) -> int:
    """How many quotes the log holds, counted from the timeline's sources."""
    return sum(1 for entry in timeline(db) for source in entry["sources"] if source.get("quote"))
