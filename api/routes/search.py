"""Search the timeline: full-text words, actors (any spelling), kind, modality, marks, dates."""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Query

from api.auth import Reader
from api.deps import ReadsDep
from api.params import Actor, ClocksDep, From, Kind, PageDep, To
from api.responses.search import SearchResults

router = APIRouter(tags=["views"], dependencies=[Reader])

Text = Annotated[
    str | None,
    Query(max_length=200, description="Words of headlines, quotes, speakers or sources"),
]
ModalityParam = Annotated[
    str | None, Query(pattern="^(asserted|planned|expected|reported|disputed)$")
]
Mark = Annotated[bool | None, Query(description="true: only those; false: none of those")]


@router.get("/search", response_model=SearchResults)
def search(
    reads: ReadsDep, paging: PageDep, _waited: ClocksDep, q: Text = None,
    talks_id: UUID | None = None, actor: Actor = None, kind: Kind = None,
    modality: ModalityParam = None, disputed: Mark = None, corrected: Mark = None,
    date_from: From = None, date_to: To = None,
) -> dict[str, Any]:  # fmt: skip
    """Timeline entries as now known that match every filter given, in timeline order.

    (``_waited``: the clocks dependency, which waits for min_position; search is live only.)
    """
    known = reads.talks_known(talks_id) if talks_id else None
    entries, total = reads.search(
        paging, text=q, talks_id=known, actor=actor, kind=kind, modality=modality,
        disputed=disputed, corrected=corrected, date_from=date_from, date_to=date_to,
    )  # fmt: skip
    return {"total": total, "limit": paging.limit, "offset": paging.offset, "entries": entries}
