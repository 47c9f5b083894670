"""Reads of the views, as JSON-ready dicts; filters become SQL, never Python loops over rows."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from domain import temporal
from domain.temporal import public
from projections.rows_at import (
    FIXES,
    POINT_ORDER,
    Point,
    candidates_newest_first,
    existing_streams,
    newest_facts,
    select_at,
)
from projections.statements import COLUMNS as STATEMENT_COLUMNS
from projections.statements import ORDER as STATEMENTS_ORDER
from projections.timeline import COLUMNS as TIMELINE_COLUMNS
from projections.timeline import ORDER as TIMELINE_ORDER
from projections.view import loads
from store.sql import Database, Reader, Row, reading

#: What a page of timeline entries reads (the claims are read apart, for the page's keys only).
ENTRY_COLUMNS = [c for c in TIMELINE_COLUMNS if c != "claim_compared"]

#: What the fold records about corrections, retractions and disputes in a stream's state.
MARKS = ("disputes", "corrected", "retracted", "corrections", "errata")


@dataclass(frozen=True)
class Page:
    """Paging of a list: at most ``limit`` rows after skipping ``offset``."""

    limit: int = 100
    offset: int = 0


def _contains(db: Reader, column: str) -> str:
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


#: Rows read at a time by ``talks_at``'s walk from the newest, and the deepest page it serves
#: (beyond, the whole timeline is grouped in one query).
WALK_CHUNK = 500
WALK_DEEPEST = 400


def talks_at(db: Reader, point: Point, kinds: Sequence[str], page: Page) -> list[str]:
    """The ids of a page of the list of Talks at a point, in the list's order (newest fact
    first, then by id), from the timeline's rows (``rows_at.newest_facts``).

    A family's place is its newest fact that counts then, so a walk down the timeline from its
    newest row meets the families in the list's order: the walk stops once the page is full,
    rather than grouping every row of the store. A deep page is grouped in one query.
    """
    wanted = page.offset + page.limit
    if wanted > WALK_DEEPEST:
        sql, params = newest_facts(point, kinds)
        rows = db.query(
            f"{sql} ORDER BY last DESC, talks_id LIMIT ? OFFSET ?",
            [*params, page.limit, page.offset],
        )
        return [str(r["talks_id"]) for r in rows]
    with reading(db) as reader:
        return _walked(reader, point, kinds, wanted)[page.offset :]


def _walked(db: Reader, point: Point, kinds: Sequence[str], wanted: int) -> list[str]:
    """The first ``wanted`` families of the list at a point, by a walk from the newest row."""
    fixes = set(FIXES)
    listed: list[str] = []
    decided: set[str] = set()  # listed, or not existing then
    exists: dict[str, bool] = {}
    before: int | None = None
    while True:
        sql, params = candidates_newest_first(
            point, kinds, before, sorted(decided) if len(decided) <= WALK_DEEPEST else [],
            WALK_CHUNK,
        )  # fmt: skip
        rows = db.query(sql, params)
        unknown = {
            stream
            for r in rows
            if r["talks_id"] not in decided
            for stream in (
                (r["talks_id"], r["stream_id"]) if r["type"] in fixes else (r["talks_id"],)
            )
            if stream not in exists
        }
        if unknown:
            found_sql, found_params = existing_streams(point, sorted(unknown))
            there = {r["stream_id"] for r in db.query(found_sql, found_params)}
            exists.update((stream, stream in there) for stream in unknown)
        for r in rows:
            family = r["talks_id"]
            if family in decided or (r["type"] in fixes and not exists[r["stream_id"]]):
                continue  # placed already, or a fix of a stream that did not exist then
            decided.add(family)  # its newest fact that counts: its place, if its Talks exists
            if exists[family]:
                listed.append(family)
                if len(listed) == wanted:
                    return listed
        if len(rows) < WALK_CHUNK:
            return listed
        before = rows[-1]["position"]


def disputed_events(
    db: Reader,
    talks_id: str | None,
    point: Point | None = None,
    *,
    keys: Sequence[str] | None = None,
) -> set[str]:
    """Ids of the events whose claims are disputed, now or at a point, by the fold's rule
    (domain/temporal.py ``disputed_ids``) over the claims the timeline's rows keep.

    ``keys``: only the claims of these streams and subjects (the ones a page of rows makes).
    """
    where, params = ["claim_key IS NOT NULL"], []
    if talks_id and keys is None:  # a key names its stream, so its Talks: only the key's index
        where.append("talks_id = ?")
        params.append(talks_id)
    if keys is not None:
        wanted = list(dict.fromkeys(key for key in keys if key))
        if not wanted:
            return set()
        where.append(f"claim_key IN ({','.join('?' * len(wanted))})")
        params.extend(wanted)
    sql, found = _rows_of("timeline", ["claim_key", "claim_compared"], point, where, params)
    rows = db.query(sql, found)
    return temporal.disputed_ids((r["claim_key"], loads(r["claim_compared"])) for r in rows)


def _rows_of(
    table: str,
    columns: Sequence[str],
    point: Point | None,
    where: Sequence[str],
    params: Sequence[Any],
    top: tuple[str, int] | None = None,
) -> tuple[str, list[Any]]:
    """A SELECT of a versioned view's rows now (``point`` None) or at a point (``top``: see
    ``select_at``; a read now is ordered and limited by its caller alone)."""
    if point is None:
        return (
            f"SELECT {', '.join(columns)} FROM view_{table} WHERE {' AND '.join(['1 = 1', *where])}",
            list(params),
        )
    return select_at(table, columns, point, where, params, top=top)


ERRATUM = "SourceErrorNoted"


def errata_of(
    db: Reader, event_ids: Sequence[str], point: Point | None = None
) -> dict[str, list[dict[str, Any]]]:
    """The standing errata (SourceErrorNoted, not retracted) noted on each of these events, now
    or at a point."""
    found: dict[str, list[dict[str, Any]]] = {}
    ids = list(dict.fromkeys(event_ids))
    for start in range(0, len(ids), 500):  # within every database's parameter limit
        chunk = ids[start : start + 500]
        where = ["type = ?", "retracted_by IS NULL", f"refers_to IN ({','.join('?' * len(chunk))})"]
        sql, params = _rows_of("timeline", ["refers_to", "event_id", "data", "position"], point,
                               where, [ERRATUM, *chunk])  # fmt: skip
        rows = db.query(f"SELECT * FROM ({sql}) AS e ORDER BY position", params)
        for r in rows:
            data = loads(r["data"])
            found.setdefault(r["refers_to"], []).append(
                {
                    "event": data["event"],
                    "source_index": data.get("source_index"),
                    "field": data.get("field"),
                    "error": data["error"],
                    "reason": data.get("reason"),
                    "event_id": r["event_id"],
                }
            )
    return found


def timeline(
    db: Reader,
    *,
    talks_id: str | None,
    kind: str | None,
    actor: str | Sequence[str] | None,
    date_from: str | None,
    date_to: str | None,
    page: Page,
    point: Point | None = None,
) -> list[Row]:
    """Timeline entries ordered by when they occurred, then by log position; now, or as they
    were at a point on both clocks.

    A date range keeps the entries whose occurrence overlaps it; undated entries then drop out.
    Entries with unknown dates come last. Each entry says whether it was corrected (and by
    which events), retracted, or is one of the claims of a dispute.
    """
    where: list[str] = []
    params: list[Any] = []
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
    top = (TIMELINE_ORDER, page.limit + page.offset)
    sql, found = _rows_of("timeline", ENTRY_COLUMNS, point, where, params, top)
    order = TIMELINE_ORDER if point is None else POINT_ORDER
    with reading(db) as together:  # the page, its disputes and its errata in one snapshot
        rows = together.query(
            f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", [*found, page.limit, page.offset]
        )
        disputed = disputed_events(together, talks_id, point, keys=[r["claim_key"] for r in rows])
        errata = errata_of(together, [r["event_id"] for r in rows], point)
    keys = ("position", "talks_id", "stream_id", "kind", "type", "event_id", "version",
            "recorded_at", "headline", "cameo", "quote", "modality", "attributed_to",
            "retracted_by", "refers_to", "in_reply_to")  # fmt: skip
    return [
        {
            **{key: r[key] for key in keys},
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
            "appeals", "assessments", "statements", "claims", "intents",
            "demand_terms")  # fmt: skip
    return _per_stream(
        db,
        ("view_positions", "view_position_history"),
        talks_id,
        lambda r: {"kind": r["item_kind"], "item": r["item"], "change": r["change"]},
        lambda state: {key: state.get(key, []) for key in keys},
    )


def statements(
    db: Reader,
    *,
    speaker: str | None,
    text: str | None,
    talks_id: str | None,
    page: Page,
    point: Point | None = None,
) -> list[Row]:
    """Quotes, filtered by speaker and by words in the quote (case-insensitive); now, or as
    they were at a point on both clocks."""
    where: list[str] = []
    params: list[Any] = []
    if speaker:
        where.append(_contains(db, "speaker_folded"))
        params.append(speaker.casefold())
    if text:
        where.append(_contains(db, "quote_folded"))
        params.append(text.casefold())
    if talks_id:
        where.append("talks_id = ?")
        params.append(talks_id)
    top = (STATEMENTS_ORDER, page.limit + page.offset)
    sql, found = _rows_of("statements", STATEMENT_COLUMNS, point, where, params, top)
    order = STATEMENTS_ORDER if point is None else f"{POINT_ORDER}, seq"
    with reading(db) as together:  # the page and its errata in one snapshot
        rows = together.query(
            f"{sql} ORDER BY {order} LIMIT ? OFFSET ?", [*found, page.limit, page.offset]
        )
        errata = errata_of(together, [r["event_id"] for r in rows], point)
    keys = ("position", "talks_id", "stream_id", "party", "speaker", "channel", "type", "quote",
            "attributed_to", "event_id", "in_reply_to")  # fmt: skip
    return [
        {
            **{key: r[key] for key in keys},
            "occurred": loads(r["occurred"]),
            "source": loads(r["source"]),
            "corrected_by": loads(r["corrected_by"]),
            "errata": errata.get(r["event_id"], []),
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
