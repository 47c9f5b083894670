"""``migrate`` as a real process on a fresh PostgreSQL database, and ``serve``'s refusals on start.

PostgreSQL is shared by several processes, so its schema changes only when ``migrate`` runs; a
process refuses a missing or newer schema, and an unreachable database, with a message and no
traceback, within a bounded time.
"""

from __future__ import annotations

import time
from pathlib import Path
from subprocess import CompletedProcess

import psycopg
import pytest
from production_support import clean_env, flat, free_port, run_cli

from store.schema import SCHEMA_VERSION

pytestmark = pytest.mark.postgres

UNREACHABLE_TIMEOUT = 30.0


def output_of(result: CompletedProcess[str]) -> str:
    """Both streams, with the console's line wrapping undone."""
    return flat(result.stdout + "\n" + result.stderr)


def serve(url: str, cwd: Path, **settings: str) -> CompletedProcess[str]:
    """``serve`` on a free port; it must refuse to start, so it is bounded in time."""
    env = clean_env(NT_LOAD_DEMO_WHEN_EMPTY="false", **settings)
    return run_cli(
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(free_port()),
        "--database-url",
        url,
        env=env,
        timeout=UNREACHABLE_TIMEOUT + 15,
        cwd=cwd,
    )


def assert_refused(result: CompletedProcess[str], *expected: str) -> str:
    """A clean refusal: non-zero exit, the expected words, no traceback."""
    output = output_of(result)
    assert result.returncode != 0, f"exit code 0:\n{output}"
    assert "Traceback" not in output, output
    for words in expected:
        assert words in output, f"{words!r} not in:\n{output}"
    return output


def schema_version(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute("SELECT version FROM nt_schema WHERE id = 1").fetchone()
    assert row is not None
    return int(row[0])


@pytest.mark.slow
def test_migrate_creates_the_schema_once_and_serve_refuses_what_it_cannot_use(
    fresh_url: str, tmp_path: Path
) -> None:
    # No schema: serve refuses and says to migrate.
    assert_refused(serve(fresh_url, tmp_path), "migrate")

    # migrate creates the schema...
    created = run_cli("migrate", "--database-url", fresh_url, env=clean_env(), cwd=tmp_path)
    output = output_of(created)
    assert created.returncode == 0, output
    assert "Traceback" not in output, output
    assert f"none -> {SCHEMA_VERSION}" in output, output
    assert schema_version(fresh_url) == SCHEMA_VERSION

    # ...and running it again changes nothing.
    again = run_cli("migrate", "--database-url", fresh_url, env=clean_env(), cwd=tmp_path)
    output = output_of(again)
    assert again.returncode == 0, output
    assert "up to date" in output, output
    assert "->" not in output, output
    assert schema_version(fresh_url) == SCHEMA_VERSION

    # A schema from a newer release: serve refuses, and migrate does not downgrade it.
    with psycopg.connect(fresh_url, autocommit=True) as conn:
        conn.execute("UPDATE nt_schema SET version = 99 WHERE id = 1")
    assert_refused(serve(fresh_url, tmp_path), "newer than this release")
    downgrade = run_cli("migrate", "--database-url", fresh_url, env=clean_env(), cwd=tmp_path)
    assert_refused(downgrade, "newer than this release")
    assert schema_version(fresh_url) == 99


@pytest.mark.slow
def test_serve_gives_up_on_an_unreachable_database_in_bounded_time(tmp_path: Path) -> None:
    database = "nt_mp_unreachable"
    url = f"postgresql://postgres@127.0.0.1:1/{database}"
    started = time.monotonic()
    result = serve(url, tmp_path, NT_CONNECT_TIMEOUT_SECONDS="1")
    elapsed = time.monotonic() - started
    output = assert_refused(result, "127.0.0.1:1", database)
    assert elapsed < UNREACHABLE_TIMEOUT, f"gave up only after {elapsed:.1f} s:\n{output}"
