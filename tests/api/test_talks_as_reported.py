"""Talks as reported, through the API (issue 13): participants and quantities go in checked,
rounds answer who was expected and who took part, and two sources' counts of one stage of an
agreement are a dispute of numbers shown side by side with their sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.importer import import_lines
from store.settings import Settings
from tests.exports.export_support import fresh_store, service_on
from tests.temporal.support import append, body, create, day, head, new_talks, settle

EXCHANGE = "Exchange of prisoners of war"


def actor(client: TestClient, name: str) -> str:
    return create(client, "actors", body("ActorRegistered", {"kind": "person", "name": name}))


def implemented(value: int, outlet: str, **quantity: Any) -> dict[str, Any]:
    data = {
        "agreement": EXCHANGE,
        "stage": "first stage",
        "quantities": [{"value": value, "unit": "prisoners of war", **quantity}],
    }
    return body("AgreementImplemented", data, sources=[{"outlet": outlet, "quote": f"{value}"}])


@pytest.fixture
def agreed(client: TestClient) -> str:
    talks = new_talks(client)
    append(client, "talks", talks,
           body("AgreementReached", {"title": EXCHANGE, "parties": ["Ukraine", "Russia"]}))  # fmt: skip
    return talks


# Bad input: 422 at the field, nothing written


@pytest.mark.parametrize(
    ("event_type", "data", "pointer"),
    [
        ("RoundHeld", {"number": 1, "participants": [{"actor": "Fidan", "role": "boss"}]},
         "/data/participants/0/role"),
        ("RoundHeld", {"number": 1, "duration": {"value": -3, "unit": "minutes"}},
         "/data/duration/value"),
        ("RoundHeld", {"number": 1, "duration": {"min": 9, "max": 3, "unit": "minutes"}},
         "/data/duration/min"),
        ("RoundHeld", {"number": 1, "duration": {"value": 3}}, "/data/duration/unit"),
        ("RoundHeld", {"number": 1, "participants": [{"actor": "Fidan"}]},
         "/data/participants/0/role"),
        ("RoundScheduled", {"number": 1}, "/data/city"),
        ("TalksSuspended", {"participants": [{"actor": "Fidan", "role": "chair"}]},
         "/data/participants"),
        ("ContactHeld", {"parties": ["Ukraine"], "channel": "phone"}, "/data/parties"),
        ("AgreementImplemented", {"agreement": "never agreed"}, "/data/agreement"),
    ],
)  # fmt: skip
def test_bad_participants_and_quantities_are_a_422_at_the_field_and_write_nothing(
    client: TestClient, event_type: str, data: dict[str, Any], pointer: str
) -> None:
    talks = new_talks(client)
    before = head(client)

    response = client.post(f"/talks/{talks}/events", json=body(event_type, data))

    assert_problem(response, 422, pointer=pointer)
    assert head(client) == before


def test_a_participant_given_by_an_unknown_actor_id_is_a_422_and_writes_nothing(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    stranger = "5e1ec7ed-0000-4000-8000-00000000abcd"
    before = head(client)
    participants = [{"actor": "Hakan Fidan", "role": "chair"}, {"actor": stranger, "role": "head"}]

    response = client.post(
        f"/talks/{talks}/events",
        json=body("RoundHeld", {"number": 1, "participants": participants}),
    )

    assert_problem(response, 422, pointer="/data/participants/1/actor")
    assert head(client) == before


def test_a_participant_given_by_a_talks_id_is_no_actor(client: TestClient) -> None:
    talks = new_talks(client)
    participants = [{"actor": talks, "role": "party"}]

    response = client.post(
        f"/talks/{talks}/events",
        json=body("RoundHeld", {"number": 1, "participants": participants}),
    )

    assert_problem(response, 422, pointer="/data/participants/0/actor")


# Rounds: expected vs took part


def test_a_round_answers_who_was_expected_on_whose_word_and_who_took_part(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    umerov = actor(client, "Rustem Umerov")
    append(client, "talks", talks, body(
        "ThirdPartiesExpected", {"parties": ["United States", "Germany"], "round_number": 2,
                                 "role": "observers"},
        attributed_to="Keith Kellogg", modality="expected"))  # fmt: skip
    append(client, "talks", talks, body("RoundScheduled", {"number": 2, "country": "Türkiye"},
                                        occurred=day("2025-06-01"), modality="planned"))  # fmt: skip
    held = append(client, "talks", talks, body(
        "RoundHeld", {"number": 2, "city": "Istanbul", "participants": [
            {"actor": "Hakan Fidan", "role": "chair"}, {"actor": umerov, "role": "head"},
            {"actor": "United States", "role": "observer"}],
            "duration": {"value": 60, "unit": "minutes", "approximate": True}},
        occurred=day("2025-06-02")))  # fmt: skip

    state = client.get(f"/talks/{talks}").json()

    (round_two,) = state["rounds"]
    assert (round_two["country"], round_two["city"]) == ("Türkiye", "Istanbul")
    assert round_two["held_on"]["value"] == "2025-06-02"
    assert [(e["actor"], e["according_to"]) for e in round_two["expected"]] == [
        ("United States", "Keith Kellogg"),
        ("Germany", "Keith Kellogg"),
    ]
    assert round_two["participants"] == [
        {"actor": "Hakan Fidan", "role": "chair", "event_id": held},
        {"actor": umerov, "role": "head", "event_id": held},
        {"actor": "United States", "role": "observer", "event_id": held},
    ]
    assert round_two["duration"] == {
        "value": 60, "min": None, "max": None, "unit": "minutes", "approximate": True
    }  # fmt: skip
    # Germany was expected and did not come: the answer the two lists give together.
    took_part = {p["actor"] for p in round_two["participants"]}
    assert [e["actor"] for e in round_two["expected"] if e["actor"] not in took_part] == ["Germany"]


def test_the_talks_overview_shows_the_delegations_tied_to_each_round(client: TestClient) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, body("RoundScheduled", {"number": 1, "city": "Istanbul"},
                                        modality="planned"))  # fmt: skip
    delegation = create(client, "delegations", body(
        "DelegationAnnounced", {"talks_id": talks, "party": "Ukraine", "round_number": 1}))  # fmt: skip
    arrived = append(client, "delegations", delegation,
                     body("DelegationArrived", {"city": "Istanbul", "round_number": 1}))  # fmt: skip
    settle(client)

    (row,) = [t for t in client.get("/talks").json() if t["id"] == talks]

    (round_one,) = row["rounds"]
    assert [(d["delegation_id"], d["party"], d["type"]) for d in round_one["delegations"]] == [
        (delegation, "Ukraine", "DelegationAnnounced"),
        (delegation, "Ukraine", "DelegationArrived"),
    ]
    assert round_one["delegations"][1]["event_id"] == arrived
    assert client.get(f"/delegations/{delegation}").json()["rounds"] == [1]
    (listed,) = client.get(f"/talks/{talks}/delegations").json()
    assert listed["rounds"] == [1]


# Disputes of numbers


def test_two_sources_counting_one_stage_differently_are_a_dispute_shown_side_by_side(
    client: TestClient, agreed: str
) -> None:
    first = append(client, "talks", agreed, implemented(390, "Ukrinform"))
    second = append(client, "talks", agreed, implemented(307, "TASS"))

    state = client.get(f"/talks/{agreed}").json()

    (dispute,) = state["disputes"]
    assert dispute["subject"] == {
        "type": "AgreementImplemented", "agreement": EXCHANGE, "stage": "first stage"
    }  # fmt: skip
    assert [
        (c["event_id"], c["values"]["quantities"][0]["value"], c["sources"][0]["source"])
        for c in dispute["claims"]
    ] == [(first, 390, "Ukrinform"), (second, 307, "TASS")]
    # The first recorded count stands; the agreement lists it for its stage.
    (stage,) = state["agreements"][0]["implementation"]
    assert (stage["event_id"], stage["quantities"][0]["value"]) == (first, 390)


def test_two_sources_giving_the_same_count_do_not_disagree(client: TestClient, agreed: str) -> None:
    append(client, "talks", agreed, implemented(390, "Ukrinform"))
    append(client, "talks", agreed, implemented(390, "TASS"))

    assert "disputes" not in client.get(f"/talks/{agreed}").json()


def test_other_stages_are_not_rivals(client: TestClient, agreed: str) -> None:
    append(client, "talks", agreed, implemented(390, "Ukrinform"))
    second = implemented(307, "TASS")
    second["data"]["stage"] = "second stage"
    append(client, "talks", agreed, second)

    state = client.get(f"/talks/{agreed}").json()

    assert "disputes" not in state
    assert [s["stage"] for s in state["agreements"][0]["implementation"]] == [
        "first stage",
        "second stage",
    ]


# Exports and the round trip


def test_the_exports_carry_participants_and_quantities_and_round_trip(
    client: TestClient, agreed: str, settings: Settings, tmp_path: Path
) -> None:
    trump = actor(client, "Donald Trump")
    contact = append(client, "talks", agreed, body("ContactHeld", {
        "parties": ["Ukraine", "United States"], "channel": "phone",
        "duration": {"value": 40, "unit": "minutes"},
        "participants": [{"actor": "Volodymyr Zelenskyy", "role": "head"},
                         {"actor": trump, "role": "counterpart"}]}))  # fmt: skip
    carried = append(client, "talks", agreed, implemented(390, "Ukrinform", approximate=True))
    settle(client)

    plover = {
        r["id"]: r
        for r in map(json.loads,
                     client.get(f"/talks/{agreed}/export?format=plover").text.splitlines())
    }  # fmt: skip
    cloud = client.get(f"/talks/{agreed}/export?format=cloudevents").text
    timeline = client.get(f"/talks/{agreed}/export?format=timelinejs").json()
    acled = client.get(f"/talks/{agreed}/export?format=csv").text

    assert (plover[contact]["event"], plover[contact]["mode"]) == (["CONSULT"], ["phone"])
    assert plover[carried]["event"] == ["RETREAT"]
    headlines = [e["text"]["headline"] for e in timeline["events"]]
    assert any("about 390 prisoners of war" in h for h in headlines), headlines
    assert carried in acled
    (slide,) = [e for e in timeline["events"] if "Contact" in e["text"]["headline"]]
    # An Actor named by id reads as its name.
    assert (
        "Took part: Volodymyr Zelenskyy (head), Donald Trump (counterpart)."
        in (slide["text"]["text"])
    )
    assert "Duration: 40 minutes." in slide["text"]["text"]
    by_id = {e["id"]: e for e in map(json.loads, cloud.splitlines())}
    assert by_id[carried]["data"]["data"]["quantities"] == [
        {"value": 390, "min": None, "max": None, "unit": "prisoners of war", "approximate": True}
    ]
    before = client.get(f"/talks/{agreed}").json()

    # An Actor is a family of its own, not in the Talks' export: the fresh store gets it first.
    registered = {**body("ActorRegistered", {"kind": "person", "name": "Donald Trump"}),
                  "kind": "actors", "stream_id": trump}  # fmt: skip
    with fresh_store(settings, tmp_path) as fresh, service_on(fresh) as target:
        import_lines(target, [json.dumps(registered)], principal="import:test")
        report = import_lines(target, cloud.splitlines(), principal="import:test")

        assert (report.errors, report.appended) == ([], len(cloud.splitlines()))
        after = target.state("talks", UUID(agreed))
    assert after == before


def test_an_import_line_naming_an_unknown_actor_id_is_a_bad_line(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    umerov = "5e1ec7ed-0000-4000-8000-0000000000aa"
    stranger = "5e1ec7ed-0000-4000-8000-0000000000bb"
    registered = {**body("ActorRegistered", {"kind": "person", "name": "Rustem Umerov"}),
                  "kind": "actors", "stream_id": umerov}  # fmt: skip

    def held(number: int, who: str) -> str:
        data = {"number": number, "participants": [{"actor": who, "role": "head"}]}
        return json.dumps({**body("RoundHeld", data), "stream_id": talks})

    service = client.app.state.components.service  # type: ignore[attr-defined]
    report = import_lines(
        service, [json.dumps(registered), held(1, umerov), held(2, stranger)], principal="t"
    )

    assert report.appended == 2
    assert [(e.line, e.pointer) for e in report.errors] == [(3, "/data/participants/0/actor")]


@pytest.mark.parametrize("value", ["390", True, 10**13])
def test_a_count_that_is_no_number_is_a_422_at_its_value(client: TestClient, value: Any) -> None:
    talks = new_talks(client)
    data = {"number": 1, "duration": {"value": value, "unit": "minutes"}}

    response = client.post(f"/talks/{talks}/events", json=body("RoundHeld", data))

    assert_problem(response, 422, pointer="/data/duration/value")
