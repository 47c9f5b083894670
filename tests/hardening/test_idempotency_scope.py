"""Idempotency keys belong to the principal that used them: another's same key is another key."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from fastapi.testclient import TestClient
from helpers import mediator_role, talks_body

from api.app import create_app
from entrypoints.bootstrap import migrate, open_store
from store.keys import Role
from store.schema import SCHEMA_VERSION
from store.settings import Settings


def _post(client: TestClient, token: str, path: str, body: object, key: str) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": key}
    return client.post(path, json=body, headers=headers)


def test_two_principals_with_one_key_each_get_their_own_append(
    anonymous: TestClient, key_for: Callable[[Role], str]
) -> None:
    alice, bob = key_for("editor"), key_for("admin")
    first = _post(anonymous, alice, "/talks", talks_body("Alice's"), "shared-key")
    assert first.status_code == 201, first.text
    talks_id = first.json()["stream_id"]
    # Bob's first request with the same key but another body: his own, not a reuse.
    other = _post(anonymous, bob, "/talks", talks_body("Bob's"), "shared-key")
    assert other.status_code == 201, other.text
    assert other.json()["stream_id"] != talks_id
    assert "Idempotent-Replayed" not in other.headers
    # The same path and body under the same key: Bob appends; he is not given Alice's answer.
    path = f"/talks/{talks_id}/events"
    alices = _post(anonymous, alice, path, mediator_role("Qatar"), "round-key")
    bobs = _post(anonymous, bob, path, mediator_role("Qatar"), "round-key")
    assert (alices.status_code, bobs.status_code) == (201, 201), bobs.text
    assert bobs.json()["position"] == alices.json()["position"] + 1
    assert "Idempotent-Replayed" not in bobs.headers
    # Each one's retry replays each one's own answer.
    again = _post(anonymous, alice, path, mediator_role("Qatar"), "round-key")
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == alices.json()
    assert _post(anonymous, bob, path, mediator_role("Qatar"), "round-key").json() == bobs.json()


def test_migrating_scopes_older_records_to_the_principal_of_their_event(
    settings: Settings, key_for: Callable[[Role], str]
) -> None:
    alice = key_for("editor")
    with TestClient(create_app(settings)) as client:
        assert _post(client, alice, "/talks", talks_body(), "older-key").status_code == 201
    # The store as schema version 2 left it: one record per key, whoever used it.
    application = open_store(settings, create_tables=False)
    try:
        with application.database.transaction() as tx:
            row = tx.execute("SELECT * FROM nt_idempotency")[0]
            tx.execute("DROP TABLE nt_idempotency")
            tx.execute(
                "CREATE TABLE nt_idempotency (key TEXT PRIMARY KEY, request_hash TEXT NOT NULL,"
                " stream_id TEXT NOT NULL, first_position BIGINT NOT NULL,"
                " last_position BIGINT NOT NULL, created_at TEXT NOT NULL)"
            )
            tx.execute(
                "INSERT INTO nt_idempotency VALUES (?,?,?,?,?,?)",
                (row["key"], row["request_hash"], row["stream_id"], row["first_position"],
                 row["last_position"], row["created_at"]),
            )  # fmt: skip
            tx.execute("UPDATE nt_schema SET version = 2")
    finally:
        application.close()
    assert migrate(settings) == (2, SCHEMA_VERSION)
    application = open_store(settings, create_tables=False)
    try:
        [record] = application.database.query("SELECT principal, key FROM nt_idempotency")
        owner = application.database.query("SELECT principal FROM nt_event_index")[0]
    finally:
        application.close()
    assert record == {"principal": owner["principal"], "key": "older-key"}
    assert record["principal"]  # the editor's, not empty
