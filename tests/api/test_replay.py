"""Replaying a stream by version and by what was known at a time, and the global log."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from helpers import (
    assert_problem,
    delegation_body,
    mediator_role,
    position_body,
    read_whole_log,
    round_held,
    round_scheduled,
    talks_body,
)

KYIV = timezone(timedelta(hours=3))


def recorded(client: TestClient, kind: str, stream_id: str) -> list[datetime]:
    """When each event of the stream was recorded, in version order."""
    events = client.get(f"/{kind}/{stream_id}/events").json()
    return [datetime.fromisoformat(e["recorded_at"]) for e in events]


def state_as_of(client: TestClient, stream_id: str, moment: datetime):
    return client.get(f"/talks/{stream_id}", params={"as_of": moment.isoformat()})


@pytest.fixture
def three_versions(client: TestClient) -> str:
    """Talks proposed (v1), round 1 scheduled (v2), round 1 held (v3)."""
    stream_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    for body in (round_scheduled(1), round_held(1)):
        assert client.post(f"/talks/{stream_id}/events", json=body).status_code == 201
    return stream_id


# By version


def test_the_state_after_n_events_is_not_the_state_now(
    client: TestClient, three_versions: str
) -> None:
    first = client.get(f"/talks/{three_versions}", params={"version": 1})
    second = client.get(f"/talks/{three_versions}", params={"version": 2})
    now = client.get(f"/talks/{three_versions}")

    assert first.status_code == second.status_code == now.status_code == 200
    assert (first.json()["version"], first.json()["status"]) == (1, "proposed")
    assert first.json()["rounds"] == []
    assert (second.json()["version"], second.json()["status"]) == (2, "scheduled")
    assert second.json()["rounds"][0]["status"] == "scheduled"
    assert (now.json()["version"], now.json()["status"]) == (3, "active")
    assert now.json()["rounds"][0]["status"] == "held"
    assert first.headers["etag"] == '"1"'
    assert now.headers["etag"] == '"3"'


def test_the_state_at_the_head_version_is_the_state_now(
    client: TestClient, three_versions: str
) -> None:
    at_head = client.get(f"/talks/{three_versions}", params={"version": 3})

    assert at_head.status_code == 200
    assert at_head.json() == client.get(f"/talks/{three_versions}").json()


@pytest.mark.parametrize("version", [4, 100])
def test_a_version_beyond_the_head_is_a_404_problem(
    client: TestClient, three_versions: str, version: int
) -> None:
    response = client.get(f"/talks/{three_versions}", params={"version": version})

    assert_problem(response, 404, slug="not-found")


def test_a_delegation_and_a_position_replay_by_version_too(client: TestClient) -> None:
    talks_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    delegation_id = client.post("/delegations", json=delegation_body(talks_id)).json()["stream_id"]
    position_id = client.post("/positions", json=position_body(talks_id)).json()["stream_id"]
    client.post(
        f"/delegations/{delegation_id}/events",
        json=round_held(1, type="DelegationArrived", data={"city": "Istanbul"}),
    )
    client.post(
        f"/positions/{position_id}/events",
        json=round_held(1, type="DemandMade", data={"demand": "a ceasefire"}),
    )

    delegation = client.get(f"/delegations/{delegation_id}", params={"version": 1}).json()
    position = client.get(f"/positions/{position_id}", params={"version": 1}).json()

    assert delegation["status"] == "announced"
    assert client.get(f"/delegations/{delegation_id}").json()["status"] == "arrived"
    assert position["demands"] == []
    assert client.get(f"/positions/{position_id}").json()["demands"] == ["a ceasefire"]


# By as_of: what was known then


def test_as_of_a_time_between_two_appends_holds_the_first_but_not_the_second(
    client: TestClient,
) -> None:
    stream_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    assert client.post(f"/talks/{stream_id}/events", json=round_scheduled(1)).status_code == 201
    time.sleep(0.005)
    assert client.post(f"/talks/{stream_id}/events", json=round_held(1)).status_code == 201
    _, scheduled_at, held_at = recorded(client, "talks", stream_id)
    assert scheduled_at < held_at
    between = scheduled_at + (held_at - scheduled_at) / 2

    response = state_as_of(client, stream_id, between)

    assert response.status_code == 200, response.text
    state = response.json()
    assert state["version"] == 2
    assert state["rounds"] == [
        {
            "number": 1,
            "city": "Istanbul",
            "venue": None,
            "date": None,
            "status": "scheduled",
            # Not held yet: no day held, nobody has taken part, nobody was said to be coming.
            "held_on": None,
            "participants": [],
            "expected": [],
        }
    ]
    assert client.get(f"/talks/{stream_id}").json()["rounds"][0]["status"] == "held"


def test_as_of_is_inclusive_of_the_moment_an_event_was_recorded(
    client: TestClient, three_versions: str
) -> None:
    times = recorded(client, "talks", three_versions)

    versions = [state_as_of(client, three_versions, t).json()["version"] for t in times]

    assert versions == [1, 2, 3]


def test_as_of_with_another_offset_means_the_same_instant(
    client: TestClient,
) -> None:
    stream_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    time.sleep(0.005)
    client.post(f"/talks/{stream_id}/events", json=round_scheduled(1))
    created_at, scheduled_at = recorded(client, "talks", stream_id)
    between = (created_at + (scheduled_at - created_at) / 2).astimezone(KYIV)
    assert between.isoformat().endswith("+03:00")

    response = state_as_of(client, stream_id, between)

    assert response.status_code == 200, response.text
    assert response.json()["version"] == 1


def test_as_of_later_than_every_event_is_the_state_now(
    client: TestClient, three_versions: str
) -> None:
    later = datetime.now(UTC) + timedelta(days=1)

    response = state_as_of(client, three_versions, later)

    assert response.status_code == 200
    assert response.json() == client.get(f"/talks/{three_versions}").json()


def test_as_of_before_the_stream_existed_is_a_404_problem(
    client: TestClient, three_versions: str
) -> None:
    (created_at, *_) = recorded(client, "talks", three_versions)

    response = state_as_of(client, three_versions, created_at - timedelta(microseconds=1))

    assert_problem(response, 404, slug="not-found")


def test_as_of_and_version_together_take_the_earlier_of_the_two(
    client: TestClient, three_versions: str
) -> None:
    times = recorded(client, "talks", three_versions)

    response = client.get(
        f"/talks/{three_versions}", params={"as_of": times[2].isoformat(), "version": 2}
    )

    assert response.status_code == 200
    assert response.json()["version"] == 2


def test_as_of_without_a_time_zone_is_a_422_naming_the_parameter(
    client: TestClient, three_versions: str
) -> None:
    response = client.get(f"/talks/{three_versions}", params={"as_of": "2025-06-01T12:00:00"})

    assert_problem(response, 422, parameter="as_of")


@pytest.mark.parametrize(
    ("as_of", "status"),
    [("9999-12-31T23:59:59-12:00", 200), ("0001-01-01T00:00:00+14:00", 404)],
    ids=["latest-possible", "earliest-possible"],
)
def test_as_of_at_the_edges_of_the_calendar_answers_like_any_other_time(
    client: TestClient, three_versions: str, as_of: str, status: int
) -> None:
    response = client.get(f"/talks/{three_versions}", params={"as_of": as_of})

    assert response.status_code == status, response.text


# The global log


@pytest.fixture
def busy_store(client: TestClient) -> list[dict]:
    """Events on three streams, interleaved; returns every append's answer in order."""
    answers = []
    talks = client.post("/talks", json=talks_body())
    talks_id = talks.json()["stream_id"]
    answers.append(talks.json())
    delegation = client.post("/delegations", json=delegation_body(talks_id))
    answers.append(delegation.json())
    for number in (1, 2, 3):
        answers.append(
            client.post(f"/talks/{talks_id}/events", json=round_scheduled(number)).json()
        )
        answers.append(
            client.post(
                f"/delegations/{delegation.json()['stream_id']}/events",
                json=round_held(1, type="DelegationArrived", data={"city": f"City {number}"}),
            ).json()
        )
    batch = client.post(
        f"/talks/{talks_id}/events", json={"events": [mediator_role("A"), mediator_role("B")]}
    )
    answers.append(batch.json())
    assert all("events" in answer for answer in answers), answers
    return answers


