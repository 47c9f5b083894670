"""Decoded events per stream, kept in memory: streams only grow, so a cached prefix never goes stale."""

from __future__ import annotations

import threading
from collections import OrderedDict
from uuid import UUID

from domain.base import NegotiationAggregate
from store.application import TimelineApplication

Event = NegotiationAggregate.Event


class EventCache:
    """The first N events of recently read streams, extended on demand (LRU by stream,
    bounded by streams and by events held)."""

    def __init__(
        self, app: TimelineApplication, max_streams: int = 256, max_events: int = 50_000
    ) -> None:
        self.app, self.max_streams, self.max_events = app, max_streams, max_events
        self._streams: OrderedDict[UUID, list[Event]] = OrderedDict()
        self._lock = threading.Lock()

    def events(self, stream_id: UUID, upto: int) -> list[Event]:
        """The stream's first ``upto`` events (fewer if it has fewer)."""
        with self._lock:
            cached = self._streams.setdefault(stream_id, [])
            self._streams.move_to_end(stream_id)
            if len(cached) < upto:
                cached.extend(
                    event
                    for event in self.app.events.get(stream_id, gt=len(cached), lte=upto)
                    if isinstance(event, Event)
                )
            # Bounded by streams and by events held (a decoded event is about 2 KB), the stream
            # just read always kept.
            held = sum(len(events) for events in self._streams.values())
            while len(self._streams) > 1 and (
                len(self._streams) > self.max_streams or held > self.max_events
            ):
                _, dropped = self._streams.popitem(last=False)
                held -= len(dropped)
            return cached[:upto]
