"""The views on either clock: the same handlers and queries, run over an in-memory database.

A view read with ``as_of`` (what was known then) and/or ``at`` (what had happened by then)
projects the chosen facts into a private in-memory SQLite database, with the very view handlers
that keep the live views, and answers with the very same queries. It costs one pass over the
Talks family's events (or over the whole log, for reads across all talks); results are cached
per (talks, head position, as_of, at, views), and a new append makes a new key.

A read names the views it consults (``views``): only those are built, from only the streams
whose kinds they follow (``View.kinds``): a read of a Talks' positions projects its position
streams into the positions view, not the whole family into every view (a tenth of the work on
the realistic workload). A view built alone holds the very rows it holds beside the others:
each keeps its own tables and stream contexts.

Memory stays bounded whatever readers ask: the cache holds at most ``CACHE_BYTES`` of built
databases' pages and ``CACHE_ENTRIES`` of them; readers asking for a
database being built wait for that one build; at most ``BUILDS_AT_ONCE`` builds run at a time,
and a reader that would start another is refused at once with ``busy`` (a 503 with Retry-After
through the caller's error), so neither memory nor the CPU the event loop needs is taken by an
unbounded number of builds.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import sqlite3
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeAlias
from uuid import UUID

from cachetools import LRUCache

from domain import temporal
from domain.base import NegotiationAggregate
from projections.projector import Projector
from projections.view import LIVE, Tables
from store.sql import Database

#: Built databases kept, at most, by count and by their pages' bytes. A database's footprint
#: in the process is about 2.5 times its pages (its schema, SQLite's page headers, the
#: connection), measured on the realistic workload: 32 MB of pages hold about 80 MB.
CACHE_ENTRIES = 32
CACHE_BYTES = 32 * 1024 * 1024
#: Builds running at once in a process (one per core of the machine we measure on).
BUILDS_AT_ONCE = 2
#: How often, at most, the memory of databases let go is handed back to the system.
TRIM_EVERY_SECONDS = 0.5

#: Families: one Talks id, several (a page of the list of Talks), or None for every one.
Families: TypeAlias = str | tuple[str, ...] | None
Key: TypeAlias = tuple[Families, int, str | None, tuple[str, ...]]
#: A stream's first N events, decoded (the service's event cache, shared with state reads).
Events: TypeAlias = Callable[[UUID, int], Sequence[NegotiationAggregate.Event]]


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim``, or None elsewhere.

    A build's many small allocations (SQLite's pages, the decoded events) are freed when its
    database leaves the cache, but glibc keeps freed heap memory in the process: measured on the
    realistic workload, 400 distinct time-travel reads left 275 MB resident, 125 MB after a trim.
    """
    if not sys.platform.startswith("linux"):
        return None
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    trim: Callable[[int], int] | None = getattr(ctypes.CDLL(name), "malloc_trim", None)
    return trim


def refused(limit: int) -> Exception:
    """The error for a build beyond the bound, when the caller names none."""
    return RuntimeError(f"{limit} time-travel builds are in progress already; retry shortly")


