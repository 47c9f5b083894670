"""Events stored by the first release keep loading and folding to the states their story gives.

The fixture (tests/fixtures/store_v1.jsonl) holds the demo's 16 events and one example of each
of the 35 event types, as the first release stored them. When a type's shape changes, its
class_version and upcasters must keep these answers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from application.demo import DELEGATION_ID, POSITION_ID, TALKS_ID, demo_id
from application.service import TimelineService
from domain.base import EXAMPLE_IDS
from domain.catalogue import example_event_id
from tests.evolution.stored_v1 import load_into, stored_lines

EXAMPLE_TALKS = UUID(EXAMPLE_IDS["talks"])
EXAMPLE_DELEGATION = UUID(EXAMPLE_IDS["delegations"])
EXAMPLE_POSITION = UUID(EXAMPLE_IDS["positions"])
KELLOGG = "Keith Kellogg, US special envoy for Ukraine"


@pytest.fixture
def loaded(service: TimelineService) -> TimelineService:
    """A fresh store holding the fixture's events."""
    assert load_into(service.app) == len(stored_lines())
    return service


def test_the_fixture_holds_every_event_type_of_the_first_release() -> None:
    topics = {line["topic"] for line in stored_lines()}

    assert len(topics) == 35
    assert all(topic.endswith("/v1") for topic in topics)


def test_every_stored_event_reads_back_with_its_id_and_type(loaded: TimelineService) -> None:
    log = loaded.log(0, 1000)

    assert [e["position"] for e in log] == list(range(1, 52))
    assert len({e["type"] for e in log}) == 35
    by_id = {e["event_id"]: e for e in log}
    assert by_id[str(demo_id("event:venue-called-capital"))]["modality"] == "disputed"
    assert by_id[example_event_id("RoundScheduled")]["data"]["city"] == "Istanbul"


# The demo: the seed article of 1 June 2025


def test_the_demo_talks_now_round_two_in_istanbul_on_monday_both_corrections_applied(
    loaded: TimelineService,
) -> None:
    state = loaded.state("talks", TALKS_ID)

    assert state["version"] == 8
    assert state["title"] == "Russia–Ukraine direct talks, Istanbul"
    assert state["parties"] == ["Ukraine", "Russia"]
    assert state["status"] == "scheduled"
    (round_two,) = state["rounds"]
    assert (round_two["number"], round_two["city"], round_two["status"]) == (
        2,
        "Istanbul",
        "scheduled",
    )
    assert (round_two["date"]["value"], round_two["date"]["wording"]) == ("2025-06-02", "Monday")
    # The first release's keys keep their values; issue 13 adds each mediator's ``roles``.
    assert [{k: m[k] for k in ("name", "role", "hosts")} for m in state["mediators"]] == [
        {"name": "Türkiye", "role": "mediator and host of previous rounds", "hosts": True}
    ]
    assert [r["role"] for r in state["mediators"][0]["roles"]] == [
        "mediator and host of previous rounds"
    ]
    assert [
        (p["party"], p["round"], p["according_to"]) for p in state["expected_participants"]
    ] == [
        ("United States", 2, KELLOGG),
        ("Germany", 2, KELLOGG),
        ("France", 2, KELLOGG),
        ("United Kingdom", 2, KELLOGG),
    ]
    (call,) = state["consultations"]
    assert (call["party"], call["mediator"], call["channel"]) == ("Ukraine", "Türkiye", "phone")
    assert call["participants"] == ["Volodymyr Zelenskyy", "Recep Tayyip Erdogan"]
    assert sorted(c["event_id"] for c in state["corrected"]) == sorted(
        [str(demo_id("event:venue-called-capital")), str(demo_id("event:erdogan-consulted"))]
    )
    assert "disputes" not in state  # the correction settled the venue


def test_the_demo_talks_on_31_may_only_the_call_of_friday_30_may_had_happened(
    loaded: TimelineService,
) -> None:
    state = loaded.state("talks", TALKS_ID, at=datetime.fromisoformat("2025-05-31T23:59:59+00:00"))

    assert state["status"] == "proposed"
    assert state["rounds"] == []
    assert [c["subject"] for c in state["consultations"]] == ["the upcoming negotiations"]
    assert state["expected_participants"] == []


def recorded_at(service: TimelineService, key: str) -> datetime:
    event_id = str(demo_id(f"event:{key}"))
    (event,) = [e for e in service.log(0, 1000) if e["event_id"] == event_id]
    return datetime.fromisoformat(event["recorded_at"])


def test_the_demo_talks_before_the_venue_correction_disputes_istanbul_and_ankara(
    loaded: TimelineService,
) -> None:
    before = recorded_at(loaded, "venue-corrected") - timedelta(microseconds=1)

    state = loaded.state("talks", TALKS_ID, as_of=before)

    assert state["version"] == 6
    assert state["rounds"][0]["city"] == "Istanbul"  # the first claim stands
    (dispute,) = state["disputes"]
    assert dispute["subject"] == {"type": "RoundScheduled", "number": 2}
    assert [c["values"]["city"] for c in dispute["claims"]] == ["Istanbul", "Ankara"]
    assert [c["modality"] for c in dispute["claims"]] == ["asserted", "disputed"]


