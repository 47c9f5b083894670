"""One small SQL surface over SQLite and PostgreSQL: ``?`` placeholders, rows as dicts."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Literal, Protocol

Dialect = Literal["sqlite", "postgres"]
Row = dict[str, Any]


class Tx:
    """A cursor inside one transaction of either database."""

    def __init__(self, cursor: Any, dialect: Dialect) -> None:
        self.cursor = cursor
        self.dialect = dialect
        #: Rows a writer keeps in memory until it flushes them, within this transaction.
        self.pending: dict[Any, Any] = {}

    def _sql(self, sql: str) -> str:
        return sql.replace("?", "%s") if self.dialect == "postgres" else sql

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement; the rows it returns, if any."""
        self.cursor.execute(self._sql(sql), tuple(params))
        if self.dialect == "postgres":
            if self.cursor.description is None:
                return []
            return [dict(row) for row in self.cursor.fetchall()]
        return [dict(row) for row in self.cursor.fetchall()]

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of one read, in this transaction (as ``Database.query`` reads in its own)."""
        return self.execute(sql, params)

    def update(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement; how many rows it changed."""
        self.cursor.execute(self._sql(sql), tuple(params))
        raw = getattr(self.cursor, "sqlite_cursor", self.cursor)
        return int(raw.rowcount)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many parameter rows."""
        if rows:
            self.cursor.executemany(self._sql(sql), [tuple(row) for row in rows])


class Database:
    """Transactions on the datastore the event store itself uses (one pool, one file)."""

    def __init__(self, datastore: Any, dialect: Dialect) -> None:
        self.datastore = datastore
        self.dialect = dialect

    @contextmanager
    def transaction(self, *, commit: bool = True) -> Iterator[Tx]:
        """A transaction that commits on success (if ``commit``) and rolls back on error."""
        with self.datastore.transaction(commit=commit) as cursor:
            yield Tx(cursor, self.dialect)

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Rows of one read-only statement."""
        with self.transaction(commit=False) as tx:
            return tx.execute(sql, params)


def columns_of(tx: Tx, table: str) -> set[str]:
    """The columns a table has (none if it does not exist)."""
    if tx.dialect == "sqlite":
        return {r["name"] for r in tx.execute(f"PRAGMA table_info({table})")}
    return {
        r["column_name"]
        for r in tx.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_name = ? AND table_schema = current_schema()",
            (table,),
        )
    }


class Reader(Protocol):
    """What reads need: a database (each read in its own transaction) or one transaction."""

    @property
    def dialect(self) -> Dialect: ...

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[Row]: ...


def reading(db: Reader) -> AbstractContextManager[Reader]:
    """One transaction for several reads (each sees what the others see, and on PostgreSQL the
    connection and its BEGIN and COMMIT are taken once); a transaction already open is kept."""
    if isinstance(db, Database):
        return db.transaction(commit=False)
    return nullcontext(db)
