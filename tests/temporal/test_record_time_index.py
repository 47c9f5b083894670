"""The last position recorded by a time, found on the index (store/event_index.py): the same
as the largest position whose own time is at or before it, whatever the order of the times."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from entrypoints.bootstrap import migrate, open_store
from store import event_index
from store.application import TimelineApplication
from store.event_index import EventIndex, IndexRow
from store.schema import SCHEMA_VERSION
from store.serialize import iso
from store.settings import Settings

START = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.fixture
def application(settings: Settings) -> Iterator[TimelineApplication]:
    migrate(settings)
    app = open_store(settings, create_tables=False)
    try:
        yield app
    finally:
        app.close()


def row(n: int, seconds: int) -> IndexRow:
    return IndexRow(
        stream_id=f"s{n % 3}", kind="talks", version=n, event_id=f"e{n}", type="TalksProposed",
        talks_id="t", recorded_at=iso(START + timedelta(seconds=seconds)),
        occurred_start=None, occurred_end=None, principal=None,
    )  # fmt: skip


#: Saves in log order, each a list of its events' times (seconds after START): several writers
#: take their times before the store orders their saves, so a later save may have earlier times.
SAVES = st.lists(st.lists(st.integers(0, 40), min_size=1, max_size=4), min_size=1, max_size=12)


@hypothesis_settings(max_examples=60, deadline=None,
                     suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
@given(saves=SAVES, asked=st.lists(st.integers(-2, 42), min_size=1, max_size=8))
def test_the_position_as_of_a_time_is_the_last_recorded_by_then(
    application: TimelineApplication, saves: list[list[int]], asked: list[int]
) -> None:
    db = application.database
    with db.transaction() as tx:
        tx.execute("DELETE FROM nt_event_index")
    times: dict[int, int] = {}
    for save in saves:
        first = len(times) + 1
        positions = list(range(first, first + len(save)))
        with db.transaction() as tx:
            event_index.insert(
                tx, positions, [row(p, s) for p, s in zip(positions, save, strict=True)]
            )
        times.update(zip(positions, save, strict=True))
    index = EventIndex(db)
    for seconds in asked:
        expected = max((p for p, s in times.items() if s <= seconds), default=0)
        assert index.position_as_of(START + timedelta(seconds=seconds)) == expected


def test_migrating_gives_older_rows_their_low(settings: Settings) -> None:
    """Rows written before schema version 4 get ``recorded_low`` from their own and later
    times when the store is migrated."""
    seconds = [5, 3, 9, 4, 4, 12, 1, 20]  # the times of positions 1..8
    migrate(settings)
    app = open_store(settings, create_tables=False)
    try:
        with app.database.transaction() as tx:
            event_index.insert(tx, list(range(1, 9)), [row(p, s) for p, s in enumerate(seconds, 1)])
            tx.execute("DROP INDEX nt_event_index_recorded_low")
            tx.execute("ALTER TABLE nt_event_index DROP COLUMN recorded_low")
            tx.execute("UPDATE nt_schema SET version = 3")
    finally:
        app.close()
    assert migrate(settings) == (3, SCHEMA_VERSION)
    app = open_store(settings, create_tables=False)
    try:
        lows = [
            r["recorded_low"]
            for r in app.database.query("SELECT recorded_low FROM nt_event_index ORDER BY position")
        ]
        index = EventIndex(app.database)
        found = [index.position_as_of(START + timedelta(seconds=s)) for s in range(22)]
    finally:
        app.close()
    # The earliest time of each position and every later one: 1 s up to position 7, then 20 s.
    assert lows == [iso(START + timedelta(seconds=s)) for s in [1, 1, 1, 1, 1, 1, 1, 20]]
    # Position 7 (1 s) is recorded from 1 s on; position 8 only at 20 s.
    assert found == [0] + [7] * 19 + [8, 8]
