"""Time travel holds bounded memory: a cache bounded in bytes, one build per moment, few builds.

Reads on either clock build the views of the facts chosen in a private in-memory database
(projections/temporal_views.py). However many distinct moments readers ask for, the databases
kept stay within the cache's bytes and count; readers asking the same moment at once share one
build; and no more than the bound of builds run at once, readers beyond it being told to retry
(503 with Retry-After), never a wrong or partial answer.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application.components import Components
from application.demo import TALKS_ID
from application.errors import BusyError
from projections.temporal_views import TemporalViews
from store.sql import Database
from tests.temporal.support import load_the_demo

T = str(TALKS_ID)
#: Moments spread over the demo's talks (late May to mid June 2025), one an hour.
MOMENTS = [datetime(2025, 5, 30, tzinfo=UTC) + timedelta(hours=h) for h in range(0, 400, 20)]


@pytest.fixture
def components(client: TestClient) -> Components:
    load_the_demo(client)
    found: Components = client.app.state.components  # type: ignore[attr-defined]
    return found


def timeline(database: Database) -> list[dict[str, Any]]:
    return [dict(row) for row in database.query("SELECT * FROM view_timeline ORDER BY 1")]


def test_the_databases_kept_stay_within_the_cache_bytes_whatever_moments_are_asked(
    components: Components,
) -> None:
    one = TemporalViews(components.projector)
    one.database(T, as_of=None, at=MOMENTS[-1])
    _, size = one.cached()
    bound = size * 5 // 2  # room for two of the family's largest databases, not three
    views = TemporalViews(components.projector, cache_bytes=bound)

    for at in MOMENTS:
        views.database(T, as_of=None, at=at)
        entries, held = views.cached()
        assert 0 < held <= bound
        assert entries <= 4  # the earliest moments hold fewer facts, in fewer pages
    builds = views.builds
    views.database(T, as_of=None, at=MOMENTS[-1])  # the latest is kept
    assert views.builds == builds
    views.database(T, as_of=None, at=MOMENTS[0])  # the first made room long ago
    assert views.builds == builds + 1
    assert views.builds == len(MOMENTS) + 1


def test_the_databases_kept_are_bounded_in_number_too(components: Components) -> None:
    views = TemporalViews(components.projector, cache_entries=3)

    for at in MOMENTS:
        views.database(T, as_of=None, at=at)
        assert views.cached()[0] <= 3
    assert views.cached()[0] == 3


def test_a_database_larger_than_the_whole_cache_is_served_but_not_kept(
    components: Components,
) -> None:
    views = TemporalViews(components.projector, cache_bytes=1024)
    built = views.database(T, as_of=None, at=MOMENTS[-1])
    again = views.database(T, as_of=None, at=MOMENTS[-1])

    assert timeline(built) == timeline(again) != []
    assert views.cached() == (0, 0)
    assert views.builds == 2


def test_readers_asking_the_same_moment_at_once_share_one_build(components: Components) -> None:
    views = TemporalViews(components.projector)
    readers = 8
    start = threading.Barrier(readers)
    answers: list[Database] = []

    def read() -> None:
        start.wait()
        answers.append(views.database(T, as_of=None, at=MOMENTS[10]))

    threads = [threading.Thread(target=read) for _ in range(readers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert len(answers) == readers
    assert views.builds == 1
    assert all(answer is answers[0] for answer in answers)


def test_no_more_builds_run_at_once_than_the_bound_and_the_others_are_told_to_retry(
    components: Components,
) -> None:
    expected = {
        at: timeline(TemporalViews(components.projector).database(T, as_of=None, at=at))
        for at in MOMENTS
    }
    views = TemporalViews(
        components.projector, busy=lambda limit: BusyError(f"{limit} builds"), builds_at_once=1
    )
    start = threading.Barrier(len(MOMENTS))
    answers: dict[datetime, list[dict[str, Any]] | BusyError] = {}

    def read(at: datetime) -> None:
        start.wait()
        try:
            answers[at] = timeline(views.database(T, as_of=None, at=at))
        except BusyError as error:
            answers[at] = error

    threads = [threading.Thread(target=read, args=(at,)) for at in MOMENTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert views.most_at_once == 1
    assert len(answers) == len(MOMENTS)
    for at, answer in answers.items():
        assert isinstance(answer, BusyError) or answer == expected[at], at
    assert views.builds == sum(not isinstance(a, BusyError) for a in answers.values())


def test_time_travel_reads_beyond_the_bound_get_503_with_retry_after(client: TestClient) -> None:
    load_the_demo(client)
    components: Components = client.app.state.components  # type: ignore[attr-defined]
    assert components.temporal is not None
    live = components.temporal
    answers: list[Any] = []
    start = threading.Barrier(len(MOMENTS))

    def read(at: datetime) -> None:
        start.wait()
        answers.append(client.get(f"/talks/{T}/timeline", params={"at": at.isoformat()}))

    threads = [threading.Thread(target=read, args=(at,)) for at in MOMENTS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(answers) == len(MOMENTS)
    assert {a.status_code for a in answers} <= {200, 503}
    for refused in (a for a in answers if a.status_code == 503):
        assert refused.headers["retry-after"].isdigit()
        assert refused.json()["type"].endswith(":busy")
    assert live.most_at_once <= live.builds_at_once
