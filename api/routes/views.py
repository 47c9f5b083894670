"""Reads served from the projections, on either clock, each able to wait for the caller's writes.

Without ``as_of`` or ``at`` a read is answered from the live views (waiting for ``min_position``
if given); with either, from the same views projected for those clocks (projections/
temporal_views.py), which read the log itself and so never lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query

from api.auth import Reader
from api.deps import ComponentsDep
from api.problems import ProblemError
from api.routes.streams import At, Instant, Point, instant, moment
from api.wiring import Components
from projections import queries
from projections.runner import wait_for
from store.actor_names import actor_names
from store.diffs import Axis, diff
from store.schema import MAX_POSITION
from store.serialize import iso
from store.sql import Database

router = APIRouter(tags=["views"], dependencies=[Reader])
MAX_PAGE = 1000

MinPosition = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="Answer once the view has applied this position (from an append); "
        "503 with Retry-After if it has not within the bounded wait",
    ),
]
AsOf = Annotated[
    Instant | None,
    Query(description="Record time: the view from the events recorded by then"),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Entries to skip")]


@dataclass(frozen=True)
class Clocks:
    """The clocks a read asks for, and the position it must include."""

    as_of: datetime | None
    at: datetime | None
    min_position: int | None


def clocks(min_position: MinPosition = None, as_of: AsOf = None, at: At = None) -> Clocks:
    """The ``min_position``, ``as_of`` and ``at`` parameters every view read takes."""
    return Clocks(as_of, moment(at), min_position)


def page(limit: Limit = 100, offset: Offset = 0) -> queries.Page:
    """Paging parameters."""
    return queries.Page(limit, offset)


ClocksDep = Annotated[Clocks, Depends(clocks)]
PageDep = Annotated[queries.Page, Depends(page)]


#: The views a read of one view also consults: the timeline marks disputed entries from the
#: folded states that the overview, positions and delegations views hold.
READS = {"timeline": ("timeline", "talks_overview", "positions", "delegations")}


def database(components: Components, view: str, talks_id: str | None, when: Clocks) -> Database:
    """Where to read: the live views (after waiting for ``min_position``) or a temporal copy."""
    if when.as_of is not None or when.at is not None:
        assert components.temporal is not None
        return components.temporal.database(talks_id, as_of=when.as_of, at=when.at)
    if when.min_position is not None:
        timeout = components.settings.read_wait_seconds
        for name in READS.get(view, (view,)):
            if not wait_for(
                components.projector, components.runner, name, when.min_position, timeout
            ):
                raise ProblemError(
                    503, "view-behind", "The view has not caught up yet",
                    f"{name} has not reached position {when.min_position} within {timeout:g} s",
                    headers={"Retry-After": "1"},
                )  # fmt: skip
    return components.application.database


def talks_known(components: Components, talks_id: UUID) -> str:
    """The Talks id as text, or 404 if no such Talks was ever created."""
    if components.service.stream_kind(str(talks_id)) != "talks":
        raise ProblemError(404, "not-found", "Not found", f"no talks with id {talks_id}")
    return str(talks_id)


def bound(value: date | datetime | None, *, end: bool) -> str | None:
    """A date filter as a UTC instant: a date's start, or (for ``to``) the next day's start."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso(value if value.tzinfo else value.replace(tzinfo=UTC))
    day = value + timedelta(days=1) if end else value
    return iso(datetime.combine(day, time(0), tzinfo=UTC))