class MemoryStore:
    """A private in-memory SQLite database with the datastore interface the views expect."""

    def __init__(self) -> None:
        self.connection = sqlite3.connect(":memory:", check_same_thread=False)
        self.connection.row_factory = sqlite3.Row
        self.lock = threading.Lock()

    def size(self) -> int:
        """The database's bytes in memory (its pages)."""
        with self.lock:
            pages = self.connection.execute("PRAGMA page_count").fetchone()[0]
            page_size = self.connection.execute("PRAGMA page_size").fetchone()[0]
        return int(pages) * int(page_size)

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
    """Builds (and caches, within bounds) the views of a Talks family, or of every Talks, on
    either clock."""

    def __init__(
        self,
        projector: Projector,
        *,
        busy: Callable[[int], Exception] = refused,
        builds_at_once: int = BUILDS_AT_ONCE,
        cache_bytes: int = CACHE_BYTES,
        cache_entries: int = CACHE_ENTRIES,
        events: Events | None = None,
        memo: temporal.FactMemo | None = None,
    ) -> None:
        """``events`` and ``memo``: decoded events and the facts worked out of them, shared
        with the service's state reads, for builds of one family (a build of every family reads
        the store: it would push every stream the state reads use out of the cache)."""
        self.projector = projector
        self.family_events = events
        self.memo = memo
        self.db = projector.db
        self.index = projector.index
        self.busy = busy
        self.builds_at_once = builds_at_once
        self.cache_entries = cache_entries
        self._cache: LRUCache[Key, Built] = LRUCache(cache_bytes, getsizeof=_weight)
        self._building: dict[Key, Future[Built]] = {}
        self._lock = threading.Lock()
        #: Builds started since the process began, and the most that ever ran at once.
        self.builds = 0
        self.most_at_once = 0
        self._trim = _malloc_trim()
        self._trimmed = 0.0

    def database(
        self,
        talks_id: Families,
        *,
        as_of: datetime | None,
        at: datetime | None,
        views: Sequence[str] | None = None,
    ) -> Database:
        """The tables of these views (every view if None) for the facts of these families, in a
        database the queries can read."""
        upto = self._upto(as_of)
        names = tuple(sorted(self.projector.views if views is None else set(views)))
        unknown = set(names) - set(self.projector.views)
        if unknown:
            raise KeyError(f"no such views: {', '.join(sorted(unknown))}")
        key: Key = (talks_id, upto, at.isoformat() if at else None, names)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                return found.database
            pending = self._building.get(key)
            if pending is None:
                if len(self._building) >= self.builds_at_once:
                    raise self.busy(self.builds_at_once)
                pending = self._building[key] = Future()
                mine = True
                self.builds += 1
                self.most_at_once = max(self.most_at_once, len(self._building))
            else:
                mine = False
        if not mine:
            return pending.result().database  # the one build of this key, by another reader
        try:
            built = self._build(talks_id, upto, at, names)
        except BaseException as error:
            with self._lock:
                del self._building[key]
            pending.set_exception(error)
            raise
        with self._lock:
            del self._building[key]
            self._keep(key, built)
        pending.set_result(built)
        self._give_back_memory()
        return built.database

    def cached(self) -> tuple[int, int]:
        """How many built databases the cache holds, and their bytes."""
        with self._lock:
            return len(self._cache), int(self._cache.currsize)

    def _give_back_memory(self) -> None:
        """Hand the heap memory freed by earlier builds back to the system (now and then)."""
        now = time.monotonic()
        if self._trim is None or now - self._trimmed < TRIM_EVERY_SECONDS:
            return
        self._trimmed = now
        self._trim(0)  # ctypes lets go of the GIL meanwhile

    def _keep(self, key: Key, built: Built) -> None:
        """Cache a built database if it fits; the least recently used ones make room."""
        if _weight(built) > self._cache.maxsize:
            return  # larger than the whole cache: served once, not kept
        self._cache[key] = built
        while len(self._cache) > self.cache_entries:
            self._cache.popitem()

    def _upto(self, as_of: datetime | None) -> int:
        """The last position recorded by ``as_of`` (the head when None)."""
        if as_of is None:
            return self.projector.head()
        return self.index.position_as_of(as_of)

    def _build(
        self, talks_id: Families, upto: int, at: datetime | None, names: tuple[str, ...]
    ) -> Built:
        views = [self.projector.views[name] for name in names]
        kinds = None  # every kind, unless each view follows some only
        if all(view.kinds is not None for view in views):
            kinds = sorted({kind for view in views for kind in view.kinds or ()})
        rows = self.index.family(talks_id, upto=upto, kinds=kinds)
        streams: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            streams.setdefault(row["stream_id"], []).append(row)
        store = MemoryStore()
        memory = Database(store, "sqlite")
        cached = talks_id is not None and self.family_events is not None
        memo = self.memo if cached else None
        with memory.transaction() as tx:
            for view in views:
                view.create(tx, LIVE)
            # Talks streams first: the other views' rows refer to their Talks.
            for stream_id in sorted(streams, key=lambda s: streams[s][0]["kind"] != "talks"):
                entries = streams[stream_id]
                events = self._events(UUID(stream_id), entries[-1]["version"], cached=cached)
                position_of = {r["version"]: r["position"] for r in entries}
                for fact in temporal.select(events, at=at, memo=memo):
                    position = position_of[fact.event.originator_version]
                    for view in views:
                        view.apply(tx, Tables(view.name, LIVE), fact, position)
            for view in views:
                view.flush(tx, Tables(view.name, LIVE))
        return Built(memory, store.size())

    def _events(
        self, stream_id: UUID, upto: int, *, cached: bool
    ) -> Sequence[NegotiationAggregate.Event]:
        """A stream's first ``upto`` events: from the shared cache, or read from the store."""
        if cached and self.family_events is not None:
            return self.family_events(stream_id, upto)
        return self.projector.read_events(stream_id, upto)


@dataclass(frozen=True)
class Built:
    """A built database and its bytes, weighed once when it was built."""

    database: Database
    size: int


def _weight(built: Built) -> int:
    return max(1, built.size)
