"""Query parameters shared by the routes: the two clocks, dates and times, positions, paging."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time
from typing import Annotated, Any

from fastapi import Depends, Query, Request
from pydantic import AwareDatetime, BeforeValidator

from api.deps import ComponentsDep
from api.limits import expensive, wait_for_views
from application.limits import MAX_PAGE, MAX_POSITION
from application.reads import INDEXED_READS, VIEWS_READ, Clocks, Page

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


def instant(value: date | datetime) -> datetime:
    """A date or time parameter as an instant: a date means the end of that day (UTC)."""
    if isinstance(value, datetime):
        return value
    return datetime.combine(value, time.max, tzinfo=UTC)


def moment(value: date | datetime | None) -> datetime | None:
    """An optional ``at`` value as an instant (see ``instant``)."""
    return None if value is None else instant(value)


MinPosition = Annotated[
    int | None,
    Query(
        ge=0,
        le=MAX_POSITION,
        description="Answer once the view has applied this position (from an append); "
        "503 with Retry-After if it has not within the bounded wait; 409 if the log has no "
        "such position yet",
    ),
]
AsOf = Annotated[
    Instant | None,
    Query(description="Record time: the view from the events recorded by then"),
]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="Entries to skip")]


async def clocks(
    request: Request,
    components: ComponentsDep,
    min_position: MinPosition = None,
    as_of: AsOf = None,
    at: At = None,
) -> AsyncIterator[Clocks]:
    """The ``min_position``, ``as_of`` and ``at`` parameters every view read takes.

    A live read with ``min_position`` waits here, on the event loop (api/limits.py); a read on
    another clock is an expensive one and holds one of their few places until it is answered,
    unless its views answer it from their own tables (``INDEXED_READS``).
    """
    route = getattr(request.scope.get("route"), "path", "")
    if as_of is not None or at is not None:
        if route in INDEXED_READS:
            yield Clocks(as_of, moment(at), min_position)
            return
        with expensive(request):
            yield Clocks(as_of, moment(at), min_position)
        return
    if min_position is not None:
        views = VIEWS_READ.get(route, tuple(components.projector.views))
        await wait_for_views(request, components, views, min_position)
    yield Clocks(None, None, min_position)


def page(limit: Limit = 100, offset: Offset = 0) -> Page:
    """Paging parameters."""
    return Page(limit, offset)


ClocksDep = Annotated[Clocks, Depends(clocks)]
PageDep = Annotated[Page, Depends(page)]


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


DiffPoint = Annotated[
    Point, Query(description="A date (its end, UTC) or an RFC 3339 time with offset")
]
