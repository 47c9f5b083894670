"""The timeline service: commands that append events and queries that replay streams.

Library errors are translated here into the service's own, so the API maps them to HTTP in one
place and never sees a storage exception.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from domain.base import NegotiationAggregate
from domain.catalogue import AGGREGATES, EventType
from domain.corrections import EventCorrected, EventRetracted
from domain.envelope import Envelope
from domain.errors import DomainError, DuplicateFactError, InvalidEventError, UnknownStreamError
from store.application import TimelineApplication
from store.event_cache import EventCache
from store.folds import FoldCache
from store.schema import IdempotencyRecord, IndexRow
from store.serialize import event_json, iso

CORRECTION_TYPES = (EventCorrected.type_name(), EventRetracted.type_name())
APPEND_ATTEMPTS = 30
LOCK_STRIPES = 64


class NotFoundError(Exception):
    """No stream of that kind and id (or none known as of the time asked)."""


class ConflictError(Exception):
    """The stream is not at the version the client expected."""

    def __init__(self, message: str, current_version: int | None) -> None:
        super().__init__(message)
        self.current_version = current_version


class IdempotencyMismatchError(Exception):
    """An Idempotency-Key reused with a different request."""


@dataclass(frozen=True)
class NewEvent:
    """An event to append: its type, envelope and data, already validated in shape."""

    event_type: EventType
    envelope: Envelope
    data: dict[str, Any]
    event_id: UUID = field(default_factory=uuid4)


@dataclass(frozen=True)
class Idempotency:
    """The client's Idempotency-Key and a hash of its request."""

    key: str
    request_hash: str


@dataclass(frozen=True)
class Appended:
    """One stored event: its id, stream version and global position."""

    event_id: str
    version: int
    position: int


@dataclass(frozen=True)
class AppendResult:
    """What an append answers: the stream, its new version and the position of each event."""

    stream_id: str
    kind: str
    version: int
    position: int
    events: list[Appended]
    replayed: bool = False


