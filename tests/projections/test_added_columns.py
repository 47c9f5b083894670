"""View tables created by an older release: mended on setup, or projected again from the log."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import append, body, day, digests, fresh_projector, opened, talks, timeline

from application.components import Components
from projections.timeline import TYPES as TIMELINE_TYPES
from projections.view import LIVE
from store.settings import Settings

#: The first release's timeline and statements tables: no versions, no replies.
FIRST_RELEASE = {
    "view_timeline": (
        "position BIGINT PRIMARY KEY, talks_id TEXT NOT NULL, stream_id TEXT NOT NULL,"
        " kind TEXT NOT NULL, type TEXT NOT NULL, event_id TEXT NOT NULL,"
        " version INTEGER NOT NULL, occurred TEXT NOT NULL, occurred_start TEXT,"
        " occurred_end TEXT, recorded_at TEXT NOT NULL, actors TEXT NOT NULL,"
        " headline TEXT NOT NULL, cameo TEXT, sources TEXT NOT NULL, quote TEXT,"
        " modality TEXT NOT NULL, attributed_to TEXT, data TEXT NOT NULL,"
        " corrected_by TEXT NOT NULL, retracted_by TEXT, refers_to TEXT"
    ),
    "view_statements": (
        "position BIGINT NOT NULL, seq INTEGER NOT NULL, talks_id TEXT NOT NULL,"
        " stream_id TEXT NOT NULL, party TEXT, speaker TEXT, channel TEXT, type TEXT NOT NULL,"
        " occurred TEXT NOT NULL, occurred_start TEXT, quote TEXT NOT NULL,"
        " source TEXT NOT NULL, attributed_to TEXT, event_id TEXT NOT NULL,"
        " corrected_by TEXT NOT NULL, speaker_folded TEXT, quote_folded TEXT NOT NULL,"
        " PRIMARY KEY (position, seq)"
    ),
}


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


def test_older_timeline_and_statement_tables_are_projected_again(store: Components) -> None:
    service = store.service
    talks_id = talks(service, "Istanbul talks")
    scheduled = append(
        service, "talks", talks_id,
        body("RoundScheduled", {"number": 1, "city": "Ankara"}, occurred=day("2025-06-02")),
    ).events[0].event_id  # fmt: skip
    append(
        service, "talks", talks_id,
        body("EventCorrected", {"corrects": scheduled, "reason": "moved",
                                "fields": {"city": "Istanbul"}}),
    )  # fmt: skip
    head = service.head()
    current = fresh_projector(store)
    current.catch_up()
    expected = digests(current)

    # The store as the first release left it: its tables, its rows gone, its positions at the head.
    db = store.application.database
    with db.transaction() as tx:
        for table, columns in FIRST_RELEASE.items():
            tx.execute(f"DROP TABLE {table}")
            tx.execute(f"CREATE TABLE {table} ({columns})")
    older = fresh_projector(store)  # setup: the older tables dropped, their views at 0 again
    assert older.position("timeline") == older.position("statements") == 0
    assert older.position("talks_overview") == head
    older.catch_up()
    assert digests(older) == expected
    with db.transaction() as tx:
        for view in ("timeline", "statements"):
            assert "record_from" in older.views[view].columns_of(tx, f"view_{view}{LIVE}")
    rows = timeline(db, talks_id=talks_id)
    (round_row,) = [r for r in rows if r["type"] == "RoundScheduled"]
    assert round_row["data"]["city"] == "Istanbul"


def test_a_timeline_with_whole_claims_is_projected_again(store: Components) -> None:
    """The release of 3 December 2026 kept each row's whole claim (``claim``); rows now keep
    what a dispute compares (``claim_compared``), which the older rows lack."""
    service = store.service
    talks_id = talks(service, "Istanbul talks")
    append(service, "talks", talks_id, body("RoundScheduled", {"number": 1, "city": "Ankara"}))
    current = fresh_projector(store)
    current.catch_up()
    expected = digests(current)

    db = store.application.database
    with db.transaction() as tx:
        ddl = TIMELINE_TYPES
        tx.execute("DROP TABLE view_timeline")
        tx.execute(
            "CREATE TABLE view_timeline ("
            f"{ddl.replace('claim_compared', 'claim')}, record_from BIGINT NOT NULL,"
            " PRIMARY KEY (position))"
        )
    older = fresh_projector(store)
    assert older.position("timeline") == 0
    older.catch_up()
    assert digests(older) == expected
    with db.transaction() as tx:
        assert "claim_compared" in older.views["timeline"].columns_of(tx, f"view_timeline{LIVE}")


def index_names(store: Components, table: str) -> set[str]:
    db = store.application.database
    if db.dialect == "sqlite":
        return {r["name"] for r in db.query(f"PRAGMA index_list({table})")}
    rows = db.query("SELECT indexname FROM pg_indexes WHERE tablename = ?", (table,))
    return {r["indexname"] for r in rows}


def test_the_timeline_order_indexes_of_an_older_release_are_replaced(store: Components) -> None:
    """The release of 3 December 2026 ordered timeline reads by indexes without record_from;
    setting up drops them and makes the ones reads as of a time use."""
    fresh_projector(store)
    db = store.application.database
    order = "(CASE WHEN occurred_start IS NULL THEN 1 ELSE 0 END), occurred_start, position"
    with db.transaction() as tx:
        tx.execute(f"CREATE INDEX view_timeline_in_order_idx ON view_timeline ({order})")
        tx.execute(
            f"CREATE INDEX view_timeline_talks_in_order_idx ON view_timeline (talks_id, {order})"
        )
    fresh_projector(store)
    names = index_names(store, "view_timeline")
    assert {"view_timeline_read_order_idx", "view_timeline_talks_read_order_idx"} <= names
    assert not names & {"view_timeline_in_order_idx", "view_timeline_talks_in_order_idx"}
