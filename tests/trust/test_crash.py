"""Durability: the server killed with SIGKILL under concurrent appends, several times.

Clients retry what failed or went unanswered with the same Idempotency-Key once the server is
back. Afterwards every acknowledged append is in the log exactly once, retries append nothing,
and every view converges to what a rebuild from the log gives.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID, uuid5

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import mediator_role, read_whole_log, run_cli, talks_body

from entrypoints.bootstrap import build
from store.settings import Settings
from trust.trust_support import Server, issue_key, kill, start_server, terminate

pytestmark = pytest.mark.slow

SEED = 20250601
ROUNDS = 4
WRITERS = 4
STREAMS = [uuid5(UUID(int=SEED), f"crash-stream-{i}") for i in range(3)]
REQUEST_TIMEOUT = 5.0
WRITERS_DEADLINE = 60.0
CONVERGE_TIMEOUT = 30.0
COMMAND_TIMEOUT = 60


@dataclass
class LogicalAppend:
    """One append a client means to make once, whatever it takes."""

    key: str
    stream: UUID
    body: dict[str, Any]
    answer: dict[str, Any] | None = None
    attempts: int = 0
    replayed: bool = False  # answered by a retry after an earlier attempt had committed


@dataclass
class Writer:
    """A client thread that appends until told to stop, each append retried with its own key
    until it is answered (the server may be dead, or not back yet)."""

    number: int
    base_url: str
    token: str
    stop: threading.Event
    deadline: float
    appends: list[LogicalAppend] = field(default_factory=list)
    unanswered: int = 0
    refused: list[str] = field(default_factory=list)

    def run(self) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(base_url=self.base_url, headers=headers, timeout=REQUEST_TIMEOUT) as http:
            while not self.stop.is_set() and not self.refused:
                i = len(self.appends)
                append = LogicalAppend(
                    key=f"crash-{self.number}-{i}",
                    stream=STREAMS[(self.number + i) % len(STREAMS)],
                    body=mediator_role(f"Mediator {self.number}-{i}"),
                )
                self.appends.append(append)
                self.send(http, append)

    def send(self, http: httpx.Client, append: LogicalAppend) -> None:
        while append.answer is None and time.monotonic() < self.deadline:
            append.attempts += 1
            try:
                response = http.post(
                    f"/talks/{append.stream}/events",
                    json=append.body,
                    headers={"Idempotency-Key": append.key},
                )
            except httpx.TransportError:
                self.unanswered += 1
                time.sleep(0.05)
                continue
            if response.status_code == 201:
                append.answer = response.json()
                append.replayed = response.headers.get("idempotent-replayed") == "true"
            elif response.status_code >= 500:
                time.sleep(0.05)
            else:
                self.refused.append(f"{append.key}: {response.status_code} {response.text}")
                return


def converged(http: httpx.Client) -> list[dict[str, Any]]:
    """Every view's status once each has applied the whole log (bounded wait)."""
    deadline = time.monotonic() + CONVERGE_TIMEOUT
    while True:
        statuses: list[dict[str, Any]] = http.get("/projections").json()
        if all(s["position"] == s["head"] and s["state"] == "running" for s in statuses):
            return statuses
        if time.monotonic() > deadline:
            pytest.fail(f"views did not converge within {CONVERGE_TIMEOUT} s: {statuses}")
        time.sleep(0.1)


def test_after_repeated_sigkills_under_concurrent_appends_nothing_acknowledged_is_lost_or_doubled(
    settings: Settings, tmp_path: Path
) -> None:
    rng = random.Random(SEED)
    token = issue_key(settings, "admin", "crash")  # kept in the store across restarts
    headers = {"Authorization": f"Bearer {token}"}
    output = tmp_path / "server.log"
    server: Server | None = None
    stop = threading.Event()
    try:
        server = start_server(settings, output)
        port, base_url = server.port, server.base_url
        with httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT) as http:
            for stream in STREAMS:
                created = http.post("/talks", json=talks_body(str(stream)) | {"id": str(stream)})
                assert created.status_code == 201, created.text
        deadline = time.monotonic() + WRITERS_DEADLINE
        writers = [Writer(w, base_url, token, stop, deadline) for w in range(WRITERS)]
        threads = [threading.Thread(target=w.run, daemon=True) for w in writers]
        for thread in threads:
            thread.start()

        interrupted = []
        for _ in range(ROUNDS):
            time.sleep(rng.uniform(0.3, 1.5))
            before = sum(w.unanswered for w in writers)
            kill(server)
            server = start_server(settings, output, port=port)
            interrupted.append(sum(w.unanswered for w in writers) - before)
        time.sleep(0.5)  # some appends on the last server, too
        stop.set()
        for thread in threads:
            thread.join(timeout=WRITERS_DEADLINE)
        everything = [append for w in writers for append in w.appends]

        assert not any(thread.is_alive() for thread in threads)
        assert [r for w in writers for r in w.refused] == []
        assert [a.key for a in everything if a.answer is None] == []
        assert all(n > 0 for n in interrupted), interrupted  # each kill cut clients off
        assert len(everything) > WRITERS * ROUNDS

        with httpx.Client(base_url=base_url, headers=headers, timeout=REQUEST_TIMEOUT) as http:
            log = read_whole_log(http)
            retried = [
                http.post(
                    f"/talks/{a.stream}/events", json=a.body, headers={"Idempotency-Key": a.key}
                )
                for a in everything
            ]
            log_after_retries = read_whole_log(http)
            statuses = converged(http)
            served = {
                s["name"]: http.get(f"/projections/{s['name']}/checksum").json() for s in statuses
            }

        # Every acknowledged append is in the log exactly once, by event id.
        ids = Counter(e["event_id"] for e in log)
        assert [i for i, n in ids.items() if n > 1] == []
        acknowledged = [e["event_id"] for a in everything for e in a.answer["events"]]  # type: ignore[index]
        assert [i for i in acknowledged if ids[i] != 1] == []
        # Each logical append landed once: no retry appended it a second time.
        landed = Counter(
            e["data"].get("mediator") for e in log if e["type"] == "MediatorRoleAssumed"
        )
        assert landed == Counter(a.body["data"]["mediator"] for a in everything)
        assert len(log) == len(STREAMS) + len(everything)
        # In order; on PostgreSQL a transaction killed mid-way may leave a hole in the positions.
        assert [e["position"] for e in log] == sorted({e["position"] for e in log})
        # Retrying an acknowledged request returns its first answer and appends nothing.
        assert [r.status_code for r in retried] == [201] * len(everything)
        assert all(r.headers.get("idempotent-replayed") == "true" for r in retried)
        assert not any(a.replayed for a in everything if a.attempts == 1)
        assert [r.json()["events"] for r in retried] == [a.answer["events"] for a in everything]  # type: ignore[index]
        assert log_after_retries == log
        # Each stream holds its appends in version order, without holes.
        for stream in STREAMS:
            versions = [e["version"] for e in log if e["stream_id"] == str(stream)]
            assert versions == list(range(1, len(versions) + 1))

        terminate(server)
        # The views converge to the checksum of a rebuild from the log, made offline.
        rebuilt = run_cli("rebuild", settings=settings)
        assert rebuilt.returncode == 0, rebuilt.stderr
        for name, answer in served.items():
            offline = run_cli("checksum", name, settings=settings)
            assert offline.returncode == 0, offline.stderr
            assert offline.stdout.split() == [name, str(answer["position"]), answer["checksum"]]
            assert answer["position"] == log[-1]["position"]
    finally:
        stop.set()
        if server is not None:
            kill(server)


