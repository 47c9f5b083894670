"""Search: every timeline entry's words (headline, quotes, speakers, sources) in a full-text index.

The text is folded (lower case, accents removed) before it is indexed, and so are the words
asked for, so "Erdoğan" and "erdogan" find each other. SQLite indexes it with FTS5, PostgreSQL
with a GIN index over ``to_tsvector('simple', document)``; the rows follow the timeline's
(corrections reproject a family), and a rebuild from position 0 reproduces them.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from domain.temporal import Fact
from projections.timeline import actors
from projections.view import Context, Tables, View, dumps
from store.sql import Tx

#: The words of a search: letters and digits, as the indexes tokenise them.
WORD = re.compile(r"\w+")
#: The PostgreSQL text-search expression; queries repeat it so that its GIN index is used.
PG_VECTOR = "to_tsvector('simple', document)"


def fold(text: str) -> str:
    """Text in lower case with its accents removed ("Türkiye" -> "turkiye"): its NFKD form
    without combining characters.

    Most text is ASCII once decomposed; the rest loses its marks by one ``str.translate`` over
    the distinct characters it holds (a walk over every character was a seventh of a rebuild).
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed
    marks = {ord(c): None for c in set(decomposed) if not c.isascii() and _combining(c)}
    return decomposed.translate(marks) if marks else decomposed


@functools.lru_cache(maxsize=4096)
def _combining(char: str) -> bool:
    return unicodedata.combining(char) != 0


def words(text: str) -> list[str]:
    """The folded words of a search box's text (anything else, quotes and operators, dropped)."""
    return WORD.findall(fold(text))


def _strings(value: Any) -> list[str]:
    """Every string inside a JSON-like value (the type's data: speakers, subjects, names)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in _strings(item)]
    if isinstance(value, list):
        return [s for item in value for s in _strings(item)]
    return []


def fts_table(names: Tables) -> str:
    """The SQLite FTS5 table beside a generation's rows: each entry's rowid is its position,
    so that a family's entries are found through the rows' index on ``talks_id``."""
    return names["search"] + "_words"


def _legacy_fts(names: Tables) -> str:
    """The FTS5 table of releases before 7 December 2026, whose rowids were its own: deleting
    a family's entries scanned all of them (FTS5 indexes no other column)."""
    return names["search"] + "_fts"


#: The live FTS5 table, for the queries.
LIVE_FTS = fts_table(Tables("search", ""))


class Search(View):
    name = "search"
    description = "Full-text index of every entry: headline, quotes, speakers, sources."
    tables = {
        "search": (
            "position BIGINT PRIMARY KEY, talks_id TEXT NOT NULL, event_id TEXT NOT NULL,"
            " document TEXT NOT NULL, actor_keys TEXT NOT NULL",
            "position",
        )
    }
    indexes = {"search": ["talks_id"]}

    def create(self, tx: Tx, suffix: str) -> None:
        """The rows' table, and its full-text index on either database."""
        super().create(tx, suffix)
        names = Tables(self.name, suffix)
        if tx.dialect == "sqlite":
            fts, legacy = fts_table(names), _legacy_fts(names)
            tx.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5("
                "document, position UNINDEXED, talks_id UNINDEXED, tokenize = 'unicode61')"
            )
            if tx.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (legacy,)):
                # An older release's entries, kept: the same words under their positions.
                tx.execute(
                    f"INSERT INTO {fts} (rowid, document, position, talks_id)"
                    f" SELECT position, document, position, talks_id FROM {legacy}"
                )
                tx.execute(f"DROP TABLE {legacy}")
        else:
            tx.execute(
                f"CREATE INDEX IF NOT EXISTS {names['search']}_fts_idx ON {names['search']}"
                f" USING gin ({PG_VECTOR})"
            )

    def drop(self, tx: Tx, suffix: str) -> None:
        """Drop the rows and their index."""
        if tx.dialect == "sqlite":
            names = Tables(self.name, suffix)
            tx.execute(f"DROP TABLE IF EXISTS {fts_table(names)}")
            tx.execute(f"DROP TABLE IF EXISTS {_legacy_fts(names)}")
        super().drop(tx, suffix)

    def swap_in_next(self, tx: Tx) -> None:
        """Swap the rebuilt rows in, and their full-text index with them."""
        live, rebuilt = Tables(self.name, ""), Tables(self.name, "__next")
        if tx.dialect == "sqlite":
            tx.execute(f"DROP TABLE IF EXISTS {fts_table(live)}")
            tx.execute(f"ALTER TABLE {fts_table(rebuilt)} RENAME TO {fts_table(live)}")
        else:
            tx.execute(f"DROP INDEX IF EXISTS {live['search']}_fts_idx")
            tx.execute(f"DROP INDEX IF EXISTS {rebuilt['search']}_fts_idx")
        super().swap_in_next(tx)
        if tx.dialect != "sqlite":
            tx.execute(
                f"CREATE INDEX IF NOT EXISTS {live['search']}_fts_idx ON {live['search']}"
                f" USING gin ({PG_VECTOR})"
            )

    def reproject(
        self, tx: Tx, names: Tables, talks_id: str, family: list[tuple[int, Fact]]
    ) -> None:
        """Replace a family's rows, and their indexed text, by the facts as now known."""
        if tx.dialect == "sqlite":
            self.flush(tx, names)  # the batch's rows first: their entries go too
            tx.execute(
                f"DELETE FROM {fts_table(names)} WHERE rowid IN"
                f" (SELECT position FROM {names['search']} WHERE talks_id = ?)",
                (talks_id,),
            )
        super().reproject(tx, names, talks_id, family)

    def handle(self, tx: Tx, names: Tables, fact: Fact, position: int, context: Context) -> None:
        if fact.identity_only:
            return
        event = fact.event
        envelope = event.envelope
        names_ = actors(event, context)
        parts = [fact.headline, *envelope.quotes, *names_, *_strings(fact.data)]
        for source in envelope.sources:
            parts += [source.outlet or "", source.url or ""]
        parts.append(envelope.attributed_to or "")
        document = " ".join(words(" ".join(p for p in parts if p)))
        row = (position, context.talks_id, str(event.event_id), document,
               dumps(sorted({fold(n) for n in names_})))  # fmt: skip
        self.buffer(tx, names["search"]).append(row)
        if tx.dialect == "sqlite":
            fts = self.buffer(tx, fts_table(names))
            fts.append((position, document, position, context.talks_id))

    def flush(self, tx: Tx, names: Tables) -> None:
        """Insert the batch's rows (and on SQLite their FTS5 entries) with one statement each."""
        table = names["search"]
        self.write_buffered(
            tx,
            table,
            f"INSERT INTO {table} (position, talks_id, event_id, document, actor_keys)"
            " VALUES (?,?,?,?,?)",
        )
        if tx.dialect == "sqlite":
            fts = fts_table(names)
            self.write_buffered(
                tx,
                fts,
                f"INSERT INTO {fts} (rowid, document, position, talks_id) VALUES (?,?,?,?)",
            )
