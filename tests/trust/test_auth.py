"""Who may do what: API keys, roles, and the routes that need them, checked route by route.

The routes are enumerated from the app itself, so a route added later is checked too.
"""

from __future__ import annotations

import re
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from helpers import (
    assert_problem,
    mediator_role,
    run_cli,
    talks_body,
)

from api.app import create_app
from application.demo import DELEGATION_ID, POSITION_ID, TALKS_ID, load_demo
from application.demo_actors import ACTORS, load_demo_actors
from application.service import TimelineService
from store.keys import Role
from store.settings import Settings
from trust.trust_support import WRITE_METHODS, Operation, api_operations, issue_key, server_process

APP = create_app(Settings(load_demo_when_empty=False))
OPERATIONS = api_operations(APP)
#: Routes that manage keys or rebuild views need an admin; every other write an editor.
ADMIN_PATHS = re.compile(r"^/keys(/|$)|/rebuild$")
WRITES = [op for op in OPERATIONS if op.method in WRITE_METHODS]
#: Reads anyone may make unless NT_READS_REQUIRE_KEY; /keys is admin-only even to read.
#: "Who am I" needs a key of any role, even while reads are open.
KEY_HOLDERS = {"/me"}
READS = [
    op
    for op in OPERATIONS
    if op.method == "GET" and not ADMIN_PATHS.search(op.path) and op.path not in KEY_HOLDERS
]
#: Liveness, readiness and metrics stay open to orchestrators and scrapers.
ALWAYS_OPEN = {"/healthz", "/readyz", "/metrics", "/docs", "/redoc", "/openapi.json"}
#: Server-Sent Events never end, so they are checked through a real server (see below).
LIVE_STREAMS = {"/events/stream"}
BAD_AUTHORIZATIONS = [
    "Bearer nt_x_y",
    "Bearer nt_0123456789ab_" + "A" * 43,  # well-formed, unknown id
    "Bearer not-a-key",
    "Bearer",
    "Basic dXNlcjpwYXNz",
    "garbage",
]


def needed_role(operation: Operation) -> Role:
    """The role a route needs: admin for keys and rebuilds, editor for other writes."""
    if ADMIN_PATHS.search(operation.path):
        return "admin"
    return "editor" if operation.method in WRITE_METHODS else "reader"


WEAKER: dict[Role, list[Role]] = {"admin": ["reader", "editor"], "editor": ["reader"], "reader": []}


def weaker_roles(role: Role) -> list[Role]:
    return WEAKER[role]


def url_for(operation: Operation, **overrides: str) -> str:
    """The route with plausible values in its path (real demo ids where a stream is named)."""
    kind = operation.path.strip("/").split("/")[0]
    stream = {
        "talks": TALKS_ID,
        "delegations": DELEGATION_ID,
        "positions": POSITION_ID,
        "actors": ACTORS[0].stream_id,
    }
    values = {
        "stream_id": str(stream.get(kind, uuid4())),
        "talks_id": str(TALKS_ID),
        "name": "timeline",
        "key_id": "0123456789ab",
    } | overrides
    path = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], operation.path)
    if operation.path.endswith("/diff"):
        path += "?from=2025-05-31&to=2025-06-01"
    return path


def call(
    client: TestClient,
    operation: Operation,
    headers: dict[str, str] | None = None,
    **overrides: str,
) -> httpx.Response:
    """Send the operation with an empty JSON object as body for writes."""
    body = {"json": {}} if operation.method in {"POST", "PUT", "PATCH"} else {}
    return client.request(
        operation.method, url_for(operation, **overrides), headers=headers or {}, **body
    )


def assert_unauthorized(response: httpx.Response) -> None:
    assert_problem(response, 401, slug="unauthorized")
    assert response.headers["www-authenticate"].startswith("Bearer"), response.headers


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def demo_loaded(service: TimelineService) -> None:
    assert load_demo(service) > 0
    assert load_demo_actors(service) > 0


@pytest.fixture
def reads_need_keys(settings: Settings) -> Iterator[TestClient]:
    """The real app with NT_READS_REQUIRE_KEY, on the test's store, with no key."""
    locked = settings.model_copy(update={"reads_require_key": True})
    with TestClient(create_app(locked), raise_server_exceptions=False) as test_client:
        yield test_client


# The route table


