"""Reads served from the projections on either clock (application/reads.py has the rules)."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from api.auth import Reader
from api.deps import ReadsDep
from api.limits import expensive_read
from api.params import Actor, ClocksDep, DiffPoint, From, Kind, PageDep, To, instant
from api.responses.large import streamed
from api.responses.views import (
    DelegationRow,
    PositionRow,
    Statement,
    TalksDiff,
    TalksRow,
    TimelineEntry,
)
from application.diffs import Axis

router = APIRouter(tags=["views"], dependencies=[Reader])


@router.get("/talks", response_model=list[TalksRow])
def list_talks(
    reads: ReadsDep,
    paging: PageDep,
    when: ClocksDep,
    status: Annotated[str | None, Query(max_length=40)] = None,
    party: Annotated[str | None, Query(max_length=200)] = None,
) -> list[dict[str, Any]]:
    """Every Talks with status, parties, mediators, rounds and next round; filterable."""
    return reads.list_talks(status, party, paging, when)


@router.get("/timeline", response_model=list[TimelineEntry])
def read_timeline(
    reads: ReadsDep, paging: PageDep, when: ClocksDep, kind: Kind = None,
    actor: Actor = None, date_from: From = None, date_to: To = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """All events by when they occurred, filterable by kind, actor and date range."""
    return reads.timeline(
        None, paging, when, kind=kind, actor=actor, date_from=date_from, date_to=date_to
    )


@router.get("/talks/{talks_id}/timeline", response_model=list[TimelineEntry])
def read_talks_timeline(
    talks_id: UUID, reads: ReadsDep, paging: PageDep, when: ClocksDep,
    kind: Kind = None, actor: Actor = None, date_from: From = None, date_to: To = None,
) -> list[dict[str, Any]]:  # fmt: skip
    """One Talks' events (with its delegations and positions) by when they occurred."""
    known = reads.talks_known(talks_id)
    return reads.timeline(
        known, paging, when, kind=kind, actor=actor, date_from=date_from, date_to=date_to
    )


@router.get("/talks/{talks_id}/positions", response_model=list[PositionRow])
def read_positions(talks_id: UUID, reads: ReadsDep, when: ClocksDep) -> list[dict[str, Any]]:
    """Each party's current priorities and demands in a Talks, and their history."""
    return reads.positions(reads.talks_known(talks_id), when)


@router.get("/talks/{talks_id}/delegations", response_model=list[DelegationRow])
def read_delegations(talks_id: UUID, reads: ReadsDep, when: ClocksDep) -> list[dict[str, Any]]:
    """Each party's delegation to a Talks: head and members over time."""
    return reads.delegations(reads.talks_known(talks_id), when)


@router.get("/statements", response_model=list[Statement])
def read_statements(
    reads: ReadsDep,
    paging: PageDep,
    when: ClocksDep,
    speaker: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[str | None, Query(max_length=200, description="Words in the quote")] = None,
    talks_id: UUID | None = None,
) -> list[dict[str, Any]]:
    """Every quote with speaker, date, channel and source; search by speaker and text."""
    scope = str(talks_id) if talks_id else None
    return reads.statements(paging, when, speaker=speaker, text=q, talks_id=scope)


@router.get(
    "/talks/{talks_id}/diff",
    response_model=TalksDiff,
    dependencies=[Depends(expensive_read)],
)
def read_diff(
    talks_id: UUID,
    reads: ReadsDep,
    date_from: Annotated[DiffPoint, Query(alias="from")],
    date_to: Annotated[DiffPoint, Query(alias="to")],
    axis: Annotated[Axis, Query(description="occurred: the world; recorded: what was known")] = (
        "occurred"
    ),
) -> StreamingResponse:
    """What changed in a Talks, its delegations and positions between two points: each field
    added, changed or removed, with the events that caused it."""
    return streamed(reads.diff(talks_id, instant(date_from), instant(date_to), axis))
