"""Reads that wait never hold a request thread: beyond the head they are refused at once, and
waits for a view that is behind are asynchronous and few. Against a real server process."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem, talks_body
from trust.trust_support import issue_key, server_process

from store.settings import Settings

pytestmark = pytest.mark.slow
CLIENTS = 16
HEALTH_BOUND = 0.1
#: The views never catch up: the server follows no log (as when the worker is down).
BEHIND = {
    "NT_RUN_PROJECTIONS": "false",
    "NT_READ_WAIT_SECONDS": "3",
    "NT_MAX_READ_WAITS": "8",
    "NT_THREADS": "8",
}


def _health_latencies(base_url: str, seconds: float) -> list[float]:
    """How long /healthz took, asked again and again for ``seconds``."""
    found = []
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base_url, timeout=5) as client:
        while time.monotonic() < deadline:
            started = time.monotonic()
            assert client.get("/healthz").status_code == 200
            found.append(time.monotonic() - started)
            time.sleep(0.02)
    return found


def _read(base_url: str, path: str, position: int) -> httpx.Response:
    return httpx.get(base_url + path, params={"min_position": position}, timeout=10)


def _appended(base_url: str, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}"}
    created = httpx.post(base_url + "/talks", json=talks_body(), headers=headers, timeout=10)
    assert created.status_code == 201, created.text
    return int(created.json()["position"])


def test_reads_beyond_the_head_are_refused_at_once_while_healthz_answers(
    settings: Settings, tmp_path: Path
) -> None:
    token = issue_key(settings, "editor")
    with server_process(settings, tmp_path / "server.log", env=BEHIND) as server:
        head = _appended(server.base_url, token)
        with ThreadPoolExecutor(CLIENTS + 1) as pool:
            reads = [
                pool.submit(_read, server.base_url, path, head + 1_000_000)
                for path in ["/timeline", "/statements", "/talks", "/timeline"] * (CLIENTS // 4)
            ]
            health = pool.submit(_health_latencies, server.base_url, 1.0)
            answers = [read.result() for read in reads]
            latencies = health.result()
        for answer in answers:
            assert answer.status_code == 409, answer.text
            assert answer.json()["type"].endswith("position-unknown")
        assert max(latencies) < HEALTH_BOUND, latencies


def test_waits_for_a_view_behind_are_async_bounded_in_time_and_number(
    settings: Settings, tmp_path: Path
) -> None:
    token = issue_key(settings, "editor")
    with server_process(settings, tmp_path / "server.log", env=BEHIND) as server:
        head = _appended(server.base_url, token)
        with ThreadPoolExecutor(CLIENTS + 1) as pool:
            started = time.monotonic()
            reads = [pool.submit(_read, server.base_url, "/timeline", head) for _ in range(CLIENTS)]
            time.sleep(0.3)  # the waits are in flight
            health = pool.submit(_health_latencies, server.base_url, 1.5)
            # An append needs a request thread: none is held by a wait.
            appended_at = time.monotonic()
            _appended(server.base_url, token)
            append_took = time.monotonic() - appended_at
            answers = [read.result() for read in reads]
            took = time.monotonic() - started
            latencies = health.result()
        kinds = sorted(a.json()["type"].rsplit(":", 1)[1] for a in answers)
        assert kinds == ["busy"] * 8 + ["view-behind"] * 8  # 8 wait (the bound), 8 refused
        assert all(a.status_code == 503 and a.headers["Retry-After"] == "1" for a in answers)
        assert took < 3 + 2  # the wait is bounded by NT_READ_WAIT_SECONDS
        assert max(latencies) < HEALTH_BOUND, latencies
        assert append_took < 1.0


def test_expensive_reads_beyond_their_bound_get_503(client: TestClient) -> None:
    created = client.post("/talks", json=talks_body()).json()
    gate = client.app.state.expensive_reads  # type: ignore[attr-defined]
    for _ in range(gate.limit):  # every place taken, as by slow reads in flight
        assert gate.enter()
    try:
        for path, params in [
            (f"/talks/{created['stream_id']}", {"at": "2025-06-01"}),
            (f"/talks/{created['stream_id']}/positions", {"as_of": "2030-01-01T00:00:00Z"}),
            (f"/talks/{created['stream_id']}/diff", {"from": "2025-01-01", "to": "2025-06-01"}),
            (f"/talks/{created['stream_id']}/export", {"format": "csv"}),
        ]:
            answer = client.get(path, params=params)
            assert_problem(answer, 503, slug="busy")
            assert answer.headers["Retry-After"] == "1"
        assert client.get(f"/talks/{created['stream_id']}").status_code == 200  # not expensive
        # Answered from the views' own tables on any clock: not expensive either.
        for path in ("/timeline", f"/talks/{created['stream_id']}/timeline", "/statements"):
            for clock in ({"as_of": "2030-01-01T00:00:00Z"}, {"at": "2025-06-01"}):
                assert client.get(path, params=clock).status_code == 200, (path, clock)
    finally:
        for _ in range(gate.limit):
            gate.leave()
    assert (
        client.get(
            f"/talks/{created['stream_id']}/positions", params={"as_of": "2030-01-01T00:00:00Z"}
        ).status_code
        == 200
    )