def test_the_enumerated_routes_are_every_operation_the_api_documents() -> None:
    documented = {
        Operation(method.upper(), path)
        for path, methods in APP.openapi()["paths"].items()
        for method in methods
    }

    assert documented <= set(OPERATIONS)
    kinds = ("talks", "delegations", "positions")
    assert {
        *(Operation("POST", f"/{kind}") for kind in kinds),
        *(Operation("POST", f"/{kind}/{{stream_id}}/events") for kind in kinds),
        Operation("POST", "/projections/{name}/rebuild"),
        Operation("POST", "/keys"),
        Operation("DELETE", "/keys/{key_id}"),
    } <= set(WRITES)


# Writes: 401 without a key or with a bad one, 403 with a weaker role


@pytest.mark.parametrize("operation", WRITES, ids=str)
def test_a_write_without_a_key_is_401_with_a_bearer_challenge(
    anonymous: TestClient, operation: Operation
) -> None:
    assert_unauthorized(call(anonymous, operation))


@pytest.mark.parametrize("operation", WRITES, ids=str)
def test_a_write_with_a_bad_key_or_another_scheme_is_401_with_a_bearer_challenge(
    anonymous: TestClient, operation: Operation
) -> None:
    for authorization in BAD_AUTHORIZATIONS:
        response = call(anonymous, operation, {"Authorization": authorization})
        assert response.status_code == 401, (authorization, response.text)
        assert_unauthorized(response)


@pytest.mark.parametrize("operation", WRITES, ids=str)
def test_a_write_with_a_weaker_role_is_403(
    anonymous: TestClient, key_for: Callable[[Role], str], operation: Operation
) -> None:
    weaker = weaker_roles(needed_role(operation))
    assert weaker

    for role in weaker:
        response = call(anonymous, operation, bearer(key_for(role)))
        problem = assert_problem(response, 403, slug="forbidden")
        assert needed_role(operation) in problem["detail"], problem


@pytest.mark.parametrize("operation", WRITES, ids=str)
def test_a_write_with_the_role_it_needs_gets_past_the_key_check(
    anonymous: TestClient, key_for: Callable[[Role], str], operation: Operation
) -> None:
    # An unknown view, so that an admin's rebuild is not actually started.
    response = call(anonymous, operation, bearer(key_for(needed_role(operation))), name="nope")

    assert response.status_code not in (401, 403), response.text


def test_listing_the_keys_needs_an_admin_key(
    anonymous: TestClient, key_for: Callable[[Role], str]
) -> None:
    assert_unauthorized(anonymous.get("/keys"))
    assert_problem(anonymous.get("/keys", headers=bearer(key_for("reader"))), 403)
    assert_problem(anonymous.get("/keys", headers=bearer(key_for("editor"))), 403)
    listed = anonymous.get("/keys", headers=bearer(key_for("admin")))
    assert listed.status_code == 200, listed.text
    assert {key["role"] for key in listed.json()} == {"reader", "editor", "admin"}


# Reads: open by default, a reader key with NT_READS_REQUIRE_KEY


@pytest.mark.usefixtures("demo_loaded")
@pytest.mark.parametrize("operation", [op for op in READS if op.path not in LIVE_STREAMS], ids=str)
def test_a_read_is_open_without_a_key_by_default(
    anonymous: TestClient, operation: Operation
) -> None:
    response = call(anonymous, operation)

    assert response.status_code == 200, response.text


def test_who_am_i_needs_a_key_of_any_role(
    anonymous: TestClient, key_for: Callable[[Role], str]
) -> None:
    assert_unauthorized(anonymous.get("/me"))
    for role in ("reader", "editor", "admin"):
        answer = anonymous.get("/me", headers=bearer(key_for(role)))
        assert answer.status_code == 200, answer.text
        assert answer.json()["role"] == role


def test_a_read_with_a_bad_key_is_401_even_when_reads_are_open(anonymous: TestClient) -> None:
    for authorization in BAD_AUTHORIZATIONS:
        response = anonymous.get("/events", headers={"Authorization": authorization})
        assert response.status_code == 401, authorization
        assert_unauthorized(response)


@pytest.mark.usefixtures("demo_loaded")
@pytest.mark.parametrize(
    "operation",
    [op for op in READS if op.path not in ALWAYS_OPEN | LIVE_STREAMS],
    ids=str,
)
def test_with_reads_requiring_a_key_a_read_is_401_without_one_and_200_with_a_reader_key(
    reads_need_keys: TestClient, key_for: Callable[[Role], str], operation: Operation
) -> None:
    refused = call(reads_need_keys, operation)
    allowed = call(reads_need_keys, operation, bearer(key_for("reader")))

    assert_unauthorized(refused)
    assert allowed.status_code == 200, allowed.text


