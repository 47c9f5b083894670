"""Fixtures on real storage: a SQLite file per test, or PostgreSQL with NT_TEST_BACKEND=postgres.

With NT_REQUIRE_POSTGRES=1 (set by .ci/run) an unreachable PostgreSQL fails the run instead of
skipping its tests.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from helpers import issue_key

from api.app import create_app
from application.service import TimelineService
from entrypoints.bootstrap import migrate
from store.application import TimelineApplication
from store.keys import Role
from store.settings import Settings

BACKEND = os.environ.get("NT_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "NT_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
# One database per test session, so that concurrent runs on one machine never collide.
PG_DATABASE = os.environ.get("NT_TEST_PG_DATABASE", f"nt_test_{os.getpid()}")
PG_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{PG_DATABASE}"
REQUIRE_POSTGRES = os.environ.get("NT_REQUIRE_POSTGRES") == "1"


def _postgres_problem() -> str | None:
    """Why PostgreSQL can't be used, or None; creates the session's test database afresh.

    A fresh database keeps tables left by an older version of the code (the same cluster
    serves every run on a machine) from leaking into this run.
    """
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}"')
    except psycopg.Error as error:
        return f"PostgreSQL not reachable at {PG_ADMIN_URL}: {error}"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The session's PostgreSQL test database; skips (or, in CI, fails) when unreachable."""
    problem = _postgres_problem()
    if problem:
        if REQUIRE_POSTGRES:
            pytest.fail(problem)
        pytest.skip(problem)
    migrate(Settings(database_url=PG_URL))
    yield PG_URL
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{PG_DATABASE}" WITH (FORCE)')


KEPT = ("nt_schema", "nt_projection_tracking")


def truncate_postgres(url: str) -> None:
    """Empty the test database (migrated once per session) and restart its sequences.

    The schema version stays, and each view's tracking row goes back to position 0.
    """
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
            if row[0] not in KEPT
        ]
        if tables:
            names = ", ".join(f'"{name}"' for name in tables)
            conn.execute(f"TRUNCATE {names} RESTART IDENTITY")
        conn.execute(
            "UPDATE nt_projection_tracking SET position = 0, state = 'running',"
            " last_error = NULL, rebuild_position = NULL"
        )


@pytest.fixture
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    """Settings on a fresh store of the backend under test."""
    if BACKEND == "postgres":
        url = request.getfixturevalue("postgres_url")
        truncate_postgres(url)
        return Settings(data_dir=tmp_path, database_url=url, load_demo_when_empty=False)
    return Settings(data_dir=tmp_path, load_demo_when_empty=False)


@pytest.fixture
def service(settings: Settings) -> Iterator[TimelineService]:
    """The timeline service on its own application, closed after the test."""
    application = TimelineApplication(settings.eventsourcing_env())
    try:
        yield TimelineService(application)
    finally:
        application.close()


@pytest.fixture
def admin_token(settings: Settings) -> str:
    """An admin key's token on the test's store."""
    return issue_key(settings, "admin")


@pytest.fixture
def key_for(settings: Settings) -> Callable[[Role], str]:
    """Issue a key of any role on the test's store."""
    return lambda role: issue_key(settings, role, f"tests-{role}")


@pytest.fixture
def client(settings: Settings, admin_token: str) -> Iterator[TestClient]:
    """The real app, its lifespan entered, on the test's store, as an admin."""
    headers = {"Authorization": f"Bearer {admin_token}"}
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False, headers=headers) as test_client:
        yield test_client


@pytest.fixture
def anonymous(settings: Settings) -> Iterator[TestClient]:
    """The real app on the test's store, with no API key."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as test_client:
        yield test_client
