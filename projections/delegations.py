"""Delegations: for each Talks, each party's delegation, its head and members over time."""

from __future__ import annotations

from typing import Any

from domain.temporal import Fact
from projections.history import flush_state_rows, fold_stream_row, list_changes, occurred_text
from projections.view import Context, Tables, View, dumps
from store.sql import Tx


def changes(before: dict[str, Any], after: dict[str, Any]) -> list[tuple[str, Any]]:
    """What one event changed in a delegation: head, members, status."""
    found: list[tuple[str, Any]] = []
    if after.get("head") != before.get("head") and after.get("head"):
        found.append(("head named" if not before.get("head") else "head changed", after["head"]))
    for change, member in list_changes(before.get("members", []), after.get("members", [])):
        found.append((f"member {'added' if change == 'added' else 'removed'}", member))
    if after.get("status") != before.get("status"):
        found.append(("status", {"status": after.get("status"), "city": after.get("location")}))
    return found


class Delegations(View):
    name = "delegations"
    description = "Each party's delegation per Talks: head and members over time."
    tables = {
        "delegations": (
            "stream_id TEXT PRIMARY KEY, talks_id TEXT NOT NULL, party TEXT NOT NULL,"
            " state TEXT NOT NULL, last_position BIGINT NOT NULL",
            "stream_id",
        ),
        "delegation_history": (
            "position BIGINT NOT NULL, seq INTEGER NOT NULL, stream_id TEXT NOT NULL,"
            " talks_id TEXT NOT NULL, party TEXT NOT NULL, change TEXT NOT NULL,"
            " detail TEXT NOT NULL, occurred TEXT NOT NULL, event_id TEXT NOT NULL,"
            " PRIMARY KEY (position, seq)",
            "position, seq",
        ),
    }
    indexes = {"delegations": ["talks_id"], "delegation_history": ["talks_id"]}
    kinds = frozenset({"delegations"})

    def handle(self, tx: Tx, names: Tables, fact: Fact, position: int, context: Context) -> None:
        if context.kind != "delegations":
            return
        event = fact.event
        stream_id = str(event.originator_id)
        before, after = fold_stream_row(
            tx,
            names["delegations"],
            fact,
            position,
            context.talks_id,
            context.party,
            ("head", "members", "status", "location"),
        )
        self.buffer(tx, names["delegation_history"]).extend(
            [
                (
                    position,
                    seq,
                    stream_id,
                    context.talks_id,
                    context.party or "",
                    change,
                    dumps(detail),
                    occurred_text(event),
                    str(event.event_id),
                )
                for seq, (change, detail) in enumerate(changes(before, after))
            ],
        )

    def flush(self, tx: Tx, names: Tables) -> None:
        flush_state_rows(tx, names["delegations"])
        table = names["delegation_history"]
        self.write_buffered(
            tx,
            table,
            f"INSERT INTO {table} (position, seq, stream_id, talks_id,"
            " party, change, detail, occurred, event_id) VALUES (?,?,?,?,?,?,?,?,?)",
        )
