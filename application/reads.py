"""Reads of the views on either clock, each able to wait for the caller's own writes.

Without ``as_of`` or ``at`` a read is answered from the live views (waiting for ``min_position``
if given). With either, the timeline and the statements are answered from their own tables,
whose rows keep their record-time versions and valid-time dates (projections/rows_at.py): an
indexed query, no rebuild. The other views, and these two while they have not reached the
position asked, are answered from the same views projected for those clocks
(projections/temporal_views.py), which read the log itself and so never lag.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from application.actor_names import actor_keys, actor_names
from application.components import Components
from application.corrected_rows import STATEMENT_PATHS, with_corrected_values
from application.diffs import Axis, diff
from application.errors import (
    InvalidRequestError,
    NotFoundError,
    PositionUnknownError,
)
from projections import queries
from projections.queries import Page
from projections.rows_at import Point
from projections.search_queries import Filters, search
from store.serialize import iso
from store.sql import Database, Row

__all__ = ["Clocks", "Page", "Reads"]

#: What a timeline read consults: its rows mark disputed entries by the claims they keep.
READS_TIMELINE = ("timeline",)
#: What the other reads consult (a statements read marks disputes by the timeline's claims).
READS_TALKS = ("talks_overview",)
READS_POSITIONS = ("positions",)
READS_DELEGATIONS = ("delegations",)
READS_STATEMENTS = ("statements", "timeline")
#: Families built at a time for a filtered list of Talks on another clock.
TALKS_CHUNK = 100
#: The reads (by their route's path) that answer another clock from their views' own tables
#: (``Reads.point``): a cheap indexed query, not an expensive read. Should their views lag
#: behind the point asked, the temporal build that answers instead has its own bound.
INDEXED_READS = frozenset({"/timeline", "/talks/{talks_id}/timeline", "/statements"})
#: The views each read consults (by its route's path): what a ``min_position`` read waits for.
VIEWS_READ = {
    "/talks": READS_TALKS,
    "/timeline": READS_TIMELINE,
    "/talks/{talks_id}/timeline": READS_TIMELINE,
    "/talks/{talks_id}/panel": READS_TIMELINE,
    "/talks/{talks_id}/positions": READS_POSITIONS,
    "/talks/{talks_id}/delegations": READS_DELEGATIONS,
    "/statements": ("statements",),
    "/search": ("search", "timeline"),
    "/talks/{talks_id}/search": ("search", "timeline"),
}


@dataclass(frozen=True)
class Clocks:
    """The clocks a read asks for, and the position it must include."""

    as_of: datetime | None = None
    at: datetime | None = None
    min_position: int | None = None


NOW = Clocks()


def bound(value: date | datetime | None, *, end: bool) -> str | None:
    """A date filter as a UTC instant: a date's start, or (for ``to``) the next day's start."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return iso(value if value.tzinfo else value.replace(tzinfo=UTC))
    day = value + timedelta(days=1) if end else value
    return iso(datetime.combine(day, time(0), tzinfo=UTC))


