"""Creating and appending through the real app."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from helpers import (
    delegation_body,
    event_body,
    mediator_role,
    position_body,
    round_held,
    round_scheduled,
    talks_body,
)


def create(client: TestClient, kind: str, body: dict) -> dict:
    response = client.post(f"/{kind}", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_creating_talks_answers_201_with_stream_version_position_and_event_ids(
    client: TestClient,
) -> None:
    response = client.post("/talks", json=talks_body())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["version"] == 1
    assert body["position"] == 1
    assert len(body["events"]) == 1
    assert body["events"][0]["position"] == 1
    state = client.get(f"/talks/{body['stream_id']}").json()
    assert state["title"] == "Test talks"
    assert state["status"] == "proposed"


@pytest.mark.parametrize(
    ("kind", "make_body", "expected"),
    [
        ("delegations", delegation_body, {"party": "Ukraine", "status": "announced"}),
        ("positions", position_body, {"party": "Ukraine", "summary": "our terms"}),
    ],
    ids=["delegation", "position"],
)
def test_a_delegation_or_a_position_is_created_for_an_existing_talks(
    client: TestClient, kind, make_body, expected
) -> None:
    talks_id = create(client, "talks", talks_body())["stream_id"]

    response = client.post(f"/{kind}", json=make_body(talks_id))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body["kind"] == kind
    assert body["version"] == 1
    assert body["position"] == 2
    assert response.headers["location"] == f"/{kind}/{body['stream_id']}"
    state = client.get(f"/{kind}/{body['stream_id']}")
    assert state.status_code == 200, state.text
    assert state.json()["talks_id"] == talks_id
    assert state.json() | expected == state.json()


def test_creating_with_a_client_chosen_id_and_event_id_keeps_both(client: TestClient) -> None:
    stream_id = "00000000-0000-4000-8000-0000000000a1"
    event_id = "00000000-0000-4000-8000-0000000000b1"

    body = create(client, "talks", talks_body(id=stream_id, event_id=event_id))

    assert body["stream_id"] == stream_id
    assert body["events"][0]["event_id"] == event_id
    assert client.get(f"/talks/{stream_id}").json()["id"] == stream_id


def test_creating_a_stream_with_an_id_already_taken_is_a_409_and_appends_nothing(
    client: TestClient,
) -> None:
    stream_id = create(client, "talks", talks_body())["stream_id"]

    again = client.post("/talks", json=talks_body(id=stream_id, title="Other"))

    assert again.status_code == 409, again.text
    assert client.get("/events").json()["head"] == 1
    assert client.get(f"/talks/{stream_id}").json()["title"] == "Test talks"


def test_appending_one_event_answers_its_version_position_and_event_id(client: TestClient) -> None:
    stream_id = create(client, "talks", talks_body())["stream_id"]

    response = client.post(f"/talks/{stream_id}/events", json=round_scheduled(1))

    assert response.status_code == 201, response.text
    body = response.json()
    assert body == {
        "stream_id": stream_id,
        "kind": "talks",
        "version": 2,
        "position": 2,
        "events": [{"event_id": body["events"][0]["event_id"], "version": 2, "position": 2}],
    }
    assert response.headers["etag"] == '"2"'
    state = client.get(f"/talks/{stream_id}").json()
    assert state["version"] == 2
    assert state["rounds"][0]["number"] == 1
    assert state["rounds"][0]["status"] == "scheduled"


def test_appending_to_a_delegation_and_a_position_changes_their_state(client: TestClient) -> None:
    talks_id = create(client, "talks", talks_body())["stream_id"]
    delegation_id = create(client, "delegations", delegation_body(talks_id))["stream_id"]
    position_id = create(client, "positions", position_body(talks_id))["stream_id"]

    head = {"name": "Rustem Umerov", "title": "Defense Minister"}
    named = client.post(
        f"/delegations/{delegation_id}/events",
        json=event_body("DelegationHeadNamed", {"head": head}),
    )
    stated = client.post(
        f"/positions/{position_id}/events",
        json=event_body("PrioritiesStated", {"priorities": ["a ceasefire"]}),
    )

    assert named.status_code == 201, named.text
    assert stated.status_code == 201, stated.text
    assert client.get(f"/delegations/{delegation_id}").json()["head"] == head
    assert client.get(f"/positions/{position_id}").json()["priorities"] == ["a ceasefire"]


def test_a_batch_is_appended_atomically_or_not_at_all(client: TestClient) -> None:
    stream_id = create(client, "talks", talks_body())["stream_id"]
    bad_batch = {"events": [round_held(1), round_held(1)]}  # the second breaks an invariant
    refused = client.post(f"/talks/{stream_id}/events", json=bad_batch)
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert client.get(f"/talks/{stream_id}").json()["version"] == 1
    assert client.get("/events").json()["head"] == 1
    good = client.post(
        f"/talks/{stream_id}/events", json={"events": [round_held(1), round_held(2)]}
    )
    assert good.status_code == 201
    assert [e["version"] for e in good.json()["events"]] == [2, 3]


def test_a_batch_answers_each_event_with_consecutive_versions_and_positions(
    client: TestClient,
) -> None:
    stream_id = create(client, "talks", talks_body())["stream_id"]
    batch = [round_scheduled(1), round_held(1), mediator_role()]

    response = client.post(f"/talks/{stream_id}/events", json={"events": batch})

    assert response.status_code == 201, response.text
    body = response.json()
    assert [e["version"] for e in body["events"]] == [2, 3, 4]
    assert [e["position"] for e in body["events"]] == [2, 3, 4]
    assert len({e["event_id"] for e in body["events"]}) == 3
    assert (body["version"], body["position"]) == (4, 4)
    state = client.get(f"/talks/{stream_id}").json()
    assert state["rounds"][0]["status"] == "held"
    assert [m["name"] for m in state["mediators"]] == ["Türkiye"]


def test_a_batch_refused_for_an_invalid_later_event_appends_not_even_the_first(
    client: TestClient,
) -> None:
    stream_id = create(client, "talks", talks_body())["stream_id"]
    bad = round_held(2, data={"number": "two"})

    refused = client.post(f"/talks/{stream_id}/events", json={"events": [round_held(1), bad]})

    assert refused.status_code == 422, refused.text
    assert client.get(f"/talks/{stream_id}/events").json()[-1]["version"] == 1
    assert client.get("/events").json()["head"] == 1


def test_a_batch_with_an_expected_version_is_appended_when_the_stream_is_there(
    client: TestClient,
) -> None:
    stream_id = create(client, "talks", talks_body())["stream_id"]

    response = client.post(
        f"/talks/{stream_id}/events",
        json={"events": [round_scheduled(1), round_held(1)], "expected_version": 1},
    )

    assert response.status_code == 201, response.text
    assert response.json()["version"] == 3


def test_the_events_of_a_stream_carry_envelope_version_and_increasing_positions(
    client: TestClient,
) -> None:
    talks_id = create(client, "talks", talks_body())["stream_id"]
    create(client, "delegations", delegation_body(talks_id))  # interleaves in the global log
    appended = client.post(
        f"/talks/{talks_id}/events",
        json={"events": [round_scheduled(1), round_held(1, attributed_to="A spokesman")]},
    ).json()

    events = client.get(f"/talks/{talks_id}/events")

    assert events.status_code == 200, events.text
    listed = events.json()
    assert [e["version"] for e in listed] == [1, 2, 3]
    assert [e["type"] for e in listed] == ["TalksProposed", "RoundScheduled", "RoundHeld"]
    assert [e["position"] for e in listed] == [1, 3, 4]
    assert [e["event_id"] for e in listed[1:]] == [e["event_id"] for e in appended["events"]]
    last = listed[-1]
    assert last["stream_id"] == talks_id
    assert last["kind"] == "talks"
    assert last["attributed_to"] == "A spokesman"
    assert last["modality"] == "asserted"
    assert last["occurred"]["value"] == "2025-06-02"
    assert last["sources"][0]["outlet"] == "Test Wire"
    assert last["data"]["number"] == 1
    assert last["recorded_at"].endswith("Z")


def test_if_match_star_appends_to_an_existing_stream_whatever_its_version(
    client: TestClient,
) -> None:
    stream_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    response = client.post(
        f"/talks/{stream_id}/events", json=round_held(1), headers={"If-Match": "*"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 2
    missing = client.post(
        "/talks/00000000-0000-4000-8000-000000000999/events",
        json=round_held(1),
        headers={"If-Match": "*"},
    )
    assert missing.status_code == 404
