"""Every event is applied exactly once: a crash before the commit leaves no trace, races have one winner."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from log_generator import LogGenerator
from support import VIEWS, count, digests, fresh_projector, opened, tracking

from application.components import Components
from projections.projector import Projector
from projections.registry import all_views
from projections.view import View
from store.settings import Settings

BATCH = 25
EVENTS = 240


class Crash(BaseException):
    """The process dies (not an error a handler could report)."""


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


@pytest.fixture
def generated(store: Components) -> LogGenerator:
    return LogGenerator(store.service, seed=11).run(EVENTS, talks_count=2, batch=40)


def crashing(name: str, at: int) -> View:
    """The real view, dying while it handles its ``at``-th event (counting from 1)."""
    view = all_views()[name]
    handle, seen = view.handle, [0]

    def handle_then_crash(*args: Any) -> None:
        seen[0] += 1
        if seen[0] == at:
            raise Crash
        handle(*args)

    view.handle = handle_then_crash  # type: ignore[method-assign]
    return view


def assert_applied_exactly_once(
    store: Components, generated: LogGenerator, projector: Projector
) -> None:
    db = store.application.database
    head = store.service.head()
    positions = [
        r["position"] for r in db.query("SELECT position FROM view_timeline ORDER BY position")
    ]
    assert positions == list(range(1, head + 1))
    assert count(db, "view_timeline") == generated.events == head
    assert count(db, "view_statements") == generated.quotes
    assert count(db, "view_talks_overview") == len(generated.talks_ids)
    for status in projector.statuses():
        assert (status.state, status.position, status.lag_events) == ("running", head, 0), status


@pytest.mark.parametrize("name", VIEWS)
def test_a_crash_before_the_commit_leaves_nothing_of_the_batch_and_a_restart_applies_each_event_once(
    store: Components, generated: LogGenerator, name: str
) -> None:
    db = store.application.database
    crash_at = BATCH + 7  # the 7th event of the second batch, after six were handled
    projector = Projector(store.application, {name: crashing(name, crash_at)}, batch_size=BATCH)
    assert projector.step(name) == BATCH
    before = projector.digest(name)
    with pytest.raises(Crash):
        projector.step(name)
    assert projector.digest(name) == before == (BATCH, before[1])
    assert tracking(db, name)["state"] == "running"

    restarted = fresh_projector(store, batch_size=BATCH)
    assert restarted.catch_up() > 0
    assert_applied_exactly_once(store, generated, restarted)
    incremental = digests(restarted)
    for view in VIEWS:
        restarted.rebuild(view)
    assert digests(restarted) == incremental


def test_two_projectors_given_the_same_batch_apply_it_once(
    store: Components, generated: LogGenerator
) -> None:
    first, second = fresh_projector(store, BATCH), fresh_projector(store, BATCH)
    batch = first.read(0, BATCH)
    assert first.apply_batch("timeline", 0, batch) is True
    assert second.apply_batch("timeline", 0, batch) is False
    assert first.apply_batch("timeline", 0, batch) is False
    assert count(store.application.database, "view_timeline") == BATCH
    assert second.step("timeline") == BATCH  # the loser goes on from where the winner stopped
    assert first.position("timeline") == 2 * BATCH


def test_projectors_racing_in_threads_apply_every_event_once(
    settings: Settings, store: Components, generated: LogGenerator
) -> None:
    barrier, errors, applied = threading.Barrier(3), [], []

    def race() -> None:
        with opened(settings) as process:  # each its own application, as another process would
            projector = fresh_projector(process, batch_size=7)
            barrier.wait(timeout=30)
            try:
                applied.append(projector.catch_up())
            except Exception as error:
                errors.append(error)

    threads = [threading.Thread(target=race) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(applied) == 3
    assert sum(applied) == generated.events * len(VIEWS)  # each event applied once per view
    assert_applied_exactly_once(store, generated, store.projector)
    incremental = digests(store.projector)
    for view in VIEWS:
        store.projector.rebuild(view)
    assert digests(store.projector) == incremental
