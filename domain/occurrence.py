"""When a fact happened: a value with its precision, the reporter's wording and its anchor.

Values follow EDTF (ISO 8601-2):
- ``minute``: an RFC 3339 date-time with its offset, ``2025-05-31T20:00+03:00``;
- ``day``: ``2025-06-01``; ``month``: ``2025-06``;
- ``interval``: two days or date-times joined by ``/``, ``2025-05-23/2025-05-25``, or an open
  one, ``../2025-06-01`` (until 1 June), ``2025-05-01/..`` (from 1 May);
- ``edtf``: any EDTF level 1 value we support (domain/edtf_dates.py): qualifiers ``?`` ``~``
  ``%``, unspecified digits ``2025-06-XX``, one of a set ``[2025-05-14,2025-05-15]``, seasons;
- ``unknown``: no value.

Days are calendar days in the occurrence's time zone ``tz`` (IANA) when it names one, in UTC
otherwise. Relative wording ("Sunday", "the previous day", "next week") is resolved against its
anchor, the moment the statement was made (or, failing that, published), in ``tz`` if given,
else in the anchor's own offset; an anchor may be a bare day when that is all the source gives.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Literal

from domain.edtf_dates import day_start, edtf_span, zone
from domain.errors import InvalidEventError

Precision = Literal["minute", "day", "month", "interval", "edtf", "unknown"]
PRECISIONS: tuple[Precision, ...] = ("minute", "day", "month", "interval", "edtf", "unknown")

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
_THIS_WEEK = {"this week", "later this week", "earlier this week"}
_NEXT_WEEK = {"next week", "the following week", "the next week", "the week after"}
_LAST_WEEK = {"last week", "the previous week", "the week before"}
_WEEKS_AGO = re.compile(r"^(\d{1,2}|a|one|two|three) weeks? (ago|earlier|before)$")
_WEEKS_LATER = re.compile(r"^(?:in )?(\d{1,2}|a|one|two|three) weeks?(?: (later|after|from now))?$")
_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3}
#: The relative wordings understood, as error messages list them.
SUPPORTED_WORDINGS = (
    "today, yesterday, the previous day, tomorrow, the following day",
    "N days ago, N days later",
    "Monday, last Friday, next Monday (any weekday)",
    "this week, next week, the following week, last week, N weeks ago, in N weeks",
)
_MONTH = re.compile(r"^\d{4}-\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_TIME_EXAMPLE = "2025-06-01T12:00:00+03:00 or 2025-06-01T09:00:00Z"


def parse_datetime(text: str, pointer: str, *, day_ok: bool = False) -> datetime:
    """An RFC 3339 date-time with an explicit offset (or, if ``day_ok``, a bare day, taken as
    its first instant in UTC), or a domain error at ``pointer`` saying what is accepted."""
    accepted = f"an RFC 3339 date-time with its offset, such as {_DATE_TIME_EXAMPLE}"
    if day_ok:
        accepted += ", or a day, 2025-06-01"
    if day_ok and _DAY.match(text):
        return day_start(_parse_day(text, pointer))
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise InvalidEventError(f"{text!r} is not {accepted}", pointer=pointer) from None
    if value.tzinfo is None:
        raise InvalidEventError(
            f"{text!r} has no time-zone offset; write {accepted}", pointer=pointer
        )
    return value


def anchor_day(text: str, pointer: str, tz: str | None = None) -> date:
    """The calendar day an anchor falls on: the day itself if bare, else in ``tz`` if given,
    else in the anchor's own offset."""
    if _DAY.match(text):
        return _parse_day(text, pointer)
    moment = parse_datetime(text, pointer, day_ok=True)
    if tz is not None:
        moment = moment.astimezone(zone(tz, "/occurred/tz"))
    return moment.date()


def _parse_day(text: str, pointer: str) -> date:
    if not _DAY.match(text):
        raise InvalidEventError(f"{text!r} is not a date (YYYY-MM-DD)", pointer=pointer)
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidEventError(f"{text!r} is not a date (YYYY-MM-DD)", pointer=pointer) from None


