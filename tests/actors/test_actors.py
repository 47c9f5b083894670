"""Actors as identities, through the real app: registration, names, roles on both clocks, and
filters that take an actor's id, name or alias in any case or accents."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.demo_actors import ACTORS, load_demo_actors
from tests.temporal.support import (
    append,
    body,
    get_list,
    head,
    just_before,
    load_the_demo,
    recorded_at,
    settle,
    state,
)

UMEROV = {
    "kind": "person",
    "name": "Rustem Umerov",
    "aliases": ["Umierov", "Umyerov"],
    "iso3": "UKR",
    "sector": "GOV",
}


def register(client: TestClient, data: dict[str, Any]) -> str:
    response = client.post(
        "/actors",
        json=body("ActorRegistered", data, occurred={"precision": "unknown"}),
    )
    assert response.status_code == 201, response.text
    return str(response.json()["stream_id"])


def role(event_type: str, title: str, day: str, **data: Any) -> dict[str, Any]:
    return body(event_type, {"title": title, **data}, occurred={"precision": "day", "value": day})


def test_an_actor_is_registered_with_its_names_code_and_sector(client: TestClient) -> None:
    actor = register(client, UMEROV)

    found = state(client, "actors", actor)

    assert (found["kind"], found["name"], found["iso3"], found["sector"]) == (
        "person",
        "Rustem Umerov",
        "UKR",
        "GOV",
    )
    assert found["aliases"] == ["Umierov", "Umyerov"]
    assert found["roles"] == []


def test_an_organ_of_a_state_takes_its_sector_by_default(client: TestClient) -> None:
    actor = register(
        client, {"kind": "armed_forces", "name": "Armed Forces of Ukraine", "iso3": "UKR"}
    )

    assert state(client, "actors", actor)["sector"] == "MIL"


def test_a_title_change_mid_negotiation_is_two_roles_with_valid_time(client: TestClient) -> None:
    """Umerov heads the delegation as Defense Minister, then as Secretary of the Security
    Council from 17 July: on 1 June he was minister, on 20 July secretary."""
    actor = register(client, UMEROV)
    append(client, "actors", actor, role("RoleAssumed", "Defense Minister", "2024-09-06"))
    append(client, "actors", actor, role("RoleEnded", "Defense Minister", "2025-07-17"))
    secretary = "Secretary of the National Security and Defense Council"
    append(client, "actors", actor, role("RoleAssumed", secretary, "2025-07-17"))

    def current(**params: str) -> list[str]:
        roles = state(client, "actors", actor, **params)["roles"]
        return [r["title"] for r in roles if r["until"] is None]

    assert current(at="2025-06-01") == ["Defense Minister"]
    assert current(at="2025-07-20") == [secretary]
    assert current() == [secretary]
    roles = state(client, "actors", actor)["roles"]
    assert [(r["title"], r["since"], r["until"]) for r in roles] == [
        ("Defense Minister", "2024-09-06", "2025-07-17"),
        (secretary, "2025-07-17", None),
    ]


def test_what_was_known_of_a_title_is_read_as_of_a_time(client: TestClient) -> None:
    actor = register(client, UMEROV)
    append(client, "actors", actor, role("RoleAssumed", "Defense Minister", "2024-09-06"))
    ended = append(client, "actors", actor, role("RoleEnded", "Defense Minister", "2025-07-17"))

    before = just_before(recorded_at(client, "actors", actor, ended))
    then = state(client, "actors", actor, as_of=before, at="2025-07-20")

    assert [r["title"] for r in then["roles"] if r["until"] is None] == ["Defense Minister"]


@pytest.mark.parametrize(
    ("data", "pointer"),
    [
        ({"kind": "deity", "name": "Zeus"}, "/data/kind"),
        ({"kind": "state", "name": "Atlantis"}, "/data/iso3"),
        ({"kind": "state", "name": "Atlantis", "iso3": "ATL"}, "/data/iso3"),
        ({"kind": "government", "name": "Gov", "iso3": "UKR", "sector": "XYZ"}, "/data/sector"),
        ({"kind": "person", "name": "A", "wikidata": "P31"}, "/data/wikidata"),
    ],
)
def test_a_bad_registration_is_a_422_at_its_field_and_writes_nothing(
    client: TestClient, data: dict[str, Any], pointer: str
) -> None:
    response = client.post("/actors", json=body("ActorRegistered", data))

    assert_problem(response, 422, pointer=pointer)
    assert client.get("/events").json()["events"] == []


def test_a_state_assumes_no_role_and_an_unheld_role_does_not_end(client: TestClient) -> None:
    state_actor = register(client, {"kind": "state", "name": "Ukraine", "iso3": "UKR"})
    person = register(client, UMEROV)

    response = client.post(
        f"/actors/{state_actor}/events", json=role("RoleAssumed", "President", "2025-01-01")
    )
    assert_problem(response, 422, pointer="/type")
    response = client.post(
        f"/actors/{person}/events", json=role("RoleEnded", "Defense Minister", "2025-01-01")
    )
    assert_problem(response, 422, pointer="/data/title")
    assert len(client.get(f"/actors/{person}/events").json()) == 1


def test_an_alias_that_already_names_the_actor_in_other_case_or_accents_is_refused(
    client: TestClient,
) -> None:
    actor = register(client, {"kind": "state", "name": "Türkiye", "iso3": "TUR"})

    response = client.post(
        f"/actors/{actor}/events", json=body("ActorAliasAdded", {"alias": "TURKIYE"})
    )

    assert_problem(response, 422, pointer="/data/alias")


# Filters take an actor's id, name or alias


@pytest.fixture
def demo(client: TestClient) -> None:
    load_the_demo(client)
    load_demo_actors(client.app.state.service)  # type: ignore[attr-defined]
    settle(client)


ZELENSKYY = next(a for a in ACTORS if a.key == "zelenskyy")


@pytest.mark.usefixtures("demo")
@pytest.mark.parametrize("name", ["Zelenskyy", "zelenskyy", "ZELENSKY", "Volodymyr Zelenskyy"])
def test_the_timeline_by_actor_finds_what_the_statements_by_speaker_find(
    client: TestClient, name: str
) -> None:
    statements = get_list(client, "/statements", speaker="zelenskyy", min_position=head(client))
    entries = get_list(client, "/timeline", actor=name, min_position=head(client))

    said = {s["event_id"] for s in statements}
    assert said  # the article quotes him
    assert said <= {e["event_id"] for e in entries}


@pytest.mark.usefixtures("demo")
def test_the_timeline_by_actor_id_finds_the_same_as_by_name(client: TestClient) -> None:
    by_id = get_list(client, "/timeline", actor=str(ZELENSKYY.stream_id), min_position=head(client))
    by_name = get_list(client, "/timeline", actor="Zelensky", min_position=head(client))

    assert by_id == by_name
    assert by_id


@pytest.mark.usefixtures("demo")
def test_accents_do_not_matter_to_an_actor_filter(client: TestClient) -> None:
    with_accent = get_list(client, "/timeline", actor="Erdoğan", min_position=head(client))
    without = get_list(client, "/timeline", actor="erdogan", min_position=head(client))

    assert with_accent == without
    assert any(e["type"] == "MediatorConsulted" for e in with_accent)


@pytest.mark.usefixtures("demo")
def test_an_unknown_name_is_kept_as_written(client: TestClient) -> None:
    assert get_list(client, "/timeline", actor="Nobody Known", min_position=head(client)) == []