def test_the_demo_delegation_is_umerovs_announced_for_istanbul(loaded: TimelineService) -> None:
    state = loaded.state("delegations", DELEGATION_ID)

    assert state["talks_id"] == str(TALKS_ID)
    assert (state["party"], state["destination"], state["status"]) == (
        "Ukraine",
        "Istanbul",
        "announced",
    )
    assert state["head"] == {"name": "Rustem Umerov", "title": "Defense Minister"}


def test_the_demo_position_holds_zelenskyys_three_priorities_demand_appeal_and_doubt(
    loaded: TimelineService,
) -> None:
    state = loaded.state("positions", POSITION_ID)

    assert state["priorities"] == [
        "a complete and unconditional cease-fire",
        "the return of prisoners",
        "the return of abducted children",
    ]
    assert state["demands"] == ["Russia must agree to a serious peace and end the war"]
    assert [(a["addressee"], a["subject"]) for a in state["appeals"]] == [
        ("United States", "a firm stance on sanctions against Russia")
    ]
    assert [a["kind"] for a in state["assessments"]] == ["skepticism"]
    assert [s["speaker"] for s in state["statements"]] == ["Volodymyr Zelenskyy"]


# The catalogue's examples, one event of every type, in catalogue order


def test_the_example_talks_ran_through_every_talks_type_to_its_conclusion(
    loaded: TimelineService,
) -> None:
    state = loaded.state("talks", EXAMPLE_TALKS)

    assert state["version"] == 15
    assert (state["status"], state["outcome"]) == ("concluded", "ceasefire agreement signed")
    assert state["proposed_by"] == "Russia"
    rounds = {r["number"]: r for r in state["rounds"]}
    assert (rounds[2]["city"], rounds[2]["status"]) == ("Istanbul", "held")
    # Issue 13: a round held in the first release folds with the day it was held and nobody
    # listed as taking part (the first release had no participants).
    assert rounds[2]["held_on"]["value"] == "2025-06-02"
    assert rounds[2]["participants"] == []
    assert state["agreements"][0]["participants"] == []
    assert state["agreements"][0]["implementation"] == []
    # Round 3: scheduled at a palace in Istanbul for July, postponed to August, cancelled;
    # its city corrected to Ankara.
    assert (rounds[3]["city"], rounds[3]["venue"]) == ("Ankara", "Çırağan Palace")
    assert rounds[3]["date"]["value"] == "2025-08"
    assert rounds[3]["status"] == "cancelled"
    assert [(m["name"], m["hosts"]) for m in state["mediators"]] == [("Vatican", False)]
    assert [(p["party"], p["role"]) for p in state["expected_participants"]] == [
        ("United States", "observers"),
        ("Germany", "observers"),
    ]
    assert [a["title"] for a in state["agreements"]] == ["Exchange of prisoners of war"]
    assert state["documents"] == []  # the memorandum was retracted
    assert [r["event_id"] for r in state["retracted"]] == [example_event_id("DocumentExchanged")]
    assert [c["event_id"] for c in state["corrected"]] == [example_event_id("RoundScheduled")]


def test_the_example_delegation_was_headed_by_medinsky_then_lavrov_and_withdrawn(
    loaded: TimelineService,
) -> None:
    state = loaded.state("delegations", EXAMPLE_DELEGATION)

    assert state["party"] == "Russia"
    assert state["head"] == {"name": "Sergei Lavrov", "title": "Foreign Minister"}
    assert [h["name"] for h in state["heads"]] == ["Vladimir Medinsky", "Sergei Lavrov"]
    assert state["members"] == []  # Kostyukov joined and was removed
    assert [m["status"] for m in state["movements"]] == ["travelling", "arrived", "left"]
    assert state["status"] == "withdrawn"


def test_the_example_position_dropped_what_it_stated_and_rejected_its_own_proposal(
    loaded: TimelineService,
) -> None:
    state = loaded.state("positions", EXAMPLE_POSITION)

    assert state["priorities"] == []
    assert state["dropped_priorities"] == ["recognition of new territorial realities"]
    assert state["demands"] == []
    assert state["dropped_demands"] == ["withdrawal of troops from four regions"]
    assert [(p["title"], p["status"]) for p in state["proposals"]] == [
        ("30-day ceasefire", "rejected")
    ]
    assert [a["addressee"] for a in state["appeals"]] == ["European Union"]
    assert [(a["kind"], a["speaker"]) for a in state["assessments"]] == [
        ("skepticism", "Dmitry Peskov"),
        ("optimism", "Hakan Fidan"),
    ]
    assert [s["subject"] for s in state["statements"]] == ["coordination with partners"]


def test_the_stored_events_are_read_through_the_real_app(
    loaded: TimelineService, client: TestClient
) -> None:
    talks: dict[str, Any] = client.get(f"/talks/{TALKS_ID}").json()
    events = client.get(f"/talks/{EXAMPLE_TALKS}/events").json()

    assert talks["rounds"][0]["city"] == "Istanbul"
    assert [e["type"] for e in events][-2:] == ["EventCorrected", "EventRetracted"]
