"""Dates as reported: EDTF level 1 spans, days in a named time zone, weeks, bare days.

Sunday 1 June 2025 is the anchor's day; its week runs from Monday 26 May to Sunday 1 June.
"""

from datetime import UTC, datetime

import pytest

from domain.envelope import Source
from domain.errors import InvalidEventError
from domain.occurrence import Occurrence

SUNDAY_MORNING = "2025-06-01T10:00+03:00"


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2025-05-14?", "2025-05-14T00:00", "2025-05-15T00:00"),  # counts from its nominal day
        ("2025-05-14~", "2025-05-14T00:00", "2025-05-15T00:00"),
        ("2025-05-14%", "2025-05-14T00:00", "2025-05-15T00:00"),
        ("2025-06-XX", "2025-06-01T00:00", "2025-07-01T00:00"),  # any day of June
        ("2025-XX", "2025-01-01T00:00", "2026-01-01T00:00"),
        ("202X", "2020-01-01T00:00", "2030-01-01T00:00"),
        ("[2025-05-14,2025-05-15]", "2025-05-14T00:00", "2025-05-16T00:00"),  # one of them
        ("[2025-05-14..2025-05-16]", "2025-05-14T00:00", "2025-05-17T00:00"),
        ("2025-05-30?/2025-06-02", "2025-05-30T00:00", "2025-06-03T00:00"),
        ("2025-21", "2025-03-01T00:00", "2025-06-01T00:00"),  # spring
    ],
)
def test_an_edtf_value_spans_every_day_it_may_mean(value, start, end):
    occurrence = Occurrence.build(precision="edtf", value=value)

    assert occurrence.bounds() == (utc(start), utc(end))


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("../2025-06-01", None, "2025-06-02T00:00"),  # until 1 June
        ("/2025-06-01", None, "2025-06-02T00:00"),  # an unknown start bounds nothing either
        ("2025-05-01/..", "2025-05-01T00:00", None),  # from 1 May
    ],
)
def test_an_open_interval_has_no_bound_on_its_open_side(value, start, end):
    occurrence = Occurrence.build(precision="interval", value=value)

    assert occurrence.bounds() == (start and utc(start), end and utc(end))
    assert occurrence.precision == "interval"


@pytest.mark.parametrize(
    ("value", "precision"),
    [
        ("2025-06-01", "day"),
        ("2025-06", "month"),
        ("2025-05-31T20:00+03:00", "minute"),
        ("2025-05-23/2025-05-25", "interval"),
        ("2025-05-14?", "edtf"),
        ("../2025-06-01", "edtf"),
    ],
)
def test_a_value_without_a_precision_takes_the_plainest_that_fits(value, precision):
    assert Occurrence.build(precision=None, value=value).precision == precision


@pytest.mark.parametrize(
    "value",
    [
        "{2025-05-14,2025-05-15}",  # all of a set: several facts, not one
        "2025-05-?14",  # a qualifier on one part (level 2)
        "2025-06-1X",
        "Y170000",
        "2025-06-01T10:00:00+03:00",  # a time: precision minute
        "../..",
        "soon",
    ],
)
def test_an_edtf_form_we_do_not_support_is_refused_with_the_forms_we_do(value):
    with pytest.raises(InvalidEventError) as caught:
        Occurrence.build(precision="edtf", value=value)

    assert caught.value.pointer == "/occurred/value"
    if value != "../..":
        assert "2025-05-14?" in caught.value.message
        assert "../2025-06-01" in caught.value.message


def test_a_day_in_a_named_time_zone_is_that_local_calendar_day():
    occurrence = Occurrence.build(precision="day", value="2025-06-01", tz="Europe/Moscow")

    assert occurrence.bounds() == (utc("2025-05-31T21:00"), utc("2025-06-01T21:00"))
    assert occurrence.days() == (
        datetime(2025, 6, 1).date(),
        datetime(2025, 6, 1).date(),
    )


