"""The pages for people: the list of talks at /, a Talks page, and its replayable panel."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from api.auth import Reader
from api.deps import ComponentsDep
from api.routes.views import Clocks, ClocksDep, database, talks_known
from api.web.render import mark, render
from api.wiring import Components
from projections import queries
from store.service import NotFoundError

router = APIRouter(tags=["pages"], dependencies=[Reader], default_response_class=HTMLResponse)
EVERYTHING = queries.Page(limit=1000)


def panel(components: Components, talks_id: str, when: Clocks) -> str:
    """The state and the timeline of a Talks family on the clocks asked, as HTML."""
    try:
        talks: dict[str, Any] | None = components.service.state(
            "talks", UUID(talks_id), as_of=when.as_of, at=when.at
        )
    except NotFoundError:
        talks = None
    point = (
        f"at {when.at.date().isoformat()}"
        if when.at
        else (f"as of {when.as_of}" if when.as_of else "now")
    )
    return render(
        "panel.html",
        point=point,
        talks=talks,
        delegations=queries.delegations(database(components, "delegations", talks_id, when), talks_id),
        positions=queries.positions(database(components, "positions", talks_id, when), talks_id),
        entries=queries.timeline(
            database(components, "timeline", talks_id, when),
            talks_id=talks_id, kind=None, actor=None, date_from=None, date_to=None,
            page=EVERYTHING,
        ),
    )  # fmt: skip


def talks_page(components: Components, talks_id: UUID) -> HTMLResponse:
    """The whole page of a Talks: its replay controls and its panel as of now."""
    known = talks_known(components, talks_id)
    now = Clocks(None, None, None)
    entries = queries.timeline(
        components.application.database, talks_id=known, kind=None, actor=None,
        date_from=None, date_to=None, page=EVERYTHING,
    )  # fmt: skip
    occurred = sorted({m for e in entries if (m := mark(e["occurred"]))})
    recorded = sorted({e["recorded_at"] for e in entries})
    talks = components.service.state("talks", talks_id)
    return HTMLResponse(
        render(
            "talks.html",
            talks=talks,
            panel=panel(components, known, now),
            marks_occurred=occurred,
            marks_recorded=recorded,
        )
    )


@router.get("/", response_class=HTMLResponse)
def read_index(components: ComponentsDep) -> HTMLResponse:
    """The list of talks, for people (HTML)."""
    talks = queries.list_talks(components.application.database, None, None, EVERYTHING)
    return HTMLResponse(render("index.html", talks=talks))


@router.get("/talks/{talks_id}/panel", response_class=HTMLResponse)
def read_panel(talks_id: UUID, components: ComponentsDep, when: ClocksDep) -> HTMLResponse:
    """A Talks' state and timeline at a moment (at) or as known at a time (as_of), as HTML."""
    return HTMLResponse(panel(components, talks_known(components, talks_id), when))
