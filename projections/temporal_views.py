"""The views on either clock: the same handlers and queries, run over an in-memory database.

A view read with ``as_of`` (what was known then) and/or ``at`` (what had happened by then)
projects the chosen facts into a private in-memory SQLite database, with the very view handlers
that keep the live views, and answers with the very same queries. It costs one pass over the
Talks family's events (or over the whole log, for reads across all talks); results are cached
per (talks, head position, as_of, at), and a new append makes a new key.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any
from uuid import UUID

from domain import temporal
from domain.base import NegotiationAggregate
from projections.projector import Projector
from projections.view import LIVE, Tables
from store.sql import Database

CACHE_SIZE = 32


class MemoryStore:
    """A private in-memory SQLite database with the datastore interface the views expect."""

    def __init__(self) -> None:
        self.connection = sqlite3.connect(":memory:", check_same_thread=False)
        self.connection.row_factory = sqlite3.Row
        self.lock = threading.Lock()

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[sqlite3.Cursor]:
        """One transaction at a time; committed or rolled back at the end."""
        with self.lock:
            cursor = self.connection.cursor()
            try:
                yield cursor
            except BaseException:
                self.connection.rollback()
                raise
            if commit:
                self.connection.commit()
            else:
                self.connection.rollback()


class TemporalViews:
    """Builds (and caches) the views of a Talks family, or of every Talks, on either clock."""

    def __init__(self, projector: Projector) -> None:
        self.projector = projector
        self.db = projector.db
        self.index = projector.index
        self._cache: OrderedDict[tuple[Any, ...], Database] = OrderedDict()
        self._lock = threading.Lock()

    def database(
        self, talks_id: str | None, *, as_of: datetime | None, at: datetime | None
    ) -> Database:
        """The views' tables for these facts, in a database the queries can read."""
        upto = self._upto(as_of)
        key = (talks_id, upto, at.isoformat() if at else None)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        built = self._build(talks_id, upto, at)
        with self._lock:
            self._cache[key] = built
            while len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return built

    def _upto(self, as_of: datetime | None) -> int:
        """The last position recorded by ``as_of`` (the head when None)."""
        if as_of is None:
            return self.projector.head()
        return self.index.position_as_of(as_of)

    def _build(self, talks_id: str | None, upto: int, at: datetime | None) -> Database:
        rows = self.index.family(talks_id, upto=upto)
        streams: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            streams.setdefault(row["stream_id"], []).append(row)
        memory = Database(MemoryStore(), "sqlite")
        views = self.projector.views.values()
        with memory.transaction() as tx:
            for view in views:
                view.create(tx, LIVE)
            # Talks streams first: the other views' rows refer to their Talks.
            for stream_id in sorted(streams, key=lambda s: streams[s][0]["kind"] != "talks"):
                entries = streams[stream_id]
                events = [
                    e
                    for e in self.projector.app.events.get(
                        UUID(stream_id), lte=entries[-1]["version"]
                    )
                    if isinstance(e, NegotiationAggregate.Event)
                ]
                position_of = {r["version"]: r["position"] for r in entries}
                for fact in temporal.select(events, at=at):
                    position = position_of[fact.event.originator_version]
                    for view in views:
                        view.apply(tx, Tables(view.name, LIVE), fact, position)
            for view in views:
                view.flush(tx, Tables(view.name, LIVE))
        return memory
