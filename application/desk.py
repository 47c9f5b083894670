"""What the pages for people need beyond the API's reads: paging of the index, upcoming rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from domain.errors import InvalidEventError
from domain.occurrence import Occurrence

#: Talks per page of the index: every Talks is reachable by the page links, none is cut.
INDEX_PAGE_SIZE = 50


@dataclass(frozen=True)
class Paging:
    """Where one page of a list stands in the whole: its number, how many pages, and rows."""

    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        """How many pages the list has (at least one, even when empty)."""
        return max(1, -(-self.total // self.size))

    @property
    def offset(self) -> int:
        """How many rows come before this page."""
        return (self.number - 1) * self.size

    @property
    def first(self) -> int:
        """The 1-based number of the page's first row (0 when the list is empty)."""
        return min(self.offset + 1, self.total)

    @property
    def last(self) -> int:
        """The 1-based number of the page's last row."""
        return min(self.offset + self.size, self.total)


def upcoming(round_: dict[str, Any] | None, now: datetime | None = None) -> bool:
    """True if a scheduled round may still be ahead: undated, or not over before ``now``."""
    if not round_:
        return False
    if not round_.get("date"):
        return True
    date = round_["date"]
    try:
        # A round's date is inside the data: a bare weekday there looks forward.
        end = Occurrence.build(
            precision=date.get("precision"),
            value=date.get("value"),
            wording=date.get("wording"),
            anchor=date.get("anchor"),
            forward=True,
        ).bounds()[1]
    except InvalidEventError:  # a wording we cannot place: it may still be ahead
        return True
    return end is None or end > (now or datetime.now(UTC))
