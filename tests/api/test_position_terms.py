"""A position's terms through the real app: whom appeals, demands and proposals address, their
dates, venues, conditions and deadlines; claims and intents; bad input refused with nothing
written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from tests.temporal.support import append, body, create, day, get_list, new_talks, settle, state
from tests.temporal.support import stream_events as events_of


def a_position(client: TestClient) -> tuple[str, str]:
    talks = new_talks(client)
    position = create(
        client, "positions", body("PositionTaken", {"talks_id": talks, "party": "Ukraine"})
    )
    return talks, position


def test_an_appeal_to_several_addressees_lists_them_and_is_found_by_each(
    client: TestClient,
) -> None:
    talks, position = a_position(client)
    data = {"subject": "sanctions pressure", "addressees": ["European Union", "United States"]}
    appeal = append(client, "positions", position, body("AppealMade", data))
    settle(client)

    (entry,) = state(client, "positions", position)["appeals"]
    assert entry["addressees"] == ["European Union", "United States"]
    assert entry["addressee"] is None
    for actor in ("European Union", "United States"):
        found = get_list(client, f"/talks/{talks}/timeline", actor=actor)
        assert [e["event_id"] for e in found] == [appeal]
    entries = {e["event_id"]: e for e in get_list(client, f"/talks/{talks}/timeline")}
    assert (
        entries[appeal]["headline"] == "Appeal to European Union, United States: sanctions pressure"
    )


def test_an_appeal_with_the_one_addressee_of_the_first_release_still_works(
    client: TestClient,
) -> None:
    _, position = a_position(client)
    data = {"subject": "more air defence", "addressee": "Germany", "addressees": ["France"]}
    append(client, "positions", position, body("AppealMade", data))

    (entry,) = state(client, "positions", position)["appeals"]
    assert (entry["addressee"], entry["addressees"]) == ("Germany", ["Germany", "France"])


@pytest.mark.parametrize("data", [{}, {"addressees": []}, {"addressee": None}])
def test_an_appeal_to_no_one_is_refused_and_nothing_is_written(
    client: TestClient, data: dict[str, Any]
) -> None:
    _, position = a_position(client)

    response = client.post(
        f"/positions/{position}/events", json=body("AppealMade", {"subject": "help", **data})
    )

    assert_problem(response, 422, pointer="/data/addressees")
    assert len(events_of(client, "positions", position)) == 1


def test_a_demand_names_its_addressees_and_deadline(client: TestClient) -> None:
    talks, position = a_position(client)
    data = {"demand": "a full ceasefire", "addressees": ["Russia"], "deadline": day("2025-06-30")}
    demand = append(client, "positions", position, body("DemandMade", data))
    settle(client)

    (entry,) = [e for e in events_of(client, "positions", position) if e["event_id"] == demand]
    assert entry["data"]["addressees"] == ["Russia"]
    assert entry["data"]["deadline"]["value"] == "2025-06-30"
    found = get_list(client, f"/talks/{talks}/timeline", actor="Russia")
    assert demand in [e["event_id"] for e in found]
    (terms,) = state(client, "positions", position)["demand_terms"]
    assert (terms["demand"], terms["addressees"], terms["event_id"]) == (
        "a full ceasefire",
        ["Russia"],
        demand,
    )
    assert terms["deadline"]["value"] == "2025-06-30"
    (row,) = get_list(client, f"/talks/{talks}/positions")
    assert [t["event_id"] for t in row["demand_terms"]] == [demand]

    append(client, "positions", position, body("DemandDropped", {"demand": "a full ceasefire"}))
    assert state(client, "positions", position)["demand_terms"] == []


def test_a_proposal_keeps_its_date_venue_conditions_and_deadline(client: TestClient) -> None:
    _, position = a_position(client)
    data = {
        "title": "leaders' meeting",
        "addressees": ["Russia"],
        "proposed_date": {"precision": "month", "value": "2025-07"},
        "proposed_venue": "Istanbul",
        "conditions": ["a ceasefire first", "all prisoners exchanged"],
        "deadline": day("2025-06-20"),
    }
    proposal = append(client, "positions", position, body("ProposalMade", data))

    (entry,) = state(client, "positions", position)["proposals"]
    assert entry["event_id"] == proposal
    assert entry["addressees"] == ["Russia"]
    assert (entry["proposed_date"]["precision"], entry["proposed_date"]["value"]) == (
        "month",
        "2025-07",
    )
    assert entry["proposed_venue"] == "Istanbul"
    assert entry["conditions"] == ["a ceasefire first", "all prisoners exchanged"]
    assert entry["deadline"]["value"] == "2025-06-20"


@pytest.mark.parametrize(
    ("event_type", "data", "pointer"),
    [
        ("DemandMade", {"demand": "x", "deadline": {"precision": "day", "value": "2025-13-40"}},
         "/data/deadline/value"),
        ("ProposalMade", {"title": "x", "deadline": {"precision": "day", "value": "soon"}},
         "/data/deadline/value"),
        ("ProposalMade", {"title": "x", "proposed_date": {"precision": "fortnight"}},
         "/data/proposed_date/precision"),
        ("ProposalMade", {"title": "x", "conditions": "a ceasefire"}, "/data/conditions"),
        ("ClaimMade", {"about": "x"}, "/data/claim"),
        ("IntentStated", {"intent": "x", "conditions": [1]}, "/data/conditions/0"),
    ],
)  # fmt: skip
def test_bad_terms_are_refused_at_their_member_and_nothing_is_written(
    client: TestClient, event_type: str, data: dict[str, Any], pointer: str
) -> None:
    _, position = a_position(client)

    response = client.post(f"/positions/{position}/events", json=body(event_type, data))

    assert_problem(response, 422, pointer=pointer)
    assert len(events_of(client, "positions", position)) == 1


def test_claims_and_intents_are_in_the_state_and_the_positions_view(client: TestClient) -> None:
    talks, position = a_position(client)
    claim = append(
        client,
        "positions",
        position,
        body("ClaimMade", {"claim": "Russia stalls", "speaker": "Andrii Sybiha",
                           "addressees": ["Türkiye"]}),
    )  # fmt: skip
    intent = append(
        client,
        "positions",
        position,
        body("IntentStated", {"intent": "go to Istanbul", "conditions": ["Putin attends"]}),
    )
    settle(client)

    found = state(client, "positions", position)
    assert [(c["claim"], c["addressees"], c["event_id"]) for c in found["claims"]] == [
        ("Russia stalls", ["Türkiye"], claim)
    ]
    assert [(i["intent"], i["conditions"], i["event_id"]) for i in found["intents"]] == [
        ("go to Istanbul", ["Putin attends"], intent)
    ]
    (row,) = get_list(client, f"/talks/{talks}/positions")
    assert [c["event_id"] for c in row["claims"]] == [claim]
    assert [i["event_id"] for i in row["intents"]] == [intent]
    found_by_addressee = get_list(client, f"/talks/{talks}/timeline", actor="Türkiye")
    assert [e["event_id"] for e in found_by_addressee] == [claim]
