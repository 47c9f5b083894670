"""A rebuild on PostgreSQL leaves planner statistics on the tables it swaps in: fresh tables have
none until autovacuum comes by, and without them the planner read a page of the timeline at a
point through a scan of a whole index."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

import psycopg
import pytest

from application.event_input import CreateIn, EventIn, new_event
from entrypoints import bootstrap
from store.settings import Settings

pytestmark = pytest.mark.postgres

ROUNDS = 40


def body(event_type: str, data: dict[str, object]) -> dict[str, object]:
    return {"type": event_type, "data": data, "occurred": {"precision": "day",
            "value": "2025-05-16"}, "sources": [{"outlet": "Test Wire"}]}  # fmt: skip


def test_a_rebuild_leaves_statistics_on_every_table_it_swaps_in(
    fresh_url: str, tmp_path: Path
) -> None:
    settings = Settings(data_dir=tmp_path, database_url=fresh_url, load_demo_when_empty=False)
    bootstrap.migrate(settings)
    components = bootstrap.build(settings, follow=False)
    try:
        service = components.service
        opened = service.create("talks", new_event("talks", CreateIn.model_validate(
            body("TalksProposed", {"title": "Istanbul talks", "parties": ["Ukraine", "Russia"]}))))  # fmt: skip
        talks = UUID(opened.stream_id)
        for number in range(1, ROUNDS + 1):
            event = new_event("talks", EventIn.model_validate(
                body("RoundScheduled", {"number": number, "city": "Istanbul"})))  # fmt: skip
            service.append("talks", talks, [event])
        projector = components.projector
        projector.rebuild_views(list(projector.views))
    finally:
        components.close()

    with psycopg.connect(fresh_url) as conn:
        rows = conn.execute(
            "SELECT relname, reltuples FROM pg_class"
            " WHERE relkind = 'r' AND relname LIKE 'view\\_%' AND relname NOT LIKE '%\\_\\_next'"
        ).fetchall()
    tuples = dict(rows)
    assert tuples  # the views' tables are there
    never_analysed = sorted(name for name, count in tuples.items() if count < 0)
    assert never_analysed == []
    # What the statistics say is the story's: one entry per event, one overview row.
    assert tuples["view_timeline"] == ROUNDS + 1
    assert tuples["view_talks_overview"] == 1