class Reads:
    """The views' reads for one process's components."""

    def __init__(self, components: Components, *, talks_chunk: int = TALKS_CHUNK) -> None:
        self.components = components
        #: Families built at a time for a filtered list of Talks on another clock.
        self.talks_chunk = talks_chunk

    def database(
        self,
        talks_id: str | tuple[str, ...] | None,
        when: Clocks,
        views: tuple[str, ...] | None = None,
    ) -> Database:
        """Where to read: the live views or a temporal copy of them for the clocks asked (of
        ``views`` only if named: the others are not built).

        A read with ``min_position`` has waited before it gets here (api/params.py ``clocks``
        waits on the event loop, for the views ``VIEWS_READ`` names).
        """
        components = self.components
        if when.as_of is not None or when.at is not None:
            assert components.temporal is not None
            return components.temporal.database(talks_id, as_of=when.as_of, at=when.at, views=views)
        return components.application.database

    def point(self, when: Clocks, views: tuple[str, ...]) -> Point | None:
        """The point on both clocks that a read of versioned views asks for, answered from
        their own tables (projections/rows_at.py); None for a read now, or when the views have
        not yet reached the position asked (then the temporal copy answers: it never lags)."""
        if when.as_of is None and when.at is None:
            return None
        components = self.components
        projector = components.projector
        upto = (
            projector.head() if when.as_of is None else projector.index.position_as_of(when.as_of)
        )
        if any(projector.position(name) < upto for name in views):
            return None
        return Point(upto, iso(when.at) if when.at is not None else None)

    def require_position(self, min_position: int | None) -> None:
        """A read of a stream includes every append that has answered; a position beyond the
        head of the log is not there yet."""
        if min_position is not None and min_position > (head := self.components.service.head()):
            msg = f"the log ends at position {head}, before position {min_position}"
            raise PositionUnknownError(msg, head)

    def talks_known(self, talks_id: UUID) -> str:
        """The Talks id as text; NotFoundError if no such Talks was ever created."""
        if self.components.service.stream_kind(str(talks_id)) != "talks":
            msg = f"no talks with id {talks_id}"
            raise NotFoundError(msg)
        return str(talks_id)

    def list_talks(
        self,
        status: str | None,
        party: str | None,
        page: Page,
        when: Clocks = NOW,
        *,
        title: str | None = None,
    ) -> list[Row]:
        """Every Talks with status, parties, mediators, rounds and next round; filterable.

        On another clock the Talks are found from the timeline's rows (which Talks existed
        then, and their newest facts, in the list's order), and only their families are built
        for that clock: the page's, or, filtered (the filters read the state then), the
        families in the list's order, a chunk at a time, until the page is full.
        """
        point = self.point(when, READS_TIMELINE)
        if point is None:
            return queries.list_talks(
                self.database(None, when, READS_TALKS), status, party, page, title
            )
        kinds = sorted(self.components.projector.views[READS_TALKS[0]].kinds or ())
        filtered = bool(status or party or title)
        wanted = page.offset + page.limit
        chunk = Page(limit=max(wanted, self.talks_chunk) if filtered else page.limit,
                     offset=0 if filtered else page.offset)  # fmt: skip
        found: list[Row] = []
        while True:
            ids = queries.talks_at(self.components.application.database, point, kinds, chunk)
            if not ids:
                break
            families = self.database(tuple(ids), when, READS_TALKS)
            found += queries.list_talks(families, status, party, Page(limit=len(ids)), title)
            if not filtered or len(found) >= wanted or len(ids) < chunk.limit:
                break
            chunk = Page(limit=chunk.limit, offset=chunk.offset + chunk.limit)
        return found if not filtered else found[page.offset : wanted]

    def count_talks(
        self, status: str | None, party: str | None, *, title: str | None = None
    ) -> int:
        """How many Talks ``list_talks`` would list with the same filters, now."""
        return queries.count_talks(self.database(None, NOW), status, party, title)

    def timeline(
        self,
        talks_id: str | None,
        page: Page,
        when: Clocks = NOW,
        *,
        kind: str | None = None,
        actor: str | None = None,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
    ) -> list[Row]:
        """Events by when they occurred, of one family or all, filterable."""
        point = self.point(when, ("timeline",))
        rows = queries.timeline(
            self.database(talks_id, NOW if point else when, READS_TIMELINE),
            talks_id=talks_id,
            kind=kind,
            actor=actor_names(self.components.service, actor) if actor else None,
            date_from=bound(date_from, end=False),
            date_to=bound(date_to, end=True),
            page=page,
            point=point,
        )
        return with_corrected_values(self.components.service, rows)

    def search(
        self,
        page: Page,
        *,
        text: str | None = None,
        talks_id: str | None = None,
        actor: str | None = None,
        kind: str | None = None,
        modality: str | None = None,
        disputed: bool | None = None,
        corrected: bool | None = None,
        date_from: date | datetime | None = None,
        date_to: date | datetime | None = None,
    ) -> tuple[list[Row], int]:
        """Entries now known whose words or actors match, filtered; and how many match."""
        start, end = bound(date_from, end=False), bound(date_to, end=True)
        if start is not None and end is not None and start >= end:
            raise InvalidRequestError("from must be before to", parameter="from")
        filters = Filters(
            text=text,
            talks_id=talks_id,
            actor_keys=actor_keys(actor) if actor and actor.strip() else (),
            kind=kind,
            modality=modality,
            disputed=disputed,
            corrected=corrected,
            date_from=start,
            date_to=end,
        )
        # The full-text index is kept with the live views only (no other clock); a read with
        # min_position has waited for them before it gets here (VIEWS_READ).
        rows, total = search(self.components.application.database, filters, page)
        return with_corrected_values(self.components.service, rows), total

    def positions(self, talks_id: str, when: Clocks = NOW) -> list[Row]:
        """Each party's priorities and demands in a Talks, and their history."""
        return queries.positions(self.database(talks_id, when, READS_POSITIONS), talks_id)

    def delegations(self, talks_id: str, when: Clocks = NOW) -> list[Row]:
        """Each party's delegation to a Talks: head and members over time."""
        return queries.delegations(self.database(talks_id, when, READS_DELEGATIONS), talks_id)

    def statements(
        self,
        page: Page,
        when: Clocks = NOW,
        *,
        speaker: str | None = None,
        text: str | None = None,
        talks_id: str | None = None,
    ) -> list[Row]:
        """Every quote with speaker, date, channel and source; search by speaker and text."""
        point = self.point(when, ("statements", "timeline"))
        rows = queries.statements(
            self.database(talks_id, NOW if point else when, READS_STATEMENTS),
            speaker=speaker,
            text=text,
            talks_id=talks_id,
            page=page,
            point=point,
        )
        return with_corrected_values(self.components.service, rows, STATEMENT_PATHS)

    def diff(self, talks_id: UUID, start: datetime, end: datetime, axis: Axis) -> dict[str, Any]:
        """What changed in a Talks family between two points on one axis."""
        known = self.talks_known(talks_id)
        if start > end:
            raise InvalidRequestError("from must not be after to", parameter="from")
        changes, corrected = diff(self.components.service, talks_id, start, end, axis)
        return {
            "talks_id": known,
            "axis": axis,
            "from": iso(start),
            "to": iso(end),
            "changes": changes,
            "corrections": corrected,
        }
