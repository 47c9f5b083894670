"""Tables the service keeps beside the library's own, written in the events' transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from store import event_index
from store.event_index import IndexRow
from store.sql import Tx

#: The largest position or version either database can hold (a signed 64-bit integer).
MAX_POSITION = 2**63 - 1
#: Bumped with every change to the tables; see store/migrations.py.
#: 1: events, index, idempotency, views. 2: views keep corrections (rebuilt from the log);
#: API keys. 3: idempotency records scoped to the principal that made them. 4: the index keeps
#: each position's ``recorded_low`` (reads as of a time find their position on an index).
SCHEMA_VERSION = 4
#: Migrating from a version below this drops the views, which followers rebuild from the log.
VIEWS_CHANGED_IN = 2

#: One principal's Idempotency-Key: another principal's same key is another key.
IDEMPOTENCY_TABLE = (
    "CREATE TABLE IF NOT EXISTS nt_idempotency ("
    " principal TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " request_hash TEXT NOT NULL,"
    " stream_id TEXT NOT NULL,"
    " first_position BIGINT NOT NULL,"
    " last_position BIGINT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " PRIMARY KEY (principal, key))"
)
STATEMENTS = (
    "CREATE TABLE IF NOT EXISTS nt_event_index ("
    " position BIGINT PRIMARY KEY,"
    " stream_id TEXT NOT NULL,"
    " kind TEXT NOT NULL,"
    " version INTEGER NOT NULL,"
    " event_id TEXT NOT NULL UNIQUE,"
    " type TEXT NOT NULL,"
    " talks_id TEXT NOT NULL,"
    " recorded_at TEXT NOT NULL,"
    " occurred_start TEXT,"
    " occurred_end TEXT,"
    " principal TEXT,"
    # The earliest recorded_at of this position and every later one (store/event_index.py).
    " recorded_low TEXT)",
    "CREATE UNIQUE INDEX IF NOT EXISTS nt_event_index_stream ON nt_event_index (stream_id, version)",
    "CREATE INDEX IF NOT EXISTS nt_event_index_recorded ON nt_event_index (stream_id, recorded_at)",
    "CREATE INDEX IF NOT EXISTS nt_event_index_talks ON nt_event_index (talks_id, position)",
    IDEMPOTENCY_TABLE,
    "CREATE TABLE IF NOT EXISTS nt_schema (id INTEGER PRIMARY KEY, version INTEGER NOT NULL)",
    "CREATE TABLE IF NOT EXISTS nt_api_keys ("
    " id TEXT PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " role TEXT NOT NULL,"
    " secret_sha256 TEXT NOT NULL,"
    " created_at TEXT NOT NULL,"
    " revoked_at TEXT)",
)


@dataclass(frozen=True)
class IdempotencyRecord:
    """An Idempotency-Key, whose it is, and the hash of the request it first came with."""

    principal: str
    key: str
    request_hash: str
    created_at: str


def write_extras(tx: Tx, positions: Sequence[int], extras: dict[str, Any]) -> None:
    """Write the index rows and the idempotency record of one save, in its transaction."""
    rows: list[IndexRow] = extras.get("index", [])
    if len(rows) != len(positions):
        msg = f"{len(rows)} index rows for {len(positions)} events"
        raise RuntimeError(msg)
    event_index.insert(tx, positions, rows)
    record: IdempotencyRecord | None = extras.get("idempotency")
    if record is not None and positions:
        tx.execute(
            "INSERT INTO nt_idempotency (principal, key, request_hash, stream_id, first_position,"
            " last_position, created_at) VALUES (?,?,?,?,?,?,?)",
            (
                record.principal,
                record.key,
                record.request_hash,
                rows[0].stream_id,
                positions[0],
                positions[-1],
                record.created_at,
            ),
        )


#: Made by ``migrate`` only, once an older index has its ``recorded_low`` column (the store
#: creates the tables above when it opens, before any migration).
MIGRATED_INDEXES = (
    "CREATE INDEX IF NOT EXISTS nt_event_index_recorded_low"
    " ON nt_event_index (recorded_low, position)",
)


def create_tables(tx: Tx) -> None:
    """Create the service's own tables if missing (the version is stamped by migrate)."""
    for statement in STATEMENTS:
        tx.execute(statement)
