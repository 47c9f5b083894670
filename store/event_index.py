"""The event index: one row per stored event, written in the events' own transaction.

Every query of ``nt_event_index`` lives here (its DDL is in store/schema.py). A row says which
stream, kind, version and Talks family an event belongs to, when it was recorded, the bounds of
when it occurred, and who appended it: what the library's own tables cannot answer by query.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from store.serialize import iso
from store.sql import Database, Row, Tx


@dataclass(frozen=True)
class IndexRow:
    """What the index keeps of one event, beside the event itself."""

    stream_id: str
    kind: str
    version: int
    event_id: str
    type: str
    talks_id: str
    recorded_at: str
    occurred_start: str | None
    occurred_end: str | None
    principal: str | None


#: Ids looked up per query when asking which of many event ids are recorded.
ID_CHUNK = 500


def insert(tx: Tx, positions: Sequence[int], rows: Sequence[IndexRow]) -> None:
    """Write the index rows of one save at the positions the store gave its events.

    Each row also keeps ``recorded_low``, the earliest ``recorded_at`` of its position and of
    every later one. An event's time is taken when its command runs, before the store orders
    it, so with several writers a later position may have an earlier time; ``recorded_low``
    never decreases along the log, so the last position recorded by a time is found on an
    index (``position_as_of``). A save lowers it on the earlier rows its own times precede
    (on the index, only the rows recorded after them: none or a few).
    """
    if not rows:
        return
    placed = sorted(zip(positions, rows, strict=True), key=lambda pair: pair[0])
    lows: list[str] = []
    low: str | None = None
    for _, r in reversed(placed):
        low = r.recorded_at if low is None or r.recorded_at < low else low
        lows.append(low)
    lows.reverse()
    tx.execute(
        "UPDATE nt_event_index SET recorded_low = ? WHERE recorded_low > ?", (lows[0], lows[0])
    )
    tx.executemany(
        "INSERT INTO nt_event_index (position, stream_id, kind, version, event_id, type,"
        " talks_id, recorded_at, occurred_start, occurred_end, principal, recorded_low)"
        " VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [
            (
                position,
                r.stream_id,
                r.kind,
                r.version,
                r.event_id,
                r.type,
                r.talks_id,
                r.recorded_at,
                r.occurred_start,
                r.occurred_end,
                r.principal,
                row_low,
            )
            for (position, r), row_low in zip(placed, lows, strict=True)
        ],
    )


class EventIndex:
    """Reads of the event index over one database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    # One stream

    def streams_of_kind(self, kind: str) -> list[str]:
        """The ids of every stream of one kind, in the order they were opened."""
        return [
            str(r["stream_id"])
            for r in self.db.query(
                "SELECT stream_id FROM nt_event_index WHERE kind = ? AND version = 1"
                " ORDER BY position",
                (kind,),
            )
        ]

    def kind(self, stream_id: str) -> str | None:
        """Which kind of stream this id is, if any."""
        rows = self.db.query(
            "SELECT kind FROM nt_event_index WHERE stream_id = ? AND version = 1", (stream_id,)
        )
        return str(rows[0]["kind"]) if rows else None

    def current_version(self, stream_id: str) -> int | None:
        """The stream's newest version, None if it has no event."""
        rows = self.db.query(
            "SELECT MAX(version) AS version FROM nt_event_index WHERE stream_id = ?", (stream_id,)
        )
        return _version(rows)

    def version_as_of(self, stream_id: str, as_of: datetime) -> int | None:
        """The stream's version from the events recorded at or before ``as_of``."""
        rows = self.db.query(
            "SELECT MAX(version) AS version FROM nt_event_index"
            " WHERE stream_id = ? AND recorded_at <= ?",
            (stream_id, iso(as_of)),
        )
        return _version(rows)

    def stream_rows(self, stream_id: str) -> dict[int, Row]:
        """Each version's position and principal."""
        return {
            r["version"]: r
            for r in self.db.query(
                "SELECT version, position, principal FROM nt_event_index WHERE stream_id = ?",
                (stream_id,),
            )
        }

    def stream_span(self, stream_id: str, first: int, last: int) -> list[Row]:
        """A stream's events between two positions: event id, version, position and kind."""
        return self.db.query(
            "SELECT event_id, version, position, kind FROM nt_event_index"
            " WHERE stream_id = ? AND position BETWEEN ? AND ? ORDER BY position",
            (stream_id, first, last),
        )

    # Events

    def locate(self, event_id: str) -> Row | None:
        """Where an event is: its stream, kind, version, type, position and Talks family (None
        if unknown)."""
        rows = self.db.query(
            "SELECT stream_id, kind, version, type, position, talks_id FROM nt_event_index"
            " WHERE event_id = ?",
            (event_id,),
        )
        return rows[0] if rows else None

    def versions(self, event_ids: Sequence[str]) -> dict[str, tuple[str, int]]:
        """The stream and version of each of these events that is recorded (one query per
        ``ID_CHUNK`` ids)."""
        found: dict[str, tuple[str, int]] = {}
        for start in range(0, len(event_ids), ID_CHUNK):
            part = list(event_ids[start : start + ID_CHUNK])
            marks = ",".join("?" * len(part))
            rows = self.db.query(
                "SELECT event_id, stream_id, version FROM nt_event_index"
                f" WHERE event_id IN ({marks})",
                part,
            )
            found.update(
                (str(r["event_id"]), (str(r["stream_id"]), int(r["version"]))) for r in rows
            )
        return found

    def family_of(self, stream_id: str) -> str | None:
        """The Talks family a recorded stream belongs to (None if it is not recorded)."""
        rows = self.db.query(
            "SELECT talks_id FROM nt_event_index WHERE stream_id = ? AND version = 1", (stream_id,)
        )
        return str(rows[0]["talks_id"]) if rows else None

    def recorded_ids(self, event_ids: Sequence[str]) -> set[str]:
        """Which of these event ids are recorded already (one query per ``ID_CHUNK`` ids)."""
        return set(self.versions(event_ids))

    def talks_of(self, position: int) -> str:
        """The Talks family of the event at ``position``."""
        return str(
            self.db.query("SELECT talks_id FROM nt_event_index WHERE position = ?", (position,))[0][
                "talks_id"
            ]
        )

    # The global log

    def log_rows(self, first: int, last: int) -> dict[int, Row]:
        """Each position's kind and principal between two positions."""
        return {
            r["position"]: r
            for r in self.db.query(
                "SELECT position, kind, principal FROM nt_event_index"
                " WHERE position BETWEEN ? AND ?",
                (first, last),
            )
        }

    def position_as_of(self, as_of: datetime) -> int:
        """The last position recorded by ``as_of`` (0 if none).

        That is the last position whose ``recorded_low`` is at or before ``as_of``: every later
        position's low, and so its own time, is after ``as_of``; so the low found is this
        position's own time. One step on the index.
        """
        rows = self.db.query(
            "SELECT position FROM nt_event_index WHERE recorded_low <= ?"
            " ORDER BY recorded_low DESC, position DESC LIMIT 1",
            (iso(as_of),),
        )
        return int(rows[0]["position"]) if rows else 0

    def first_recorded_after(self, position: int) -> str | None:
        """When the first event after ``position`` was recorded (None at the head)."""
        rows = self.db.query(
            "SELECT recorded_at FROM nt_event_index WHERE position > ? ORDER BY position LIMIT 1",
            (position,),
        )
        return str(rows[0]["recorded_at"]) if rows else None

    # Talks families

    def family(
        self,
        talks_id: str | Sequence[str] | None,
        upto: int | None = None,
        *,
        recorded_by: str | None = None,
        kinds: Sequence[str] | None = None,
    ) -> list[Row]:
        """Stream id, kind, version and position of every event of a family (of these families
        if several ids are given, of every family with None), up to a position if given,
        recorded by a time (RFC 3339, UTC) if given, of streams of these kinds if given, in log
        order."""
        where, params = ["1 = 1"], list[object]()
        if isinstance(talks_id, str):
            where.append("talks_id = ?")
            params.append(talks_id)
        elif talks_id is not None:
            where.append(f"talks_id IN ({','.join('?' for _ in talks_id) or 'NULL'})")
            params.extend(talks_id)
        if kinds is not None:
            where.append(f"kind IN ({','.join('?' for _ in kinds) or 'NULL'})")
            params.extend(kinds)
        if upto is not None:
            where.append("position <= ?")
            params.append(upto)
        if recorded_by is not None:
            where.append("recorded_at <= ?")
            params.append(recorded_by)
        return self.db.query(
            "SELECT stream_id, kind, version, position FROM nt_event_index"
            f" WHERE {' AND '.join(where)} ORDER BY position",
            params,
        )

    def family_streams(self, talks_id: str) -> list[Row]:
        """The streams of a family with their kinds, in the order they were opened."""
        return self.db.query(
            "SELECT stream_id, kind, MIN(position) AS first FROM nt_event_index WHERE talks_id = ?"
            " GROUP BY stream_id, kind ORDER BY first",
            (talks_id,),
        )

    def last_fixes(self, types: Sequence[str], upto: int) -> dict[str, int]:
        """Each family's newest position up to ``upto`` among events of these types."""
        if not types:
            return {}
        marks = ",".join("?" for _ in types)
        return {
            str(r["talks_id"]): int(r["last"])
            for r in self.db.query(
                "SELECT talks_id, MAX(position) AS last FROM nt_event_index"
                f" WHERE type IN ({marks}) AND position <= ? GROUP BY talks_id",
                (*types, upto),
            )
        }

    def talks_between(self, first: int, last: int) -> dict[int, str]:
        """The Talks family of each position between two."""
        return {
            int(r["position"]): str(r["talks_id"])
            for r in self.db.query(
                "SELECT position, talks_id FROM nt_event_index WHERE position BETWEEN ? AND ?",
                (first, last),
            )
        }


def _version(rows: list[Row]) -> int | None:
    return int(rows[0]["version"]) if rows and rows[0]["version"] is not None else None