def _day_start(day: date, where: tzinfo = UTC) -> datetime:
    return day_start(day, where) if where is not UTC else datetime.combine(day, time(0), tzinfo=UTC)


def _point_bounds(text: str, pointer: str, where: tzinfo = UTC) -> tuple[datetime, datetime]:
    """Bounds of one end of an interval: a day or a date-time."""
    if "T" in text:
        moment = parse_datetime(text, pointer).astimezone(UTC)
        return moment, moment + timedelta(minutes=1)
    day = _parse_day(text, pointer)
    return _day_start(day, where), _day_start(day + timedelta(days=1), where)


def _week(day: date) -> str:
    """The Monday-to-Sunday week a day falls in, as an EDTF interval."""
    monday = day - timedelta(days=day.weekday())
    return f"{monday.isoformat()}/{(monday + timedelta(days=6)).isoformat()}"


def resolve_week(wording: str, day: date) -> str | None:
    """The week a relative wording names, seen from ``day`` (an interval); None if none."""
    text = " ".join(wording.lower().strip().rstrip(".").split())
    if text in _THIS_WEEK:
        return _week(day)
    if text in _NEXT_WEEK:
        return _week(day + timedelta(days=7))
    if text in _LAST_WEEK:
        return _week(day - timedelta(days=7))
    if match := _WEEKS_AGO.match(text):
        count = _COUNTS.get(match.group(1)) or int(match.group(1))
        return _week(day - timedelta(days=7 * count))
    if match := _WEEKS_LATER.match(text):
        count = _COUNTS.get(match.group(1)) or int(match.group(1))
        return _week(day + timedelta(days=7 * count))
    return None


def resolve_wording(wording: str, anchor: datetime | date, *, forward: bool) -> date | None:
    """The day a relative wording names, seen from ``anchor``; None if it is not relative.

    A bare weekday ("Monday") looks forward for planned or expected facts and backward for
    the rest, and includes the anchor's own day: "announced Sunday" in a Sunday article
    is that Sunday, and "will travel on Monday" is the next day.
    """
    text = " ".join(wording.lower().strip().rstrip(".").split())
    text = text.removeprefix("on ")
    day = anchor.date() if isinstance(anchor, datetime) else anchor
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
    #: The IANA time zone whose calendar days the value names ("Europe/Moscow"); None: UTC.
    tz: str | None = None

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
        tz: str | None = None,
    ) -> Occurrence:
        """Validate an occurrence, resolving relative wording against its anchor if no value."""
        if tz is not None:
            zone(tz, "/occurred/tz")
        if value is None and wording and precision != "unknown":
            value, precision = _resolve(wording, anchor, precision, tz, forward=forward)
        if anchor is not None:
            parse_datetime(anchor, "/occurred/anchor", day_ok=True)
        occurrence = cls(
            precision=precision or _inferred(value),
            value=value,
            wording=wording,
            anchor=anchor,
            uncertain=uncertain,
            tz=tz,
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
            tz=self.tz,
        )

    def bounds(self) -> tuple[datetime | None, datetime | None]:
        """The earliest and the latest instant (exclusive) in UTC; None where unbounded."""
        return _bounds(self.precision, self.value, self.tz)

    @property
    def is_plain(self) -> bool:
        """True for the first release's forms (a minute, a day, a month, a closed interval of
        them, unknown): EDTF qualifiers, unspecified digits, sets and open ends are not."""
        if self.precision == "edtf":
            return False
        if self.precision != "interval" or self.value is None:
            return True
        return all(_DAY.match(t) or "T" in t for t in self.value.split("/"))

    def days(self) -> tuple[date | None, date | None]:
        """The first and the last calendar day (inclusive) the value may mean, in its zone."""
        start, end = self.bounds()
        where = zone(self.tz, "/occurred/tz")
        first = None if start is None else start.astimezone(where).date()
        last = None if end is None else (end - timedelta(microseconds=1)).astimezone(where).date()
        return first, last


