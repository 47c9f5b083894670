"""A failing handler halts its view and says where and why; the event is never skipped."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support import VIEWS, append, body, count, fresh_projector, opened, stream, talks, tracking

from application.components import Components
from projections.projector import Projector, ViewFailedError
from projections.registry import all_views
from projections.timeline import Timeline
from store.settings import Settings

BATCH = 4


class BrokenTimeline(Timeline):
    """The timeline, with a handler that cannot cope with RoundHeld."""

    def handle(self, *args: Any) -> None:
        handled = args[2]
        event = getattr(handled, "event", handled)  # the event itself, or a fact wrapping it
        if event.type_name() == "RoundHeld":
            msg = "cannot place a held round"
            raise ValueError(msg)
        super().handle(*args)


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


@pytest.fixture
def failing_at(store: Components) -> int:
    """Ten events; the seventh, in the second batch of four, is a RoundHeld. Its position."""
    service = store.service
    talks_id = talks(service)  # 1
    stream(service, "positions", talks_id, "Ukraine")  # 2
    for n in (1, 2, 3):  # 3, 4, 5
        append(service, "talks", talks_id, body("MediatorRoleAssumed", {"mediator": f"M{n}"}))
    append(service, "talks", talks_id, body("RoundScheduled", {"number": 1, "city": "Istanbul"}))
    held = append(service, "talks", talks_id, body("RoundHeld", {"number": 1}))  # 7
    for n in (4, 5, 6):  # 8, 9, 10
        append(service, "talks", talks_id, body("MediatorRoleAssumed", {"mediator": f"M{n}"}))
    return held.position


def broken_projector(store: Components) -> Projector:
    views = all_views() | {"timeline": BrokenTimeline()}
    projector = Projector(store.application, views, batch_size=BATCH)
    projector.setup()
    return projector


def test_a_failing_handler_halts_its_view_before_the_failing_batch_and_says_why(
    store: Components, failing_at: int
) -> None:
    projector = broken_projector(store)
    projector.catch_up()
    head = store.service.head()
    statuses = {s.name: s for s in projector.statuses()}
    failed = statuses["timeline"]
    assert failed.state == "failed"
    assert failed.position == BATCH  # the batch of positions 5 to 8 left no row behind
    assert (failed.head, failed.lag_events) == (head, head - BATCH)
    assert failed.lag_seconds >= 0
    assert f"position {failing_at}" in failed.last_error
    assert "ValueError: cannot place a held round" in failed.last_error
    assert count(store.application.database, "view_timeline") == BATCH
    for name in set(VIEWS) - {"timeline"}:
        assert (statuses[name].state, statuses[name].position) == ("running", head), name
        assert statuses[name].last_error is None


def test_the_failed_view_does_not_move_on_past_its_failure(
    store: Components, failing_at: int
) -> None:
    projector = broken_projector(store)
    projector.catch_up()
    talks_id = projector.read(0, 1)[0][1].originator_id
    append(store.service, "talks", talks_id, body("MediatorRoleAssumed", {"mediator": "later"}))
    assert projector.step("timeline") == 0
    projector.catch_up()
    assert tracking(store.application.database, "timeline")["position"] == BATCH
    assert tracking(store.application.database, "timeline")["state"] == "failed"
    assert projector.apply_batch("timeline", BATCH, projector.read(BATCH, BATCH)) is False
    assert count(store.application.database, "view_timeline") == BATCH


def test_a_fixed_handler_resumes_from_the_failure_and_skips_nothing(
    store: Components, failing_at: int
) -> None:
    broken_projector(store).catch_up()
    fixed = fresh_projector(store, batch_size=BATCH)  # the real view, after a restart
    assert fixed.catch_up() == 0  # still failed: nothing is skipped behind anyone's back
    fixed.resume_failed()
    fixed.catch_up()
    head = store.service.head()
    [status] = [s for s in fixed.statuses() if s.name == "timeline"]
    assert (status.state, status.position, status.lag_events) == ("running", head, 0)
    db = store.application.database
    positions = [
        r["position"] for r in db.query("SELECT position FROM view_timeline ORDER BY position")
    ]
    assert positions == list(range(1, head + 1))
    held = db.query("SELECT type FROM view_timeline WHERE position = ?", (failing_at,))
    assert held == [{"type": "RoundHeld"}]
    incremental = fixed.digest("timeline")
    fixed.rebuild("timeline")
    assert fixed.digest("timeline") == incremental


def test_a_rebuild_with_a_failing_handler_keeps_the_old_view_and_reports_the_failure(
    store: Components, failing_at: int
) -> None:
    store.projector.catch_up()
    before = store.projector.digest("timeline")
    broken = broken_projector(store)
    with pytest.raises(ViewFailedError, match=f"position {failing_at}"):
        broken.rebuild("timeline")
    assert broken.digest("timeline") == before
    row = tracking(store.application.database, "timeline")
    assert row["state"] == "failed"
    assert f"position {failing_at}" in row["last_error"]


def test_a_one_pass_rebuild_failing_in_one_view_keeps_every_old_view_and_the_others_running(
    store: Components, failing_at: int
) -> None:
    store.projector.catch_up()
    before = {name: store.projector.digest(name) for name in VIEWS}
    broken = broken_projector(store)
    with pytest.raises(ViewFailedError, match=f"position {failing_at}"):
        broken.rebuild_views(list(VIEWS))
    assert {name: broken.digest(name) for name in VIEWS} == before
    statuses = {s.name: s for s in broken.statuses()}
    assert statuses["timeline"].state == "failed"
    for name in set(VIEWS) - {"timeline"}:
        assert (statuses[name].state, statuses[name].rebuild_position) == ("running", None), name
