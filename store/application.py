"""The eventsourcing application: the event store, snapshots and the notification log."""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application, ProcessingEvent
from eventsourcing.persistence import JSONTranscoder, Recording

from domain.actors import Actor
from domain.delegation import Delegation
from domain.position import Position
from domain.talks import Talks
from store import transcodings
from store.sql import Database, Dialect


def project_events(aggregate: Any, events: Iterable[Any]) -> Any:
    """The library's ``project_aggregate`` without its check of each event against a runtime
    Protocol: that isinstance walks the protocol's attributes, and took a third of an append."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


class TimelineApplication(Application[UUID]):
    """Talks, delegations and positions in one store with one global log."""

    name = "NegotiationTimeline"
    log_section_size = 10_000
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Talks: 100,
        Delegation: 100,
        Position: 100,
        Actor: 100,
    }

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        dialect: Dialect = "postgres" if "postgres" in type(self.factory).__module__ else "sqlite"
        datastore = getattr(self.factory, "datastore")  # noqa: B009 (SQLite and PostgreSQL factories)
        self.database = Database(datastore, dialect)
        #: Per thread, snapshots due inside ``snapshots_deferred``: aggregate, version saved.
        self._deferring = threading.local()

    def load(self, stream_id: UUID, version: int | None = None) -> Any:
        """The stream's aggregate (at ``version``), from the cache, snapshot and events."""
        return self.repository.get(stream_id, version=version, projector_func=project_events)

    def cached(self, stream_id: UUID) -> Any | None:
        """A copy of the stream's aggregate as this process last saved or loaded it, without a
        look at the store for events appended since by another process; None if not cached.

        Only for a writer whose save the store refuses when it missed such events (a version
        taken): application/group_commit.py.
        """
        cache = self.repository.cache
        if cache is None:
            return None
        try:
            aggregate = cache.get(stream_id)
        except KeyError:
            return None
        return copy.deepcopy(aggregate)

    def save_in_order(
        self, aggregates: Sequence[Any], events: Sequence[Any], **kwargs: Any
    ) -> list[Recording[UUID]]:
        """Save several aggregates in one transaction, their events stored in ``events``'s order.

        ``save(*aggregates)`` stores them aggregate by aggregate; an import that interleaves
        streams keeps its lines' order instead (``events`` are the aggregates' pending events,
        reordered). Snapshots and the cache are kept as ``save`` keeps them.
        """
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        pending = sum(len(aggregate.collect_events()) for aggregate in aggregates)
        if pending != len(events):
            msg = f"{len(events)} events given for {pending} pending"
            raise ValueError(msg)
        processing_event.aggregates = {aggregate.id: aggregate for aggregate in aggregates}
        processing_event.events = list(events)
        processing_event.saved_kwargs.update(kwargs)
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        return recordings

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcodings.register(transcoder)

    def _record(self, processing_event: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """Record, then cache each saved aggregate as saved.

        With fast-forwarding on, the library (9.5) leaves the cache at the version loaded, so
        the next load of the stream decoded again every event this save had just written (a
        whole batch of 500, for each batch of an import). The cached copy may still fall behind
        another thread's or process's save: the next load fast-forwards it from the store.
        """
        recordings = super()._record(processing_event)
        if self.repository.cache is not None and self.repository.fastforward:
            for aggregate_id, aggregate in processing_event.aggregates.items():
                self.repository.cache.put(aggregate_id, aggregate)
        return recordings

    @contextmanager
    def snapshots_deferred(self) -> Iterator[None]:
        """Snapshots due within the block are taken once, at its end (an import saves a long
        stream's batches one after another, and each crossed a multiple of its interval: a
        snapshot of its whole state each time).

        At the end, each aggregate is snapshot from memory as its last save left it, if it is
        still at the version saved (a snapshot is only ever of a stored version); one changed
        since is left to later saves. A block that raises takes none.
        """
        if self._deferred() is not None:  # nested: the outer block takes them
            yield
            return
        due: dict[UUID, tuple[Any, int]] = {}
        self._deferring.due = due
        try:
            yield
        finally:
            self._deferring.due = None
        for aggregate, version in due.values():
            if aggregate.version == version and not aggregate.pending_events:
                self._snapshot(aggregate)

    def _deferred(self) -> dict[UUID, tuple[Any, int]] | None:
        due: dict[UUID, tuple[Any, int]] | None = getattr(self._deferring, "due", None)
        return due

    def _snapshot(self, aggregate: Any) -> None:
        assert self.snapshots is not None
        snapshot_class = getattr(type(aggregate), "Snapshot", type(self).snapshot_class)
        assert snapshot_class is not None
        self.snapshots.put([snapshot_class.take(aggregate)])

    def _take_snapshots(self, processing_event: ProcessingEvent[UUID]) -> None:
        """Snapshot each saved aggregate whose save crossed a multiple of its interval.

        The snapshot is taken from the aggregate as saved, in memory, at its new version. The
        library (9.5) instead rebuilds the aggregate from the store at every multiple the save
        crossed: a save of 500 events rebuilt it five times, a fifth of a bulk import's time.
        A snapshot at any version serves every read at or after that version.
        """
        if self.snapshots is None:
            return
        versions: dict[UUID, list[int]] = {}
        for event in processing_event.events:
            versions.setdefault(event.originator_id, []).append(event.originator_version)
        for aggregate_id, aggregate in processing_event.aggregates.items():
            interval = self.snapshotting_intervals.get(type(aggregate))
            saved = versions.get(aggregate_id)
            if interval is None or not saved:
                continue
            if max(saved) // interval > (min(saved) - 1) // interval:
                if (due := self._deferred()) is not None:
                    due[aggregate_id] = (aggregate, aggregate.version)
                else:
                    self._snapshot(aggregate)
