"""The `at` rule: a fact counts from its earliest possible instant, whatever its precision."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.demo import EVENING_ADDRESS, PUBLISHED, TALKS_ID, demo_id
from tests.temporal.support import (
    UNKNOWN,
    append,
    body,
    correction,
    create,
    day,
    demo_recorded_at,
    just_before,
    load_the_demo,
    minute,
    new_talks,
    state,
    stream_events,
)

ERDOGAN_CALL = str(demo_id("event:erdogan-consulted"))


def consulted(client: TestClient, talks: str, occurred: dict[str, Any]) -> str:
    """A MediatorConsulted fact with this date; its event id."""
    data = {"party": "Ukraine", "mediator": "Türkiye", "participants": ["A", "B"]}
    return append(client, "talks", talks, body("MediatorConsulted", data, occurred=occurred))


def calls_at(client: TestClient, talks: str, at: str, **params: str) -> list[str]:
    """The consultations of the Talks that had happened ``at`` a moment."""
    found = state(client, "talks", talks, at=at, **params)
    return [c["event_id"] for c in found["consultations"]]


CASES = [
    # (precision, occurred, counts at, does not count at yet)
    ("minute", minute("2025-06-03T20:00:00+03:00"), "2025-06-03T17:00:00Z", "2025-06-03T16:59:59Z"),
    ("minute, in its own offset", minute("2025-06-03T20:00:00+03:00"), "2025-06-03T20:00:00+03:00", "2025-06-03T19:59:00+03:00"),
    ("minute, on the date", minute("2025-06-03T23:30:00Z"), "2025-06-03", "2025-06-02"),
    ("day, on the date", day("2025-06-03"), "2025-06-03", "2025-06-02"),
    ("day, from its first instant", day("2025-06-03"), "2025-06-03T00:00:01Z", "2025-06-02T23:59:59Z"),
    ("day, in UTC", day("2025-06-03"), "2025-06-03T02:30:00+02:00", "2025-06-03T01:30:00+03:00"),
    ("month", {"precision": "month", "value": "2025-07"}, "2025-07-01", "2025-06-30"),
    ("month, from its first instant", {"precision": "month", "value": "2025-07"}, "2025-07-01T00:00:01Z", "2025-06-30T23:59:59Z"),
    ("interval of days", {"precision": "interval", "value": "2025-06-10/2025-06-12"}, "2025-06-10", "2025-06-09"),
    ("interval of times", {"precision": "interval", "value": "2025-06-10T09:00:00Z/2025-06-10T18:00:00Z"}, "2025-06-10T09:00:00Z", "2025-06-10T08:59:00Z"),
    ("relative wording", {"precision": "day", "wording": "the previous day", "anchor": EVENING_ADDRESS}, "2025-05-30", "2025-05-29"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("occurred", "counts", "not_yet"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_a_fact_counts_from_its_earliest_possible_instant(
    client: TestClient, occurred: dict[str, Any], counts: str, not_yet: str
) -> None:
    talks = new_talks(client, occurred=UNKNOWN)
    call = consulted(client, talks, occurred)
    assert calls_at(client, talks, counts) == [call]
    assert calls_at(client, talks, not_yet) == []


@pytest.mark.parametrize("at", ["1900-01-01", "2025-06-01T00:00:00.5Z", "9000-01-01"])
def test_an_undated_fact_always_counts(client: TestClient, at: str) -> None:
    talks = new_talks(client, occurred=day("2025-06-01"))
    call = consulted(client, talks, UNKNOWN)
    found = state(client, "talks", talks, at=at)
    assert found["title"] == "Test talks"  # the Talks, known by its undated fact
    assert [c["event_id"] for c in found["consultations"]] == [call]


def test_a_date_means_the_end_of_that_day_in_utc(client: TestClient) -> None:
    talks = new_talks(client, occurred=UNKNOWN)
    late = consulted(client, talks, minute("2025-06-03T23:59:00Z"))
    assert calls_at(client, talks, "2025-06-03") == [late]
    assert calls_at(client, talks, "2025-06-03T23:58:59Z") == []
    assert calls_at(client, talks, "2025-06-04T01:00:00+03:00") == []  # 22:00 UTC on 3 June


@pytest.mark.parametrize(
    ("at", "occurred"),
    [
        ("2025-06-03T00:00:00Z", minute("2025-06-03T10:00:00Z")),
        ("2025-06-04T00:00:00+03:00", day("2025-06-04")),  # 21:00 UTC on 3 June
    ],
)
def test_a_date_time_at_midnight_is_that_instant_not_the_end_of_the_day(
    client: TestClient, at: str, occurred: dict[str, Any]
) -> None:
    talks = new_talks(client, occurred=UNKNOWN)
    consulted(client, talks, occurred)
    assert calls_at(client, talks, at) == []


def test_a_stream_none_of_whose_facts_had_happened_did_not_exist_yet(client: TestClient) -> None:
    talks = new_talks(client, occurred=day("2025-06-10"))
    consulted(client, talks, day("2025-06-12"))
    assert_problem(client.get(f"/talks/{talks}", params={"at": "2025-06-09"}), 404)
    assert state(client, "talks", talks, at="2025-06-10")["consultations"] == []
    delegation = create(
        client,
        "delegations",
        body(
            "DelegationAnnounced",
            {"talks_id": talks, "party": "Ukraine"},
            occurred=day("2025-06-11"),
        ),
    )
    assert_problem(client.get(f"/delegations/{delegation}", params={"at": "2025-06-10"}), 404)
    assert state(client, "delegations", delegation, at="2025-06-11")["party"] == "Ukraine"


def test_a_later_fact_makes_a_stream_exist_before_its_creating_event(client: TestClient) -> None:
    talks = new_talks(client, occurred=day("2025-06-10"))
    early = consulted(client, talks, day("2025-06-05"))
    found = state(client, "talks", talks, at="2025-06-05")
    assert [c["event_id"] for c in found["consultations"]] == [early]
    assert_problem(client.get(f"/talks/{talks}", params={"at": "2025-06-04"}), 404)


def test_the_demo_call_resolved_from_the_evening_address_counts_on_friday_now(
    client: TestClient,
) -> None:
    load_the_demo(client)
    talks = str(TALKS_ID)
    assert calls_at(client, talks, "2025-05-30") == [ERDOGAN_CALL]
    assert calls_at(client, talks, "2025-05-29") == []
    logged = {e["event_id"]: e for e in stream_events(client, "talks", talks)}
    assert logged[ERDOGAN_CALL]["occurred"]["value"] == "2025-05-31"  # as first recorded
    assert logged[ERDOGAN_CALL]["occurred"]["anchor"] == PUBLISHED
    fix = logged[str(demo_id("event:erdogan-call-date-corrected"))]["data"]["occurred"]
    assert (fix["value"], fix["anchor"]) == ("2025-05-30", EVENING_ADDRESS)


def test_the_demo_call_was_dated_saturday_before_its_correction(client: TestClient) -> None:
    load_the_demo(client)
    talks = str(TALKS_ID)
    before = just_before(demo_recorded_at(client, "erdogan-call-date-corrected"))
    assert calls_at(client, talks, "2025-05-30", as_of=before) == []
    assert calls_at(client, talks, "2025-05-31", as_of=before) == [ERDOGAN_CALL]


def test_a_relative_date_corrected_to_another_anchor_moves_from_then_on(client: TestClient) -> None:
    talks = new_talks(client, occurred=UNKNOWN)
    call = consulted(
        client, talks, {"precision": "day", "wording": "the previous day", "anchor": PUBLISHED}
    )
    assert calls_at(client, talks, "2025-05-30") == []
    fix = append(
        client,
        "talks",
        talks,
        correction(
            call,
            occurred={"precision": "day", "wording": "the previous day", "anchor": EVENING_ADDRESS},
        ),
    )
    assert calls_at(client, talks, "2025-05-30") == [call]
    before = just_before(
        next(
            e["recorded_at"] for e in stream_events(client, "talks", talks) if e["event_id"] == fix
        )
    )
    assert calls_at(client, talks, "2025-05-30", as_of=before) == []
