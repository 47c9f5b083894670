"""The answer of a search: one page of matching timeline entries and how many match in all."""

from __future__ import annotations

from pydantic import Field

from api.responses.values import Closed
from api.responses.views import TimelineEntry


class SearchResults(Closed):
    """Timeline entries whose words or actors match, in timeline order, a page at a time."""

    total: int = Field(description="How many entries match in all (every page)")
    limit: int
    offset: int
    entries: list[TimelineEntry]
