"""What every view shares: its tables (live and rebuilding), its stream context and its digest.

A view's rows are derived from events alone, never from the clock or the processing order of
batches, so a rebuild from position 0 reproduces the incremental view byte for byte.
"""

from __future__ import annotations

import hashlib
import json
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, ClassVar

import orjson
from pydantic_core import from_json

from domain.base import NegotiationAggregate
from domain.catalogue import EVENT_TYPES
from domain.temporal import Fact
from domain.text import sanitised
from store.sql import Row, Tx, columns_of

LIVE, NEXT = "", "__next"
STREAMS_COLUMNS = (
    "stream_id TEXT PRIMARY KEY, kind TEXT NOT NULL, talks_id TEXT NOT NULL, party TEXT"
)


_CANONICAL = json.JSONEncoder(sort_keys=True, ensure_ascii=False, separators=(",", ":"))


class JsonText(str):
    """A JSON column's text from ``dumps``: it holds no control character unescaped."""

    __slots__ = ()


def dumps(value: Any) -> JsonText:
    """Canonical JSON text for a column (sorted keys, no spaces, so digests are stable).

    orjson writes it in an eighth of the standard library's time (a Talks overview row holds
    its whole state, written at every batch that touches it), the same text but for floats
    below 1e-4, which it writes ``1e-7`` where ``json`` writes ``1e-07`` (the same number), and
    for NaN and the infinities, which it writes ``null`` (no event holds them: the API refuses
    them). What orjson refuses, ``json`` writes: integers beyond 64 bits, keys that are not
    text, lone surrogates.
    """
    try:
        return JsonText(orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode())
    except TypeError:  # orjson.JSONEncodeError is a TypeError
        return JsonText(_CANONICAL.encode(value))


def _storable(params: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        sanitised(value) if isinstance(value, str) and not isinstance(value, JsonText) else value
        for value in params
    )


