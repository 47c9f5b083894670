"""A rebuild killed with SIGKILL is cleaned up when a process next starts to follow the log."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from uuid import UUID

import httpx
import pytest
from helpers import CLI, cli_env, cli_store_args, mediator_role, talks_body
from trust.trust_support import server_process

from application.event_input import CreateIn, EventIn, new_event
from application.service import TimelineService
from entrypoints.bootstrap import build
from store.rebuild_lock import RebuildLock
from store.settings import Settings

pytestmark = pytest.mark.slow
EVENTS = 12_000


def _fill(settings: Settings) -> None:
    """A log long enough that a rebuild takes several batches."""
    components = build(settings, follow=False)
    try:
        service: TimelineService = components.service
        talks_id = UUID(service.create("talks", new_event("talks", CreateIn.model_validate(
            talks_body()))).stream_id)  # fmt: skip
        for start in range(0, EVENTS, 500):
            batch = [
                new_event("talks", EventIn.model_validate(mediator_role(f"M{i}")))
                for i in range(start, start + 500)
            ]
            service.append("talks", talks_id, batch)
    finally:
        components.close()


def _tracking_and_leftovers(settings: Settings) -> tuple[dict[str, dict[str, object]], list[str]]:
    components = build(settings, follow=False)
    try:
        db = components.application.database
        rows = {r["view"]: r for r in db.query("SELECT * FROM nt_projection_tracking")}
        if settings.is_postgres():
            tables = db.query("SELECT tablename AS name FROM pg_tables WHERE schemaname='public'")
        else:
            tables = db.query("SELECT name FROM sqlite_master WHERE type = 'table'")
        return rows, sorted(t["name"] for t in tables if t["name"].endswith("__next"))
    finally:
        components.close()


def _killed_mid_rebuild(settings: Settings) -> None:
    process = subprocess.Popen(
        [str(CLI), "rebuild", *cli_store_args(settings)],
        env=cli_env(load_demo=False), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            rows, _ = _tracking_and_leftovers(settings)
            if any((r["rebuild_position"] or 0) > 0 for r in rows.values()):  # type: ignore[operator]
                break
            assert process.poll() is None, "the rebuild ended before it could be killed"
            time.sleep(0.02)
        os.kill(process.pid, signal.SIGKILL)
    finally:
        process.wait(timeout=10)


def test_a_sigkilled_rebuild_is_cleaned_up_on_start(settings: Settings, tmp_path: Path) -> None:
    _fill(settings)
    _killed_mid_rebuild(settings)
    rows, leftovers = _tracking_and_leftovers(settings)
    assert {r["state"] for r in rows.values()} == {"rebuilding"}
    assert leftovers  # the half-built tables are there
    with server_process(settings, tmp_path / "server.log") as server:
        views = httpx.get(server.base_url + "/projections", timeout=10).json()
    assert {v["state"] for v in views} == {"running"}
    assert {v["rebuild_position"] for v in views} == {None}
    for view in views:
        assert "rebuild interrupted at position" in view["last_error"], view
    assert _tracking_and_leftovers(settings)[1] == []


def test_a_rebuild_in_progress_elsewhere_is_left_alone(settings: Settings) -> None:
    components = build(settings, follow=False)
    try:
        with components.application.database.transaction() as tx:
            tx.execute(
                "UPDATE nt_projection_tracking SET state = 'rebuilding', rebuild_position = 7"
            )
    finally:
        components.close()
    with RebuildLock(settings).rebuilding():  # as another process's rebuild holds it
        following = build(settings, follow=True)
        following.close()
    rows, _ = _tracking_and_leftovers(settings)
    assert {(r["state"], r["rebuild_position"]) for r in rows.values()} == {("rebuilding", 7)}
