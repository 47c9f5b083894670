"""Decoded events per stream, kept in memory: streams only grow, so a cached prefix never goes stale."""

from __future__ import annotations

import threading
from uuid import UUID

from cachetools import LRUCache

from domain.base import NegotiationAggregate
from store.application import TimelineApplication

Event = NegotiationAggregate.Event


class EventCache:
    """The first N events of recently read streams, extended on demand (LRU by stream,
    bounded by streams and by events held)."""

    def __init__(
        self, app: TimelineApplication, max_streams: int = 256, max_events: int = 40_000
    ) -> None:
        self.app = app
        # A stream costs its events, and at least an even share of the bound, so that at most
        # ``max_streams`` are held; never more than the whole bound, so the stream just read
        # always fits (a decoded realistic event is about 1.1 KB: 40,000 of them, about 45 MB).
        least = max(1, max_events // max_streams)
        self._streams: LRUCache[UUID, list[Event]] = LRUCache(
            max_events, getsizeof=lambda events: min(max(len(events), least), max_events)
        )
        self._lock = threading.Lock()

    def events(self, stream_id: UUID, upto: int) -> list[Event]:
        """The stream's first ``upto`` events (fewer if it has fewer)."""
        with self._lock:
            cached = self._streams.get(stream_id) or []
            if len(cached) < upto:
                cached.extend(
                    event
                    for event in self.app.events.get(stream_id, gt=len(cached), lte=upto)
                    if isinstance(event, Event)
                )
            self._streams[stream_id] = cached  # most recently used, at its new size
            return cached[:upto]

    def event(self, stream_id: UUID, version: int) -> Event | None:
        """The stream's event at ``version``: from the cache if it holds it, else read alone
        (a correction's target, checked while its stream grows: extending the cache would
        decode every event since)."""
        with self._lock:
            cached = self._streams.get(stream_id)
            if cached is not None and len(cached) >= version:
                return cached[version - 1]
        found = [
            event
            for event in self.app.events.get(stream_id, gt=version - 1, lte=version)
            if isinstance(event, Event)
        ]
        return found[0] if found else None
