"""Helpers of the production tests: the compose file, the CLI as a process, fresh databases.

Kept in this folder (and named apart from other folders' helpers) so that the production tests
depend only on the repository's deployment files and the installed console script.
"""

from __future__ import annotations

import json
import os
import shlex
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import psycopg
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
#: The installed console script, next to the interpreter running the tests.
CLI = Path(sys.executable).parent / "negotiation-timeline"
PROGRAM = "negotiation-timeline"
DATABASE_PREFIX = "nt_mp_"
STOP_TIMEOUT = 10.0


# The deployment files


@cache
def compose() -> dict[str, Any]:
    """The compose file, parsed (anchors and merge keys resolved by the YAML loader)."""
    document = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    assert isinstance(document, dict), "docker-compose.yml is not a mapping"
    return document


def services() -> dict[str, dict[str, Any]]:
    """The compose services by name."""
    found = compose().get("services")
    assert isinstance(found, dict), "docker-compose.yml has no services"
    return found


def as_argv(value: Any) -> list[str]:
    """A compose or Dockerfile command (exec list or shell string) as an argument list."""
    if isinstance(value, str):
        return shlex.split(value)
    assert isinstance(value, list), f"not a command: {value!r}"
    return [str(item) for item in value]


@cache
def dockerfile_instructions() -> dict[str, list[str]]:
    """The Dockerfile's ENTRYPOINT and CMD (the last of each wins), as exec-form lists."""
    found: dict[str, list[str]] = {}
    for line in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        instruction, _, rest = stripped.partition(" ")
        if instruction.upper() in ("ENTRYPOINT", "CMD"):
            rest = rest.strip()
            assert rest.startswith("["), f"{instruction} is not in exec form: {line!r}"
            found[instruction.upper()] = [str(item) for item in json.loads(rest)]
    return found


def entrypoint_of(service: Mapping[str, Any]) -> list[str]:
    """The service's entrypoint: its own, or the image's from the Dockerfile."""
    if "entrypoint" in service:
        return as_argv(service["entrypoint"])
    return dockerfile_instructions()["ENTRYPOINT"]


def command_of(service: Mapping[str, Any]) -> list[str]:
    """The service's command: its own, or the image's CMD from the Dockerfile."""
    if "command" in service:
        return as_argv(service["command"])
    return dockerfile_instructions()["CMD"]


def compose_cli_args(name: str) -> list[str]:
    """The CLI arguments a compose service runs (its command, without the entrypoint)."""
    service = services()[name]
    assert entrypoint_of(service) == [PROGRAM], f"{name} does not run {PROGRAM}"
    return command_of(service)


# Processes


def clean_env(**settings: str) -> dict[str, str]:
    """This environment without any NT_ setting, plus ``settings``; wide, plain console output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("NT_")}
    env.update(COLUMNS="200", NO_COLOR="1", TERM="dumb")
    env.update(settings)
    return env


def run_cli(
    *args: str, env: Mapping[str, str] | None = None, timeout: float = 60.0, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run the console script to completion, capturing its output as text."""
    return subprocess.run(
        [str(CLI), *args],
        env=dict(env) if env is not None else clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )


def flat(text: str) -> str:
    """Text with every run of whitespace made one space (the console wraps long lines)."""
    return " ".join(text.split())


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop(process: subprocess.Popen[bytes], timeout: float = STOP_TIMEOUT) -> int:
    """SIGTERM a process we started, SIGKILL it if it does not stop in time; its exit code."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=timeout)
    return process.returncode


def tail(output: BinaryIO, limit: int = 3000) -> str:
    """The end of a process's captured output."""
    output.flush()
    output.seek(0)
    return output.read().decode(errors="replace")[-limit:]


# Databases


def database_url(base_url: str, name: str) -> str:
    """The URL of database ``name`` on the server of ``base_url``."""
    return base_url.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def fresh_database(base_url: str) -> Iterator[str]:
    """A new, empty database ``nt_mp_<random>`` on the server of ``base_url``, dropped after."""
    name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:12]}"
    with psycopg.connect(base_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(base_url, name)
    finally:
        with psycopg.connect(base_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# Request bodies


def source(quote: str = "as reported") -> dict[str, Any]:
    """A minimal valid source."""
    return {"outlet": "Production Wire", "quote": quote}


def event_body(event_type: str, data: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    """A valid body for an event type, given its data."""
    body: dict[str, Any] = {
        "type": event_type,
        "data": data,
        "occurred": {"precision": "day", "value": "2025-06-02"},
        "sources": [source()],
    }
    return body | overrides


def talks_body(title: str) -> dict[str, Any]:
    """A TalksProposed body (POST /talks)."""
    return event_body("TalksProposed", {"title": title, "parties": ["Ukraine", "Russia"]})


def position_body(talks_id: str, party: str) -> dict[str, Any]:
    """A PositionTaken body (POST /positions) for an existing Talks."""
    return event_body("PositionTaken", {"talks_id": talks_id, "party": party, "summary": "terms"})


def talks_event(n: int) -> dict[str, Any]:
    """An event that any Talks accepts any number of times (varied by ``n``)."""
    match n % 3:
        case 0:
            return event_body("MediatorRoleAssumed", {"mediator": f"Mediator {n % 7}"})
        case 1:
            return event_body(
                "MediatorConsulted",
                {"party": "Ukraine", "mediator": "Türkiye", "participants": [f"Envoy {n}"]},
            )
        case _:
            return event_body(
                "DocumentExchanged",
                {"title": f"Draft {n}", "from_party": "Russia", "to_party": "Ukraine"},
            )


def position_event(n: int) -> dict[str, Any]:
    """An event that any Position accepts any number of times (varied by ``n``)."""
    if n % 2:
        return event_body(
            "StatementMade",
            {"speaker": f"Speaker {n % 5}", "subject": "the talks"},
            sources=[source(f"statement number {n}")],
        )
    return event_body("DemandMade", {"demand": f"Demand {n}", "addressee": "Russia"})
