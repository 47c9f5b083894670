"""The list of Talks on another clock: a page found from the timeline's rows, only its families built.

The reference is the list as it was answered before: every family projected into the overview
for the point asked. The page found from the timeline's rows (which Talks existed then, and
their newest facts) and built from its families alone must be that list's page, row for row and
in its order, at every point: as of times through the recording, at moments before, through and
after the facts, and for pages of several sizes and offsets. The log mixes the demos (Talks
proposed on a date, corrections, retractions, disputes) with generated families appended in
small interleaved batches, dated in every form, some of their facts corrected to other dates
(the correction itself dated, so that at earlier moments it is knowledge only) or retracted.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from log_generator import LogGenerator
from support import append, body, day, opened

from application import demo, demo_fonseca
from application.components import Components
from application.demo_sets import load_demos
from application.reads import READS_TALKS, Clocks, Reads
from projections import queries
from projections.queries import Page
from store.settings import Settings

PAGES = [Page(limit=100), Page(limit=3, offset=2), Page(limit=1), Page(limit=5, offset=12)]
MOMENTS = [
    None,
    datetime(1992, 9, 1, tzinfo=UTC),
    datetime(2025, 5, 1, tzinfo=UTC),
    *(datetime(2025, 5, 20, tzinfo=UTC) + timedelta(days=d) for d in range(0, 70, 6)),
    datetime(2030, 1, 1, tzinfo=UTC),
]


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        load_demos(components.service)
        generated = LogGenerator(components.service, seed=11).run(700, talks_count=14, batch=4)
        fix_some(components, generated, random.Random(5))
        components.projector.catch_up()
        yield components


def fix_some(components: Components, generated: LogGenerator, rng: random.Random) -> None:
    """Correct the dates of some generated facts (the correction dated 2025-06-20) and retract
    a few others."""
    database = components.application.database
    for mirror in rng.sample(generated.mirrors, 12):
        rows = database.query(
            "SELECT event_id FROM nt_event_index WHERE stream_id = ? AND version > 1"
            " ORDER BY position",
            (mirror.stream_id,),
        )
        for row in rng.sample(rows, min(2, len(rows))):
            if rng.random() < 0.75:
                fix = {"corrects": row["event_id"], "reason": "it was another day",
                       "occurred": day(f"2025-{rng.randint(5, 7):02d}-{rng.randint(1, 28):02d}")}  # fmt: skip
                append(components.service, mirror.kind, mirror.stream_id,
                       body("EventCorrected", fix, occurred=day("2025-06-20")))  # fmt: skip
            else:
                append(components.service, mirror.kind, mirror.stream_id,
                       body("EventRetracted", {"retracts": row["event_id"], "reason": "no"}))  # fmt: skip


def record_times(components: Components) -> list[datetime | None]:
    rows = components.application.database.query(
        "SELECT recorded_at FROM nt_event_index ORDER BY position"
    )
    times = [datetime.fromisoformat(r["recorded_at"].replace("Z", "+00:00")) for r in rows]
    return [None, *(times[i] for i in range(0, len(times), len(times) // 7))]


def every_family_built(
    components: Components, when: Clocks, page: Page, **filters: str | None
) -> list[dict[str, Any]]:
    """The list as answered before: every family projected into the overview for the point."""
    assert components.temporal is not None
    database = components.temporal.database(None, as_of=when.as_of, at=when.at, views=READS_TALKS)
    status, party, title = (filters.get(name) for name in ("status", "party", "title"))
    return queries.list_talks(database, status, party, page, title)


@pytest.fixture(params=["walk", "walk in small steps", "grouped"])
def walk(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page found by a walk from the newest row (in steps of its usual size, or of three
    rows, so that it crosses many steps and leaves out the families it placed), or by grouping
    every row (the deep pages' way)."""
    if request.param == "walk in small steps":
        monkeypatch.setattr(queries, "WALK_CHUNK", 3)
    elif request.param == "grouped":
        monkeypatch.setattr(queries, "WALK_DEEPEST", 0)


@pytest.mark.usefixtures("walk")
def test_a_page_of_talks_at_a_point_is_the_page_of_every_family_built_for_it(
    store: Components,
) -> None:
    reads = Reads(store)
    compared = nonempty = 0
    for as_of in record_times(store):
        for at in MOMENTS:
            if as_of is None and at is None:
                continue  # a read now: the live view
            when = Clocks(as_of=as_of, at=at)
            assert reads.point(when, ("timeline",)) is not None  # the indexed path is taken
            for page in PAGES:
                expected = every_family_built(store, when, page)
                assert reads.list_talks(None, None, page, when) == expected, (as_of, at, page)
                compared += 1
                nonempty += bool(expected)
    assert nonempty > compared // 2  # most points list Talks: the pages compared hold rows
    assert compared > 200


FILTERS: list[dict[str, str | None]] = [
    {"status": "proposed"}, {"status": "scheduled"}, {"status": "active"},
    {"party": "Ukraine"}, {"party": "Honduras"}, {"title": "talks 1"},
    {"status": "proposed", "title": "generated"},
]  # fmt: skip


@pytest.mark.usefixtures("walk")
def test_a_filtered_page_at_a_point_is_the_filtered_page_of_every_family_built(
    store: Components,
) -> None:
    reads = Reads(store, talks_chunk=3)  # families built three at a time: many chunks
    compared = nonempty = 0
    for as_of in record_times(store)[::2]:
        for at in MOMENTS[::2]:
            if as_of is None and at is None:
                continue
            when = Clocks(as_of=as_of, at=at)
            for filters in FILTERS:
                for page in PAGES:
                    expected = every_family_built(store, when, page, **filters)
                    found = reads.list_talks(
                        filters.get("status"), filters.get("party"), page, when,
                        title=filters.get("title"),
                    )  # fmt: skip
                    assert found == expected, (as_of, at, filters, page)
                    compared += 1
                    nonempty += bool(expected)
    assert compared > 300
    assert nonempty > compared // 4


def test_the_list_as_of_a_time_holds_the_talks_recorded_by_then(store: Components) -> None:
    reads = Reads(store)
    everything = Page(limit=1000)
    rows = store.application.database.query(
        "SELECT recorded_at FROM nt_event_index ORDER BY position"
    )
    first = datetime.fromisoformat(rows[0]["recorded_at"].replace("Z", "+00:00"))
    assert reads.list_talks(None, None, everything, Clocks(as_of=first - timedelta(days=1))) == []
    generated = store.application.database.query(
        "SELECT MIN(recorded_at) AS first FROM nt_event_index WHERE type = 'TalksProposed'"
        " AND talks_id NOT IN (?, ?)",
        (str(demo.TALKS_ID), str(demo_fonseca.TALKS_ID)),
    )[0]["first"]
    before = datetime.fromisoformat(generated.replace("Z", "+00:00")) - timedelta(microseconds=1)
    demos = reads.list_talks(None, None, everything, Clocks(as_of=before))
    assert {row["id"] for row in demos} == {str(demo.TALKS_ID), str(demo_fonseca.TALKS_ID)}
    later = reads.list_talks(None, None, everything, Clocks(at=datetime(2030, 1, 1, tzinfo=UTC)))
    now = queries.list_talks(store.application.database, None, None, everything)
    assert [row["id"] for row in later] == [row["id"] for row in now]
    assert len(later) == 2 + 14  # the demos' Talks and the generated ones
