"""The second demo set, the Gulf of Fonseca fisheries talks (fiction), read through the API.

Every expected answer is read from its story (docs/demo-gulf-of-fonseca.md), not from the
code's output: who headed each delegation with which title on a date, who was expected and who
took part, the counts of each stage with the dispute side by side, the state before and after
the correction, and what the call was, on both clocks.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.demo import DELEGATION_ID, POSITION_ID, TALKS_ID, demo_id
from application.demo_fonseca import (
    DELEGATIONS,
    POSITIONS,
    actor_id,
    data_lines,
    event_id,
    load_fonseca,
)
from application.demo_fonseca import (
    TALKS_ID as FONSECA,
)
from application.demo_sets import load_demos
from application.service import TimelineService
from tests.evolution.stored_v1 import load_into

ANDRADE, GUERRERO = str(actor_id("andrade")), str(actor_id("guerrero"))


def service_of(client: TestClient) -> TimelineService:
    found: TimelineService = client.app.state.service  # type: ignore[attr-defined]
    return found


@pytest.fixture
def demo(client: TestClient) -> TestClient:
    """The app over a store with every demo set loaded."""
    assert load_demos(service_of(client)) > 0
    return client


def read(client: TestClient, path: str, **params: Any) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def talks(client: TestClient, **params: Any) -> dict[str, Any]:
    return read(client, f"/talks/{FONSECA}", **params)


def round_of(state: dict[str, Any], number: int) -> dict[str, Any]:
    (found,) = [r for r in state["rounds"] if r["number"] == number]
    return found


def title_on(client: TestClient, person: str, day: str) -> str:
    """The person's one current title at noon UTC on ``day``."""
    roles = read(client, f"/actors/{person}", at=f"{day}T12:00:00Z")["roles"]
    (current,) = [r["title"] for r in roles if r["until"] is None]
    return current


def recorded_at(client: TestClient, key: str) -> datetime:
    events = read_list(client, f"/talks/{FONSECA}/events")
    (event,) = [e for e in events if e["event_id"] == str(event_id(key))]
    return datetime.fromisoformat(event["recorded_at"])


