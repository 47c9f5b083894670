"""Per-event coding: an analyst's CAMEO code and PLOVER category override the type's default in
the log, the timeline and the exports; a bad coding is a 422 at its field."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from tests.evolution.stored_v1 import load_into, stored_lines
from tests.temporal.support import append, body, create, get_list, head, new_talks

CODING = {
    "cameo": "1056",
    "scheme": "CAMEO 1.1b3",
    "plover": {"category": "REQUEST", "mode": "de-escalate", "context": ["diplomatic"]},
    "coded_by": "analyst@example.org",
}


def statement(coding: dict[str, Any] | None) -> dict[str, Any]:
    data = {"speaker": "Volodymyr Zelenskyy", "subject": "a real ceasefire"}
    request = body("StatementMade", data)
    return request if coding is None else {**request, "coding": coding}


@pytest.fixture
def coded(client: TestClient) -> tuple[str, str, str]:
    """A Talks with a position holding a coded statement and an uncoded one."""
    talks = new_talks(client)
    position = create(
        client, "positions", body("PositionTaken", {"talks_id": talks, "party": "Ukraine"})
    )
    own = append(client, "positions", position, statement(CODING))
    default = append(client, "positions", position, statement(None))
    return talks, own, default


def test_the_log_shows_the_events_own_code_and_its_coding(client: TestClient, coded) -> None:
    _, own, default = coded
    events = {e["event_id"]: e for e in client.get("/events").json()["events"]}

    assert events[own]["cameo"] == "1056"
    assert events[own]["coding"] == CODING
    assert events[default]["cameo"] == "010"  # StatementMade's default: make statement
    assert events[default]["coding"] is None


def test_the_timeline_uses_the_events_own_code(client: TestClient, coded) -> None:
    talks, own, default = coded
    entries = {
        e["event_id"]: e
        for e in get_list(client, f"/talks/{talks}/timeline", min_position=head(client))
    }

    assert (entries[own]["cameo"], entries[default]["cameo"]) == ("1056", "010")


def test_the_exports_use_the_events_own_coding(client: TestClient, coded) -> None:
    talks, own, default = coded

    rows = {
        r["event_id"]: r
        for r in csv.DictReader(io.StringIO(client.get(f"/talks/{talks}/export?format=csv").text))
    }
    plover = {
        r["id"]: r
        for r in map(
            json.loads, client.get(f"/talks/{talks}/export?format=plover").text.splitlines()
        )
    }
    cloud = {
        r["id"]: r
        for r in map(
            json.loads, client.get(f"/talks/{talks}/export?format=cloudevents").text.splitlines()
        )
    }

    assert (rows[own]["cameo_code"], rows[default]["cameo_code"]) == ("1056", "010")
    # The analyst's coding makes a statement a PLOVER REQUEST (PLOVER 2.0 lists are lists),
    # coded by the analyst; the same statement uncoded has no PLOVER category: left out.
    assert (plover[own]["event"], plover[own]["mode"]) == (["REQUEST"], ["de-escalate"])
    assert plover[own]["coder"] == "analyst@example.org"
    assert default not in plover
    assert cloud[own]["cameocode"] == "1056"
    assert cloud[own]["data"]["envelope"]["coding"] == CODING


@pytest.mark.parametrize(
    ("coding", "pointer"),
    [
        ({"cameo": "10a"}, "/coding/cameo"),
        ({"cameo": 1056}, "/coding/cameo"),
        ({"plover": {"category": "SHOUT"}}, "/coding/plover/category"),
        ({"coded_by": "someone"}, "/coding"),
        ({"cameo": "1056", "colour": "red"}, "/coding/colour"),
    ],
)
def test_a_bad_coding_is_a_422_at_its_field_and_writes_nothing(
    client: TestClient, coding: dict[str, Any], pointer: str
) -> None:
    talks = new_talks(client)
    before = head(client)

    response = client.post(
        f"/talks/{talks}/events", json={**body("TalksSuspended"), "coding": coding}
    )

    assert_problem(response, 422, pointer=pointer)
    assert head(client) == before


def test_events_stored_without_a_coding_keep_their_types_code(service, client: TestClient) -> None:
    load_into(service.app)
    events = client.get("/events", params={"limit": 100}).json()["events"]

    assert len(events) == len(stored_lines())
    assert all(e["coding"] is None for e in events)
    assert {e["cameo"] for e in events if e["type"] == "MediatorConsulted"} == {"041"}
