"""What every benchmark shares: fresh stores, real server processes, the load generator, figures.

Everything talks to 127.0.0.1 only. A fresh store is a temporary data directory (SQLite) or a
fresh PostgreSQL database ``nt_bench_<random>`` (created, migrated with the real CLI, dropped on
exit). Servers are real ``negotiation-timeline serve`` processes on a free port, always stopped
in ``finally`` blocks.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import psycopg
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from application.components import Components
from entrypoints import bootstrap
from store.keys import KeyStore
from store.settings import Settings

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
CLI = str(BIN / "negotiation-timeline")
PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
PG_ADMIN = f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname=postgres connect_timeout=5"
START_TIMEOUT = 60.0
STOP_TIMEOUT = 10.0
LOCAL = "127.0.0.1"

BACKENDS = ("sqlite", "postgres")


# Figures


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def summary_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p90, p99 and max of latencies given in seconds, in milliseconds."""
    return {
        "n": len(seconds),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 3),
        "p90_ms": round(percentile(seconds, 0.90) * 1000, 3),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 3),
        "max_ms": round(max(seconds) * 1000, 3) if seconds else math.nan,
    }


def median(values: Sequence[float]) -> float:
    """The median (NaN for none)."""
    return statistics.median(values) if values else math.nan


@dataclass
class Result:
    """One figure with its target: what the runner prints and writes."""

    bench: str
    metric: str
    value: float
    unit: str
    target: str = ""
    passed: bool | None = None
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "bench": self.bench,
            "metric": self.metric,
            "value": self.value,
            "unit": self.unit,
            "target": self.target,
            "status": {True: "PASS", False: "MISS", None: "info"}[self.passed],
            "detail": self.detail,
        }


def at_least(value: float, floor: float) -> bool:
    return not math.isnan(value) and value >= floor


def at_most(value: float, ceiling: float) -> bool:
    return not math.isnan(value) and value <= ceiling


# Request bodies


def event_body(
    event_type: str, data: dict[str, Any], *, day: str = "2025-06-02", **extra: Any
) -> dict[str, Any]:
    """A valid body for any event type."""
    return {
        "type": event_type,
        "data": data,
        "occurred": {"precision": "day", "value": day},
        "sources": [{"outlet": "Bench Wire", "quote": "as reported"}],
        **extra,
    }


def talks_body(title: str, stream_id: str | None = None) -> dict[str, Any]:
    """A TalksProposed body for POST /talks."""
    body = event_body("TalksProposed", {"title": title, "parties": ["Ukraine", "Russia"]})
    if stream_id is not None:
        body["id"] = stream_id
    return body


def mediator_body(client: int, day: str = "2025-06-02") -> dict[str, Any]:
    """A MediatorRoleAssumed body: the same mediator each time, so the state stays small."""
    return event_body(
        "MediatorRoleAssumed", {"mediator": f"Mediator {client}", "role": "host"}, day=day
    )


# Stores


@dataclass
class Target:
    """One fresh store of one backend: its NT_* environment and a scratch directory."""

    backend: str
    env: dict[str, str]
    workdir: Path
    database: str | None = None

    def settings(self) -> Settings:
        return Settings(
            data_dir=Path(self.env["NT_DATA_DIR"]),
            database_url=self.env["NT_DATABASE_URL"],
            load_demo_when_empty=False,
        )

    @contextlib.contextmanager
    def components(self, *, follow: bool = False) -> Iterator[Components]:
        """The service's own components on this store, in this process."""
        built = bootstrap.build(self.settings(), follow=follow)
        try:
            yield built
        finally:
            built.close()

    def token(self, role: str = "admin") -> str:
        """A new API key's token, created in this store."""
        with self.components() as built:
            _, token = KeyStore(built.application.database).create(role, "bench")  # type: ignore[arg-type]
        return token

    def library_env(self) -> dict[str, str]:
        """The eventsourcing environment of a bare library application beside this store.

        SQLite: its own file (the library's table names are fixed); PostgreSQL: this database,
        in tables of its own name. No index, no idempotency: the library's own recorder.
        """
        env = self.settings().eventsourcing_env()
        env.pop("APPLICATION_RECORDER_TOPIC", None)
        if self.backend == "sqlite":
            env["SQLITE_DBNAME"] = str(self.workdir / "library.db")
        else:
            env["CREATE_TABLE"] = "y"
        return env