def read_list(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


# The set itself


def test_the_set_holds_at_least_80_events_each_recorded_once(demo: TestClient) -> None:
    lines = data_lines()
    recorded = {e["event_id"] for e in service_of(demo).log(0, 1000)}

    assert len(lines) >= 80
    assert all(str(event_id_of(line)) in recorded for line in lines)


def event_id_of(line: str) -> str:
    import json

    found: str = json.loads(line)["event_id"]
    return found


def test_loading_every_demo_again_appends_nothing(demo: TestClient) -> None:
    service = service_of(demo)
    head = service.head()

    assert load_demos(service) == 0
    assert service.head() == head


def test_a_store_of_the_first_release_keeps_its_seed_demo_and_gets_the_second_set(
    service: TimelineService,
) -> None:
    load_into(service.app)
    before = {
        stream: service.state(kind, stream)["version"]
        for kind, stream in (
            ("talks", TALKS_ID),
            ("delegations", DELEGATION_ID),
            ("positions", POSITION_ID),
        )
    }

    load_demos(service)

    assert service.target(demo_id("event:venue-called-capital")) is not None
    assert service.state("talks", TALKS_ID)["version"] == before[TALKS_ID] == 8
    assert service.state("delegations", DELEGATION_ID)["version"] == before[DELEGATION_ID]
    assert service.state("positions", POSITION_ID)["version"] == before[POSITION_ID]
    assert service.state("talks", FONSECA)["title"] == "Gulf of Fonseca fisheries talks (fiction)"
    assert load_fonseca(service) == 0


# Who headed each delegation, with which title


@pytest.mark.parametrize(
    ("day", "honduras_title"),
    [("2025-08-26", "Deputy Foreign Minister"), ("2025-10-14", "Foreign Minister")],
)
def test_andrade_heads_honduras_and_her_title_changes_in_september(
    demo: TestClient, day: str, honduras_title: str
) -> None:
    honduras = read(demo, f"/delegations/{DELEGATIONS['Honduras']}", at=f"{day}T12:00:00Z")
    nicaragua = read(demo, f"/delegations/{DELEGATIONS['Nicaragua']}", at=f"{day}T12:00:00Z")

    assert honduras["head"]["name"] == "Lucía Andrade"
    assert title_on(demo, ANDRADE, day) == honduras_title
    assert nicaragua["head"]["name"] == "Tomás Guerrero"
    assert title_on(demo, GUERRERO, day) == "Secretary for Maritime Affairs"


def test_andrades_deputy_title_ended_the_day_she_became_foreign_minister(
    demo: TestClient,
) -> None:
    roles = read(demo, f"/actors/{ANDRADE}")["roles"]

    assert [(r["title"], r["since"], r["until"]) for r in roles] == [
        ("Deputy Foreign Minister", "2024-02", "2025-09-15"),
        ("Foreign Minister", "2025-09-15", None),
    ]


# Expected, and who took part


def test_round_two_expected_the_united_states_which_did_not_come(demo: TestClient) -> None:
    round_two = round_of(talks(demo), 2)

    assert [(e["actor"], e["role"], e["according_to"]) for e in round_two["expected"]] == [
        ("Organization of American States", "observer", "Andrés Villalobos"),
        ("El Salvador", "observer", "Andrés Villalobos"),
        ("United States", "observer", "Andrés Villalobos"),
    ]
    assert [(p["actor"], p["role"]) for p in round_two["participants"]] == [
        ("Andrés Villalobos", "chair"),
        ("Costa Rica", "host"),
        (ANDRADE, "head"),
        ("Rafael Mejía", "member"),
        (GUERRERO, "head"),
        ("Organization of American States", "observer"),
        ("Beatriz Salcedo", "observer"),
        ("El Salvador", "observer"),
        ("Diego Portillo", "observer"),
    ]
    took_part = {p["actor"] for p in round_two["participants"]}
    assert {e["actor"] for e in round_two["expected"]} - took_part == {"United States"}


def test_round_two_was_scheduled_for_the_19th_and_held_on_the_26th_after_its_postponement(
    demo: TestClient,
) -> None:
    round_two = round_of(talks(demo), 2)

    assert round_two["status"] == "held"
    assert round_two["held_on"]["value"] == "2025-08-26"
    assert round_two["held_on"]["tz"] == "America/Costa_Rica"
    assert round_two["date"]["value"] == "2025-08-26"  # the postponement's new date
    assert (round_two["duration"]["min"], round_two["duration"]["max"]) == (360, 420)


def test_round_three_without_el_salvador_who_was_expected(demo: TestClient) -> None:
    round_three = round_of(talks(demo), 3)

    assert {e["actor"] for e in round_three["expected"]} == {
        "Organization of American States",
        "El Salvador",
    }
    assert "El Salvador" not in {p["actor"] for p in round_three["participants"]}
    assert (round_three["city"], round_three["country"]) == ("Panama City", "Panama")


# The agreement carried out, and the count in dispute


def test_the_release_was_carried_out_in_three_stages(demo: TestClient) -> None:
    (release,) = [
        a for a in talks(demo)["agreements"] if a["title"] == "Release of detained fishermen"
    ]

    stages = [(s["stage"], s["quantities"][0]["value"]) for s in release["implementation"]]
    # The first stage as first recorded (Honduras's count); the final stage some 16.
    assert stages == [("first stage", 24), ("second stage", 19), ("final stage", 16)]
    assert release["implementation"][1]["quantities"][1] == {
        "value": 4,
        "min": None,
        "max": None,
        "unit": "boats",
        "approximate": True,
    }


def test_the_first_stage_counts_24_by_honduras_beside_26_by_nicaragua(demo: TestClient) -> None:
    (dispute,) = talks(demo)["disputes"]

    assert dispute["subject"] == {
        "type": "AgreementImplemented",
        "agreement": "Release of detained fishermen",
        "stage": "first stage",
    }
    counts = [
        (c["values"]["quantities"][0]["value"], c["sources"][0]["source"])
        for c in dispute["claims"]
    ]
    assert counts == [
        (24, "https://example.org/honduras-foreign-ministry/stage-1"),
        (26, "https://example.org/nicaragua-government/stage-1"),
    ]
    assert {c["values"]["quantities"][1]["value"] for c in dispute["claims"]} == {5}


# Both clocks


def test_on_the_first_of_september_two_rounds_were_held_and_nothing_carried_out(
    demo: TestClient,
) -> None:
    state = talks(demo, at="2025-09-01T12:00:00Z")

    assert [(r["number"], r["status"]) for r in state["rounds"]] == [(1, "held"), (2, "held")]
    (release,) = state["agreements"]
    assert release.get("implementation", []) == []
    assert "disputes" not in state


def test_round_three_was_on_the_7th_before_its_correction_and_on_the_14th_after(
    demo: TestClient,
) -> None:
    fixed = recorded_at(demo, "round-3-date-corrected")
    before = (fixed - timedelta(microseconds=1)).isoformat()

    then = round_of(talks(demo, as_of=before), 3)
    now = round_of(talks(demo), 3)

    assert then["date"]["value"] == "2025-10-07"
    assert now["date"]["value"] == "2025-10-14"
    assert now["status"] == "held"


# The call, the retraction, the coding


def test_the_presidents_spoke_by_phone_for_40_minutes_at_honduras_request(
    demo: TestClient,
) -> None:
    (call,) = talks(demo)["contacts"]

    assert call["parties"] == ["Honduras", "Nicaragua"]
    assert call["channel"] == "phone"
    assert call["duration"]["value"] == 40
    assert call["duration"]["unit"] == "minutes"
    assert call["initiated_by"] == "Honduras"
    assert [(p["actor"], p["role"]) for p in call["participants"]] == [
        ("Ernesto Valladares", "counterpart"),
        ("Rosa Amador", "counterpart"),
    ]
    assert talks(demo, at="2025-08-04T23:00:00Z")["contacts"] == []


def test_castillo_never_joined_nicaraguas_delegation(demo: TestClient) -> None:
    nicaragua = read(demo, f"/delegations/{DELEGATIONS['Nicaragua']}")

    assert nicaragua["members"] == []
    assert [r["event_id"] for r in nicaragua["retracted"]] == [str(event_id("ni-member-reported"))]


def test_the_call_carries_the_analysts_own_coding(demo: TestClient) -> None:
    events = read_list(demo, f"/talks/{FONSECA}/events")
    (call,) = [e for e in events if e["event_id"] == str(event_id("presidents-call"))]

    assert call["coding"]["cameo"] == "041"
    assert call["coding"]["plover"]["category"] == "CONSULT"


# Errata, replies, claims and intents (written from docs/demo-gulf-of-fonseca.md)


def test_la_voz_del_golfos_alajuela_is_an_erratum_and_the_round_stays_in_san_jose(
    demo: TestClient,
) -> None:
    state = talks(demo)
    (erratum,) = state["errata"]

    assert erratum["event_id"] == str(event_id("alajuela-erratum"))
    assert erratum["field"] == "city"
    assert "Alajuela" in erratum["error"]
    assert round_of(state, 2)["city"] == "San José"
    # No rival claim: the only dispute of the set is the first stage's count.
    assert [d["subject"]["type"] for d in state.get("disputes", [])] == ["AgreementImplemented"]


def test_nicaragua_answers_hondurass_count_of_58_with_42_in_reply(demo: TestClient) -> None:
    honduras = read(demo, f"/positions/{POSITIONS['Honduras']}")
    nicaragua = read(demo, f"/positions/{POSITIONS['Nicaragua']}")
    (first,) = [c for c in honduras["claims"] if "58" in c["claim"]]
    (answer,) = [c for c in nicaragua["claims"] if "42" in c["claim"]]
    events = read_list(demo, f"/positions/{POSITIONS['Nicaragua']}/events")
    (reply,) = [e for e in events if e["event_id"] == answer["event_id"]]

    assert reply["in_reply_to"] == first["event_id"]


def test_nicaragua_states_its_intent_to_release_a_first_group(demo: TestClient) -> None:
    nicaragua = read(demo, f"/positions/{POSITIONS['Nicaragua']}")

    (intent,) = [i for i in nicaragua["intents"] if "first group" in i["intent"]]
    assert intent["speaker"] == "Tomás Guerrero"
    before = read(demo, f"/positions/{POSITIONS['Nicaragua']}", at="2025-08-05")
    assert before.get("intents", []) == []  # stated on 6 August, after the call


def test_hondurass_appeal_reaches_the_oas_and_the_united_states(demo: TestClient) -> None:
    honduras = read(demo, f"/positions/{POSITIONS['Honduras']}")

    (appeal,) = honduras["appeals"]
    assert appeal["addressees"] == ["Organization of American States", "United States"]
