"""The library's application recorders, extended to write the index in the events' transaction.

``Application.save(**kwargs)`` hands its keyword arguments to the recorder's insert, inside the
transaction that stores the events; here they become index rows and an idempotency record, so
that either all of it is stored or none of it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor

from store.schema import create_tables, write_extras
from store.sql import Tx


class IndexingSQLiteRecorder(SQLiteApplicationRecorder):
    """SQLite: events, index rows and idempotency record in one transaction."""

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as cursor:
            create_tables(Tx(cursor, "sqlite"))

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._insert_events(c, stored_events, **kwargs)
        if positions is not None and "nt_extras" in kwargs:
            write_extras(Tx(c, "sqlite"), positions, kwargs["nt_extras"])
        return positions


class IndexingPostgresRecorder(PostgresApplicationRecorder):
    """PostgreSQL: the same, inside the library's locked insert transaction."""

    def create_table(self) -> None:
        super().create_table()
        with self.datastore.transaction(commit=True) as cursor:
            create_tables(Tx(cursor, "postgres"))

    def _fetch_ids_after_insert_events(
        self, curs: Any, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        positions = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if positions is not None and "nt_extras" in kwargs:
            # A nested pipeline syncs on exit, so a duplicate key fails here, in this transaction.
            with curs.connection.pipeline():
                write_extras(Tx(curs, "postgres"), positions, kwargs["nt_extras"])
        return positions
