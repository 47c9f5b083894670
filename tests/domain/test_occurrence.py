"""Occurrence: relative wording anchored to the statement, and the UTC bounds of each precision."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given as for_all
from hypothesis import strategies as st

from domain.errors import InvalidEventError
from domain.occurrence import Occurrence

SUNDAY_MORNING = "2025-06-01T10:00+03:00"
SATURDAY_EVENING = "2025-05-31T21:00+03:00"
SUNDAY_SMALL_HOURS = "2025-06-01T01:30+03:00"
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def resolved(wording: str, anchor: str, *, forward: bool = False) -> str | None:
    occurrence = Occurrence.build(
        precision=None, value=None, wording=wording, anchor=anchor, forward=forward
    )
    assert (occurrence.precision, occurrence.wording, occurrence.anchor) == ("day", wording, anchor)
    return occurrence.value


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("wording", "anchor", "forward", "day"),
    [
        ("Sunday", SUNDAY_MORNING, False, "2025-06-01"),
        ("on Sunday.", SUNDAY_MORNING, False, "2025-06-01"),
        ("Monday", SUNDAY_MORNING, True, "2025-06-02"),
        ("Monday", SUNDAY_MORNING, False, "2025-05-26"),
        ("the previous day", SUNDAY_MORNING, False, "2025-05-31"),
        ("the previous day", SATURDAY_EVENING, False, "2025-05-30"),
        ("yesterday", SUNDAY_SMALL_HOURS, False, "2025-05-31"),
        ("today", SUNDAY_SMALL_HOURS, False, "2025-06-01"),
        ("last Sunday", SUNDAY_MORNING, False, "2025-05-25"),
        ("last Friday", SUNDAY_MORNING, False, "2025-05-30"),
        ("next Monday", SUNDAY_MORNING, False, "2025-06-02"),
        ("next Sunday", SUNDAY_MORNING, True, "2025-06-08"),
        ("Friday evening", SUNDAY_MORNING, False, "2025-05-30"),
        ("3 days ago", SUNDAY_MORNING, False, "2025-05-29"),
        ("2 days later", SUNDAY_MORNING, False, "2025-06-03"),
        ("tomorrow", SATURDAY_EVENING, True, "2025-06-01"),
    ],
)
def test_relative_wording_is_resolved_against_the_statements_own_day(wording, anchor, forward, day):
    assert resolved(wording, anchor, forward=forward) == day


def test_yesterday_is_the_day_before_the_anchors_local_day_not_its_utc_day():
    assert datetime.fromisoformat(SUNDAY_SMALL_HOURS).astimezone(UTC).date() == date(2025, 5, 31)

    assert resolved("yesterday", SUNDAY_SMALL_HOURS) == "2025-05-31"


def test_a_value_given_is_kept_rather_than_resolved_from_the_wording():
    occurrence = Occurrence.build(
        precision="day", value="2025-05-16", wording="Sunday", anchor=SUNDAY_MORNING
    )

    assert occurrence.value == "2025-05-16"


@pytest.mark.parametrize("wording", ["soon", "three days ago", "the day after the summit"])
def test_wording_that_cannot_be_resolved_without_a_value_is_refused(wording):
    with pytest.raises(InvalidEventError) as caught:
        Occurrence.build(precision=None, value=None, wording=wording, anchor=SUNDAY_MORNING)

    assert caught.value.pointer == "/occurred/wording"


def test_an_anchor_without_an_offset_is_refused():
    with pytest.raises(InvalidEventError) as caught:
        Occurrence.build(precision=None, value=None, wording="Sunday", anchor="2025-06-01T10:00")

    assert caught.value.pointer == "/occurred/anchor"


@pytest.mark.parametrize(
    ("precision", "value", "start", "end"),
    [
        ("day", "2025-06-01", "2025-06-01T00:00", "2025-06-02T00:00"),
        ("month", "2025-06", "2025-06-01T00:00", "2025-07-01T00:00"),
        ("month", "2025-12", "2025-12-01T00:00", "2026-01-01T00:00"),
        ("month", "2024-02", "2024-02-01T00:00", "2024-03-01T00:00"),
        ("interval", "2025-05-23/2025-05-25", "2025-05-23T00:00", "2025-05-26T00:00"),
        ("interval", "2025-05-31T20:00+03:00/2025-06-01", "2025-05-31T17:00", "2025-06-02T00:00"),
        ("minute", "2025-05-31T20:00+03:00", "2025-05-31T17:00", "2025-05-31T17:01"),
        ("minute", "2025-05-31T23:30-02:00", "2025-06-01T01:30", "2025-06-01T01:31"),
    ],
)
def test_bounds_are_utc_with_an_exclusive_end(precision, value, start, end):
    occurrence = Occurrence.build(precision=precision, value=value)

    assert occurrence.bounds() == (utc(start), utc(end))


def test_an_unknown_date_has_no_bounds():
    occurrence = Occurrence.build(precision=None, value=None)

    assert occurrence.precision == "unknown"
    assert occurrence.bounds() == (None, None)


@pytest.mark.parametrize(
    ("precision", "value"),
    [
        ("minute", "2025-06-01"),
        ("minute", "2025-05-31T20:00"),
        ("day", "2025-05-31T20:00+03:00"),
        ("day", "2025-02-30"),
        ("month", "2025-6"),
        ("month", "2025-13"),
        ("interval", "2025-05-25/2025-05-23"),
        ("interval", "2025-05-31T10:00Z/2025-05-31T09:59Z"),
        ("interval", "2025-05-23"),
        ("interval", "2025-05-31T20:00/2025-06-01"),
        ("unknown", "2025-06-01"),
        ("day", None),
        ("week", "2025-06-01"),
    ],
)
def test_a_value_that_does_not_fit_its_precision_is_refused(precision, value):
    with pytest.raises(InvalidEventError) as caught:
        Occurrence.build(precision=precision, value=value)

    assert caught.value.pointer == (
        "/occurred/precision" if precision == "week" else "/occurred/value"
    )


def test_a_corrected_occurrence_keeps_its_wording_and_anchor():
    occurrence = Occurrence.build(
        precision=None, value=None, wording="Sunday", anchor=SUNDAY_MORNING
    ).corrected("2025-05-25")

    assert (occurrence.value, occurrence.precision) == ("2025-05-25", "day")
    assert (occurrence.wording, occurrence.anchor) == ("Sunday", SUNDAY_MORNING)


@for_all(
    day=st.dates(min_value=date(1950, 1, 8), max_value=date(2100, 12, 24)),
    moment=st.times(),
    offset_minutes=st.integers(min_value=-12 * 60, max_value=14 * 60),
    weekday=st.sampled_from(WEEKDAYS),
    spelling=st.sampled_from(["{}", "{}", "on {}", "{} morning", "{} night"]),
    forward=st.booleans(),
)
def test_a_weekday_resolves_within_the_week_around_the_anchors_day(
    day, moment, offset_minutes, weekday, spelling, forward
):
    zone = timezone(timedelta(minutes=offset_minutes))
    anchor = datetime.combine(day, moment, tzinfo=zone).isoformat()

    value = resolved(spelling.format(weekday), anchor, forward=forward)

    found = date.fromisoformat(value)
    assert found.strftime("%A") == weekday
    distance = (found - day).days
    assert (0 <= distance <= 6) if forward else (-6 <= distance <= 0)