def pg_admin(statement: str) -> None:
    """Run one statement on the maintenance database (autocommit)."""
    with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
        conn.execute(statement)  # type: ignore[arg-type]


def postgres_available() -> bool:
    try:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error:
        return False
    return True


@contextlib.contextmanager
def fresh_store(backend: str) -> Iterator[Target]:
    """A fresh, empty, migrated store; removed (database dropped) on exit."""
    workdir = Path(tempfile.mkdtemp(prefix="nt_bench_"))
    database = None
    try:
        if backend == "sqlite":
            env = {"NT_DATA_DIR": str(workdir / "data"), "NT_DATABASE_URL": ""}
        else:
            database = f"nt_bench_{secrets.token_hex(4)}"
            pg_admin(f'CREATE DATABASE "{database}"')
            url = f"postgresql://{PG_USER}@{PG_HOST}:{PG_PORT}/{database}"
            env = {"NT_DATA_DIR": str(workdir / "data"), "NT_DATABASE_URL": url}
        target = Target(backend, env, workdir, database)
        migrate = subprocess.run(
            [CLI, "migrate"],
            env=process_env(target),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if migrate.returncode != 0:
            msg = f"migrate failed: {migrate.stderr.strip()}"
            raise RuntimeError(msg)
        yield target
    finally:
        if database is not None:
            with contextlib.suppress(psycopg.Error):
                pg_admin(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        shutil.rmtree(workdir, ignore_errors=True)


def process_env(target: Target, **extra: str) -> dict[str, str]:
    """The environment of a service process on this store."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NT_")}
    env.update(target.env)
    env.update(
        NT_LOAD_DEMO_WHEN_EMPTY="false",
        NT_CONNECT_TIMEOUT_SECONDS="10",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


# Processes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((LOCAL, 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    """A server process on 127.0.0.1."""

    url: str
    proc: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def rss_mb(self) -> float:
        return rss_mb(self.pid)

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


def rss_mb(pid: int) -> float:
    """Resident set size of a process (VmRSS), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return math.nan


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM, a bounded wait, then SIGKILL: only this process, by its id."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(STOP_TIMEOUT)


@contextlib.contextmanager
def running(
    argv: list[str], env: dict[str, str], log: Path, health: str = "/healthz"
) -> Iterator[Server]:
    """Start a server process on a free port and wait until ``health`` answers 200."""
    port = free_port()
    url = f"http://{LOCAL}:{port}"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [*argv, "--host", LOCAL, "--port", str(port)],
            env=env,
            cwd=REPO,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(url, proc, log)
    try:
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=url, timeout=2.0) as client:
            while True:
                if proc.poll() is not None:
                    msg = f"server exited with {proc.returncode}:\n{server.log_tail()}"
                    raise RuntimeError(msg)
                try:
                    if client.get(health).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    msg = f"server not ready within {START_TIMEOUT:.0f} s:\n{server.log_tail()}"
                    raise RuntimeError(msg)
                time.sleep(0.1)
        yield server
    finally:
        stop_process(proc)


@contextlib.contextmanager
def service_server(target: Target, name: str = "server", **extra_env: str) -> Iterator[Server]:
    """``negotiation-timeline serve`` on this store (demo not loaded)."""
    with running(
        [CLI, "serve"], process_env(target, **extra_env), target.workdir / f"{name}.log"
    ) as server:
        yield server


@contextlib.contextmanager
def bare_server(workdir: Path) -> Iterator[Server]:
    """uvicorn serving bench/bare_app.py: FastAPI with an endpoint that does nothing."""
    argv = [sys.executable, "-m", "uvicorn", "bench.bare_app:app", "--no-access-log"]
    argv += ["--log-level", "warning"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("NT_")}
    with running(argv, env, workdir / "bare.log") as server:
        yield server


# The load generator: a process of its own (bench/loadgen.py)


@dataclass
class LoadSpec:
    """What each client of the load generator sends, for how long."""

    base_url: str
    clients: list[dict[str, Any]]
    headers: dict[str, str] = field(default_factory=dict)
    duration: float = 8.0
    warmup: float = 0.5
    max_requests_per_client: int = 100_000
    timeout: float = 10.0

    def to_json(self) -> str:
        return json.dumps(self.__dict__)


def load_command(spec: LoadSpec) -> list[str]:
    """The load generator's command line; its spec goes in a file of its own."""
    handle, name = tempfile.mkstemp(prefix="nt_bench_load_", suffix=".json")
    with os.fdopen(handle, "w") as out:
        out.write(spec.to_json())
    return [sys.executable, "-m", "bench.loadgen", name]


def load_result(argv: list[str], returncode: int, out: str, err: str) -> dict[str, Any]:
    Path(argv[-1]).unlink(missing_ok=True)
    if returncode != 0:
        msg = f"load generator failed: {err.strip()[-2000:]}"
        raise RuntimeError(msg)
    result: dict[str, Any] = json.loads(out)
    return result


def run_load(spec: LoadSpec) -> dict[str, Any]:
    """Run the load generator to completion and return its figures."""
    argv = load_command(spec)
    try:
        done = subprocess.run(
            argv,
            capture_output=True,
            text=True,
            cwd=REPO,
            timeout=spec.warmup + spec.duration + 60,
            check=False,
        )
    finally:
        Path(argv[-1]).unlink(missing_ok=True)
    return load_result(argv, done.returncode, done.stdout, done.stderr)


@contextlib.contextmanager
def background_load(spec: LoadSpec) -> Iterator[Callable[[], dict[str, Any]]]:
    """Start the load generator; the callable waits for and returns its figures."""
    argv = load_command(spec)
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        text=True,
    )

    def finish() -> dict[str, Any]:
        out, err = proc.communicate(timeout=spec.warmup + spec.duration + 60)
        return load_result(argv, proc.returncode, out, err)

    try:
        yield finish
    finally:
        if proc.poll() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.communicate(timeout=spec.warmup + spec.duration + 30)
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        Path(argv[-1]).unlink(missing_ok=True)


