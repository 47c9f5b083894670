"""Reads of the views, as JSON-ready dicts; filters become SQL, never Python loops over rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from domain.temporal import public
from projections.timeline import ORDER as TIMELINE_ORDER
from projections.view import loads
from store.sql import Database, Row

#: What the fold records about corrections, retractions and disputes in a stream's state.
MARKS = ("disputes", "corrected", "retracted", "corrections")


@dataclass(frozen=True)
class Page:
    """Paging of a list: at most ``limit`` rows after skipping ``offset``."""

    limit: int = 100
    offset: int = 0


def _contains(db: Database, column: str) -> str:
    """A SQL test that a text column contains a given text, exactly (case and all)."""
    return f"instr({column}, ?) > 0" if db.dialect == "sqlite" else f"strpos({column}, ?) > 0"


def _json_string(value: str) -> str:
    """How a string appears inside a JSON array column (so "Russia" does not match "Russian")."""
    return json.dumps(value, ensure_ascii=False)


def _marks(state: dict[str, Any]) -> dict[str, Any]:
    return {key: state.get(key, []) for key in MARKS}


def _talks_where(
    db: Database, status: str | None, party: str | None, title: str | None
) -> tuple[list[str], list[Any]]:
    """The filters of the talks overview, as SQL conditions and their parameters."""
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    if status:
        where.append("status = ?")
        params.append(status)
    if party:
        where.append(_contains(db, "parties"))
        params.append(_json_string(party))
    if title:
        # lower() folds ASCII on SQLite: enough for a title search box, no index needed.
        where.append(_contains(db, "lower(title)"))
        params.append(title.lower())
    return where, params


def count_talks(
    db: Database, status: str | None, party: str | None, title: str | None = None
) -> int:
    """How many Talks the same filters as ``list_talks`` keep (so a page can say "of N")."""
    where, params = _talks_where(db, status, party, title)
    rows = db.query(
        f"SELECT COUNT(*) AS n FROM view_talks_overview WHERE {' AND '.join(where)}", params
    )
    return int(rows[0]["n"])


def list_talks(
    db: Database, status: str | None, party: str | None, page: Page, title: str | None = None
) -> list[Row]:
    """Talks overview rows, filtered by status, party and words of the title."""
    where, params = _talks_where(db, status, party, title)
    rows = db.query(
        f"SELECT * FROM view_talks_overview WHERE {' AND '.join(where)}"
        " ORDER BY last_position DESC, talks_id LIMIT ? OFFSET ?",
        [*params, page.limit, page.offset],
    )
    return [
        {
            "id": r["talks_id"],
            **public(loads(r["state"])),
            "next_round": loads(r["next_round"]),
            "last_change": {
                "position": r["last_position"],
                "type": r["last_type"],
                "headline": r["last_headline"],
            },
        }
        for r in rows
    ]


def disputed_events(db: Database, talks_id: str | None) -> set[str]:
    """Ids of the events whose claims are disputed, from the folded states of the family."""
    found: set[str] = set()
    for table in ("view_talks_overview", "view_positions", "view_delegations"):
        sql = f"SELECT state FROM {table}"
        rows = db.query(sql + " WHERE talks_id = ?", (talks_id,)) if talks_id else db.query(sql)
        for row in rows:
            for dispute in loads(row["state"]).get("disputes", []):
                found.update(claim["event_id"] for claim in dispute["claims"])
    return found


def timeline(
    db: Database,
    *,
    talks_id: str | None,
    kind: str | None,
    actor: str | Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
    page: Page,
) -> list[Row]:
    """Timeline entries ordered by when they occurred, then by log position.

    A date range keeps the entries whose occurrence overlaps it; undated entries then drop out.
    Entries with unknown dates come last. Each entry says whether it was corrected (and by
    which events), retracted, or is one of the claims of a dispute.
    """
    where, params = ["1 = 1"], []
    for column, value in (("talks_id", talks_id), ("kind", kind)):
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if actor:  # any of the names given (an actor's name and aliases), acting or attributed
        names = [actor] if isinstance(actor, str) else list(actor)
        tests = [_contains(db, "actors") for _ in names]
        where.append(f"({' OR '.join(tests)} OR attributed_to IN ({','.join('?' * len(names))}))")
        params.extend([*(_json_string(name) for name in names), *names])
    if date_from:
        where.append("occurred_end > ?")
        params.append(date_from)
    if date_to:
        where.append("occurred_start < ?")
        params.append(date_to)
    rows = db.query(
        f"SELECT * FROM view_timeline WHERE {' AND '.join(where)} ORDER BY {TIMELINE_ORDER}"
        " LIMIT ? OFFSET ?",
        [*params, page.limit, page.offset],
    )
    disputed = disputed_events(db, talks_id)
    keys = ("position", "talks_id", "stream_id", "kind", "type", "event_id", "version",
            "recorded_at", "headline", "cameo", "quote", "modality", "attributed_to",
            "retracted_by", "refers_to")  # fmt: skip
    return [
        {
            **{key: r[key] for key in keys},
            "occurred": loads(r["occurred"]),
            "actors": loads(r["actors"]),
            "sources": loads(r["sources"]),
            "data": loads(r["data"]),
            "corrected_by": loads(r["corrected_by"]),
            "disputed": r["event_id"] in disputed,
        }
        for r in rows
    ]


def _per_stream(
    db: Database,
    tables: tuple[str, str],
    talks_id: str,
    change: Callable[[Row], Row],
    current: Callable[[dict[str, Any]], Row],
) -> list[Row]:
    """One entry per stream of a Talks (party order): its current state and its history.

    ``tables``: the view's table of states and its table of changes.
    """
    states, changes = tables
    history: dict[str, list[Row]] = {}
    for r in db.query(
        f"SELECT * FROM {changes} WHERE talks_id = ? ORDER BY position, seq",
        (talks_id,),
    ):
        history.setdefault(r["stream_id"], []).append(
            {
                "position": r["position"],
                **change(r),
                "occurred": loads(r["occurred"]),
                "event_id": r["event_id"],
            }
        )
    found = []
    for r in db.query(
        f"SELECT * FROM {states} WHERE talks_id = ? ORDER BY party, stream_id", (talks_id,)
    ):
        state: dict[str, Any] = loads(r["state"])
        found.append(
            {
                "stream_id": r["stream_id"],
                "party": r["party"],
                **current(state),
                **_marks(state),
                "history": history.get(r["stream_id"], []),
            }
        )
    return found


def positions(db: Database, talks_id: str) -> list[Row]:
    """Each party's current position in a Talks, with its history of priorities and demands."""
    keys = ("priorities", "demands", "dropped_priorities", "dropped_demands", "proposals",
            "appeals", "assessments", "statements")  # fmt: skip
    return _per_stream(
        db,
        ("view_positions", "view_position_history"),
        talks_id,
        lambda r: {"kind": r["item_kind"], "item": r["item"], "change": r["change"]},
        lambda state: {key: state.get(key, []) for key in keys},
    )


