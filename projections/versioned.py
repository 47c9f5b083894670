"""Views whose rows keep their past: every version of a row with the record-time span it held.

A row is written with ``record_from``, the log position from which it holds. A correction or
retraction at position P does not overwrite its target's rows: they move to the view's
``<table>_past`` table with ``record_to = P``, and the rows of the target as now known are
written with ``record_from = P``. So the live table holds the rows as known now, and the rows
as known after any position P are those of both tables with ``record_from <= P`` that were not
superseded by then (``record_to > P``): a read as of a time is an indexed query on the same
tables (projections/rows_at.py), never a rebuild.

Each version follows from the events up to its position alone (the projector's ``revisions``),
never from how the log was cut into batches: a rebuild writes the very rows the live follower
wrote, byte for byte.
"""

from __future__ import annotations

from abc import abstractmethod
from typing import Any, ClassVar

from domain.temporal import Fact
from projections.view import LIVE, Context, Tables, View
from store.sql import Tx

#: Where a version ends (in the past table); where it begins is ``record_from`` in both.
RECORD_FROM, RECORD_TO = "record_from", "record_to"
#: 1 for a row with no earliest instant (undated rows come last in a read's order), else 0: the
#: one text of it, which the order indexes and the reads must share to meet.
UNDATED = "(CASE WHEN occurred_start IS NULL THEN 1 ELSE 0 END)"


def past_of(logical: str) -> str:
    """The logical name of the table that keeps a versioned table's superseded rows."""
    return f"{logical}_past"


def column_names(types: str) -> tuple[str, ...]:
    """The column names of a DDL column list (``name TYPE, ...``), in order."""
    return tuple(part.split()[0] for part in types.split(", "))


def versioned_tables(logical: str, types: str, key: str) -> dict[str, tuple[str, str]]:
    """The DDL of a versioned table and of its past table.

    ``types``: the columns' DDL (``name TYPE, ...``); ``key``: the columns that name a row
    within a version.
    """
    return {
        logical: (f"{types}, {RECORD_FROM} BIGINT NOT NULL, PRIMARY KEY ({key})", key),
        past_of(logical): (
            f"{types}, {RECORD_FROM} BIGINT NOT NULL, {RECORD_TO} BIGINT NOT NULL,"
            f" PRIMARY KEY ({key}, {RECORD_FROM})",
            f"{key}, {RECORD_FROM}",
        ),
    }


class VersionedRows(View):
    """A view of one table of rows per event (by the event's log position), kept with its past.

    Subclasses name the table (``table``) and its columns (``columns``) and say which rows a
    fact makes (``rows``).
    """

    table: ClassVar[str]
    columns: ClassVar[tuple[str, ...]]

    @abstractmethod
    def rows(self, fact: Fact, position: int, context: Context) -> list[tuple[Any, ...]]:
        """The rows of one fact as known, in ``columns`` order (no rows: none)."""

    def handle(self, tx: Tx, names: Tables, fact: Fact, position: int, context: Context) -> None:
        self._write(tx, names, fact, position, context, position)

    def _write(
        self,
        tx: Tx,
        names: Tables,
        fact: Fact,
        position: int,
        context: Context,
        record_from: int,
    ) -> None:
        rows = self.rows(fact, position, context)
        self.buffer(tx, names[self.table]).extend((*row, record_from) for row in rows)

    def revise(
        self, tx: Tx, names: Tables, fix: Fact, position: int, revised: list[tuple[int, Fact]]
    ) -> None:
        """A correction, retraction or erratum at ``position``: the rows of the events it
        changes (``revised``: their positions and facts as now known) get a new version, the
        old one ends at ``position``; then the fix's own rows."""
        self.flush(tx, names)
        live, past = names[self.table], names[past_of(self.table)]
        columns = ", ".join((*self.columns, RECORD_FROM))
        for target, fact in revised:
            tx.execute(
                f"INSERT INTO {past} ({columns}, {RECORD_TO})"
                f" SELECT {columns}, ? FROM {live} WHERE position = ?",
                (position, target),
            )
            tx.execute(f"DELETE FROM {live} WHERE position = ?", (target,))
            context = (
                self.recontext(tx, names, fact.event)  # a corrected party or Talks, maybe
                if fact.event.CREATES
                else self.context(tx, names, fact.event, target, new=False)
            )
            self._write(tx, names, fact, target, context, position)
        self.apply(tx, names, fix, position)

    def reproject(
        self, tx: Tx, names: Tables, talks_id: str, family: list[tuple[int, Fact]]
    ) -> None:
        """Never called: a versioned view revises rows one fix at a time (``revise``)."""
        msg = f"{self.name} is revised, not reprojected"
        raise NotImplementedError(msg)

    def flush(self, tx: Tx, names: Tables) -> None:
        """Insert the rows kept so far with one statement."""
        table = names[self.table]
        columns = (*self.columns, RECORD_FROM)
        self.write_buffered(
            tx,
            table,
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({','.join('?' * len(columns))})",
        )

    def outdated(self, tx: Tx) -> bool:
        """True if the live table lacks a column this release writes: made by a release before
        versions (no ``record_from``), or before a column was added or renamed."""
        have = self.columns_of(tx, Tables(self.name, LIVE)[self.table])
        return bool(have) and not {*self.columns, RECORD_FROM} <= set(have)
