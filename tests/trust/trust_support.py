"""Shared pieces of the trust tests: the app's routes, and a server process we fully control.

``helpers.running_server`` starts ``serve`` with a fixed environment and keeps its output to
itself; these tests need to pass settings through the environment (a small body limit), read the
server's own log lines, and kill it with SIGKILL, so they start the process themselves.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import helpers
import httpx
from fastapi import FastAPI
from fastapi.routing import APIRoute
from helpers import CLI, cli_env, cli_store_args, free_port, stop

from store.settings import Settings

#: The backend under test, as tests/conftest.py reads it.
BACKEND = os.environ.get("NT_TEST_BACKEND", "sqlite")
#: tests/conftest.py's issue_key, as helpers imported it: when the whole suite runs, a bare
#: ``from conftest import`` may find another folder's conftest.py under the same module name.
issue_key = helpers.issue_key
WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
START_TIMEOUT = 30.0


@dataclass(frozen=True)
class Operation:
    """One method on one route template of the app."""

    method: str
    path: str

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


def api_operations(app: FastAPI) -> list[Operation]:
    """Every (method, path) of every APIRoute of the app, routers included, sorted.

    FastAPI may keep included routers as route groups (``effective_route_contexts``) rather than
    flattening them into ``app.routes``; both shapes are walked.
    """
    found: set[Operation] = set()
    for route in app.routes:
        if isinstance(route, APIRoute):
            found.update(Operation(m, route.path) for m in route.methods)
            continue
        contexts = getattr(route, "effective_route_contexts", None)
        if contexts is None:
            continue
        for context in contexts():
            if isinstance(context.original_route, APIRoute):
                found.update(Operation(m, context.path) for m in context.methods)
    return sorted(found, key=lambda op: (op.path, op.method))


@dataclass
class Server:
    """A ``negotiation-timeline serve`` process and where its output goes."""

    base_url: str
    port: int
    output: Path
    process: subprocess.Popen[bytes] | None = None

    def log_lines(self) -> list[str]:
        """Everything the process wrote (stdout and stderr), line by line."""
        return self.output.read_text(encoding="utf-8", errors="replace").splitlines()


def start_server(
    settings: Settings,
    output: Path,
    *,
    port: int | None = None,
    env: dict[str, str] | None = None,
    ready_path: str = "/healthz",
    timeout: float = START_TIMEOUT,
) -> Server:
    """Start ``serve`` on the test's store (appending its output to ``output``); wait until ready."""
    port = port or free_port()
    server = Server(f"http://127.0.0.1:{port}", port, output)
    command = [str(CLI), "serve", "--port", str(port), *cli_store_args(settings)]
    environment = cli_env(load_demo=False) | (env or {})
    with output.open("ab") as sink:
        server.process = subprocess.Popen(
            command, env=environment, stdout=sink, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            break
        try:
            response = httpx.get(server.base_url + ready_path, timeout=2.0)
            if response.status_code == 200:
                return server
            last = f"{response.status_code} {response.text[:200]}"
        except httpx.HTTPError as error:
            last = repr(error)
        time.sleep(0.05)
    kill(server)
    log = "\n".join(server.log_lines()[-40:])
    msg = f"server not ready at {server.base_url} (last: {last}):\n{log}"
    raise AssertionError(msg)


def kill(server: Server) -> None:
    """SIGKILL the server process (if it still runs) and reap it."""
    process = server.process
    if process is None or process.poll() is not None:
        return
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def terminate(server: Server) -> None:
    """Stop the server process gracefully (SIGTERM, then SIGKILL after a bound)."""
    if server.process is not None:
        stop(server.process)


@contextmanager
def server_process(
    settings: Settings, output: Path, *, env: dict[str, str] | None = None
) -> Iterator[Server]:
    """A server process for the duration of a block; always stopped on exit."""
    server = start_server(settings, output, env=env)
    try:
        yield server
    finally:
        terminate(server)
        kill(server)
