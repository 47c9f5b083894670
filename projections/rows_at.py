"""A versioned view's rows at a point on both clocks, as one indexed query on its own tables.

- **Record time** (``upto``, the last log position recorded by ``as_of``): the live rows that
  hold from a position at or before it, and the past rows that held then (``record_from <= P <
  record_to``). These are the rows a projection of the events up to P would have written: each
  version follows from the events up to its own position (projections/versioned.py).
- **Valid time** (``at``), the fold's rule (domain/temporal.py ``select``): a row counts when its
  fact may have happened by then (its earliest instant at or before ``at``; undated: always).
  A correction's or retraction's own row counts only while its stream exists at ``at``, that is
  while one of the stream's other facts counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from domain.corrections import EventCorrected, EventRetracted
from projections.versioned import UNDATED, past_of

#: The types whose rows count only beside another of their stream's facts.
FIXES = (EventCorrected.type_name(), EventRetracted.type_name())
#: Order of rows at a point: by occurrence (undated ones last), then by log position.
POINT_ORDER = "undated, occurred_start, position"


@dataclass(frozen=True)
class Point:
    """A point on both clocks: the rows known up to log position ``upto``, of the facts that
    may have happened by ``at`` (RFC 3339 text, ``store.serialize.iso``; None: whenever)."""

    upto: int
    at: str | None = None


def _counts(point: Point) -> tuple[str, list[Any]]:
    """The valid-time rule as a condition on ``occurred_start``, and its parameters."""
    if point.at is None:
        return "1 = 1", []
    return "(occurred_start IS NULL OR occurred_start <= ?)", [point.at]


def _held(table: str, point: Point) -> list[tuple[str, str, list[Any]]]:
    """The record-time rule, per table of a versioned view: its live rows that hold from a
    position at or before ``point.upto``, its past rows that held then (a name, a condition and
    its parameters for each)."""
    return [
        (f"view_{table}", "record_from <= ?", [point.upto]),
        (f"view_{past_of(table)}", "record_from <= ? AND record_to > ?", [point.upto, point.upto]),
    ]


def _versions(
    table: str, columns: Sequence[str], point: Point, where: Sequence[str], params: Sequence[Any]
) -> tuple[str, list[Any]]:
    """The rows of ``table`` as known at ``point.upto`` that meet ``where``, as a compound
    SELECT, and its parameters (``where``'s are used once per arm)."""
    arms, found = [], []
    for name, held, held_params in _held(table, point):
        arms.append(f"SELECT {', '.join(columns)} FROM {name} WHERE {' AND '.join([held, *where])}")
        found += [*held_params, *params]
    return " UNION ALL ".join(arms), found


def select_at(
    table: str,
    columns: Sequence[str],
    point: Point,
    where: Sequence[str] = (),
    params: Sequence[Any] = (),
    *,
    top: tuple[str, int] | None = None,
) -> tuple[str, list[Any]]:
    """A SELECT of the named columns of a versioned table's rows at ``point`` that meet
    ``where`` (conditions on its columns, with ``params``), plus ``undated`` (1 for rows with no
    earliest instant) for ordering by ``POINT_ORDER``; and its parameters.

    ``top``: only the first rows of each of the live and the past table in this order (an
    expression on the table's columns, as its order index has it), as many as a page needs
    (its limit plus its offset). Each table is then read in order on its index, on SQLite and
    on PostgreSQL alike (which otherwise sorts every row of the point), and the caller's own
    ``ORDER BY ... LIMIT`` over both picks the page.

    The table needs ``type``, ``stream_id`` and ``occurred_start`` among its columns.
    """
    wanted = list(dict.fromkeys([*columns, "type", "stream_id", "occurred_start", "position"]))
    counts, counted = _counts(point)
    conditions, found = [counts], list(counted)
    if point.at is not None:  # a fix's own row: only while its stream exists then
        fixes = ", ".join("?" * len(FIXES))
        others, params_of_others = _versions(
            "timeline",
            ["stream_id"],
            point,
            ["stream_id = r.stream_id", f"type NOT IN ({fixes})", counts],
            [*FIXES, *counted],
        )
        conditions.append(f"(r.type NOT IN ({fixes}) OR EXISTS ({others}))")
        found += [*FIXES, *params_of_others]
    arms, arm_params = [], []
    for name, held, held_params in _held(table, point):
        arm = (
            f"SELECT {', '.join(wanted)}, {UNDATED} AS undated FROM {name} AS r"
            f" WHERE {' AND '.join([held, *where, *conditions])}"
        )
        arm_params += [*held_params, *params, *found]
        if top is not None:
            arm = f"SELECT * FROM ({arm} ORDER BY {top[0]} LIMIT ?) AS a"
            arm_params.append(top[1])
        arms.append(arm)
    sql = f"SELECT {', '.join([*columns, 'undated'])} FROM ({' UNION ALL '.join(arms)}) AS p"
    return sql, arm_params


def newest_facts(point: Point, kinds: Sequence[str]) -> tuple[str, list[Any]]:
    """Each family that exists at ``point``, with the log position of its newest fact then, as
    a projection of the facts chosen for that point counts them (``talks_id``, ``last``): a
    SELECT of the timeline's rows, and its parameters.

    The fold's rule, on the rows of streams of these ``kinds``: a stream exists when one of its
    facts other than a fix counts; a fix (correction, retraction) of a stream that exists is
    taken whatever its date (the fold takes it as knowledge); a family exists when its Talks
    does. A creating event that had not happened yet has no row, and needs none: its stream's
    later facts are newer.
    """
    counts, counted = _counts(point)
    fixes = ", ".join("?" * len(FIXES))
    kinds_in = ", ".join("?" * len(kinds)) or "NULL"
    arms, params = [], []
    for name, held, held_params in _held("timeline", point):
        arms.append(
            f"SELECT talks_id, stream_id, kind, type, position, occurred_start FROM {name}"
            f" WHERE {held} AND kind IN ({kinds_in})"
        )
        params += [*held_params, *kinds]
    sql = (
        "SELECT talks_id, MAX(last) AS last FROM ("
        "SELECT talks_id, stream_id, kind, MAX(position) AS last"
        f" FROM ({' UNION ALL '.join(arms)}) AS r WHERE type IN ({fixes}) OR {counts}"
        " GROUP BY talks_id, stream_id, kind"
        f" HAVING SUM(CASE WHEN type NOT IN ({fixes}) AND {counts} THEN 1 ELSE 0 END) > 0"
        ") AS s GROUP BY talks_id HAVING SUM(CASE WHEN kind = 'talks' THEN 1 ELSE 0 END) > 0"
    )
    return sql, [*params, *FIXES, *counted, *FIXES, *counted]


def candidates_newest_first(
    point: Point, kinds: Sequence[str], before: int | None, excluded: Sequence[str], limit: int
) -> tuple[str, list[Any]]:
    """The timeline's rows at ``point`` that may count for ``newest_facts`` (a fix of any date,
    another fact that may have happened by then), of streams of these ``kinds`` and of families
    not ``excluded``, newest first (below position ``before``), ``limit`` of them: a SELECT of
    ``talks_id, stream_id, type, position`` and its parameters.

    Whether a fix counts (its stream exists then: ``existing_streams``) and whether its family
    does (its Talks exists then) the caller works out, for the few rows it reads.
    """
    counts, counted = _counts(point)
    fixes = ", ".join("?" * len(FIXES))
    kinds_in = ", ".join("?" * len(kinds)) or "NULL"
    where = [f"kind IN ({kinds_in})", f"(type IN ({fixes}) OR {counts})"]
    params: list[Any] = [*kinds, *FIXES, *counted]
    if before is not None:
        where.append("position < ?")
        params.append(before)
    if excluded:
        where.append(f"talks_id NOT IN ({', '.join('?' * len(excluded))})")
        params.extend(excluded)
    arms, found = [], []
    for name, held, held_params in _held("timeline", point):
        arms.append(
            f"SELECT talks_id, stream_id, type, position FROM {name}"
            f" WHERE {' AND '.join([held, *where])} ORDER BY position DESC LIMIT ?"
        )
        found += [*held_params, *params, limit]
    sql = (
        f"SELECT talks_id, stream_id, type, position FROM ("
        f"{' UNION ALL '.join(f'SELECT * FROM ({arm}) AS a{i}' for i, arm in enumerate(arms))}"
        ") AS r ORDER BY position DESC LIMIT ?"
    )
    return sql, [*found, limit]


def existing_streams(point: Point, stream_ids: Sequence[str]) -> tuple[str, list[Any]]:
    """Which of these streams exist at ``point`` (one of their facts other than a fix counts,
    the rule of ``newest_facts``): a SELECT of ``stream_id`` and its parameters."""
    counts, counted = _counts(point)
    fixes = ", ".join("?" * len(FIXES))
    ids = ", ".join("?" * len(stream_ids)) or "NULL"
    sql, params = _versions(
        "timeline",
        ["stream_id"],
        point,
        [f"stream_id IN ({ids})", f"type NOT IN ({fixes})", counts],
        [*stream_ids, *FIXES, *counted],
    )
    return f"SELECT DISTINCT stream_id FROM ({sql}) AS s", params