def test_the_global_log_lists_every_event_in_strictly_increasing_positions(
    client: TestClient, busy_store: list[dict]
) -> None:
    appended = [e for answer in busy_store for e in answer["events"]]

    page = client.get("/events", params={"limit": 1000})

    assert page.status_code == 200
    body = page.json()
    positions = [e["position"] for e in body["events"]]
    assert positions == sorted(set(positions))
    assert [e["event_id"] for e in body["events"]] == [e["event_id"] for e in appended]
    assert [e["position"] for e in body["events"]] == [e["position"] for e in appended]
    assert body["head"] == positions[-1] == len(appended)
    assert body["next_after"] == positions[-1]
    assert {e["kind"] for e in body["events"]} == {"talks", "delegations"}


@pytest.mark.parametrize("limit", [1, 2, 3, 5, 100])
def test_paging_the_log_with_after_and_limit_covers_each_event_exactly_once(
    client: TestClient, busy_store: list[dict], limit: int
) -> None:
    total = client.get("/events").json()["head"]
    seen: list[int] = []
    after = 0
    for _ in range(total + 2):  # bounded: one more page than events, plus the empty one
        page = client.get("/events", params={"after": after, "limit": limit}).json()
        assert len(page["events"]) <= limit
        assert page["head"] == total
        if not page["events"]:
            assert page["next_after"] == after
            break
        assert all(e["position"] > after for e in page["events"])
        seen.extend(e["position"] for e in page["events"])
        assert page["next_after"] == page["events"][-1]["position"]
        after = page["next_after"]
    assert seen == list(range(1, total + 1))


def test_the_log_after_its_head_is_an_empty_page(
    client: TestClient, busy_store: list[dict]
) -> None:
    head = client.get("/events").json()["head"]

    page = client.get("/events", params={"after": head})

    assert page.status_code == 200
    assert page.json() == {"events": [], "next_after": head, "head": head}


def test_the_log_of_an_empty_store_is_empty_with_head_zero(client: TestClient) -> None:
    assert client.get("/events").json() == {"events": [], "next_after": 0, "head": 0}


def test_the_log_and_the_stream_events_agree_on_each_event(
    client: TestClient, busy_store: list[dict]
) -> None:
    talks_id = busy_store[0]["stream_id"]
    in_log = [e for e in read_whole_log(client, limit=3) if e["stream_id"] == talks_id]

    assert client.get(f"/talks/{talks_id}/events").json() == in_log
