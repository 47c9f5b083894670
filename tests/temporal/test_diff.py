"""GET /talks/{id}/diff is the difference of the family's states at its two points, with causes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from itertools import pairwise
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.demo import STREAMS, TALKS_ID
from domain.diff import flatten
from domain.occurrence import Occurrence
from tests.temporal.support import (
    CORRECTIONS,
    Streams,
    append,
    body,
    correction,
    create,
    day,
    fact,
    instant,
    load_the_demo,
    new_talks,
    random_family,
    record_points,
    recorded_at,
    retraction,
    stream_events,
)

T = str(TALKS_ID)
DEMO: Streams = [(kind, str(stream)) for kind, stream in STREAMS.items()]


def flat_state(client: TestClient, kind: str, stream: str, **params: str) -> dict[str, Any] | None:
    """A stream's state flattened by JSON pointer, None if it did not exist then (404)."""
    response = client.get(f"/{kind}/{stream}", params=params)
    if response.status_code == 404:
        return None
    assert response.status_code == 200, response.text
    # corrected_values annotate a read (what was reported beside what is corrected); the diff
    # lists corrected values apart, under "corrections"
    skipped = ("id", "version", "corrected_values")
    leaves = flatten({k: v for k, v in response.json().items() if k not in skipped})
    leaves.pop("", None)
    return leaves