def test_a_late_night_statement_resolves_to_its_local_day_in_the_zone_named():
    # 23:30 in Moscow on Saturday is 20:30 UTC: the same Saturday either way; 00:30 on Sunday in
    # Moscow is still Saturday in UTC, but "today" there is Sunday.
    occurrence = Occurrence.build(
        precision=None,
        value=None,
        wording="today",
        anchor="2025-05-31T21:30:00Z",
        tz="Europe/Moscow",
    )

    assert occurrence.value == "2025-06-01"
    assert occurrence.bounds()[0] == utc("2025-05-31T21:00")


def test_an_unknown_time_zone_is_refused_with_an_example():
    with pytest.raises(InvalidEventError) as caught:
        Occurrence.build(precision="day", value="2025-06-01", tz="Europe/Atlantis")

    assert caught.value.pointer == "/occurred/tz"
    assert "Europe/Kyiv" in caught.value.message


@pytest.mark.parametrize(
    ("wording", "week"),
    [
        ("this week", "2025-05-26/2025-06-01"),
        ("next week", "2025-06-02/2025-06-08"),
        ("the following week", "2025-06-02/2025-06-08"),
        ("last week", "2025-05-19/2025-05-25"),
        ("2 weeks ago", "2025-05-12/2025-05-18"),
        ("three weeks ago", "2025-05-05/2025-05-11"),
        ("in two weeks", "2025-06-09/2025-06-15"),
    ],
)
def test_a_week_wording_resolves_to_that_monday_to_sunday_week(wording, week):
    occurrence = Occurrence.build(
        precision=None, value=None, wording=wording, anchor=SUNDAY_MORNING
    )

    assert (occurrence.precision, occurrence.value) == ("interval", week)


def test_a_week_wording_with_day_precision_is_refused():
    with pytest.raises(InvalidEventError) as caught:
        Occurrence.build(precision="day", value=None, wording="next week", anchor=SUNDAY_MORNING)

    assert caught.value.pointer == "/occurred/precision"


def test_an_unsupported_wording_is_refused_with_the_list_of_supported_forms():
    with pytest.raises(InvalidEventError) as caught:
        Occurrence.build(precision=None, value=None, wording="soon", anchor=SUNDAY_MORNING)

    assert caught.value.pointer == "/occurred/wording"
    for form in ("the previous day", "N days ago", "last Friday", "next week", "N weeks ago"):
        assert form in caught.value.message


def test_a_bare_day_is_an_anchor_when_that_is_all_the_source_gives():
    occurrence = Occurrence.build(
        precision=None, value=None, wording="the previous day", anchor="2025-06-01"
    )

    assert occurrence.value == "2025-05-31"


def test_a_bare_day_is_a_publication_time():
    Source(outlet="Wire", published_at="2025-06-01").check("/sources/0")


def test_a_publication_time_without_an_offset_says_what_is_accepted():
    with pytest.raises(InvalidEventError) as caught:
        Source(outlet="Wire", published_at="2025-06-01T10:00").check("/sources/0")

    assert caught.value.pointer == "/sources/0/published_at"
    assert "2025-06-01T12:00:00+03:00" in caught.value.message
    assert "a day, 2025-06-01" in caught.value.message


def test_an_old_occurrence_without_a_time_zone_still_loads_and_means_utc_days():
    stored = {"precision": "day", "value": "2025-06-01", "wording": None, "anchor": None}

    occurrence = Occurrence(**stored, uncertain=False)

    assert occurrence.tz is None
    assert occurrence.bounds() == (utc("2025-06-01T00:00"), utc("2025-06-02T00:00"))


def test_a_time_zone_name_too_long_for_a_file_is_refused_with_a_pointer():
    from domain.edtf_dates import zone
    from domain.errors import InvalidEventError

    with pytest.raises(InvalidEventError) as refused:
        zone("0" * 300, "/occurred/tz")  # the fuzzer's find: an OSError from the file system

    assert refused.value.pointer == "/occurred/tz"