@pytest.mark.parametrize("path", sorted(ALWAYS_OPEN))
def test_with_reads_requiring_a_key_health_metrics_and_docs_stay_open(
    reads_need_keys: TestClient, path: str
) -> None:
    assert reads_need_keys.get(path).status_code == 200


@pytest.mark.slow
def test_with_reads_requiring_a_key_the_live_stream_is_401_without_one_and_200_with_a_reader_key(
    settings: Settings, key_for: Callable[[Role], str], tmp_path: Path
) -> None:
    token = key_for("reader")
    assert {op.path for op in READS} >= LIVE_STREAMS

    with server_process(
        settings, tmp_path / "server.log", env={"NT_READS_REQUIRE_KEY": "true"}
    ) as server:
        for path in sorted(LIVE_STREAMS):
            refused = httpx.get(server.base_url + path, timeout=10)
            with httpx.stream(
                "GET", server.base_url + path, headers=bearer(token), timeout=10
            ) as allowed:
                allowed_status = allowed.status_code
                allowed_type = allowed.headers.get("content-type", "")

            assert refused.status_code == 401, refused.text
            assert refused.headers["www-authenticate"].startswith("Bearer")
            assert allowed_status == 200
            assert allowed_type.startswith("text/event-stream")


# Keys on the command line


def created_token(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.strip()]
    assert lines, result.stderr
    return lines[-1].strip()


def cli_key(settings: Settings, role: Role, name: str) -> str:
    """A key made with ``keys create``; its token is what the command prints last."""
    return created_token(
        run_cli("keys", "create", "--role", role, "--name", name, settings=settings)
    )


def key_id_of(token: str) -> str:
    match = re.fullmatch(r"nt_([0-9a-f]+)_(\S+)", token)
    assert match, token
    return match.group(1)


def secret_of(token: str) -> str:
    return token.split("_", 2)[2]


@pytest.mark.slow
def test_keys_create_prints_a_token_last_that_appends_with_the_editor_role(
    settings: Settings, anonymous: TestClient
) -> None:
    token = cli_key(settings, "editor", "x")

    created = anonymous.post("/talks", json=talks_body(), headers=bearer(token))
    rebuild = anonymous.post("/projections/timeline/rebuild", headers=bearer(token))

    assert key_id_of(token)
    assert created.status_code == 201, created.text
    assert_problem(rebuild, 403)


@pytest.mark.slow
def test_keys_list_shows_each_key_with_id_and_role_and_never_its_secret(
    settings: Settings,
) -> None:
    editor = cli_key(settings, "editor", "x")
    reader = cli_key(settings, "reader", "y")

    listed = run_cli("keys", "list", settings=settings)

    assert listed.returncode == 0, listed.stderr
    rows = [line.split("\t") for line in listed.stdout.splitlines() if line.strip()]
    assert sorted((row[0], row[1], row[2]) for row in rows) == sorted(
        [(key_id_of(editor), "editor", "x"), (key_id_of(reader), "reader", "y")]
    )
    for token in (editor, reader):
        assert secret_of(token) not in listed.stdout + listed.stderr


@pytest.mark.slow
def test_keys_revoke_makes_the_token_401_at_once(settings: Settings, anonymous: TestClient) -> None:
    token = cli_key(settings, "editor", "x")
    before = anonymous.post("/talks", json=talks_body(), headers=bearer(token))

    revoked = run_cli("keys", "revoke", key_id_of(token), settings=settings)
    after = anonymous.post("/talks", json=talks_body(), headers=bearer(token))
    again = run_cli("keys", "revoke", key_id_of(token), settings=settings)
    listed = run_cli("keys", "list", settings=settings)

    assert before.status_code == 201, before.text
    assert revoked.returncode == 0, revoked.stderr
    assert_unauthorized(after)
    assert again.returncode != 0
    assert "revoked" in listed.stdout.split(key_id_of(token), 1)[1].splitlines()[0]


# What the store keeps