class StorableTx(Tx):
    """A view's writes in the caller's transaction, with text every database can hold.

    Text that an older release accepted may hold control characters (PostgreSQL refuses NUL):
    in derived rows they become U+FFFD on both databases, so the view never halts on them and
    digests agree. The event itself keeps them, losslessly, in the log. JSON columns need
    nothing: JSON escapes control characters.
    """

    def __init__(self, tx: Tx) -> None:
        super().__init__(tx.cursor, tx.dialect)
        self.pending = tx.pending

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[Row]:
        """Run one statement with storable text."""
        return super().execute(sql, _storable(params))

    def update(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one write statement with storable text."""
        return super().update(sql, _storable(params))

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        """Run one statement for many rows of storable text."""
        super().executemany(sql, [_storable(row) for row in rows])


class Tables:
    """Physical table names of one view for one generation (live or being rebuilt)."""

    def __init__(self, view: str, suffix: str) -> None:
        self.view, self.suffix = view, suffix

    def __getitem__(self, logical: str) -> str:
        return f"view_{logical}{self.suffix}"


class Context:
    """The Talks and party a stream belongs to, as the view has recorded them."""

    def __init__(self, kind: str, talks_id: str, party: str | None) -> None:
        self.kind, self.talks_id, self.party = kind, talks_id, party


def _context_of(event: NegotiationAggregate.Event) -> Context:
    """The context a stream's creating event gives it (Talks and actors are their own)."""
    stream_id = str(event.originator_id)
    talks_id = str(getattr(event, "talks_id", None) or stream_id)
    return Context(EVENT_TYPES[event.type_name()].kind, talks_id, getattr(event, "party", None))


class View(ABC):
    """A read model kept by following the global log."""

    name: ClassVar[str]
    description: ClassVar[str]
    #: logical table -> (columns DDL, primary-key columns for ordering digests)
    tables: ClassVar[dict[str, tuple[str, str]]]
    #: logical table -> columns to index; ``"name: expressions"`` names an index explicitly
    indexes: ClassVar[dict[str, list[str]]] = {}
    #: logical table -> names of indexes an older release made and this one no longer reads
    #: (dropped when the tables are set up).
    retired_indexes: ClassVar[dict[str, list[str]]] = {}
    #: logical table -> columns added after its first release (last in its DDL too, nullable):
    #: a table created by an older release gains them, empty, as older events have no value.
    added_columns: ClassVar[dict[str, tuple[str, ...]]] = {}
    #: The kinds of streams whose facts can change the view's rows (None: every kind). A view
    #: built alone for another clock is projected from those streams only (temporal_views.py).
    kinds: ClassVar[frozenset[str] | None] = None

    def all_tables(self) -> dict[str, tuple[str, str]]:
        """The view's own tables plus its stream-context table."""
        return {**self.tables, f"{self.name}_streams": (STREAMS_COLUMNS, "stream_id")}

    def all_indexes(self) -> dict[str, list[str]]:
        """The view's own indexes plus its stream-context table's: a family's contexts are
        deleted by Talks when the family is reprojected."""
        return {**self.indexes, f"{self.name}_streams": ["talks_id"]}

    def create(self, tx: Tx, suffix: str) -> None:
        """Create this generation's tables if missing."""
        names = Tables(self.name, suffix)
        for logical, (columns, _) in self.all_tables().items():
            tx.execute(f"CREATE TABLE IF NOT EXISTS {names[logical]} ({columns})")
            added = self.added_columns.get(logical, ())
            if added:
                have = self.columns_of(tx, names[logical])
                for column in added:
                    if column.split()[0] not in have:
                        tx.execute(f"ALTER TABLE {names[logical]} ADD COLUMN {column}")
            for tail, indexed in _indexes(self.all_indexes().get(logical, [])):
                tx.execute(
                    f"CREATE INDEX IF NOT EXISTS {names[logical]}{tail} ON {names[logical]} ({indexed})"
                )
            for name in self.retired_indexes.get(logical, []):
                tx.execute(f"DROP INDEX IF EXISTS {names[logical]}_{name}_idx")

    def drop(self, tx: Tx, suffix: str) -> None:
        """Drop this generation's tables."""
        names = Tables(self.name, suffix)
        for logical in self.all_tables():
            tx.execute(f"DROP TABLE IF EXISTS {names[logical]}")

    def swap_in_next(self, tx: Tx) -> None:
        """Replace the live tables with the rebuilt ones, in the caller's transaction."""
        live, rebuilt = Tables(self.name, LIVE), Tables(self.name, NEXT)
        self.drop(tx, LIVE)
        for logical in self.all_tables():
            tx.execute(f"ALTER TABLE {rebuilt[logical]} RENAME TO {live[logical]}")
        # A renamed table keeps its index names (on both databases): recreate them under live
        # names, so that the next rebuild can use the __next names again.
        self._rename_indexes(tx)

    def _rename_indexes(self, tx: Tx) -> None:
        live, rebuilt = Tables(self.name, LIVE), Tables(self.name, NEXT)
        for logical in self.all_tables():
            for tail, columns in _indexes(self.all_indexes().get(logical, [])):
                tx.execute(f"DROP INDEX IF EXISTS {rebuilt[logical]}{tail}")
                tx.execute(
                    f"CREATE INDEX IF NOT EXISTS {live[logical]}{tail} ON {live[logical]} ({columns})"
                )

    def reproject(
        self, tx: Tx, names: Tables, talks_id: str, family: list[tuple[int, Fact]]
    ) -> None:
        """Replace a Talks family's rows by those of its facts as now known (after a correction)."""
        self.flush(tx, names)
        for logical in self.all_tables():
            tx.execute(f"DELETE FROM {names[logical]} WHERE talks_id = ?", (talks_id,))
        for position, fact in family:
            self.apply(tx, names, fact, position)

    def apply(self, tx: Tx, names: Tables, fact: Fact, position: int) -> None:
        """Record the stream's context on its first event, then let the view handle it."""
        event = fact.event
        context = self.context(tx, names, event, position, new=event.originator_version == 1)
        self.handle(tx, names, fact, position, context)

    def context(
        self, tx: Tx, names: Tables, event: NegotiationAggregate.Event, position: int, *, new: bool
    ) -> Context:
        """The Talks and party of the event's stream: recorded from its creating event
        (``new``), else as recorded then.

        Contexts are kept in the transaction's memory too: a batch reads each stream's once.
        """
        streams = names[f"{self.name}_streams"]
        contexts = self._contexts(tx, names)
        stream_id = str(event.originator_id)
        if new:
            found = _context_of(event)
            tx.execute(
                f"INSERT INTO {streams} (stream_id, kind, talks_id, party) VALUES (?,?,?,?)",
                (stream_id, found.kind, found.talks_id, found.party),
            )
            contexts[stream_id] = found
        elif stream_id not in contexts:
            rows = tx.execute(
                f"SELECT kind, talks_id, party FROM {streams} WHERE stream_id = ?", (stream_id,)
            )
            if not rows:  # the log holds no creating event for this stream
                msg = f"{self.name}: no context for stream {stream_id} at position {position}"
                raise LookupError(msg)
            row = rows[0]
            contexts[stream_id] = Context(row["kind"], row["talks_id"], row["party"])
        return contexts[stream_id]

    def recontext(self, tx: Tx, names: Tables, event: NegotiationAggregate.Event) -> Context:
        """Record the context a corrected creating event gives its stream."""
        found = _context_of(event)
        tx.execute(
            f"UPDATE {names[f'{self.name}_streams']} SET kind = ?, talks_id = ?, party = ?"
            " WHERE stream_id = ?",
            (found.kind, found.talks_id, found.party, str(event.originator_id)),
        )
        self._contexts(tx, names)[str(event.originator_id)] = found
        return found

    def _contexts(self, tx: Tx, names: Tables) -> dict[str, Context]:
        found: dict[str, Context] = tx.pending.setdefault(
            ("contexts", names[f"{self.name}_streams"]), {}
        )
        return found

    def columns_of(self, tx: Tx, table: str) -> set[str]:
        """The columns a table has (none if it does not exist)."""
        return columns_of(tx, table)

    def outdated(self, tx: Tx) -> bool:  # noqa: ARG002 (a hook: most views never are)
        """True if the live tables were made by an older release in a shape that columns added
        later cannot mend: the projector then projects the view again from the log."""
        return False

    def buffer(self, tx: Tx, table: str) -> list[tuple[Any, ...]]:
        """Rows for ``table`` kept until ``flush`` writes them with one statement."""
        rows: list[tuple[Any, ...]] = tx.pending.setdefault(("rows", table), [])
        return rows

    def write_buffered(self, tx: Tx, table: str, sql: str) -> None:
        """Insert the rows ``buffer`` holds for ``table`` (``sql`` names the columns)."""
        rows = tx.pending.pop(("rows", table), None)
        if rows:
            tx.executemany(sql, rows)

    @abstractmethod
    def handle(self, tx: Tx, names: Tables, fact: Fact, position: int, context: Context) -> None:
        """Write this fact's effect on the view's rows."""

    def flush(self, tx: Tx, names: Tables) -> None:  # noqa: B027 (a hook: most views write at once)
        """Write what ``handle`` kept in the transaction's memory (before it commits)."""

    def digest(self, tx: Tx, suffix: str = LIVE) -> str:
        """A SHA-256 over every row of every table, in primary-key order."""
        names = Tables(self.name, suffix)
        digest = hashlib.sha256()
        for logical, (_, order) in sorted(self.all_tables().items()):
            digest.update(f"[{logical}]".encode())
            for row in tx.execute(f"SELECT * FROM {names[logical]} ORDER BY {order}"):
                digest.update(dumps(_normalise(row)).encode())
                digest.update(b"\n")
        return digest.hexdigest()


def _indexes(entries: list[str]) -> list[tuple[str, str]]:
    """Each index's name suffix and its columns: ``a, b`` -> ``_a_b_idx``; ``name: ...`` ->
    ``_name_idx`` (for expressions, whose text makes no name)."""
    found = []
    for entry in entries:
        name, named, columns = entry.partition(": ")
        if not named:
            name, columns = entry.replace(", ", "_").replace(" ", "_"), entry
        found.append((f"_{name}_idx", columns))
    return found


def _normalise(row: Row) -> Row:
    """The same row reads the same from SQLite and PostgreSQL (ints stay ints)."""
    return {key: (int(value) if isinstance(value, bool) else value) for key, value in row.items()}


def loads(text: str | None) -> Any:
    """A JSON column back to Python, as the standard library reads it.

    pydantic-core's parser (the one FastAPI reads request bodies with) reads a column in half
    the time of ``json`` (a JSON column of each row of a page: a tenth of a view read), and as
    ``json`` does: integers of any size, NaN and the infinities. It refuses an escaped lone
    surrogate, which ``json`` reads.
    """
    if text is None:
        return None
    try:
        return from_json(text)
    except ValueError:
        return json.loads(text)
