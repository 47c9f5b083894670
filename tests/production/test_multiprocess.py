"""The production layout as real processes: two API processes and one worker on one PostgreSQL.

The processes run exactly the commands of docker-compose.yml (with a local host and port). Many
threads append concurrently through both API processes, to one stream and to several, in batches
and with Idempotency-Key retries sent to the other process. Afterwards the log holds every
acknowledged event exactly once, every stream's versions have no gap, the worker brings every
view to the head, and a rebuild reproduces each view's checksum.
"""

from __future__ import annotations

import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import httpx
import pytest
from helpers import read_whole_log
from production_support import (
    CLI,
    clean_env,
    compose_cli_args,
    flat,
    free_port,
    fresh_database,
    position_body,
    position_event,
    run_cli,
    stop,
    tail,
    talks_body,
    talks_event,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

API_SERVICES = ("api-1", "api-2")
WORKER_SERVICE = "worker"
THREADS = 8
OPERATIONS_PER_THREAD = 40
START_TIMEOUT = 30.0
WORKLOAD_TIMEOUT = 60.0
CONVERGE_TIMEOUT = 30.0
REQUEST_TIMEOUT = 20.0
PAGE = 1000


@dataclass
class Process:
    """A process we started, with its captured output."""

    name: str
    popen: subprocess.Popen[bytes]
    output: BinaryIO

    def log(self) -> str:
        return f"--- {self.name} (exit code {self.popen.poll()}):\n{tail(self.output)}"


@dataclass
class Stream:
    kind: str
    stream_id: str

    def event(self, n: int) -> dict[str, Any]:
        return talks_event(n) if self.kind == "talks" else position_event(n)


@dataclass
class Ledger:
    """What the clients were told, gathered from every thread."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    #: Every event an answer acknowledged (replays included): event_id -> (stream, version, pos).
    acknowledged: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    #: The same event acknowledged twice with different facts.
    contradictions: list[str] = field(default_factory=list)
    #: Answers by Idempotency-Key, to compare the first answer with the retries'.
    by_key: dict[str, list[tuple[str, list[dict[str, Any]], bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    failures: list[str] = field(default_factory=list)
    completed: int = 0

    def record(self, where: str, response: httpx.Response, key: str | None) -> None:
        with self.lock:
            if not response.is_success:
                self.failures.append(
                    f"{where} {response.request.url.path}: {response.status_code}"
                    f" {response.text[:300]}"
                )
                return
            body = response.json()
            for event in body["events"]:
                facts = (body["stream_id"], event["version"], event["position"])
                known = self.acknowledged.setdefault(event["event_id"], facts)
                if known != facts:
                    self.contradictions.append(f"{event['event_id']}: {known} vs {facts}")
            if key is not None:
                replayed = response.headers.get("Idempotent-Replayed") == "true"
                self.by_key[key].append((where, body["events"], replayed))


# Processes


@contextmanager
def started(name: str, argv: list[str], env: dict[str, str]) -> Iterator[Process]:
    """Start ``negotiation-timeline <argv>``; SIGTERM (then SIGKILL) it on exit."""
    with tempfile.TemporaryFile() as output:
        popen = subprocess.Popen(
            [str(CLI), *argv], env=env, stdout=output, stderr=subprocess.STDOUT
        )
        process = Process(name, popen, output)
        try:
            yield process
        finally:
            stop(popen)


def wait_healthy(processes: list[Process], urls: list[str], everyone: list[Process]) -> None:
    """Wait (bounded) until every API process answers GET /healthz."""
    deadline = time.monotonic() + START_TIMEOUT
    pending = dict(zip(urls, processes, strict=True))
    while pending and time.monotonic() < deadline:
        for url, process in list(pending.items()):
            if process.popen.poll() is not None:
                pytest.fail(f"{process.name} exited on start:\n{logs(everyone)}")
            try:
                if httpx.get(f"{url}/healthz", timeout=2.0).status_code == 200:
                    del pending[url]
            except httpx.HTTPError:
                pass
        time.sleep(0.1)
    if pending:
        names = [process.name for process in pending.values()]
        pytest.fail(f"{names} did not answer /healthz in {START_TIMEOUT} s:\n{logs(everyone)}")


def logs(processes: list[Process]) -> str:
    return "\n".join(process.log() for process in processes)


# The workload


def post(client: httpx.Client, path: str, body: dict[str, Any], key: str | None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return client.post(path, json=body, headers=headers)


def create_streams(clients: list[httpx.Client], ledger: Ledger) -> list[Stream]:
    """Three Talks, and two Positions in the first, created through alternating processes."""
    streams = []
    for i in range(3):
        response = post(clients[i % 2], "/talks", talks_body(f"Talks {i}"), None)
        assert response.status_code == 201, response.text
        ledger.record(f"api-{i % 2 + 1}", response, None)
        streams.append(Stream("talks", response.json()["stream_id"]))
    for i, party in enumerate(("Ukraine", "Russia")):
        body = position_body(streams[0].stream_id, party)
        response = post(clients[(i + 1) % 2], "/positions", body, None)
        assert response.status_code == 201, response.text
        ledger.record(f"api-{(i + 1) % 2 + 1}", response, None)
        streams.append(Stream("positions", response.json()["stream_id"]))
    return streams


def operation(
    thread: int, i: int, streams: list[Stream], clients: list[httpx.Client], ledger: Ledger
) -> None:
    """One append: to the shared stream or another, single or batch, perhaps retried."""
    stream = streams[0] if i % 3 == 0 else streams[(thread * 7 + i) % len(streams)]
    n = thread * 1000 + i
    body = (
        {"events": [stream.event(n), stream.event(n + 1), stream.event(n + 2)]}
        if i % 5 == 2
        else stream.event(n)
    )
    path = f"/{stream.kind}/{stream.stream_id}/events"
    first, other = (thread + i) % 2, (thread + i + 1) % 2
    key = f"mp-{thread}-{i}-{uuid.uuid4().hex}" if i % 4 == 1 else None

    if key is not None and i % 8 == 5:
        # Both processes get the same request at the same moment.

        def race() -> None:
            try:
                ledger.record(f"api-{other + 1}", post(clients[other], path, body, key), key)
            except httpx.HTTPError as error:
                with ledger.lock:
                    ledger.failures.append(f"api-{other + 1} {path}: {error!r}")

        racer = threading.Thread(target=race)
        racer.start()
        ledger.record(f"api-{first + 1}", post(clients[first], path, body, key), key)
        racer.join(REQUEST_TIMEOUT * 2)
        return
    ledger.record(f"api-{first + 1}", post(clients[first], path, body, key), key)
    if key is not None:  # the client did not see the answer: retry, this time at the other one
        ledger.record(f"api-{other + 1}", post(clients[other], path, body, key), key)


def run_workload(
    urls: list[str], streams: list[Stream], ledger: Ledger, headers: dict[str, str]
) -> None:
    """THREADS threads, each with a client per API process, OPERATIONS_PER_THREAD appends each."""
    deadline = time.monotonic() + WORKLOAD_TIMEOUT
    errors: list[str] = []

    def work(thread: int) -> None:
        clients = [
            httpx.Client(base_url=url, timeout=REQUEST_TIMEOUT, headers=headers) for url in urls
        ]
        try:
            for i in range(OPERATIONS_PER_THREAD):
                if time.monotonic() > deadline:
                    return
                operation(thread, i, streams, clients, ledger)
                with ledger.lock:
                    ledger.completed += 1
        except Exception as error:
            errors.append(f"thread {thread}: {error!r}")
        finally:
            for client in clients:
                client.close()

    threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + REQUEST_TIMEOUT)
    assert not errors, errors
    stuck = [thread.name for thread in threads if thread.is_alive()]
    assert not stuck, f"appends still running after {WORKLOAD_TIMEOUT} s: {stuck}"
    assert ledger.completed == THREADS * OPERATIONS_PER_THREAD, (
        f"only {ledger.completed} of {THREADS * OPERATIONS_PER_THREAD} appends within"
        f" {WORKLOAD_TIMEOUT} s"
    )


# Reading back


def whole_log(client: httpx.Client) -> list[dict[str, Any]]:
    """The global log, page by page."""
    return read_whole_log(client, PAGE)


def wait_converged(client: httpx.Client, head: int, worker: Process) -> list[dict[str, Any]]:
    """Poll GET /projections until every view is at the head; the statuses."""
    deadline = time.monotonic() + CONVERGE_TIMEOUT
    statuses: list[dict[str, Any]] = []
    while time.monotonic() < deadline:
        assert worker.popen.poll() is None, f"the worker exited:\n{worker.log()}"
        response = client.get("/projections")
        assert response.status_code == 200, response.text
        statuses = response.json()
        failed = [s for s in statuses if s["state"] == "failed"]
        assert not failed, f"views failed: {failed}"
        if statuses and all(s["position"] == s["head"] == head for s in statuses):
            return statuses
        time.sleep(0.2)
    behind = {s["name"]: (s["position"], s["head"], s["state"]) for s in statuses}
    pytest.fail(f"views not at head {head} after {CONVERGE_TIMEOUT} s: {behind}\n{worker.log()}")


def checksum(client: httpx.Client, name: str) -> tuple[int, str]:
    response = client.get(f"/projections/{name}/checksum")
    assert response.status_code == 200, response.text
    body = response.json()
    return body["position"], body["checksum"]


def test_two_api_processes_and_a_worker_keep_the_log_and_the_views_consistent(
    postgres_url: str, tmp_path: Path
) -> None:
    with ExitStack() as stack:
        url = stack.enter_context(fresh_database(postgres_url))
        migrated = run_cli("migrate", "--database-url", url, env=clean_env(), cwd=tmp_path)
        assert migrated.returncode == 0, migrated.stdout + migrated.stderr
        issued = run_cli(
            "keys", "create", "--role", "editor", "--name", "multiprocess", "--database-url", url,
            env=clean_env(), cwd=tmp_path,
        )  # fmt: skip
        assert issued.returncode == 0, issued.stdout + issued.stderr
        headers = {"Authorization": f"Bearer {issued.stdout.strip().splitlines()[-1]}"}

        env = clean_env(
            NT_DATABASE_URL=url, NT_RUN_PROJECTIONS="false", NT_LOAD_DEMO_WHEN_EMPTY="false"
        )
        ports = [free_port() for _ in API_SERVICES]
        apis = [
            stack.enter_context(
                started(
                    name,
                    [*compose_cli_args(name), "--host", "127.0.0.1", "--port", str(port)],
                    env,
                )
            )
            for name, port in zip(API_SERVICES, ports, strict=True)
        ]
        worker = stack.enter_context(started(WORKER_SERVICE, compose_cli_args(WORKER_SERVICE), env))
        everyone = [*apis, worker]
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        wait_healthy(apis, urls, everyone)
        clients = [
            stack.enter_context(httpx.Client(base_url=u, timeout=REQUEST_TIMEOUT, headers=headers))
            for u in urls
        ]

        ledger = Ledger()
        streams = create_streams(clients, ledger)
        started_at = time.monotonic()
        run_workload(urls, streams, ledger, headers)
        workload_seconds = time.monotonic() - started_at
        exited = [p.name for p in everyone if p.popen.poll() is not None]
        assert not exited, f"{exited} exited during the workload:\n{logs(everyone)}"
        assert not ledger.failures, f"{len(ledger.failures)} appends failed: {ledger.failures[:5]}"
        assert not ledger.contradictions, ledger.contradictions[:5]

        # Idempotent retries: every answer to one key names the same events; one appended them.
        for key, answers in ledger.by_key.items():
            assert len(answers) == 2, (key, answers)
            first_events = answers[0][1]
            assert all(events == first_events for _, events, _ in answers), (key, answers)
            appended = [where for where, _, replayed in answers if not replayed]
            assert len(appended) == 1, f"{key}: appended by {appended} (answers: {answers})"

        # The log: every acknowledged event exactly once, nothing else, the same in both processes.
        log = whole_log(clients[0])
        assert [(e["position"], e["event_id"]) for e in whole_log(clients[1])] == [
            (e["position"], e["event_id"]) for e in log
        ], "the two API processes read different logs"
        counts = Counter(e["event_id"] for e in log)
        duplicated = {event_id: n for event_id, n in counts.items() if n > 1}
        assert not duplicated, f"events in the log more than once: {duplicated}"
        lost = set(ledger.acknowledged) - set(counts)
        assert not lost, f"{len(lost)} acknowledged events not in the log: {sorted(lost)[:5]}"
        unacknowledged = set(counts) - set(ledger.acknowledged)
        assert not unacknowledged, f"events nobody acknowledged: {sorted(unacknowledged)[:5]}"
        assert len(log) == len(ledger.acknowledged)
        positions = [e["position"] for e in log]
        assert positions == sorted(set(positions)), "log positions are not strictly increasing"
        for event in log:
            assert ledger.acknowledged[event["event_id"]] == (
                event["stream_id"],
                event["version"],
                event["position"],
            ), event
        head = positions[-1]

        # Each stream: versions 1..n without a gap, exactly the events acknowledged for it.
        for stream in streams:
            response = clients[1].get(f"/{stream.kind}/{stream.stream_id}/events")
            assert response.status_code == 200, response.text
            events = response.json()
            versions = [e["version"] for e in events]
            assert versions == list(range(1, len(events) + 1)), (stream, versions)
            mine = sorted(
                (version, event_id)
                for event_id, (stream_id, version, _) in ledger.acknowledged.items()
                if stream_id == stream.stream_id
            )
            assert [(e["version"], e["event_id"]) for e in events] == mine, stream

        # The worker brings every view to the head; a rebuild reproduces every checksum.
        statuses = wait_converged(clients[0], head, worker)
        for status in statuses:
            name = status["name"]
            before = checksum(clients[0], name)
            assert before[0] == head, (name, before)
            rebuilt = run_cli("rebuild", name, "--database-url", url, env=clean_env(), cwd=tmp_path)
            assert rebuilt.returncode == 0, flat(rebuilt.stdout + rebuilt.stderr)
            assert f"rebuilt to position {head}" in flat(rebuilt.stdout + rebuilt.stderr)
            assert checksum(clients[1], name) == before, f"{name}: rebuild changed the checksum"

        # Every process stops on SIGTERM in time, not killed (uvicorn re-raises the signal after
        # its graceful shutdown, so an API process ends "by SIGTERM").
        for process in everyone:
            code = stop(process.popen)
            assert code in (0, -signal.SIGTERM), f"{process.name}: exit {code}\n{process.log()}"

    print(  # shown with pytest -s: the size of the run
        f"{len(log)} events, {len(ledger.by_key)} idempotency keys,"
        f" workload {workload_seconds:.1f} s"
    )