# HTTP helpers (main process, sequential)


def client(server: Server, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url, headers=headers, timeout=30.0)


def create_talks(http: httpx.Client, count: int, prefix: str = "bench") -> list[str]:
    """Open ``count`` Talks over HTTP; their ids."""
    ids = []
    for index in range(count):
        response = http.post("/talks", json=talks_body(f"{prefix} talks {index}"))
        response.raise_for_status()
        ids.append(response.json()["stream_id"])
    return ids


# The library alone


class Counter(Aggregate):
    """The smallest aggregate: one simple event."""

    @event("Incremented")
    def increment(self, amount: int) -> None:
        self.total = getattr(self, "total", 0) + amount


class LibraryApp(Application[UUID]):
    """A bare library application (own tables), for the baselines."""

    name = "BenchLibrary"


@contextlib.contextmanager
def library(target: Target) -> Iterator[LibraryApp]:
    app = LibraryApp(target.library_env())
    try:
        yield app
    finally:
        app.close()


def library_save_rate(
    target: Target, per_save: int, *, seconds: float, max_events: int
) -> dict[str, float]:
    """Events/s of the library saving ``per_save`` events per transaction, one thread."""
    with library(target) as app:
        counter = Counter()
        app.save(counter)
        saved = 0
        started = time.perf_counter()
        deadline = started + seconds
        while saved < max_events and time.perf_counter() < deadline:
            for _ in range(per_save):
                counter.increment(1)
            app.save(counter)
            saved += per_save
        elapsed = time.perf_counter() - started
    return {"events": saved, "seconds": round(elapsed, 3), "events_per_s": saved / elapsed}


def settle(server: Server, timeout: float = 60.0) -> float:
    """Wait (bounded) until every view has caught up with the log; seconds waited."""
    started = time.monotonic()
    with httpx.Client(base_url=server.url, timeout=10.0) as http:
        while time.monotonic() - started < timeout:
            statuses = http.get("/projections").json()
            if all(s["lag_events"] == 0 or s["state"] == "failed" for s in statuses):
                break
            time.sleep(0.1)
    return time.monotonic() - started
