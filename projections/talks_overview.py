"""Talks overview: one row per Talks with status, parties, mediators, rounds, next round, last change."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain import temporal
from domain.base import appended
from domain.occurrence import Occurrence
from domain.temporal import Fact
from projections.carried import CARRIED, Rows
from projections.view import Context, Tables, View, dumps, loads
from store.sql import Tx

ACTIVE_ROUND = ("scheduled", "postponed")
_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _round_start(item: dict[str, Any]) -> datetime | None:
    """When a round may start at the earliest, in UTC; None if its date is unknown."""
    return Occurrence(**item["date"]).bounds()[0] if item["date"] else None


def next_round(state: dict[str, Any]) -> dict[str, Any] | None:
    """The round still to come (scheduled or postponed) that starts first; undated ones last."""
    upcoming = [r for r in state.get("rounds", []) if r["status"] in ACTIVE_ROUND]
    upcoming.sort(
        key=lambda r: (_round_start(r) is None, _round_start(r) or _EARLIEST, r["number"])
    )
    return upcoming[0] if upcoming else None


def with_delegations(state: dict[str, Any]) -> dict[str, Any]:
    """The state with each round's delegations (DelegationAnnounced/Arrived with its number)."""
    tied = state.get("_round_delegations", [])
    if not tied:
        return state
    rounds = [
        {**item, "delegations": [d for n, d in tied if n == item["number"]]}
        for item in state.get("rounds", [])
    ]
    return {**state, "rounds": rounds}


def _tie_delegation(state: dict[str, Any], fact: Fact, party: str | None) -> None:
    """Remember a delegation's tie to a round (kept by the fold's side, not a Talks fact)."""
    event = fact.event
    number = getattr(event, "round_number", None)
    if number is None or fact.retracted_by is not None or fact.is_correction:
        return
    entry = {
        "delegation_id": str(event.originator_id),
        "party": party,
        "type": event.type_name(),
        "event_id": str(event.event_id),
    }
    if [number, entry] not in state.get("_round_delegations", []):
        # A new list, as the fold adds to one: a state kept between batches shares the old.
        appended(state, "_round_delegations", [number, entry])


class TalksOverview(View):
    name = "talks_overview"
    description = "One row per Talks: status, parties, mediators, expected participants, rounds."
    tables = {
        "talks_overview": (
            "talks_id TEXT PRIMARY KEY, title TEXT NOT NULL, status TEXT NOT NULL,"
            " parties TEXT NOT NULL, state TEXT NOT NULL, next_round TEXT,"
            " last_position BIGINT NOT NULL, last_type TEXT NOT NULL, last_headline TEXT NOT NULL",
            "talks_id",
        )
    }
    indexes = {"talks_overview": ["status"]}
    #: Not actors: their streams are families of their own, with no overview row.
    kinds = frozenset({"talks", "delegations", "positions"})

    def handle(self, tx: Tx, names: Tables, fact: Fact, position: int, context: Context) -> None:
        """Fold a Talks fact into its row, kept in memory until ``flush`` (see history.py)."""
        table, event = names["talks_overview"], fact.event
        key = (table, context.talks_id)
        entry = tx.pending.get(key)
        if entry is None:
            carried: Rows | None = tx.pending.get((CARRIED, self.name))
            kept = carried is not None and context.talks_id in carried
            # The state's text only when this process kept no row of it (a rebuild, a temporal
            # build, another process's Talks): one query either way, but for a kept row that
            # moved on since.
            rows = tx.execute(
                f"SELECT last_position, last_type, last_headline{'' if kept else ', state'}"
                f" FROM {table} WHERE talks_id = ?",
                (context.talks_id,),
            )
            if not rows and context.kind != "talks":
                return  # a delegation or position of a Talks this view never saw created
            entry = {
                "state": self._state(tx, table, context.talks_id, rows[0], carried) if rows else {},
                "last": (rows[0]["last_position"], rows[0]["last_type"], rows[0]["last_headline"])
                if rows
                else (0, "", ""),
            }
            tx.pending[key] = entry
        if context.kind == "talks":
            temporal.step(entry["state"], fact)
        elif context.kind == "delegations":
            _tie_delegation(entry["state"], fact, context.party)
        # The last change is the family's newest event, whatever order the facts come in.
        if position >= entry["last"][0]:
            entry["last"] = (position, event.type_name(), fact.headline)

    @staticmethod
    def _state(
        tx: Tx, table: str, talks_id: str, row: dict[str, Any], carried: Rows | None
    ) -> dict[str, Any]:
        """A row's state: as the follower's last batch kept it, or decoded from its text (read
        now if the row was selected without it)."""
        kept = None if carried is None else carried.taken(talks_id, row["last_position"])
        if kept is not None:
            return kept
        text = (
            row["state"]
            if "state" in row
            else tx.execute(f"SELECT state FROM {table} WHERE talks_id = ?", (talks_id,))[0][
                "state"
            ]
        )
        state: dict[str, Any] = loads(text)
        return state

    def flush(self, tx: Tx, names: Tables) -> None:
        """Write the rows folded in this transaction (and keep them, for the next batch)."""
        table = names["talks_overview"]
        carried: Rows | None = tx.pending.get((CARRIED, self.name))
        for key in [k for k in tx.pending if k[0] == table]:
            entry = tx.pending.pop(key)
            state = entry["state"]
            shown = with_delegations(state)
            text = dumps(shown)
            if carried is not None:
                carried.keep(key[1], entry["last"][0], state, len(text))
            tx.execute(
                f"INSERT INTO {table} (talks_id, title, status, parties, state, next_round,"
                " last_position, last_type, last_headline) VALUES (?,?,?,?,?,?,?,?,?)"
                " ON CONFLICT (talks_id) DO UPDATE SET title = excluded.title,"
                " status = excluded.status, parties = excluded.parties, state = excluded.state,"
                " next_round = excluded.next_round, last_position = excluded.last_position,"
                " last_type = excluded.last_type, last_headline = excluded.last_headline",
                (
                    key[1],
                    state.get("title", ""),
                    state.get("status", "proposed"),
                    dumps(state.get("parties", [])),
                    text,
                    dumps(next_round(shown)),
                    *entry["last"],
                ),
            )
