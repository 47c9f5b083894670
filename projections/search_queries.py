"""The search of timeline entries: words through the full-text index, filters as SQL."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from projections.queries import Page, disputed_events, errata_of
from projections.search import LIVE_FTS, PG_VECTOR, words
from projections.timeline import ORDER as TIMELINE_ORDER
from projections.view import dumps, loads
from store.sql import Database, Row

ENTRY_KEYS = ("position", "talks_id", "stream_id", "kind", "type", "event_id", "version",
              "recorded_at", "headline", "cameo", "quote", "modality", "attributed_to",
              "retracted_by", "refers_to", "in_reply_to")  # fmt: skip


@dataclass(frozen=True)
class Filters:
    """What a search asks for; ``actor_keys`` are folded names (any of them matches)."""

    text: str | None = None
    talks_id: str | None = None
    actor_keys: Collection[str] = field(default_factory=tuple)
    kind: str | None = None
    modality: str | None = None
    disputed: bool | None = None
    corrected: bool | None = None
    date_from: str | None = None
    date_to: str | None = None


def _text_match(db: Database, text: str) -> tuple[str, list[Any]] | None:
    """The full-text condition on view_search for a search box's words (None: no words)."""
    found = words(text)
    if not found:
        return None
    if db.dialect == "sqlite":
        # Each word quoted: FTS5 operators typed in the box are words, never syntax.
        expression = " ".join(f'"{w}"*' for w in found)
        return f"position IN (SELECT rowid FROM {LIVE_FTS} WHERE {LIVE_FTS} MATCH ?)", [expression]
    expression = " & ".join(f"{w}:*" for w in found)
    return f"{PG_VECTOR} @@ to_tsquery('simple', ?)", [expression]


def _where(db: Database, filters: Filters) -> tuple[list[str], list[Any]]:
    where: list[str] = ["1 = 1"]
    params: list[Any] = []
    inner: list[str] = []
    inner_params: list[Any] = []
    if filters.text and (match := _text_match(db, filters.text)):
        inner.append(match[0])
        inner_params += match[1]
    elif filters.text:
        where.append("1 = 0")  # only punctuation: nothing can match it
    if filters.actor_keys:
        contains = (
            "instr(actor_keys, ?) > 0" if db.dialect == "sqlite" else "strpos(actor_keys, ?) > 0"
        )
        inner.append("(" + " OR ".join(contains for _ in filters.actor_keys) + ")")
        inner_params += [dumps(key) for key in sorted(filters.actor_keys)]
    if inner:
        where.append(f"position IN (SELECT position FROM view_search WHERE {' AND '.join(inner)})")
        params += inner_params
    for column, value in (("talks_id", filters.talks_id), ("kind", filters.kind),
                          ("modality", filters.modality)):  # fmt: skip
        if value:
            where.append(f"{column} = ?")
            params.append(value)
    if filters.corrected is not None:
        where.append("corrected_by " + ("<>" if filters.corrected else "=") + " '[]'")
    if filters.date_from:
        where.append("occurred_end > ?")
        params.append(filters.date_from)
    if filters.date_to:
        where.append("occurred_start < ?")
        params.append(filters.date_to)
    return where, params


def search(db: Database, filters: Filters, page: Page) -> tuple[list[Row], int]:
    """One page of the timeline entries that match, in timeline order, and how many match."""
    where, params = _where(db, filters)
    if filters.disputed is not None:  # a filter: every disputed entry of the Talks asked
        ids = sorted(disputed_events(db, filters.talks_id))
        if ids:
            marks = ", ".join("?" for _ in ids)
            where.append(f"event_id {'IN' if filters.disputed else 'NOT IN'} ({marks})")
            params += ids
        elif filters.disputed:
            where.append("1 = 0")
    condition = " AND ".join(where)
    total = int(
        db.query(f"SELECT COUNT(*) AS n FROM view_timeline WHERE {condition}", params)[0]["n"]
    )
    rows = db.query(
        f"SELECT * FROM view_timeline WHERE {condition} ORDER BY {TIMELINE_ORDER} LIMIT ? OFFSET ?",
        [*params, page.limit, page.offset],
    )
    # Marks only: the disputes of the claims the page's entries make.
    disputed = disputed_events(db, filters.talks_id, keys=[r["claim_key"] for r in rows])
    errata = errata_of(db, [r["event_id"] for r in rows])
    entries = [
        {
            **{key: r[key] for key in ENTRY_KEYS},
            "occurred": loads(r["occurred"]),
            "actors": loads(r["actors"]),
            "sources": loads(r["sources"]),
            "data": loads(r["data"]),
            "corrected_by": loads(r["corrected_by"]),
            "disputed": r["event_id"] in disputed,
            "errata": errata.get(r["event_id"], []),
        }
        for r in rows
    ]
    return entries, total
