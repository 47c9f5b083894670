"""The pages for people: the list of talks at /, a Talks page, and its replayable panel."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode
from uuid import UUID

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from api.auth import Reader
from api.deps import ReadsDep
from api.params import ClocksDep
from api.web.render import render
from application.codings import own_codings
from application.dates import slider_mark
from application.desk import EXPORT_LABELS, INDEX_PAGE_SIZE, Paging, page_filters, upcoming
from application.errors import NotFoundError
from application.reads import NOW, Clocks, Page, Reads

router = APIRouter(tags=["pages"], dependencies=[Reader], default_response_class=HTMLResponse)
EVERYTHING = Page(limit=1000)


def panel(reads: Reads, talks_id: str, when: Clocks) -> str:
    """The state and the timeline of a Talks family on the clocks asked, as HTML."""
    try:
        talks: dict[str, Any] | None = reads.components.service.state(
            "talks", UUID(talks_id), as_of=when.as_of, at=when.at
        )
    except NotFoundError:
        talks = None
    point = (
        f"at {when.at.date().isoformat()}"
        if when.at
        else (f"as of {when.as_of}" if when.as_of else "now")
    )
    entries = reads.timeline(talks_id, EVERYTHING, when)
    return render(
        "panel.html",
        point=point,
        talks=talks,
        delegations=reads.delegations(talks_id, when),
        positions=reads.positions(talks_id, when),
        entries=entries,
        codings=own_codings(reads.components.service, entries),
        headlines={e["event_id"]: e["headline"] for e in entries},
    )


def streams_of(entries: list[dict[str, Any]]) -> list[dict[str, str]]:
    """The streams of a Talks family (the Talks first), for the record form's choice."""
    found: dict[str, dict[str, str]] = {}
    for e in entries:
        if e["stream_id"] not in found:
            party = e["actors"][0] if e["kind"] != "talks" and e["actors"] else ""
            label = "The talks" if e["kind"] == "talks" else f"{party}: {e['kind'][:-1]}"
            found[e["stream_id"]] = {"id": e["stream_id"], "kind": e["kind"], "label": label}
    return sorted(found.values(), key=lambda s: (s["kind"] != "talks", s["label"]))


def talks_page(reads: Reads, talks_id: UUID) -> HTMLResponse:
    """The whole page of a Talks: its replay controls and its panel as of now."""
    known = reads.talks_known(talks_id)
    entries = reads.timeline(known, EVERYTHING)
    occurred = sorted({m for e in entries if (m := slider_mark(e["occurred"]))})
    recorded = sorted({e["recorded_at"] for e in entries})
    talks = reads.components.service.state("talks", talks_id)
    return HTMLResponse(
        render(
            "talks.html",
            talks=talks,
            panel=panel(reads, known, NOW),
            marks_occurred=occurred,
            marks_recorded=recorded,
            export_formats=EXPORT_LABELS.items(),
            filters=None,
            streams=streams_of(entries),
        )
    )


@router.get("/", response_class=HTMLResponse)
def read_index(
    reads: ReadsDep,
    q: Annotated[str | None, Query(max_length=200, description="Words of the title")] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000, description="Page number, from 1")] = 1,
) -> HTMLResponse:
    """The list of talks, for people (HTML), a page at a time, searchable by title."""
    title = (q or "").strip() or None
    paging = Paging(page, INDEX_PAGE_SIZE, reads.count_talks(None, None, title=title))
    talks = reads.list_talks(None, None, Page(limit=paging.size, offset=paging.offset), title=title)
    for t in talks:
        t["next_round"] = t["next_round"] if upcoming(t["next_round"]) else None
    return HTMLResponse(render("index.html", talks=talks, paging=paging, q=title or ""))


@router.get("/talks/{talks_id}/panel", response_class=HTMLResponse)
def read_panel(talks_id: UUID, reads: ReadsDep, when: ClocksDep) -> HTMLResponse:
    """A Talks' state and timeline at a moment (at) or as known at a time (as_of), as HTML."""
    return HTMLResponse(panel(reads, reads.talks_known(talks_id), when))


#: The search page's entries per page.
SEARCH_PAGE_SIZE = 100


@router.get("/talks/{talks_id}/search", response_class=HTMLResponse)
def read_talks_search(
    talks_id: UUID,
    request: Request,
    reads: ReadsDep,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> HTMLResponse:
    """A Talks' entries that match a search form's filters (the URL holds them), as HTML.

    The form's fields (q, actor, kind, modality, disputed, corrected, from, to) are read as
    submitted: an empty field means "any"; GET /search is the same search as JSON.
    """
    known = reads.talks_known(talks_id)
    fields = {name: request.query_params.get(name) for name in FORM_FIELDS}
    chosen = page_filters(fields)
    entries, total = reads.search(
        Page(limit=SEARCH_PAGE_SIZE, offset=offset), text=chosen.q, talks_id=known,
        actor=chosen.actor, kind=chosen.kind, modality=chosen.modality,
        disputed=chosen.disputed, corrected=chosen.corrected,
        date_from=chosen.date_from, date_to=chosen.date_to,
    )  # fmt: skip
    query = urlencode({name: value for name, value in fields.items() if value})
    return HTMLResponse(
        render(
            "talks_search.html",
            talks=reads.components.service.state("talks", talks_id),
            filters=chosen,
            entries=entries,
            codings=own_codings(reads.components.service, entries),
            total=total,
            offset=offset,
            limit=SEARCH_PAGE_SIZE,
            query=query,
            export_formats=EXPORT_LABELS.items(),
        )
    )


FORM_FIELDS = ("q", "actor", "kind", "modality", "disputed", "corrected", "from", "to")