def _inferred(value: str | None) -> Precision:
    """The precision a value without one has: the plainest form it fits."""
    if value is None:
        return "unknown"
    if _DAY.match(value):
        return "day"
    if _MONTH.match(value):
        return "month"
    if "T" in value:
        return "interval" if "/" in value else "minute"
    start, sep, end = value.partition("/")
    if sep and _DAY.match(start) and _DAY.match(end):
        return "interval"
    return "edtf"


def _resolve(
    wording: str, anchor: str | None, precision: Precision | None, tz: str | None, *, forward: bool
) -> tuple[str, Precision]:
    """The value a relative wording names, seen from its anchor, and its precision."""
    if anchor is None:
        raise InvalidEventError(
            f"{wording!r} needs an anchor: when the statement was made or published",
            pointer="/occurred/anchor",
        )
    day = anchor_day(anchor, "/occurred/anchor", tz)
    week = resolve_week(wording, day)
    if week is not None:
        if precision not in (None, "interval"):
            raise InvalidEventError(
                f"{wording!r} names a week; give precision interval (or none) or a value",
                pointer="/occurred/precision",
            )
        return week, "interval"
    resolved = resolve_wording(wording, day, forward=forward)
    if resolved is None:
        raise InvalidEventError(
            f"cannot resolve {wording!r}: give a value, or one of these wordings: "
            + "; ".join(SUPPORTED_WORDINGS),
            pointer="/occurred/wording",
        )
    if precision not in (None, "day"):
        raise InvalidEventError(
            f"{wording!r} names a day; give precision day (or none) or a value",
            pointer="/occurred/precision",
        )
    return resolved.isoformat(), "day"


@functools.lru_cache(maxsize=65_536)
def _bounds(
    precision: str, value: str | None, tz: str | None
) -> tuple[datetime | None, datetime | None]:
    """The span of a value (cached: every fold asks again, and EDTF parsing is slow)."""
    pointer = "/occurred/value"
    if precision not in PRECISIONS:
        raise InvalidEventError(
            f"precision must be one of {', '.join(PRECISIONS)}", pointer="/occurred/precision"
        )
    if precision == "unknown":
        if value is not None:
            raise InvalidEventError("an unknown date has no value", pointer=pointer)
        return None, None
    if value is None:
        raise InvalidEventError(f"a {precision} date needs a value", pointer=pointer)
    where = zone(tz, "/occurred/tz")
    if precision == "minute":
        if "T" not in value:
            raise InvalidEventError(
                f"a minute-precise value is {_DATE_TIME_EXAMPLE}", pointer=pointer
            )
        return _point_bounds(value, pointer)
    if precision == "day":
        if not _DAY.match(value):
            raise InvalidEventError(
                "a day-precise value is YYYY-MM-DD; for 2025-05-14? or 2025-06-XX give"
                " precision edtf",
                pointer=pointer,
            )
        return _point_bounds(value, pointer, where)
    if precision == "month":
        if not _MONTH.match(value):
            raise InvalidEventError("a month-precise value is YYYY-MM", pointer=pointer)
        first = _parse_day(value + "-01", pointer)
        following = (first + timedelta(days=32)).replace(day=1)
        return _day_start(first, where), _day_start(following, where)
    if precision == "edtf":
        return edtf_span(value, pointer, where)
    start_text, sep, end_text = value.partition("/")
    if not sep:
        raise InvalidEventError(
            "an interval is START/END (2025-05-23/2025-05-25), or open: ../END, START/..",
            pointer=pointer,
        )
    if not all(_DAY.match(t) or "T" in t for t in (start_text, end_text)):
        return edtf_span(value, pointer, where)  # open ends, qualifiers: EDTF's own rules
    start, _ = _point_bounds(start_text, pointer, where)
    _, end = _point_bounds(end_text, pointer, where)
    if end <= start:
        raise InvalidEventError("an interval ends after it starts", pointer=pointer)
    return start, end
