"""Positions: each party's current priorities and demands per Talks, and their history."""

from __future__ import annotations

from domain.temporal import Fact
from projections.history import flush_state_rows, fold_stream_row, list_changes, occurred_text
from projections.view import Context, Tables, View
from store.sql import Tx

TRACKED = {"priorities": "priority", "demands": "demand"}


class Positions(View):
    name = "positions"
    description = "For each Talks and party: current priorities and demands, and their history."
    tables = {
        "positions": (
            "stream_id TEXT PRIMARY KEY, talks_id TEXT NOT NULL, party TEXT NOT NULL,"
            " state TEXT NOT NULL, last_position BIGINT NOT NULL",
            "stream_id",
        ),
        "position_history": (
            "position BIGINT NOT NULL, seq INTEGER NOT NULL, stream_id TEXT NOT NULL,"
            " talks_id TEXT NOT NULL, party TEXT NOT NULL, item_kind TEXT NOT NULL,"
            " item TEXT NOT NULL, change TEXT NOT NULL, occurred TEXT NOT NULL,"
            " event_id TEXT NOT NULL, PRIMARY KEY (position, seq)",
            "position, seq",
        ),
    }
    indexes = {"positions": ["talks_id"], "position_history": ["talks_id"]}
    kinds = frozenset({"positions"})

    def handle(self, tx: Tx, names: Tables, fact: Fact, position: int, context: Context) -> None:
        if context.kind != "positions":
            return
        event = fact.event
        stream_id = str(event.originator_id)
        before, after = fold_stream_row(
            tx, names["positions"], fact, position, context.talks_id, context.party, tuple(TRACKED)
        )
        changes = [
            (TRACKED[key], change, item)
            for key in TRACKED
            for change, item in list_changes(before.get(key, []), after.get(key, []))
        ]
        self.buffer(tx, names["position_history"]).extend(
            [
                (
                    position,
                    seq,
                    stream_id,
                    context.talks_id,
                    context.party or "",
                    kind,
                    item,
                    change,
                    occurred_text(event),
                    str(event.event_id),
                )
                for seq, (kind, change, item) in enumerate(changes)
            ],
        )

    def flush(self, tx: Tx, names: Tables) -> None:
        flush_state_rows(tx, names["positions"])
        table = names["position_history"]
        self.write_buffered(
            tx,
            table,
            f"INSERT INTO {table} (position, seq, stream_id, talks_id, party,"
            " item_kind, item, change, occurred, event_id) VALUES (?,?,?,?,?,?,?,?,?,?)",
        )
