"""GET /event-types: the catalogue, and examples that can be POSTed as they are."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from domain.catalogue import EVENT_TYPES

KINDS = {"talks", "delegations", "positions", "actors"}
#: Types that can be appended to a stream of any kind (corrections) name this aggregate.
ANY = "any"


def example_kind(event_type: dict) -> str:
    """The kind of stream the type's examples are POSTed to."""
    return "talks" if event_type["aggregate"] == ANY else str(event_type["aggregate"])


@pytest.fixture
def catalogue(client: TestClient) -> list[dict]:
    response = client.get("/event-types")
    assert response.status_code == 200, response.text
    types: list[dict] = response.json()
    return types


def test_the_catalogue_lists_every_event_type_once(catalogue: list[dict]) -> None:
    names = [t["name"] for t in catalogue]

    assert len(names) == len(set(names))
    assert set(names) == set(EVENT_TYPES)


def test_every_type_has_an_aggregate_a_description_a_cameo_code_and_a_schema(
    catalogue: list[dict],
) -> None:
    for t in catalogue:
        assert t["aggregate"] in KINDS | {ANY}, t
        assert isinstance(t["description"], str), t
        assert t["description"].strip(), t
        assert t["cameo"] is None or re.fullmatch(r"\d{3,4}", t["cameo"]), t
        assert isinstance(t["schema"], dict), t
        assert t["schema"].get("properties"), t
        assert isinstance(t["examples"], list), t
        assert t["examples"], t


def test_every_aggregate_has_exactly_one_type_that_opens_its_streams(
    catalogue: list[dict],
) -> None:
    openers = {
        kind: [t["name"] for t in catalogue if t["aggregate"] == kind and t["creates_stream"]]
        for kind in KINDS
    }

    assert openers == {
        "talks": ["TalksProposed"],
        "delegations": ["DelegationAnnounced"],
        "positions": ["PositionTaken"],
        "actors": ["ActorRegistered"],
    }


def test_each_schema_names_its_type_and_requires_data_occurred_and_sources(
    catalogue: list[dict],
) -> None:
    for t in catalogue:
        schema = t["schema"]
        assert schema["properties"]["type"].get("const") == t["name"], schema["properties"]["type"]
        assert {"type", "data", "occurred", "sources"} <= set(schema["required"]), t["name"]


def test_examples_go_to_their_aggregates_path(catalogue: list[dict]) -> None:
    for t in catalogue:
        kind = example_kind(t)
        for example in t["examples"]:
            assert example["body"]["type"] == t["name"]
            if t["creates_stream"]:
                assert example["path"] == f"/{kind}"
            else:
                assert re.fullmatch(rf"/{kind}/[0-9a-f-]{{36}}/events", example["path"])


def test_every_example_posted_unchanged_in_catalogue_order_on_an_empty_store_is_a_201(
    client: TestClient, catalogue: list[dict]
) -> None:
    assert client.get("/events").json()["head"] == 0
    posted = 0
    for t in catalogue:
        for example in t["examples"]:
            response = client.post(example["path"], json=example["body"])
            assert response.status_code == 201, f"{t['name']} at {example['path']}: {response.text}"
            posted += 1

    log = client.get("/events", params={"limit": 1000}).json()["events"]
    assert len(log) == posted
    assert [e["type"] for e in log] == [t["name"] for t in catalogue for _ in t["examples"]]


def test_the_examples_leave_each_example_stream_with_its_types_applied(
    client: TestClient, catalogue: list[dict]
) -> None:
    for t in catalogue:
        for example in t["examples"]:
            client.post(example["path"], json=example["body"])

    for kind in KINDS:
        created = next(t for t in catalogue if t["aggregate"] == kind and t["creates_stream"])
        stream_id = created["examples"][0]["body"]["id"]
        count = sum(len(t["examples"]) for t in catalogue if example_kind(t) == kind)
        state = client.get(f"/{kind}/{stream_id}")
        assert state.status_code == 200, state.text
        assert state.json()["version"] == count