# Closing the app while a rebuild started over HTTP still runs

CLOSE_DURING_REBUILD = textwrap.dedent(
    """
    import json, sys, time
    from fastapi.testclient import TestClient
    from api.app import create_app
    from store.settings import Settings

    settings = Settings(**json.loads(sys.argv[1]))
    headers = {"Authorization": "Bearer " + sys.argv[2]}
    with TestClient(create_app(settings), headers=headers) as client:
        started = client.post("/projections/timeline/rebuild")
        print("rebuild", started.status_code, flush=True)
    print("closed", flush=True)
    time.sleep(2)  # the process lives on, as a test runner or a server with other apps would
    print("survived", flush=True)
    """
)


def test_closing_the_app_while_a_rebuild_runs_neither_crashes_nor_breaks_the_rebuild(
    settings: Settings, client: TestClient
) -> None:
    talks = client.post("/talks", json=talks_body()).json()["stream_id"]
    for batch in range(4):
        events = [mediator_role(f"Mediator {batch}-{i}") for i in range(500)]
        appended = client.post(f"/talks/{talks}/events", json={"events": events})
        assert appended.status_code == 201, appended.text
    token = issue_key(settings, "admin", "closing")
    store = {"data_dir": str(settings.data_dir), "database_url": settings.database_url,
             "load_demo_when_empty": False}  # fmt: skip

    process = subprocess.run(
        [
            sys.executable,
            "-X",
            "faulthandler",
            "-c",
            CLOSE_DURING_REBUILD,
            json.dumps(store),
            token,
        ],
        capture_output=True,
        text=True,
        timeout=COMMAND_TIMEOUT,
        check=False,
        cwd=Path(__file__).resolve().parents[2],
    )

    assert process.stdout.split("\n")[:3] == ["rebuild 202", "closed", "survived"], (
        process.stdout + process.stderr[-3000:]
    )
    assert process.returncode == 0, process.stderr[-3000:]
    assert "Traceback" not in process.stderr, process.stderr[-3000:]


def test_a_rebuild_stopped_by_closing_the_app_leaves_the_live_view_and_later_rebuilds_whole(
    settings: Settings, client: TestClient
) -> None:
    talks = client.post("/talks", json=talks_body()).json()["stream_id"]
    for batch in range(4):
        events = [mediator_role(f"Mediator {batch}-{i}") for i in range(500)]
        appended = client.post(f"/talks/{talks}/events", json={"events": events})
        assert appended.status_code == 201, appended.text
    head = client.get("/events", params={"limit": 1}).json()["head"]
    caught_up = client.get("/timeline", params={"min_position": head, "limit": 1})
    assert caught_up.status_code == 200, caught_up.text
    before = client.get("/projections/timeline/checksum").json()

    closing = build(settings, follow=False)
    try:
        assert closing.rebuilds.start("timeline")
    finally:
        closing.close()  # stops the rebuild after the batch in hand, before its swap
    after_close = client.get("/projections/timeline/checksum").json()
    [status] = [s for s in client.get("/projections").json() if s["name"] == "timeline"]
    assert (status["state"], status["rebuild_position"]) == ("running", None)
    rebuilt = client.post("/projections/timeline/rebuild")
    assert rebuilt.status_code == 202, rebuilt.text
    assert client.app.state.components.rebuilds.join(COMMAND_TIMEOUT)  # type: ignore[attr-defined]
    after_rebuild = client.get("/projections/timeline/checksum").json()

    assert closing.rebuilds.running() == []
    assert before["position"] == head
    assert after_close == before
    assert after_rebuild == before
