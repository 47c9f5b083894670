"""On PostgreSQL the service's reads are planned with statistics and run without JIT.

Fresh tables (a rebuild's, or views a follower has just filled after an import or with the
worker down) have no planner statistics until autovacuum comes by, if it is on: without them the
planner read a page of the timeline at a point through a scan of a whole index, and estimated
such a read so costly that PostgreSQL compiled it to machine code (a page of a Talks' timeline
at ``?at=`` took 500 ms, 0.2 of them running the query).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from application.components import Components
from application.event_input import CreateIn, EventIn, new_event
from entrypoints import bootstrap
from projections.projector import ANALYZE_AFTER
from store.settings import Settings

pytestmark = pytest.mark.postgres


@pytest.fixture
def components(fresh_url: str, tmp_path: Path) -> Iterator[Components]:
    """The service on a new, migrated database, following no log by itself."""
    settings = Settings(data_dir=tmp_path, database_url=fresh_url, load_demo_when_empty=False)
    bootstrap.migrate(settings)
    built = bootstrap.build(settings, follow=False)
    try:
        yield built
    finally:
        built.close()


def body(event_type: str, data: dict[str, object]) -> dict[str, object]:
    return {"type": event_type, "data": data, "occurred": {"precision": "day",
            "value": "2025-05-16"}, "sources": [{"outlet": "Test Wire"}]}  # fmt: skip


def talks_with_rounds(components: Components, rounds: int, per_append: int) -> None:
    """A Talks and its rounds 1..``rounds`` scheduled, ``per_append`` events an append."""
    service = components.service
    created = body("TalksProposed", {"title": "Istanbul talks", "parties": ["Ukraine", "Russia"]})
    talks = UUID(
        service.create("talks", new_event("talks", CreateIn.model_validate(created))).stream_id
    )
    for start in range(1, rounds + 1, per_append):
        scheduled = (
            body("RoundScheduled", {"number": number, "city": "Istanbul"})
            for number in range(start, min(start + per_append, rounds + 1))
        )
        service.append(
            "talks", talks, [new_event("talks", EventIn.model_validate(b)) for b in scheduled]
        )


def tuples_of(url: str) -> dict[str, float]:
    """Each live view table's row count as the planner's statistics have it (-1: never analysed)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT relname, reltuples FROM pg_class"
            " WHERE relkind = 'r' AND relname LIKE 'view\\_%' AND relname NOT LIKE '%\\_\\_next'"
        ).fetchall()
    return dict(rows)


def test_every_connection_of_the_service_runs_without_jit(
    fresh_url: str, components: Components
) -> None:
    # The server's default is on (PostgreSQL's own): each of the pool's connections says off.
    with psycopg.connect(fresh_url) as conn:
        assert conn.execute("SHOW jit").fetchone() == ("on",)
    database = components.application.database
    with database.transaction() as first, database.transaction() as second:
        assert first.execute("SHOW jit") == [{"jit": "off"}]
        assert second.execute("SHOW jit") == [{"jit": "off"}]


def test_a_rebuild_leaves_statistics_on_every_table_it_swaps_in(
    fresh_url: str, components: Components
) -> None:
    talks_with_rounds(components, 40, per_append=1)
    components.projector.rebuild_views(list(components.projector.views))

    tuples = tuples_of(fresh_url)
    assert tuples  # the views' tables are there
    assert sorted(name for name, count in tuples.items() if count < 0) == []
    # What the statistics say is the story's: one entry per event, one overview row.
    assert tuples["view_timeline"] == 40 + 1
    assert tuples["view_talks_overview"] == 1


def test_a_follower_that_filled_the_views_leaves_statistics_on_them(
    fresh_url: str, components: Components
) -> None:
    rounds = ANALYZE_AFTER + 200
    talks_with_rounds(components, rounds, per_append=200)
    components.projector.catch_up()  # as a follower does: batch after batch, no rebuild

    tuples = tuples_of(fresh_url)
    # Only ANALYZE (or VACUUM) counts a table's rows: one timeline entry per event, one Talks.
    assert ANALYZE_AFTER <= tuples["view_timeline"] <= rounds + 1
    assert tuples["view_talks_overview"] == 1
