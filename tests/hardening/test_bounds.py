"""Every number a body or a parameter takes is bounded, in the schema and enforced."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem, event_body, round_held, round_scheduled, talks_body

OUT_OF_RANGE = [-1, 2**63, 10**30]


@pytest.fixture
def talks_id(client: TestClient) -> str:
    return str(client.post("/talks", json=talks_body()).json()["stream_id"])


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (round_scheduled, "/data/number"),
        (lambda v: round_held(1) | {"data": {"number": 1, "duration_minutes": v}},
         "/data/duration_minutes"),
        (lambda v: event_body("RoundPostponed", {"number": v}), "/data/number"),
        (lambda v: round_scheduled(1) | {"expected_version": v}, "/expected_version"),
    ],
)  # fmt: skip
def test_numbers_out_of_range_in_a_body_are_refused_with_a_pointer(
    client: TestClient, talks_id: str, body: Any, pointer: str, value: int
) -> None:
    answer = client.post(f"/talks/{talks_id}/events", json=body(value))
    assert_problem(answer, 422, pointer=pointer)


def test_a_round_number_of_zero_is_refused_and_one_is_taken(
    client: TestClient, talks_id: str
) -> None:
    path = f"/talks/{talks_id}/events"
    assert_problem(client.post(path, json=round_scheduled(0)), 422, pointer="/data/number")
    assert client.post(path, json=round_scheduled(1)).status_code == 201


@pytest.mark.parametrize("value", OUT_OF_RANGE)
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/events?after={}", "after"),
        ("/events?limit={}", "limit"),
        ("/timeline?limit={}", "limit"),
        ("/timeline?offset={}", "offset"),
        ("/statements?min_position={}", "min_position"),
        ("/events/stream?after={}", "after"),
    ],
)
def test_numbers_out_of_range_in_parameters_are_refused(
    client: TestClient, path: str, parameter: str, value: int
) -> None:
    assert_problem(client.get(path.format(value)), 422, parameter=parameter)


def test_the_schema_states_the_bounds_of_every_integer(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    unbounded: list[str] = []

    def visit(node: Any, where: str) -> None:
        if isinstance(node, dict):
            if node.get("type") == "integer" and not ("maximum" in node and "minimum" in node):
                unbounded.append(where)
            for key, value in node.items():
                visit(value, f"{where}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                visit(value, f"{where}/{index}")

    visit({k: v for k, v in document.items() if k != "components"}, "")
    # Request bodies and parameters, and the schemas they refer to; the answers' own integers
    # (positions, versions) are outputs.
    schemas = document["components"]["schemas"]
    inputs: set[str] = set()

    def refer(node: Any) -> None:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            name = ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None
            if name and name not in inputs:
                inputs.add(name)
                refer(schemas[name])
            for value in node.values():
                refer(value)
        elif isinstance(node, list):
            for value in node:
                refer(value)

    for operations in document["paths"].values():
        for operation in operations.values():
            if isinstance(operation, dict):
                refer(operation.get("requestBody", {}))
                refer(operation.get("parameters", []))
    assert "TalksProposedCreate" in inputs or len(inputs) > 10  # the event bodies are in
    assert "Problem" not in inputs  # an answer, not an input
    visit({k: v for k, v in schemas.items() if k in inputs}, "/components/schemas")
    assert [u for u in unbounded if "/responses/" not in u] == []
    types_ = client.get("/event-types").json()
    for entry in types_ if isinstance(types_, list) else types_.get("types", []):
        visit(entry.get("schema", {}), f"/event-types/{entry.get('name')}")
    assert [u for u in unbounded if "/responses/" not in u] == []