class TimelineService:
    """Appends and replays over one TimelineApplication."""

    def __init__(self, app: TimelineApplication) -> None:
        self.app = app
        self.db = app.database
        self.cache = EventCache(app)
        self.folds = FoldCache()
        #: Called with the new head position and the number of events after every append.
        self.on_append: list[Callable[[int, int], None]] = []
        # Appends to one stream from this process take turns, so they need no retries; appends
        # from other processes still race, and the loser retries after a jittered pause.
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]

    # Commands

    def create(
        self,
        kind: str,
        event: NewEvent,
        *,
        stream_id: UUID | None = None,
        idempotency: Idempotency | None = None,
        principal: str | None = None,
    ) -> AppendResult:
        """Open a stream of ``kind`` with its creating event."""
        if (replay := self._replay(idempotency)) is not None:
            return replay
        self._check_references(stream_id or UUID(int=0), [event])
        talks_id = event.data.get("talks_id")
        belongs = "talks_id" in event.event_type.event_class.data_fields()  # not talks, actors
        if belongs and self.stream_kind(str(talks_id)) != "talks":
            raise UnknownStreamError(f"no talks with id {talks_id}", pointer="/data/talks_id")
        aggregate = AGGREGATES[kind].open(
            event.event_type.event_class,
            stream_id=stream_id or uuid4(),
            event_id=event.event_id,
            envelope=event.envelope,
            **event.data,
        )
        try:
            return self._save(aggregate, kind, idempotency, principal)
        except IntegrityError:
            if (replay := self._replay(idempotency)) is not None:
                return replay
            raise ConflictError(
                f"a stream with id {aggregate.id} exists already",
                self._current_version(str(aggregate.id)),
            ) from None

    def append(
        self,
        kind: str,
        stream_id: UUID,
        events: list[NewEvent],
        *,
        expected_version: int | None = None,
        idempotency: Idempotency | None = None,
        principal: str | None = None,
    ) -> AppendResult:
        """Append events to a stream atomically; retried on a race unless a version was expected."""
        if (replay := self._replay(idempotency)) is not None:
            return replay
        with self._stripes[hash(stream_id) % LOCK_STRIPES]:
            return self._append(kind, stream_id, events, expected_version, idempotency, principal)

    def _append(
        self,
        kind: str,
        stream_id: UUID,
        events: list[NewEvent],
        expected_version: int | None,
        idempotency: Idempotency | None,
        principal: str | None,
    ) -> AppendResult:
        for attempt in range(APPEND_ATTEMPTS):
            if attempt:
                time.sleep(random.uniform(0, 0.002 * min(attempt, 10)))  # noqa: S311
            aggregate = self._load(kind, stream_id)
            if attempt == 0:
                self._check_references(stream_id, events, recorded=False)
            if expected_version is not None and aggregate.version != expected_version:
                raise ConflictError(
                    f"expected version {expected_version}, the stream is at {aggregate.version}",
                    aggregate.version,
                )
            try:
                for index, event in enumerate(events):
                    try:
                        aggregate.record(
                            event.event_type.event_class,
                            event_id=event.event_id,
                            envelope=event.envelope,
                            **event.data,
                        )
                    except DomainError as error:
                        error.index = index  # type: ignore[attr-defined]
                        raise
            except DomainError:
                # A retry of a request that has just been recorded meets its own fact here.
                if (replay := self._replay(idempotency)) is not None:
                    return replay
                raise
            try:
                return self._save(aggregate, kind, idempotency, principal)
            except IntegrityError:
                if (replay := self._replay(idempotency)) is not None:
                    return replay
                self._check_references(stream_id, events, recorded=True)
                if expected_version is not None:
                    current = self._current_version(str(stream_id))
                    raise ConflictError(
                        f"expected version {expected_version}, the stream is at {current}",
                        current,
                    ) from None
        current = self._current_version(str(stream_id))
        msg = f"the stream kept changing during {APPEND_ATTEMPTS} attempts; retry"
        raise ConflictError(msg, current)

    def _save(
        self,
        aggregate: NegotiationAggregate,
        kind: str,
        idempotency: Idempotency | None,
        principal: str | None,
    ) -> AppendResult:
        pending = list(aggregate.pending_events)
        # A Talks and an actor are families of their own; delegations and positions join theirs.
        talks_id = str(aggregate.state.get("talks_id") or aggregate.id)
        rows = []
        for event in pending:
            assert isinstance(event, NegotiationAggregate.Event)
            start, end = event.envelope.occurred.bounds()
            rows.append(
                IndexRow(
                    stream_id=str(event.originator_id),
                    kind=kind,
                    version=event.originator_version,
                    event_id=str(event.event_id),
                    type=event.type_name(),
                    talks_id=talks_id,
                    recorded_at=iso(event.timestamp),
                    occurred_start=iso(start) if start else None,
                    occurred_end=iso(end) if end else None,
                    principal=principal,
                )
            )
        extras: dict[str, Any] = {"index": rows}
        if idempotency is not None:
            extras["idempotency"] = IdempotencyRecord(
                idempotency.key, idempotency.request_hash, iso(datetime.now(UTC))
            )
        # Saving the aggregate itself (not just its events) lets the library snapshot it.
        recordings = self.app.save(aggregate, nt_extras=extras)
        for listener in self.on_append:
            listener(recordings[-1].notification.id, len(recordings))
        appended = [
            Appended(row.event_id, row.version, recording.notification.id)
            for row, recording in zip(rows, recordings, strict=True)
        ]
        return AppendResult(
            stream_id=str(aggregate.id),
            kind=kind,
            version=aggregate.version,
            position=appended[-1].position,
            events=appended,
        )

    def _replay(self, idempotency: Idempotency | None) -> AppendResult | None:
        """The first response to this Idempotency-Key, if it was used already."""
        if idempotency is None:
            return None
        found = self.db.query(
            "SELECT request_hash, stream_id, first_position, last_position"
            " FROM nt_idempotency WHERE key = ?",
            (idempotency.key,),
        )
        if not found:
            return None
        record = found[0]
        if record["request_hash"] != idempotency.request_hash:
            msg = "this Idempotency-Key was used with a different request"
            raise IdempotencyMismatchError(msg)
        rows = self.db.query(
            "SELECT event_id, version, position, kind FROM nt_event_index"
            " WHERE stream_id = ? AND position BETWEEN ? AND ? ORDER BY position",
            (record["stream_id"], record["first_position"], record["last_position"]),
        )
        events = [Appended(r["event_id"], r["version"], r["position"]) for r in rows]
        return AppendResult(
            stream_id=record["stream_id"],
            kind=rows[-1]["kind"],
            version=events[-1].version,
            position=events[-1].position,
            events=events,
            replayed=True,
        )

    # Queries

    def stream_kind(self, stream_id: str) -> str | None:
        """Which kind of stream this id is, if any."""
        rows = self.db.query(
            "SELECT kind FROM nt_event_index WHERE stream_id = ? AND version = 1", (stream_id,)
        )
        return str(rows[0]["kind"]) if rows else None

    def _current_version(self, stream_id: str) -> int | None:
        rows = self.db.query(
            "SELECT MAX(version) AS version FROM nt_event_index WHERE stream_id = ?", (stream_id,)
        )
        return rows[0]["version"] if rows and rows[0]["version"] is not None else None

    def _load(self, kind: str, stream_id: UUID, version: int | None = None) -> NegotiationAggregate:
        """The stream's aggregate, if the stream is of this kind (its class says which)."""
        try:
            aggregate: object = self.app.load(stream_id, version)
        except AggregateNotFoundError:
            raise NotFoundError(f"no {kind} with id {stream_id}") from None
        if type(aggregate) is not AGGREGATES[kind]:
            raise NotFoundError(f"no {kind} with id {stream_id}")
        assert isinstance(aggregate, NegotiationAggregate)
        return aggregate

    def version_as_of(self, stream_id: UUID, as_of: datetime) -> int | None:
        """The stream's version from the events recorded at or before ``as_of``."""
        rows = self.db.query(
            "SELECT MAX(version) AS version FROM nt_event_index"
            " WHERE stream_id = ? AND recorded_at <= ?",
            (str(stream_id), iso(as_of)),
        )
        return rows[0]["version"] if rows and rows[0]["version"] is not None else None

    def state(
        self,
        kind: str,
        stream_id: UUID,
        *,
        version: int | None = None,
        as_of: datetime | None = None,
        at: datetime | None = None,
    ) -> dict[str, Any]:
        """The stream's state on both clocks (domain/temporal.py has the rules).

        ``version``: after its first N events; ``as_of``: from the events recorded by then
        (what was known); ``at``: what had happened by then, as known (now or ``as_of``).
        """
        upto = self._current_version(str(stream_id))
        if upto is None or self.stream_kind(str(stream_id)) != kind:
            raise NotFoundError(f"no {kind} with id {stream_id}")
        if version is not None and version > upto:
            raise NotFoundError(f"{kind} {stream_id} has only {upto} events")
        if as_of is not None:
            known = self.version_as_of(stream_id, as_of)
            if known is None:
                raise NotFoundError(f"{kind} {stream_id} was not yet recorded at {iso(as_of)}")
            upto = known
        if version is not None:
            upto = min(upto, version)
        state = self.folds.fold(stream_id, self.cache.events(stream_id, upto), at)
        if state is None:
            raise NotFoundError(
                f"nothing of {kind} {stream_id} had happened by {iso(at or as_of or datetime.now(UTC))}"
            )
        return {"id": str(stream_id), "version": upto, **state}

    def events_of(
        self, stream_id: UUID, upto: int | None = None
    ) -> list[NegotiationAggregate.Event]:
        """A stream's decoded events (its first ``upto``), from the cache."""
        if upto is None:
            upto = self._current_version(str(stream_id)) or 0
        return self.cache.events(stream_id, upto)

    def target(self, event_id: UUID) -> dict[str, Any] | None:
        """Where an event is: its stream, kind, version and type (None if unknown)."""
        rows = self.db.query(
            "SELECT stream_id, kind, version, type, position FROM nt_event_index WHERE event_id = ?",
            (str(event_id),),
        )
        return rows[0] if rows else None

    def recorded_ids(self, event_ids: list[str], chunk: int = 500) -> set[str]:
        """Which of these event ids are recorded already (one query per ``chunk`` ids)."""
        found: set[str] = set()
        for start in range(0, len(event_ids), chunk):
            part = event_ids[start : start + chunk]
            marks = ",".join("?" * len(part))
            rows = self.db.query(
                f"SELECT event_id FROM nt_event_index WHERE event_id IN ({marks})", part
            )
            found.update(str(row["event_id"]) for row in rows)
        return found

    def _check_references(
        self, stream_id: UUID, events: list[NewEvent], *, recorded: bool = True
    ) -> None:
        """Client-chosen event ids are new; corrections point at a fact of this very stream.

        With ``recorded=False`` the ids are not looked up: the index's unique event id makes
        the save fail instead, and the append then checks again with ``recorded=True`` to say
        which id was taken. That spares every append one query.
        """
        chosen = [str(e.event_id) for e in events]
        if len(set(chosen)) != len(chosen):
            raise DuplicateFactError(
                "two events of the batch share an event_id", pointer="/event_id"
            )
        taken = sorted(self.recorded_ids(chosen)) if recorded else []
        if taken:
            raise DuplicateFactError(
                f"an event with id {taken[0]} is recorded already", pointer="/event_id"
            )
        for event in events:
            pointed = event.data.get("corrects") or event.data.get("retracts")
            if pointed is None or not event.event_type.event_class.ANY_STREAM:
                continue
            field = "corrects" if "corrects" in event.data else "retracts"
            found = self.target(pointed)
            if found is None or found["stream_id"] != str(stream_id):
                raise UnknownStreamError(
                    f"no event {pointed} in this stream", pointer=f"/data/{field}"
                )
            if found["type"] in CORRECTION_TYPES:
                raise InvalidEventError(
                    "corrections and retractions are not corrected; correct the original",
                    pointer=f"/data/{field}",
                )

    def stream_events(self, kind: str, stream_id: UUID) -> list[dict[str, Any]]:
        """Every event of a stream in order, with envelope, version and global position."""
        if self.stream_kind(str(stream_id)) != kind:
            raise NotFoundError(f"no {kind} with id {stream_id}")
        index = {
            r["version"]: r
            for r in self.db.query(
                "SELECT version, position, principal FROM nt_event_index WHERE stream_id = ?",
                (str(stream_id),),
            )
        }
        return [
            event_json(
                event,
                index[event.originator_version]["position"],
                kind,
                index[event.originator_version]["principal"],
            )
            for event in self.app.events.get(stream_id)
            if isinstance(event, NegotiationAggregate.Event)
        ]

    def log(self, after: int, limit: int) -> list[dict[str, Any]]:
        """The global log from just after ``after``, in order, at most ``limit`` events."""
        notifications = self.app.recorder.select_notifications(
            start=after, limit=limit, inclusive_of_start=False
        )
        if not notifications:
            return []
        index = {
            r["position"]: r
            for r in self.db.query(
                "SELECT position, kind, principal FROM nt_event_index"
                " WHERE position BETWEEN ? AND ?",
                (notifications[0].id, notifications[-1].id),
            )
        }
        return [
            event_json(
                self.app.mapper.to_domain_event(n),  # type: ignore[arg-type]
                n.id,
                index[n.id]["kind"],
                index[n.id]["principal"],
            )
            for n in notifications
        ]

    def head(self) -> int:
        """The position of the newest event (0 for an empty store)."""
        return self.app.recorder.max_notification_id() or 0