def statements(
    db: Database, *, speaker: str | None, text: str | None, talks_id: str | None, page: Page
) -> list[Row]:
    """Quotes, filtered by speaker and by words in the quote (case-insensitive)."""
    where, params = ["1 = 1"], []
    if speaker:
        where.append(_contains(db, "speaker_folded"))
        params.append(speaker.casefold())
    if text:
        where.append(_contains(db, "quote_folded"))
        params.append(text.casefold())
    if talks_id:
        where.append("talks_id = ?")
        params.append(talks_id)
    rows = db.query(
        f"SELECT * FROM view_statements WHERE {' AND '.join(where)}"
        " ORDER BY (CASE WHEN occurred_start IS NULL THEN 1 ELSE 0 END), occurred_start,"
        " position, seq LIMIT ? OFFSET ?",
        [*params, page.limit, page.offset],
    )
    keys = ("position", "talks_id", "stream_id", "party", "speaker", "channel", "type", "quote",
            "attributed_to", "event_id")  # fmt: skip
    return [
        {
            **{key: r[key] for key in keys},
            "occurred": loads(r["occurred"]),
            "source": loads(r["source"]),
            "corrected_by": loads(r["corrected_by"]),
        }
        for r in rows
    ]


def delegations(db: Database, talks_id: str) -> list[Row]:
    """Each party's delegation to a Talks: head, members, status and their history."""
    keys = ("head", "heads", "members", "status", "location", "destination", "movements", "rounds")
    return _per_stream(
        db,
        ("view_delegations", "view_delegation_history"),
        talks_id,
        lambda r: {"change": r["change"], "detail": loads(r["detail"])},
        lambda state: {key: state.get(key) for key in keys},
    )
