"""The schema's version: created and upgraded by ``negotiation-timeline migrate``, checked on start.

SQLite, the embedded default, migrates itself on start. PostgreSQL is shared by several processes,
so its schema changes only when someone runs ``migrate``. A process refuses a schema that is
missing or not the version it was written for.
"""

from __future__ import annotations

from eventsourcing.persistence import PersistenceError

from store.schema import SCHEMA_VERSION, create_tables
from store.sql import Database, Tx

#: Migrating from a version below this scopes the idempotency records to their principal.
IDEMPOTENCY_SCOPED_IN = 3


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
        create_tables(tx)
        if before is not None and before < IDEMPOTENCY_SCOPED_IN:
            _scope_idempotency(tx)
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
