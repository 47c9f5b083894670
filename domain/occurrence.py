"""When a fact happened: a value with its precision, the reporter's wording and its anchor.

Values follow EDTF (ISO 8601-2) where it has a form for them:
- ``minute``: an RFC 3339 date-time with its offset, ``2025-05-31T20:00+03:00``;
- ``day``: ``2025-06-01``; ``month``: ``2025-06``;
- ``interval``: two days or date-times joined by ``/``, ``2025-05-23/2025-05-25``;
- ``unknown``: no value.

Relative wording ("Sunday", "the previous day") is resolved against its anchor, the moment the
statement was made (or, failing that, published), in the anchor's own time zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

from domain.errors import InvalidEventError

Precision = Literal["minute", "day", "month", "interval", "unknown"]
PRECISIONS: tuple[Precision, ...] = ("minute", "day", "month", "interval", "unknown")

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SAME_DAY = {"today", "this morning", "this afternoon", "this evening", "tonight", "earlier today"}
_DAY_BEFORE = {
    "yesterday",
    "the previous day",
    "the day before",
    "last night",
    "the previous evening",
}
_DAY_AFTER = {"tomorrow", "the next day", "the following day"}
_DAYS_AGO = re.compile(r"^(\d{1,3}) days? (ago|earlier|before)$")
_DAYS_LATER = re.compile(r"^(\d{1,3}) days? (later|after|from now)$")
_WEEKDAY = re.compile(
    r"^(?:on )?(?:(last|next|this|on|coming) )?(\w+?)(?:'s)?(?: (?:morning|afternoon|evening|night))?$"
)
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_datetime(text: str, pointer: str) -> datetime:
    """An RFC 3339 date-time with an explicit offset, or a domain error at ``pointer``."""
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidEventError(f"{text!r} is not an RFC 3339 date-time", pointer=pointer) from None
    if value.tzinfo is None:
        raise InvalidEventError(
            f"{text!r} has no time-zone offset; write Z or +HH:MM", pointer=pointer
        )
    return value


def _parse_day(text: str, pointer: str) -> date:
    if not _DAY.match(text):
        raise InvalidEventError(f"{text!r} is not a date (YYYY-MM-DD)", pointer=pointer)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidEventError(f"{text!r} is not a date (YYYY-MM-DD)", pointer=pointer) from None


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def _point_bounds(text: str, pointer: str) -> tuple[datetime, datetime]:
    """Bounds of one end of an interval: a day or a date-time."""
    if "T" in text:
        moment = parse_datetime(text, pointer).astimezone(UTC)
        return moment, moment + timedelta(minutes=1)
    day = _parse_day(text, pointer)
    return _day_start(day), _day_start(day + timedelta(days=1))


def resolve_wording(wording: str, anchor: datetime, *, forward: bool) -> date | None:
    """The day a relative wording names, seen from ``anchor``; None if it is not relative.

    A bare weekday ("Monday") looks forward for planned or expected facts and backward for
    the rest, and includes the anchor's own day: "announced Sunday" in a Sunday article
    is that Sunday, and "will travel on Monday" is the next day.
    """
    text = " ".join(wording.lower().strip().rstrip(".").split())
    text = text.removeprefix("on ")
    day = anchor.date()
    if text in _SAME_DAY:
        return day
    if text in _DAY_BEFORE:
        return day - timedelta(days=1)
    if text in _DAY_AFTER:
        return day + timedelta(days=1)
    if match := _DAYS_AGO.match(text):
        return day - timedelta(days=int(match.group(1)))
    if match := _DAYS_LATER.match(text):
        return day + timedelta(days=int(match.group(1)))
    match = _WEEKDAY.match(text)
    if not match or match.group(2) not in _WEEKDAYS:
        return None
    qualifier, weekday = match.group(1), _WEEKDAYS.index(match.group(2))
    ahead = (weekday - day.weekday()) % 7
    behind = (day.weekday() - weekday) % 7
    if qualifier == "last":
        return day - timedelta(days=behind or 7)
    if qualifier in ("next", "coming"):
        return day + timedelta(days=ahead or 7)
    return day + timedelta(days=ahead) if forward else day - timedelta(days=behind)


@dataclass(frozen=True)
class Occurrence:
    """When something happened, as precisely as the sources say, with their own words."""

    precision: Precision
    value: str | None = None
    wording: str | None = None
    anchor: str | None = None
    uncertain: bool = False

    @classmethod
    def build(
        cls,
        *,
        precision: Precision | None,
        value: str | None,
        wording: str | None = None,
        anchor: str | None = None,
        uncertain: bool = False,
        forward: bool = False,
    ) -> Occurrence:
        """Validate an occurrence, resolving relative wording against its anchor if no value."""
        if value is None and wording and precision != "unknown":
            if anchor is None:
                raise InvalidEventError(
                    f"{wording!r} needs an anchor: when the statement was made or published",
                    pointer="/occurred/anchor",
                )
            if precision not in (None, "day"):
                raise InvalidEventError(
                    "a relative wording resolves to a day; give precision day or a value",
                    pointer="/occurred/precision",
                )
            resolved = resolve_wording(
                wording, parse_datetime(anchor, "/occurred/anchor"), forward=forward
            )
            if resolved is None:
                raise InvalidEventError(
                    f"cannot resolve {wording!r}: give a value, or a wording such as "
                    "'Sunday', 'the previous day' or '3 days ago'",
                    pointer="/occurred/wording",
                )
            value, precision = resolved.isoformat(), precision or "day"
        if anchor is not None:
            parse_datetime(anchor, "/occurred/anchor")
        occurrence = cls(
            precision=precision or ("unknown" if value is None else "day"),
            value=value,
            wording=wording,
            anchor=anchor,
            uncertain=uncertain,
        )
        occurrence.bounds()  # validates the value against its precision
        return occurrence

    def corrected(self, value: str, precision: Precision | None = None) -> Occurrence:
        """The same occurrence with a corrected resolved value, wording and anchor kept."""
        return Occurrence.build(
            precision=precision or self.precision,
            value=value,
            wording=self.wording,
            anchor=self.anchor,
            uncertain=self.uncertain,
        )

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and the latest instant (exclusive) in UTC; None where unknown."""
        pointer = "/occurred/value"
        if self.precision not in PRECISIONS:
            raise InvalidEventError(
                f"precision must be one of {', '.join(PRECISIONS)}", pointer="/occurred/precision"
            )
        if self.precision == "unknown":
            if self.value is not None:
                raise InvalidEventError("an unknown date has no value", pointer=pointer)
            return None, None
        if self.value is None:
            raise InvalidEventError(f"a {self.precision} date needs a value", pointer=pointer)
        if self.precision == "minute":
            if "T" not in self.value:
                raise InvalidEventError("a minute-precise value is a date-time", pointer=pointer)
            return _point_bounds(self.value, pointer)
        if self.precision == "day":
            if "T" in self.value:
                raise InvalidEventError("a day-precise value is YYYY-MM-DD", pointer=pointer)
            return _point_bounds(self.value, pointer)
        if self.precision == "month":
            if not _MONTH.match(self.value):
                raise InvalidEventError("a month-precise value is YYYY-MM", pointer=pointer)
            first = _parse_day(self.value + "-01", pointer)
            following = (first + timedelta(days=32)).replace(day=1)
            return _day_start(first), _day_start(following)
        start_text, sep, end_text = self.value.partition("/")
        if not sep:
            raise InvalidEventError("an interval is START/END", pointer=pointer)
        start, _ = _point_bounds(start_text, pointer)
        _, end = _point_bounds(end_text, pointer)
        if end <= start:
            raise InvalidEventError("an interval ends after it starts", pointer=pointer)
        return start, end
