"""Changes between two folds of a stream's state, as history rows (added, dropped, changed)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from domain import temporal
from domain.base import NegotiationAggregate
from domain.temporal import Fact
from domain.values import as_dict
from projections.view import dumps, loads
from store.sql import Tx


def fold_stream_row(
    tx: Tx,
    table: str,
    fact: Fact,
    position: int,
    talks_id: str,
    party: str | None,
    keys: tuple[str, ...],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Fold a fact into its stream's state; the ``keys`` of the state before, and the state after.

    The state stays in the transaction's memory and is written once by ``flush_state_rows``:
    reading and rewriting a long stream's whole state for each of its events would make a
    rebuild quadratic. It keeps the fold's bookkeeping, so disputes are found incrementally.
    """
    stream_id = str(fact.event.originator_id)
    entry = tx.pending.get((table, stream_id))
    if entry is None:
        rows = tx.execute(f"SELECT state FROM {table} WHERE stream_id = ?", (stream_id,))
        state: dict[str, Any] = loads(rows[0]["state"]) if rows else {}
    else:
        state = entry["state"]
    # The step puts new values in place of the ones it changes (domain.base.appended): the
    # values before it need no copy.
    before = {key: state[key] for key in keys if key in state}
    temporal.step(state, fact)
    tx.pending[(table, stream_id)] = {
        "talks_id": talks_id, "party": party or "", "state": state, "position": position,
    }  # fmt: skip
    return before, state


def flush_state_rows(tx: Tx, table: str) -> None:
    """Write the states folded in this transaction, one row per stream."""
    for key in [k for k in tx.pending if k[0] == table]:
        entry = tx.pending.pop(key)
        tx.execute(
            f"INSERT INTO {table} (stream_id, talks_id, party, state, last_position)"
            " VALUES (?,?,?,?,?) ON CONFLICT (stream_id) DO UPDATE SET"
            " talks_id = excluded.talks_id, party = excluded.party, state = excluded.state,"
            " last_position = excluded.last_position",
            (key[1], entry["talks_id"], entry["party"], dumps(entry["state"]), entry["position"]),
        )


def list_changes(before: Iterable[Any], after: Iterable[Any]) -> list[tuple[str, Any]]:
    """What was added and what was removed between two lists, in order."""
    old, new = list(before), list(after)
    return [("added", item) for item in new if item not in old] + [
        ("dropped", item) for item in old if item not in new
    ]


def occurred_text(event: NegotiationAggregate.Event) -> str:
    """The event's occurrence as a JSON column."""
    return dumps(as_dict(event.envelope.occurred))
