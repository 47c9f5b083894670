"""The overview rows a follower keeps decoded between its batches (projections/carried.py) never
stand in for rows another follower wrote meanwhile, nor for a batch that did not commit."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import append, body, day, digests, fresh_projector, opened, stream, talks

from application.components import Components
from projections.carried import Rows
from projections.projector import Projector, ViewFailedError
from projections.view import loads
from store.settings import Settings


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


def overview(store: Components, talks_id: str) -> dict[str, object]:
    rows = store.application.database.query(
        "SELECT state FROM view_talks_overview WHERE talks_id = ?", (talks_id,)
    )
    state: dict[str, object] = loads(rows[0]["state"])
    return state


def rounds(store: Components, talks_id: str) -> list[tuple[int, str, str | None]]:
    state = overview(store, talks_id)
    items = state["rounds"]
    assert isinstance(items, list)
    return [(r["number"], r["status"], r["city"]) for r in items]


def test_two_followers_taking_turns_write_the_overview_of_one_follower_alone(
    store: Components,
) -> None:
    """Two processes' followers of one store: each batch is taken by one or the other, and
    one of them corrects the round the other had folded."""
    service = store.service
    first, second = fresh_projector(store), fresh_projector(store)
    talks_id = talks(service)
    scheduled = append(
        service, "talks", talks_id,
        body("RoundScheduled", {"number": 1, "city": "Ankara"}, occurred=day("2025-05-16")),
    ).events[0].event_id  # fmt: skip
    first.catch_up()
    assert rounds(store, talks_id) == [(1, "scheduled", "Ankara")]
    append(
        service, "talks", talks_id,
        body("EventCorrected", {"corrects": scheduled, "reason": "it was Istanbul",
                                "fields": {"city": "Istanbul"}}),
    )  # fmt: skip
    second.catch_up()
    assert rounds(store, talks_id) == [(1, "scheduled", "Istanbul")]
    append(
        service, "talks", talks_id,
        body("RoundHeld", {"number": 1}, occurred=day("2025-05-16")),
    )  # fmt: skip
    first.catch_up()  # its own last batch left the view elsewhere: it reads the row again
    assert rounds(store, talks_id) == [(1, "held", "Istanbul")]
    assert_as_one_event_at_a_time(store, first)


def test_a_batch_that_fails_leaves_nothing_kept_for_the_next(
    store: Components, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The overview folds a batch that another view then fails: the transaction rolls back, and
    the overview's next batch starts from the row as committed, not from what it folded."""
    service = store.service
    follower: Projector = fresh_projector(store)
    talks_id = talks(service)
    delegation = stream(service, "delegations", talks_id, "Ukraine")
    append(service, "talks", talks_id, body("RoundScheduled", {"number": 1, "city": "Istanbul"}))
    follower.catch_up()
    assert rounds(store, talks_id) == [(1, "scheduled", "Istanbul")]

    append(service, "talks", talks_id, body("RoundPostponed", {"number": 1}))
    timeline = follower.views["timeline"]
    original = type(timeline).handle

    def failing(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(type(timeline), "handle", failing)
    with pytest.raises(ViewFailedError):
        follower.apply_batch_to(["talks_overview", "timeline"], *next_batch(follower))
    monkeypatch.setattr(type(timeline), "handle", original)
    assert rounds(store, talks_id) == [(1, "scheduled", "Istanbul")]  # rolled back

    append(service, "delegations", delegation, body("DelegationArrived", {"city": "Istanbul"}))
    follower.catch_up()
    # Postponed, then the delegation: the batch that failed is taken again, whole.
    assert rounds(store, talks_id) == [(1, "postponed", "Istanbul")]
    assert_as_one_event_at_a_time(store, follower)


def assert_as_one_event_at_a_time(store: Components, follower: Projector) -> None:
    """The overview as the follower left it equals the one a follower taking every event
    alone, with nothing kept, writes in its place."""
    kept = digests(follower)["talks_overview"]
    alone = fresh_projector(store, batch_size=1)
    alone.reset()
    alone.setup()
    alone.catch_up()
    assert digests(alone)["talks_overview"] == kept


def next_batch(projector: Projector) -> tuple[int, list[tuple[int, object]]]:
    after = int(projector.tracking("talks_overview")["position"])
    return after, projector.read(after, projector.batch_size)  # type: ignore[return-value]


def test_kept_rows_are_bounded_by_the_text_they_were_written_as() -> None:
    rows = Rows(max_chars=10)
    rows.keep("big", 1, {"title": "too long"}, chars=11)
    assert rows.taken("big", 1) is None  # larger than the whole bound: read again instead
    rows.keep("first", 1, {"title": "a"}, chars=6)
    rows.keep("second", 4, {"title": "b"}, chars=6)  # 12 > 10: the least recent goes
    assert rows.taken("first", 1) is None
    assert rows.taken("second", 4) == {"title": "b"}
    assert rows.taken("second", 5) is None  # the row moved on since it was kept


def test_a_kept_state_is_handed_out_as_a_copy() -> None:
    rows = Rows()
    rows.keep("talks", 3, {"status": "scheduled"}, chars=30)
    taken = rows.taken("talks", 3)
    assert taken is not None
    taken["status"] = "held"  # the next batch folds on its copy
    assert rows.taken("talks", 3) == {"status": "scheduled"}
