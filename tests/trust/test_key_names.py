"""Key names: what PostgreSQL text can hold, and a person can read."""

from __future__ import annotations

from fastapi.testclient import TestClient
from helpers import assert_problem


def test_a_key_name_with_a_control_character_is_refused_with_a_pointer(
    client: TestClient,
) -> None:
    response = client.post("/keys", json={"role": "reader", "name": "bad\u0000name"})

    assert_problem(response, 422, pointer="/name")
    assert client.post("/keys", json={"role": "reader", "name": "desk\tone"}).status_code == 201
