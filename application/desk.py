"""What the pages for people need beyond the API's reads: paging of the index, upcoming rounds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from application.errors import InvalidRequestError
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


#: Each export format with the name its button shows, in the order of application/exports.py.
EXPORT_LABELS: dict[str, str] = {
    "timelinejs": "TimelineJS",
    "csv": "CSV (ACLED)",
    "csv-v1": "CSV (v1)",
    "cloudevents": "CloudEvents",
    "cloudevents-batch": "CloudEvents batch",
    "plover": "PLOVER",
}
KINDS = ("talks", "delegations", "positions")
MODALITIES = ("asserted", "planned", "expected", "reported", "disputed")
MARKS = {"": None, "true": True, "false": False}


@dataclass(frozen=True)
class PageFilters:
    """A search form's fields as submitted (empty fields meaning "any"), checked."""

    q: str | None = None
    actor: str | None = None
    kind: str | None = None
    modality: str | None = None
    disputed: bool | None = None
    corrected: bool | None = None
    date_from: date | None = None
    date_to: date | None = None

    @property
    def open(self) -> bool:
        """True if any filter is set (the tools are shown open, with a way to clear them)."""
        return any(value is not None for value in vars(self).values())


def _blank(value: str | None) -> str | None:
    return (value or "").strip() or None


def _choice(value: str | None, allowed: tuple[str, ...], parameter: str) -> str | None:
    value = _blank(value)
    if value is not None and value not in allowed:
        msg = f"{parameter} must be one of {', '.join(allowed)}"
        raise InvalidRequestError(msg, parameter=parameter)
    return value


def _mark(value: str | None, parameter: str) -> bool | None:
    key = (value or "").strip().lower()
    if key not in MARKS:
        raise InvalidRequestError(f"{parameter} must be true or false", parameter=parameter)
    return MARKS[key]


def _day(value: str | None, parameter: str) -> date | None:
    value = _blank(value)
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        msg = f"{parameter} must be a date (YYYY-MM-DD)"
        raise InvalidRequestError(msg, parameter=parameter) from None


def page_filters(fields: dict[str, str | None]) -> PageFilters:
    """The filters of a submitted search form; InvalidRequestError names a bad field."""
    return PageFilters(
        q=_blank(fields.get("q")),
        actor=_blank(fields.get("actor")),
        kind=_choice(fields.get("kind"), KINDS, "kind"),
        modality=_choice(fields.get("modality"), MODALITIES, "modality"),
        disputed=_mark(fields.get("disputed"), "disputed"),
        corrected=_mark(fields.get("corrected"), "corrected"),
        date_from=_day(fields.get("from"), "from"),
        date_to=_day(fields.get("to"), "to"),
    )