def every_stored_value(settings: Settings) -> Iterator[tuple[str, str]]:
    """(table, text of a row) for every row of every table of the test's database."""
    path = settings.sqlite_path()
    if path is not None:
        with sqlite3.connect(path) as conn:
            tables = [
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            ]
            for table in tables:
                for row in conn.execute(f'SELECT * FROM "{table}"'):
                    yield table, repr(row)
        return
    with psycopg.connect(settings.database_url) as conn:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        for table in tables:
            for row in conn.execute(f'SELECT t::text FROM "{table}" t').fetchall():
                yield table, row[0]


def test_a_keys_secret_is_stored_nowhere_in_the_database_in_clear(
    settings: Settings, key_for: Callable[[Role], str], anonymous: TestClient
) -> None:
    token = key_for("editor")
    assert anonymous.post("/talks", json=talks_body(), headers=bearer(token)).status_code == 201
    secret = secret_of(token)

    stored = list(every_stored_value(settings))
    key_rows = [text for table, text in stored if table == "nt_api_keys"]

    assert any(key_id_of(token) in text for text in key_rows)  # the key is there, by its id
    assert [table for table, text in stored if secret in text] == []
    path = settings.sqlite_path()
    if path is not None:  # nor in the file's bytes, its journal included
        for file in path.parent.glob(path.name + "*"):
            assert secret.encode() not in file.read_bytes(), file


def test_every_appended_event_records_the_key_that_appended_it(
    settings: Settings, anonymous: TestClient
) -> None:

    jane = bearer(issue_key(settings, "editor", "Jane's desk"))
    joe = bearer(issue_key(settings, "editor", "Joe's desk"))
    talks = anonymous.post("/talks", json=talks_body(), headers=jane).json()["stream_id"]
    batch = {"events": [mediator_role("Qatar"), mediator_role("Oman")]}
    assert anonymous.post(f"/talks/{talks}/events", json=batch, headers=joe).status_code == 201

    in_stream = anonymous.get(f"/talks/{talks}/events").json()
    in_log = anonymous.get("/events").json()["events"]

    assert [e["appended_by"] for e in in_stream] == [e["appended_by"] for e in in_log]
    by = [e["appended_by"] for e in in_stream]
    assert len(by) == 3
    assert "Jane's desk" in by[0]
    assert all("Joe's desk" in b for b in by[1:])


def test_an_admin_creates_a_key_over_http_whose_token_works_then_revokes_it(
    client: TestClient, anonymous: TestClient
) -> None:
    created = client.post("/keys", json={"role": "editor", "name": "over http"})
    assert created.status_code == 201, created.text
    key = created.json()
    token = bearer(key["token"])
    listed = client.get("/keys").json()
    used = anonymous.post("/talks", json=talks_body(), headers=token)

    revoked = client.delete(f"/keys/{key['id']}")
    after = anonymous.post("/talks", json=talks_body(), headers=token)
    again = client.delete(f"/keys/{key['id']}")

    assert key["role"] == "editor"
    assert key["token"].startswith(f"nt_{key['id']}_")
    assert all("token" not in k and "secret_sha256" not in k for k in listed)
    assert key["id"] in {k["id"] for k in listed}
    assert used.status_code == 201, used.text
    assert "over http" in anonymous.get("/events").json()["events"][0]["appended_by"]
    assert revoked.status_code == 204, revoked.text
    assert_unauthorized(after)
    assert_problem(again, 404)


@pytest.mark.slow
def test_serve_on_a_store_without_keys_says_how_to_create_the_first_one(
    settings: Settings, tmp_path: Path
) -> None:
    output = tmp_path / "serve.log"

    with server_process(settings, output) as server:
        assert httpx.get(server.base_url + "/healthz", timeout=10).status_code == 200
        deadline = time.monotonic() + 2  # serve says it before it listens; allow for flushing
        while "keys create" not in output.read_text() and time.monotonic() < deadline:
            time.sleep(0.1)

    assert "keys create" in output.read_text(), output.read_text()[-2000:]


@pytest.mark.slow
def test_serve_on_a_store_with_a_live_key_does_not_ask_for_a_first_one(
    settings: Settings, key_for: Callable[[Role], str], tmp_path: Path
) -> None:
    key_for("reader")
    output = tmp_path / "serve.log"

    with server_process(settings, output) as server:
        assert httpx.get(server.base_url + "/healthz", timeout=10).status_code == 200

    assert "Serving" in output.read_text(), output.read_text()[-2000:]
    assert "keys create" not in output.read_text(), output.read_text()[-2000:]
