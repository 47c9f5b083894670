"""On PostgreSQL the service's reads are planned with statistics and run without JIT.

A follower that fills the views (after an import, or a worker that was down) leaves tables with
no statistics until autovacuum comes by, if it is on; and a read at a point on such tables is
estimated so costly that PostgreSQL compiled it to machine code: a page of a Talks' timeline at
``?at=`` took 500 ms, 0.2 of them running the query.
"""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from application.event_input import CreateIn, EventIn, new_event
from entrypoints import bootstrap
from projections.projector import ANALYZE_AFTER
from store.settings import Settings

pytestmark = pytest.mark.postgres


def body(event_type: str, data: dict[str, object]) -> dict[str, object]:
    return {"type": event_type, "data": data, "occurred": {"precision": "day",
            "value": "2025-05-16"}, "sources": [{"outlet": "Test Wire"}]}  # fmt: skip


def test_every_connection_of_the_service_runs_without_jit(fresh_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=fresh_url, load_demo_when_empty=False)
    bootstrap.migrate(settings)
    components = bootstrap.build(settings, follow=False)
    try:
        # The server's default is on (PostgreSQL's own): each of the pool's connections says off.
        with psycopg.connect(fresh_url) as conn:
            assert conn.execute("SHOW jit").fetchone() == ("on",)
        database = components.application.database
        with database.transaction() as first, database.transaction() as second:
            assert first.execute("SHOW jit") == [{"jit": "off"}]
            assert second.execute("SHOW jit") == [{"jit": "off"}]
    finally:
        components.close()


def test_a_follower_that_filled_the_views_leaves_statistics_on_them(
    fresh_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=fresh_url, load_demo_when_empty=False)
    bootstrap.migrate(settings)
    components = bootstrap.build(settings, follow=False)
    rounds = ANALYZE_AFTER + 200
    try:
        service = components.service
        opened = service.create("talks", new_event("talks", CreateIn.model_validate(
            body("TalksProposed", {"title": "Istanbul talks", "parties": ["Ukraine", "Russia"]}))))  # fmt: skip
        talks = UUID(opened.stream_id)
        for start in range(1, rounds + 1, 200):
            rounds_scheduled = (
                body("RoundScheduled", {"number": number, "city": "Istanbul"})
                for number in range(start, start + 200)
            )
            events = [new_event("talks", EventIn.model_validate(b)) for b in rounds_scheduled]
            service.append("talks", talks, events)
        components.projector.catch_up()  # as a follower does: batch after batch, no rebuild
    finally:
        components.close()

    with psycopg.connect(fresh_url) as conn:
        tuples = dict(
            conn.execute(
                "SELECT relname, reltuples FROM pg_class WHERE relkind = 'r'"
                " AND relname IN ('view_timeline', 'view_talks_overview')"
            ).fetchall()
        )
    # Only ANALYZE (or VACUUM) counts a table's rows: one timeline entry per event, one Talks.
    assert tuples["view_timeline"] >= ANALYZE_AFTER
    assert tuples["view_timeline"] <= rounds + 1
    assert tuples["view_talks_overview"] == 1
