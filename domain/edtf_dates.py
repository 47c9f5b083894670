"""EDTF (ISO 8601-2) level 1 values as reported, through the ``edtf`` package: their spans.

The span of a value is the earliest and the latest instant (exclusive) it may mean, in UTC:

- a day, a month, a year, a season: from its first day to the end of its last;
- ``?`` (uncertain), ``~`` (approximate), ``%`` (both) keep the span of the value they qualify:
  a fact reported as ``2025-05-14?`` counts from 14 May, marked as uncertain;
- unspecified digits (``2025-06-XX``, ``2025-XX``, ``201X``) span every value they may stand for;
- an interval spans from the start of its first end to the end of its last; an open or unknown
  end (``../2025-06-01``, ``2025-05-01/..``, ``/2025-06-01``) has no bound on that side;
- one of a set (``[2025-05-14,2025-05-15]``, ``[2025-05-14..2025-05-16]``) spans its members.

Days are calendar days in a named time zone when one is given (IANA, ``Europe/Kyiv``), in UTC
otherwise.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import edtf

from domain.errors import InvalidEventError

#: The forms accepted, as error messages list them.
SUPPORTED_FORMS = (
    "2025-06-01, 2025-06, 2025",
    "2025-05-14? (uncertain), 2025-05-14~ (approximate), 2025-05-14% (both)",
    "2025-06-XX, 2025-XX, 202X (unspecified digits)",
    "2025-05-23/2025-05-25, ../2025-06-01 (until), 2025-05-01/.. (from)",
    "[2025-05-14,2025-05-15] (one of a set)",
    "2025-21 .. 2025-24 (seasons)",
)
_ACCEPTED = (
    edtf.Date,
    edtf.Interval,
    edtf.UncertainOrApproximate,
    edtf.Unspecified,
    edtf.OneOfASet,
    edtf.Season,
)
_REFUSED = (
    edtf.DateAndTime,
    edtf.MultipleDates,
    edtf.PartialUncertainOrApproximate,
    edtf.PartialUnspecified,
    edtf.Level2Interval,
    edtf.Level2Season,
    edtf.LongYear,
)

Span = tuple[datetime | None, datetime | None]


def zone(name: str | None, pointer: str) -> tzinfo:
    """The named IANA time zone (UTC if none), or a domain error at ``pointer``."""
    if name is None:
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file
        raise InvalidEventError(
            f"{name!r} is not an IANA time zone; write one such as 'Europe/Kyiv' or 'UTC'",
            pointer=pointer,
        ) from None


def day_start(day: date, where: tzinfo = UTC) -> datetime:
    """The first instant of a calendar day in a time zone, in UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=where).astimezone(UTC)


def _refused(text: str, pointer: str) -> InvalidEventError:
    return InvalidEventError(
        f"{text!r} is not an EDTF level 1 date we support; write one of: "
        + "; ".join(SUPPORTED_FORMS)
        + " (times: precision minute, an RFC 3339 date-time)",
        pointer=pointer,
    )


def _day(moment: time.struct_time | float) -> date | None:
    if isinstance(moment, float) and math.isinf(moment):
        return None
    assert isinstance(moment, time.struct_time)
    return date(moment.tm_year, moment.tm_mon, moment.tm_mday)


def _unknown_side(parsed: object, side: str) -> bool:
    section = getattr(parsed, side, None)
    return isinstance(section, edtf.UnspecifiedIntervalSection)


def edtf_span(text: str, pointer: str, where: tzinfo = UTC) -> Span:
    """The span of an EDTF level 1 value (see the module's rules), or a domain error."""
    try:
        parsed = edtf.parse_edtf(text)
    except Exception:  # the parser raises its own errors and ValueError alike
        raise _refused(text, pointer) from None
    if isinstance(parsed, _REFUSED) or not isinstance(parsed, _ACCEPTED):
        raise _refused(text, pointer)
    try:
        first = _day(parsed.lower_strict())
        last = _day(parsed.upper_strict())
    except (ValueError, OverflowError):
        raise _refused(text, pointer) from None
    if _unknown_side(parsed, "lower"):
        first = None  # "/2025-06-01": an unknown start is no bound either
    if _unknown_side(parsed, "upper"):
        last = None
    start = None if first is None else day_start(first, where)
    end = None if last is None else day_start(last + timedelta(days=1), where)
    if start is not None and end is not None and end <= start:
        raise InvalidEventError("an interval ends after it starts", pointer=pointer)
    if start is None and end is None:
        raise InvalidEventError(
            "an interval open at both ends says nothing: give precision unknown", pointer=pointer
        )
    return start, end