@router.get("/talks", response_model=list[dict[str, Any]])
def list_talks(
    components: ComponentsDep,
    paging: PageDep,
    when: ClocksDep,
    status: Annotated[str | None, Query(max_length=40)] = None,
    party: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """Every Talks with status, parties, mediators, rounds and next round; filterable."""
    db = database(components, "talks_overview", None, when)
    return queries.list_talks(db, status, party, paging)


Kind = Annotated[str | None, Query(pattern="^(talks|delegations|positions|actors)$")]
Actor = Annotated[
    str | None,
    Query(max_length=200, description="An actor's id, name or alias (any case or accents)"),
]
From = Annotated[
    Point | None,
    Query(alias="from", description="Occurred from this date (its start) or RFC 3339 time"),
]
To = Annotated[
    Point | None,
    Query(alias="to", description="Occurred up to this date (its end) or RFC 3339 time"),
]


def _timeline(
    components: Components, talks_id: str | None, paging: queries.Page, when: Clocks,
    kind: str | None, actor: str | None, date_from: date | datetime | None,
    date_to: date | datetime | None,
) -> list[dict[str, Any]]:  # fmt: skip
    return queries.timeline(
        database(components, "timeline", talks_id, when),
        talks_id=talks_id,
        kind=kind,
        actor=actor_names(components.service, actor) if actor else None,
        date_from=bound(date_from, end=False),
        date_to=bound(date_to, end=True),
        page=paging,
    )


@router.get("/timeline", response_model=list[dict[str, Any]])
def read_timeline(
    components: ComponentsDep, paging: PageDep, when: ClocksDep, kind: Kind = None,
    actor: Actor = None, date_from: From = None, date_to: To = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """All events by when they occurred, filterable by kind, actor and date range."""
    return _timeline(components, None, paging, when, kind, actor, date_from, date_to)


@router.get("/talks/{talks_id}/timeline", response_model=list[dict[str, Any]])
def read_talks_timeline(
    talks_id: UUID, components: ComponentsDep, paging: PageDep, when: ClocksDep,
    kind: Kind = None, actor: Actor = None, date_from: From = None, date_to: To = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """One Talks' events (with its delegations and positions) by when they occurred."""
    known = talks_known(components, talks_id)
    return _timeline(components, known, paging, when, kind, actor, date_from, date_to)


@router.get("/talks/{talks_id}/positions", response_model=list[dict[str, Any]])
def read_positions(
    talks_id: UUID, components: ComponentsDep, when: ClocksDep
) -> list[dict[str, Any]]:
    """Each party's current priorities and demands in a Talks, and their history."""
    known = talks_known(components, talks_id)
    return queries.positions(database(components, "positions", known, when), known)


@router.get("/talks/{talks_id}/delegations", response_model=list[dict[str, Any]])
def read_delegations(
    talks_id: UUID, components: ComponentsDep, when: ClocksDep
) -> list[dict[str, Any]]:
    """Each party's delegation to a Talks: head and members over time."""
    known = talks_known(components, talks_id)
    return queries.delegations(database(components, "delegations", known, when), known)


@router.get("/statements", response_model=list[dict[str, Any]])
def read_statements(
    components: ComponentsDep,
    paging: PageDep,
    when: ClocksDep,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the quote")] = None,
    talks_id: UUID | None = None,
) -> list[dict[str, Any]]:
    """Every quote with speaker, date, channel and source; search by speaker and text."""
    scope = str(talks_id) if talks_id else None
    return queries.statements(
        database(components, "statements", scope, when),
        speaker=speaker,
        text=q,
        talks_id=scope,
        page=paging,
    )


DiffPoint = Annotated[
    Point, Query(description="A date (its end, UTC) or an RFC 3339 time with offset")
]


@router.get("/talks/{talks_id}/diff", response_model=dict[str, Any])
def read_diff(
    talks_id: UUID,
    components: ComponentsDep,
    date_from: Annotated[DiffPoint, Query(alias="from")],
    date_to: Annotated[DiffPoint, Query(alias="to")],
    axis: Annotated[Axis, Query(description="occurred: the world; recorded: what was known")] = (
        "occurred"
    ),
) -> dict[str, Any]:
    """What changed in a Talks, its delegations and positions between two points: each field
    added, changed or removed, with the events that caused it."""
    known = talks_known(components, talks_id)
    start, end = instant(date_from), instant(date_to)
    if start > end:
        raise ProblemError(
            422, "invalid-request", "The request is invalid", "from must not be after to",
            parameter="from",
        )  # fmt: skip
    changes = diff(components.service, talks_id, start, end, axis)
    return {
        "talks_id": known,
        "axis": axis,
        "from": iso(start),
        "to": iso(end),
        "changes": changes,
    }
