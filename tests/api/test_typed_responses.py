"""Typed answers keep the JSON as the fold builds it: a key absent until an event sets it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.temporal.support import append, body, new_talks, retraction


def test_a_round_has_a_duration_only_once_a_report_gives_one(client: TestClient) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, body("RoundScheduled", {"number": 1, "city": "Istanbul"}))
    append(client, "talks", talks, body("RoundHeld", {"number": 2, "duration_minutes": 100}))

    rounds = client.get(f"/talks/{talks}").json()["rounds"]

    assert "duration_minutes" not in rounds[0]
    assert rounds[1]["duration_minutes"] == 100
    assert rounds[0]["date"] is None  # a key the fold sets to null stays, null


def test_a_talks_whose_proposal_was_retracted_reads_without_a_title(client: TestClient) -> None:
    talks = new_talks(client)
    proposal = client.get(f"/talks/{talks}/events").json()[0]["event_id"]
    retracted_by = append(client, "talks", talks, retraction(proposal))

    response = client.get(f"/talks/{talks}")

    assert response.status_code == 200, response.text
    state = response.json()
    assert "title" not in state
    assert state["retracted"] == [{"event_id": proposal, "retracted_by": retracted_by}]
    assert state["corrections"][0]["retracts"] == proposal
    assert state["version"] == 2
    listed = client.get("/talks")
    assert listed.status_code == 200, listed.text
    row = next(row for row in listed.json() if row["id"] == talks)
    assert row["retracted"] == state["retracted"]
