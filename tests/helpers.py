"""Shared test helpers: request bodies, problem checks and a real server started from the CLI."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from application.service import TimelineService
from store.application import TimelineApplication
from store.keys import KeyStore, Role
from store.settings import Settings

#: The installed console script, next to the interpreter running the tests.
CLI = Path(sys.executable).parent / "negotiation-timeline"
PROBLEM_JSON = "application/problem+json"
PROBLEM_TYPE_BASE = "urn:negotiation-timeline:problem:"
SERVER_START_TIMEOUT = 20.0
SERVER_STOP_TIMEOUT = 10.0


# Request bodies


def source(**overrides: Any) -> dict[str, Any]:
    """A minimal valid source."""
    return {"outlet": "Test Wire", "quote": "as reported"} | overrides


def event_body(
    event_type: str,
    data: dict[str, Any] | None = None,
    *,
    occurred: dict[str, Any] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A valid body for any event type, given its data."""
    body: dict[str, Any] = {
        "type": event_type,
        "data": data or {},
        "occurred": occurred or {"precision": "day", "value": "2025-06-02"},
        "sources": [source()],
    }
    return body | overrides


def talks_body(title: str = "Test talks", **overrides: Any) -> dict[str, Any]:
    """A TalksProposed body (POST /talks)."""
    return (
        event_body(
            "TalksProposed",
            {"title": title, "parties": ["Ukraine", "Russia"]},
            occurred={"precision": "day", "value": "2025-06-01"},
        )
        | overrides
    )


def delegation_body(talks_id: str, party: str = "Ukraine", **overrides: Any) -> dict[str, Any]:
    """A DelegationAnnounced body (POST /delegations) for an existing Talks."""
    return (
        event_body(
            "DelegationAnnounced", {"talks_id": talks_id, "party": party, "destination": "Istanbul"}
        )
        | overrides
    )


def position_body(talks_id: str, party: str = "Ukraine", **overrides: Any) -> dict[str, Any]:
    """A PositionTaken body (POST /positions) for an existing Talks."""
    return (
        event_body("PositionTaken", {"talks_id": talks_id, "party": party, "summary": "our terms"})
        | overrides
    )


def round_scheduled(number: int, city: str = "Istanbul", **overrides: Any) -> dict[str, Any]:
    """A RoundScheduled body (appended to a Talks)."""
    return (
        event_body("RoundScheduled", {"number": number, "city": city}, modality="planned")
        | overrides
    )


def round_held(number: int, **overrides: Any) -> dict[str, Any]:
    """A RoundHeld body (appended to a Talks)."""
    return event_body("RoundHeld", {"number": number}) | overrides


def mediator_role(mediator: str = "Türkiye", **overrides: Any) -> dict[str, Any]:
    """A MediatorRoleAssumed body (appended to a Talks); any number may be appended."""
    return event_body("MediatorRoleAssumed", {"mediator": mediator, "hosts": True}) | overrides


# Answers


def assert_problem(
    response: httpx.Response,
    status: int,
    *,
    pointer: str | None = None,
    parameter: str | None = None,
    slug: str | None = None,
) -> dict[str, Any]:
    """Check an RFC 9457 problem document and return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM_JSON, response.headers
    problem: dict[str, Any] = response.json()
    for member in ("type", "title", "status", "detail", "instance"):
        assert member in problem, f"{member} missing in {problem}"
    assert problem["status"] == status
    assert problem["type"].startswith(PROBLEM_TYPE_BASE), problem
    assert problem["instance"] == response.request.url.path
    if pointer is not None:
        assert problem.get("pointer") == pointer, problem
    if parameter is not None:
        assert problem.get("parameter") == parameter, problem
    if slug is not None:
        assert problem["type"] == PROBLEM_TYPE_BASE + slug, problem
    return problem


def read_whole_log(client: httpx.Client, limit: int = 1000) -> list[dict[str, Any]]:
    """Every event of the global log, following next_after page by page."""
    found: list[dict[str, Any]] = []
    after = 0
    while True:
        page = client.get("/events", params={"after": after, "limit": limit})
        assert page.status_code == 200, page.text
        events = page.json()["events"]
        if not events:
            return found
        found.extend(events)
        after = page.json()["next_after"]


# The store and the CLI


def cli_store_args(settings: Settings) -> list[str]:
    """The CLI options that point a process at the test's store."""
    args = ["--data-dir", str(settings.data_dir)]
    if settings.database_url:
        args += ["--database-url", settings.database_url]
    return args


def cli_env(*, load_demo: bool) -> dict[str, str]:
    """The environment for a CLI process: only the command line chooses the store."""
    env = {k: v for k, v in os.environ.items() if k not in ("NT_DATABASE_URL", "NT_DATA_DIR")}
    env["NT_LOAD_DEMO_WHEN_EMPTY"] = "true" if load_demo else "false"
    return env


def run_cli(
    *args: str, settings: Settings, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    """Run ``negotiation-timeline ARGS`` on the test's store (no demo) and capture its output."""
    return subprocess.run(
        [str(CLI), *args, *cli_store_args(settings)],
        env=cli_env(load_demo=False),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def event_count(settings: Settings) -> int:
    """How many events the store holds, read by a fresh application."""
    application = TimelineApplication(settings.eventsourcing_env())
    try:
        return TimelineService(application).head()
    finally:
        application.close()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process we started, killing it if it does not stop in time."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=SERVER_STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=SERVER_STOP_TIMEOUT)


def issue_key(settings: Settings, role: Role = "admin", name: str = "tests") -> str:
    """A new API key's token on the test's store (writes need one)."""
    application = TimelineApplication(settings.eventsourcing_env())
    try:
        _, token = KeyStore(application.database).create(role, name)
    finally:
        application.close()
    return token


#: The admin key issued for each server started by running_server, by its base URL.
TOKENS: dict[str, str] = {}


def authorized(base_url: str) -> dict[str, str]:
    """The Authorization header for a server started by running_server."""
    return {"Authorization": f"Bearer {TOKENS[base_url]}"}


@contextmanager
def running_server(
    settings: Settings,
    *,
    load_demo: bool = False,
    ready_path: str = "/events?limit=1",
    timeout: float = SERVER_START_TIMEOUT,
) -> Iterator[str]:
    """``negotiation-timeline serve`` on a free port over the test's store; yields its base URL.

    Waits (at most ``timeout`` seconds) until ``ready_path`` answers 200, and always terminates
    the process on exit. Its output goes to a temporary file, shown if it fails to start.
    """
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    TOKENS[base_url] = issue_key(settings, "admin", "running-server")
    command = [str(CLI), "serve", "--port", str(port), *cli_store_args(settings)]
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command, env=cli_env(load_demo=load_demo), stdout=output, stderr=subprocess.STDOUT
        )
        try:
            _wait_until_ready(process, base_url + ready_path, timeout, output)
            yield base_url
        finally:
            stop(process)


def _wait_until_ready(
    process: subprocess.Popen[bytes], url: str, timeout: float, output: Any
) -> None:
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            response = httpx.get(url, timeout=2.0)
            if response.status_code == 200:
                return
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.1)
    output.seek(0)
    log = output.read().decode(errors="replace")[-4000:]
    stop(process)
    msg = f"server not ready at {url} (exit code {process.returncode}, last: {last}):\n{log}"
    raise AssertionError(msg)
