"""A rebuild reproduces the incremental view exactly, and readers keep the old view until the swap."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from log_generator import LogGenerator
from support import (
    BACKEND,
    VIEWS,
    append,
    body,
    count,
    digests,
    fresh_projector,
    opened,
    talks,
    timeline,
)

from application.components import Components
from projections.projector import Projector
from store.settings import Settings

CLI = Path(sys.executable).parent / "negotiation-timeline"


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


def test_views_caught_up_in_small_batches_equal_their_rebuilds_over_thousands_of_events(
    store: Components,
) -> None:
    generated = LogGenerator(store.service, seed=2025).run(3000)
    head = store.service.head()
    assert head == generated.events == 3000
    projector = fresh_projector(store, batch_size=37)
    assert projector.catch_up() == 3000 * len(VIEWS)
    incremental = digests(projector)
    assert {position for position, _ in incremental.values()} == {head}
    assert count(store.application.database, "view_statements") == generated.quotes

    for name in VIEWS:
        assert projector.rebuild(name, batch_size=450) == head
        assert projector.digest(name) == incremental[name], name
    for name in VIEWS:  # and again: the swapped-in tables leave nothing in the next one's way
        assert projector.rebuild(name) == head
    assert digests(projector) == incremental
    assert {s.state for s in projector.statuses()} == {"running"}


def test_all_views_rebuilt_in_one_pass_equal_their_incremental_views(store: Components) -> None:
    LogGenerator(store.service, seed=7).run(1200)
    head = store.service.head()
    projector = fresh_projector(store, batch_size=53)
    projector.catch_up()
    incremental = digests(projector)
    assert projector.rebuild_views(list(VIEWS), batch_size=211) == head
    assert digests(projector) == incremental
    assert {(s.state, s.position, s.rebuild_position) for s in projector.statuses()} == {
        ("running", head, None)
    }


@pytest.fixture
def caught_up(store: Components) -> Projector:
    LogGenerator(store.service, seed=3).run(600, talks_count=2, batch=60)
    store.projector.catch_up()
    return store.projector


def test_readers_see_the_complete_old_view_until_the_rebuilt_one_is_swapped_in(
    store: Components, caught_up: Projector
) -> None:
    db = store.application.database
    old_rows, old_digest = timeline(db), caught_up.digest("timeline")
    talks_id = old_rows[0]["talks_id"]
    seen: list[int] = []

    def read_while_rebuilding(position: int, head: int) -> None:
        if not seen:  # appended during the rebuild, not applied to the live view
            later = body("MediatorRoleAssumed", {"mediator": "Late mediator"})
            append(store.service, "talks", talks_id, later)
        seen.append(position)
        assert timeline(db) == old_rows
        assert caught_up.digest("timeline") == old_digest
        [status] = [s for s in caught_up.statuses() if s.name == "timeline"]
        assert (status.state, status.position, status.rebuild_position) == (
            "rebuilding",
            600,
            position,
        )
        assert head == (600 if len(seen) == 1 else 601)

    assert caught_up.rebuild("timeline", progress=read_while_rebuilding, batch_size=100) == 601
    assert seen == [100, 200, 300, 400, 500, 600, 601]
    [status] = [s for s in caught_up.statuses() if s.name == "timeline"]
    assert (status.state, status.position, status.rebuild_position) == ("running", 601, None)
    assert len(timeline(db)) == 601
    assert timeline(db, actor="Late mediator")[0]["position"] == 601


def test_a_view_rebuilt_while_the_live_one_moves_on_ends_at_the_head_without_duplicates(
    store: Components, caught_up: Projector
) -> None:
    talks_id = timeline(store.application.database)[0]["talks_id"]

    def append_and_follow(position: int, head: int) -> None:
        if position <= 600:  # while the rebuild runs, the log grows and the live views follow
            mediator = body("MediatorRoleAssumed", {"mediator": "M"})
            append(store.service, "talks", talks_id, mediator)
            assert caught_up.catch_up() == len(VIEWS)

    caught_up.rebuild("statements", progress=append_and_follow, batch_size=200)
    caught_up.catch_up()
    head = store.service.head()
    assert head > 600
    rebuilt = caught_up.digest("statements")
    assert rebuilt[0] == head
    caught_up.rebuild("statements")
    assert caught_up.digest("statements") == rebuilt
    assert caught_up.digest("timeline")[0] == head
    assert count(store.application.database, "view_timeline") == head


# The command line (a SQLite file the processes share)


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NT_")}
    return subprocess.run(
        [str(CLI), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
@pytest.mark.sqlite_only
@pytest.mark.skipif(BACKEND != "sqlite", reason="the CLI test runs on the SQLite default")
def test_the_rebuild_command_rebuilds_a_view_to_the_head_and_says_so(
    settings: Settings,
) -> None:
    with opened(settings) as components:
        LogGenerator(components.service, seed=5).run(300, talks_count=1, batch=50)
        components.projector.catch_up()
        before = components.projector.digest("timeline")

    done = cli("rebuild", "timeline", "--data-dir", str(settings.data_dir))
    assert done.returncode == 0, done.stderr
    assert "timeline: rebuilt to position 300." in done.stdout + done.stderr

    with opened(settings) as components:
        assert components.projector.digest("timeline") == before
    unknown = cli("rebuild", "no-such-view", "--data-dir", str(settings.data_dir))
    assert unknown.returncode == 2
    assert "no-such-view" in unknown.stdout + unknown.stderr


@pytest.mark.slow
@pytest.mark.sqlite_only
@pytest.mark.skipif(BACKEND != "sqlite", reason="the CLI test runs on the SQLite default")
def test_the_checksum_command_prints_what_the_api_answers(
    settings: Settings, client: TestClient
) -> None:
    service = client.app.state.service  # type: ignore[attr-defined]
    talks_id = talks(service)
    last = append(service, "talks", talks_id, body("MediatorRoleAssumed", {"mediator": "Türkiye"}))
    assert client.get("/timeline", params={"min_position": last.position}).status_code == 200
    api = client.get("/projections/timeline/checksum").json()
    assert api["position"] == last.position

    done = cli("checksum", "timeline", "--data-dir", str(settings.data_dir))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"timeline {api['position']} {api['checksum']}"
    projector = client.app.state.components.projector  # type: ignore[attr-defined]
    assert projector.digest("timeline") == (api["position"], api["checksum"])
