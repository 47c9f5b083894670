"""The schema's version: created and upgraded by ``negotiation-timeline migrate``, checked on start.

SQLite, the embedded default, migrates itself on start. PostgreSQL is shared by several processes,
so its schema changes only when someone runs ``migrate``. A process refuses a schema that is
missing or not the version it was written for.
"""

from __future__ import annotations

from eventsourcing.persistence import PersistenceError

from store.schema import MIGRATED_INDEXES, SCHEMA_VERSION, create_tables
from store.sql import Database, Tx, columns_of

#: Migrating from a version below this scopes the idempotency records to their principal.
IDEMPOTENCY_SCOPED_IN = 3
#: Migrating from a version below this gives every index row its ``recorded_low``.
RECORDED_LOW_IN = 4


class SchemaError(Exception):
    """The database's schema is missing or of another version than this release needs."""


def current_version(db: Database) -> int | None:
    """The schema version recorded in the database, or None where there is none yet."""
    try:
        rows = db.query("SELECT version FROM nt_schema WHERE id = 1")
    except PersistenceError:
        return None
    return int(rows[0]["version"]) if rows else None


def check(db: Database) -> None:
    """Refuse a database whose schema this release cannot use, saying what to do."""
    found = current_version(db)
    if found is None:
        msg = "the database has no schema yet: run `negotiation-timeline migrate` first"
        raise SchemaError(msg)
    if found < SCHEMA_VERSION:
        msg = (
            f"the database schema is version {found}, this release needs {SCHEMA_VERSION}:"
            " run `negotiation-timeline migrate`"
        )
        raise SchemaError(msg)
    if found > SCHEMA_VERSION:
        msg = (
            f"the database schema is version {found}, newer than this release"
            f" ({SCHEMA_VERSION}): upgrade negotiation-timeline"
        )
        raise SchemaError(msg)


def migrate(db: Database) -> tuple[int | None, int]:
    """Create what is missing and record the version; the versions before and after."""
    before = current_version(db)
    if before is not None and before > SCHEMA_VERSION:
        check(db)
    with db.transaction() as tx:
        if before is not None and before < IDEMPOTENCY_SCOPED_IN:
            tx.execute("ALTER TABLE nt_idempotency RENAME TO nt_idempotency_unscoped")
        if before is not None and "recorded_low" not in columns_of(tx, "nt_event_index"):
            tx.execute("ALTER TABLE nt_event_index ADD COLUMN recorded_low TEXT")
        create_tables(tx)
        if before is not None and before < IDEMPOTENCY_SCOPED_IN:
            _scope_idempotency(tx)
        if before is not None and before < RECORDED_LOW_IN:
            _fill_recorded_low(tx)
        for statement in MIGRATED_INDEXES:
            tx.execute(statement)
        tx.execute(
            "INSERT INTO nt_schema (id, version) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            (SCHEMA_VERSION,),
        )
    return before, SCHEMA_VERSION


def _scope_idempotency(tx: Tx) -> None:
    """Give each older idempotency record the principal that appended its first event."""
    tx.execute(
        "INSERT INTO nt_idempotency (principal, key, request_hash, stream_id, first_position,"
        " last_position, created_at)"
        " SELECT COALESCE(i.principal, ''), u.key, u.request_hash, u.stream_id, u.first_position,"
        " u.last_position, u.created_at"
        " FROM nt_idempotency_unscoped u LEFT JOIN nt_event_index i ON i.position = u.first_position"
    )
    tx.execute("DROP TABLE nt_idempotency_unscoped")


def _fill_recorded_low(tx: Tx) -> None:
    """Give each older index row the earliest recorded_at of its position and every later one
    (one pass over the index, newest position first)."""
    tx.execute(
        "UPDATE nt_event_index SET recorded_low = w.low FROM ("
        " SELECT position, MIN(recorded_at) OVER (ORDER BY position DESC"
        " ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS low FROM nt_event_index"
        ") AS w WHERE w.position = nt_event_index.position"
    )