def applied(before: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """The flattened state with the listed changes made."""
    result = dict(before)
    for change in changes:
        if change["change"] == "removed":
            assert result.pop(change["path"]) == change["from"], change
        else:
            assert (change["change"] == "added") == (change["path"] not in result), change
            assert result.get(change["path"]) == change["from"], change
            result[change["path"]] = change["to"]
    return result


def settled(leaves: dict[str, Any], *others: dict[str, Any]) -> dict[str, Any]:
    """Without empty containers whose contents one of the states lists (no change by itself)."""
    paths = set(leaves).union(*others)
    return {
        path: value
        for path, value in leaves.items()
        if value not in ([], {}) or not any(p.startswith(path + "/") for p in paths)
    }


def window(
    events: list[dict[str, Any]], axis: str, start: datetime, end: datetime, existed: bool
) -> set[str]:
    """The stream's events between the two points on the axis (dates as now corrected)."""
    if axis == "recorded":
        return {e["event_id"] for e in events if start < instant(e["recorded_at"]) <= end}
    fixes = {
        e["data"]["corrects"]: e["data"]["occurred"]
        for e in events
        if e["type"] == "EventCorrected" and e["data"]["occurred"]
    }

    def by(event: dict[str, Any], moment: datetime) -> bool:
        first, _ = Occurrence(**fixes.get(event["event_id"], event["occurred"])).bounds()
        return first is None or first <= moment

    return {
        e["event_id"]
        for e in events
        if (
            not existed
            if e["type"] in CORRECTIONS
            else by(e, end) and not (existed and by(e, start))
        )
    }


def point(value: str) -> datetime:
    """A diff point as an instant: a date means the end of that day (UTC)."""
    if "T" in value:
        return instant(value)
    return datetime.combine(date.fromisoformat(value), time.max, tzinfo=UTC)


def check_diff(
    client: TestClient, talks: str, streams: Streams, axis: str, start: str, end: str, *, causes: bool = True
) -> int:  # fmt: skip
    """The diff's changes turn every stream's `from` state into its `to` state; their causes."""
    response = client.get(f"/talks/{talks}/diff", params={"from": start, "to": end, "axis": axis})
    assert response.status_code == 200, response.text
    changes = response.json()["changes"]
    assert {c["stream_id"] for c in changes} <= {stream for _, stream in streams}
    clock = "at" if axis == "occurred" else "as_of"
    for kind, stream in streams:
        before = flat_state(client, kind, stream, **{clock: start})
        after = flat_state(client, kind, stream, **{clock: end}) or {}
        mine = [c for c in changes if c["stream_id"] == stream]
        assert all(c["kind"] == kind for c in mine)
        assert settled(applied(before or {}, mine), before or {}, after) == settled(
            after, before or {}
        )
        events = window(
            stream_events(client, kind, stream), axis, point(start), point(end), before is not None
        )
        for change in mine if causes else []:
            assert change["events"], change
            assert set(change["events"]) <= events, change
    return len(changes)


DEMO_DAYS = [("2025-05-29", "2025-05-30"), ("2025-05-30", "2025-06-01"), ("2025-05-01", "2025-06-30"),
             ("2025-05-31", "2025-06-01T09:30:00Z"), ("2025-06-02", "2025-06-30")]  # fmt: skip
DAYS = ["2025-05-01", "2025-06-01", "2025-06-03", "2025-06-08T12:00:00Z", "2025-06-12", "2025-06-20"]  # fmt: skip
SEEDS = [1, 2, 3]


def test_the_demo_diff_on_the_occurrence_axis(client: TestClient) -> None:
    load_the_demo(client)
    counted = [check_diff(client, T, DEMO, "occurred", start, end) for start, end in DEMO_DAYS]
    assert counted[1] > 0
    assert counted[2] > 0
    assert counted[4] == 0  # nothing happened after 1 June


def test_the_demo_diff_on_the_record_axis_from_before_it_was_recorded(client: TestClient) -> None:
    load_the_demo(client)
    points = record_points(client, DEMO)
    for end in points[1:]:
        assert check_diff(client, T, DEMO, "recorded", points[0], end) > 0


def test_the_demo_diff_on_the_record_axis_between_record_times(client: TestClient) -> None:
    load_the_demo(client)
    for start, end in pairwise(record_points(client, DEMO)[1:]):
        check_diff(client, T, DEMO, "recorded", start, end)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_diffs_are_the_difference_of_the_states(client: TestClient, seed: int) -> None:
    talks, streams = random_family(client, seed)
    for start, end in pairwise(DAYS):
        check_diff(client, talks, streams, "occurred", start, end, causes=False)
    assert check_diff(client, talks, streams, "occurred", DAYS[0], DAYS[-1], causes=False) > 0
    points = record_points(client, streams)
    for end in points[1:]:
        assert check_diff(client, talks, streams, "recorded", points[0], end) > 0


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_occurrence_diffs_name_their_causes(client: TestClient, seed: int) -> None:
    talks, streams = random_family(client, seed)
    for start, end in pairwise(DAYS):
        check_diff(client, talks, streams, "occurred", start, end)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_record_diffs_between_record_times(client: TestClient, seed: int) -> None:
    talks, streams = random_family(client, seed)
    for start, end in pairwise(record_points(client, streams)[1:]):
        check_diff(client, talks, streams, "recorded", start, end)


def test_a_fact_appended_to_a_list_shows_in_the_record_axis_diff(client: TestClient) -> None:
    talks = new_talks(client)
    start = stream_events(client, "talks", talks)[0]["recorded_at"]
    expected = fact(client, "talks", talks, "ThirdPartiesExpected", {"parties": ["Germany"]})
    params = {
        "from": start,
        "to": recorded_at(client, "talks", talks, expected),
        "axis": "recorded",
    }
    changes = client.get(f"/talks/{talks}/diff", params=params).json()["changes"]
    assert ("/expected_participants/0/party", "Germany") in {(c["path"], c["to"]) for c in changes}
    assert all(c["events"] == [expected] for c in changes)


@pytest.mark.parametrize("axis", ["occurred", "recorded"])
def test_a_priority_added_to_the_list_names_its_event(client: TestClient, axis: str) -> None:
    talks = new_talks(client)
    data = {"talks_id": talks, "party": "Ukraine"}
    position = create(client, "positions", body("PositionTaken", data, occurred=day("2025-06-01")))

    def stated(priority: str, on: str) -> str:
        data = {"priorities": [priority]}
        return fact(client, "positions", position, "PrioritiesStated", data, occurred=day(on))

    first, second = stated("a", "2025-06-01"), stated("b", "2025-06-05")
    params = {"from": "2025-06-02", "to": "2025-06-06"}
    if axis == "recorded":
        when = [recorded_at(client, "positions", position, e) for e in (first, second)]
        params = dict(zip(("from", "to"), when, strict=True))
    changes = client.get(f"/talks/{talks}/diff", params={**params, "axis": axis}).json()["changes"]
    found = [(c["path"], c["from"], c["to"], c["events"]) for c in changes]
    assert found == [("/priorities", ["a"], ["a", "b"], [second])]


def test_a_stream_known_by_a_fact_before_its_creation_names_a_cause_for_every_change(
    client: TestClient,
) -> None:
    talks = new_talks(client, occurred=day("2025-06-10"))
    data = {"party": "Ukraine", "mediator": "Türkiye", "participants": ["A"]}
    call = fact(client, "talks", talks, "MediatorConsulted", data, occurred=day("2025-06-05"))
    params = {"from": "2025-06-01", "to": "2025-06-06"}
    changes = client.get(f"/talks/{talks}/diff", params=params).json()["changes"]
    assert {c["path"] for c in changes} >= {"/title", "/consultations/0/mediator"}
    ids = {e["event_id"] for e in stream_events(client, "talks", talks)}
    for change in changes:
        assert change["events"], change
        assert set(change["events"]) <= ids
    assert next(c for c in changes if c["path"].startswith("/consultations/"))["events"] == [call]


def test_a_diff_from_after_to_is_refused(client: TestClient) -> None:
    talks = new_talks(client)
    response = client.get(f"/talks/{talks}/diff", params={"from": "2025-06-02", "to": "2025-06-01"})
    assert_problem(response, 422, parameter="from")


def test_a_diff_of_unknown_talks_is_not_found(client: TestClient) -> None:
    talks = new_talks(client)
    data = {"talks_id": talks, "party": "Ukraine"}
    delegation = create(client, "delegations", body("DelegationAnnounced", data))
    for unknown in ("00000000-0000-4000-8000-000000000000", delegation):
        params = {"from": "2025-06-01", "to": "2025-06-02"}
        assert_problem(client.get(f"/talks/{unknown}/diff", params=params), 404)


def test_a_diff_point_at_midnight_is_that_instant(client: TestClient) -> None:
    talks = new_talks(client)
    params = {"from": "2025-06-01T00:00:00Z", "to": "2025-06-02T00:00:00+03:00"}
    answer = client.get(f"/talks/{talks}/diff", params=params).json()
    expected = ("2025-06-01T00:00:00.000000Z", "2025-06-01T21:00:00.000000Z")
    assert (answer["from"], answer["to"]) == expected


def record_diff(client: TestClient, talks: str, start: str, end: str) -> list[tuple[Any, ...]]:
    params = {"from": start, "to": end, "axis": "recorded"}
    changes = client.get(f"/talks/{talks}/diff", params=params).json()["changes"]
    return [(c["path"], c["change"], c["from"], c["to"], c["events"]) for c in changes]


def test_a_correction_recorded_between_is_the_cause_of_the_value_it_fixed(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    scheduled = fact(client, "talks", talks, "RoundScheduled", {"number": 1, "city": "Doha"})
    start = recorded_at(client, "talks", talks, scheduled)
    memo = fact(client, "talks", talks, "DocumentExchanged", {"title": "Memo", "from_party": "A", "to_party": "B"})  # fmt: skip
    fix = append(client, "talks", talks, correction(scheduled, fields={"city": "Istanbul"}))
    found = record_diff(client, talks, start, recorded_at(client, "talks", talks, fix))
    assert ("/rounds/0/city", "changed", "Doha", "Istanbul", [fix]) in found
    assert {c[0].split("/")[1] for c in found if c[4] == [memo]} == {"documents"}
    assert all(c[4] == [fix] for c in found if c[0].startswith(("/rounds", "/correct")))


def test_a_retraction_recorded_between_is_the_cause_of_what_it_took_away(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    first = fact(client, "talks", talks, "RoundScheduled", {"number": 1, "city": "Doha"})
    second = fact(client, "talks", talks, "RoundScheduled", {"number": 2, "city": "Geneva"})
    start = recorded_at(client, "talks", talks, second)
    memo = fact(client, "talks", talks, "DocumentExchanged", {"title": "Memo", "from_party": "A", "to_party": "B"})  # fmt: skip
    withdrawn = append(client, "talks", talks, retraction(first))
    found = record_diff(client, talks, start, recorded_at(client, "talks", talks, withdrawn))
    # round 2 moves up to where round 1 was: every change there is the retraction's
    assert ("/rounds/0/city", "changed", "Doha", "Geneva", [withdrawn]) in found
    assert ("/rounds/1/city", "removed", "Geneva", None, [withdrawn]) in found
    assert all(c[4] == ([memo] if c[0].startswith("/documents") else [withdrawn]) for c in found)


def test_a_round_reported_before_the_others_is_the_cause_of_every_position_it_moved(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    for number, on in ((2, "2025-06-02"), (3, "2025-06-03")):
        fact(client, "talks", talks, "RoundScheduled", {"number": number, "city": "Doha"}, occurred=day(on))  # fmt: skip
    late = fact(client, "talks", talks, "RoundScheduled", {"number": 1, "city": "Istanbul"}, occurred=day("2025-06-05"))  # fmt: skip
    params = {"from": "2025-06-04", "to": "2025-06-06"}
    changes = client.get(f"/talks/{talks}/diff", params=params).json()["changes"]
    numbers = {c["path"]: (c["from"], c["to"]) for c in changes if c["path"].endswith("/number")}
    assert numbers == {
        "/rounds/0/number": (2, 1),
        "/rounds/1/number": (3, 2),
        "/rounds/2/number": (None, 3),
    }
    assert all(c["events"] == [late] for c in changes)
