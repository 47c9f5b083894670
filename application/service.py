"""The timeline service: commands that append events and queries that replay streams.

Library errors are translated here into the service's own, so the API maps them to HTTP in one
place and never sees a storage exception.
"""

from __future__ import annotations

import dataclasses
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError, Recording

from application import corrections, replies
from application.errors import (
    ApplicationError,
    ConflictError,
    IdempotencyMismatchError,
    NotFoundError,
)
from application.event_cache import EventCache
from application.event_input import NewEvent
from application.folds import FoldCache
from application.group_commit import GroupCommitter
from application.participant_actors import check_participant_actors
from domain import corrected_values
from domain.base import NegotiationAggregate
from domain.catalogue import AGGREGATES
from domain.corrections import EventCorrected
from domain.errors import DomainError, DuplicateFactError, UnknownStreamError
from store.application import TimelineApplication
from store.event_index import EventIndex, IndexRow
from store.schema import IdempotencyRecord
from store.serialize import event_json, iso

APPEND_ATTEMPTS = 30
LOCK_STRIPES = 64


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

    def __init__(self, app: TimelineApplication, *, group_commit: bool = False) -> None:
        self.app = app
        self.db = app.database
        self.index = EventIndex(app.database)
        self.cache = EventCache(app)
        self.folds = FoldCache()
        #: Folds of the same streams without their corrections: what was reported.
        self.reported_folds = FoldCache(facts=self.folds.facts)
        #: Called with the new head position and the number of events after every append.
        self.on_append: list[Callable[[int, int], None]] = []
        # Appends to one stream from this process take turns, so they need no retries; appends
        # from other processes still race, and the loser retries after a jittered pause.
        self._stripes = [threading.Lock() for _ in range(LOCK_STRIPES)]
        #: With group commit, one writer commits the appends waiting together (group_commit.py).
        self.group = GroupCommitter(self) if group_commit else None

    def close(self) -> None:
        """Stop the group-commit writer, if any, once the appends waiting are answered."""
        if self.group is not None:
            self.group.close()

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
        if (replay := self._replay(idempotency, principal)) is not None:
            return replay
        self._checked(stream_id or UUID(int=0), [event])
        aggregate = self.opened(kind, event, stream_id or uuid4(), self.stream_kind)
        try:
            return self._save(aggregate, kind, idempotency, principal)
        except IntegrityError:
            if (replay := self._replay(idempotency, principal)) is not None:
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
        if (replay := self._replay(idempotency, principal)) is not None:
            return replay
        if (
            self.group is not None
            and idempotency is None
            and not any(event.event_type.event_class.ANY_STREAM for event in events)
        ):
            grouped: AppendResult = self.group.append(
                kind, stream_id, events, expected_version, principal
            )
            return grouped
        with self._stripes[hash(stream_id) % LOCK_STRIPES]:
            return self._append(kind, stream_id, events, expected_version, idempotency, principal)

    def append_alone(
        self,
        kind: str,
        stream_id: UUID,
        events: list[NewEvent],
        expected_version: int | None,
        principal: str | None,
    ) -> AppendResult:
        """Append on the ordinary path, one transaction of its own (retried on a race)."""
        with self._stripes[hash(stream_id) % LOCK_STRIPES]:
            return self._append(kind, stream_id, events, expected_version, None, principal)

    @staticmethod
    def result_of(stream_id: UUID, kind: str, recordings: list[Recording[UUID]]) -> AppendResult:
        """The answer to an append from the recordings of its events."""
        appended = [
            Appended(
                str(r.domain_event.event_id),  # type: ignore[attr-defined]
                r.domain_event.originator_version,
                r.notification.id,
            )
            for r in recordings
        ]
        return AppendResult(
            stream_id=str(stream_id),
            kind=kind,
            version=appended[-1].version,
            position=appended[-1].position,
            events=appended,
        )

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
                events = self._checked(stream_id, events, recorded=False)
            if expected_version is not None and aggregate.version != expected_version:
                raise ConflictError(
                    f"expected version {expected_version}, the stream is at {aggregate.version}",
                    aggregate.version,
                )
            try:
                self.recorded(aggregate, events)
            except DomainError:
                # A retry of a request that has just been recorded meets its own fact here.
                if (replay := self._replay(idempotency, principal)) is not None:
                    return replay
                raise
            try:
                return self._save(aggregate, kind, idempotency, principal)
            except IntegrityError:
                if (replay := self._replay(idempotency, principal)) is not None:
                    return replay
                self._checked(stream_id, events, recorded=True)
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
        rows = self._index_rows(aggregate, kind, principal)
        extras: dict[str, Any] = {"index": rows}
        if idempotency is not None:
            extras["idempotency"] = IdempotencyRecord(
                principal or "", idempotency.key, idempotency.request_hash, iso(datetime.now(UTC))
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

    @staticmethod
    def _index_rows(
        aggregate: NegotiationAggregate, kind: str, principal: str | None
    ) -> list[IndexRow]:
        """The index rows of the aggregate's pending events, in their order."""
        # A Talks and an actor are families of their own; delegations and positions join theirs.
        talks_id = str(aggregate.state.get("talks_id") or aggregate.id)
        rows = []
        for event in aggregate.pending_events:
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
        return rows

    def save_together(
        self,
        staged: list[tuple[NegotiationAggregate, str]],
        *,
        principal: str | None,
        principals: list[str | None] | None = None,
    ) -> list[Recording[UUID]]:
        """Save several aggregates' pending events, with their index rows, in one transaction.

        ``staged`` names, for each event in the order to store them, its aggregate and kind: an
        aggregate named three times stores its next pending event at each place. The events were
        recorded (guards, corrections) by the caller, as ``append`` does; the store still refuses
        a stream changed meanwhile or an event id taken: then nothing is saved, and ConflictError
        says so. ``principals``, if given, is each event's. Returns the events' recordings.
        """
        if not staged:
            return []
        queues: dict[UUID, tuple[list[Any], list[IndexRow]]] = {}
        aggregates: list[NegotiationAggregate] = []
        for aggregate, kind in staged:
            if aggregate.id not in queues:
                events = list(reversed(aggregate.pending_events))
                rows = list(reversed(self._index_rows(aggregate, kind, principal)))
                queues[aggregate.id] = (events, rows)
                aggregates.append(aggregate)
        ordered: list[Any] = []
        ordered_rows: list[IndexRow] = []
        for place, (aggregate, _) in enumerate(staged):
            events, rows = queues[aggregate.id]
            ordered.append(events.pop())
            row = rows.pop()
            if principals is not None:
                row = dataclasses.replace(row, principal=principals[place])
            ordered_rows.append(row)
        try:
            recordings = self.app.save_in_order(
                aggregates, ordered, nt_extras={"index": ordered_rows}
            )
        except IntegrityError:
            msg = "a stream of the batch changed meanwhile, or one of its event ids is taken"
            raise ConflictError(msg, None) from None
        for listener in self.on_append:
            listener(recordings[-1].notification.id, len(recordings))
        return recordings

    def _replay(
        self, idempotency: Idempotency | None, principal: str | None
    ) -> AppendResult | None:
        """The first response to this principal's Idempotency-Key, if it used it already."""
        if idempotency is None:
            return None
        found = self.db.query(
            "SELECT request_hash, stream_id, first_position, last_position"
            " FROM nt_idempotency WHERE principal = ? AND key = ?",
            (principal or "", idempotency.key),
        )
        if not found:
            return None
        record = found[0]
        if record["request_hash"] != idempotency.request_hash:
            msg = "this Idempotency-Key was used with a different request"
            raise IdempotencyMismatchError(msg, pointer="")
        rows = self.index.stream_span(
            record["stream_id"], record["first_position"], record["last_position"]
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
        return self.index.kind(stream_id)

    def _current_version(self, stream_id: str) -> int | None:
        return self.index.current_version(stream_id)

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
        return self.index.version_as_of(str(stream_id), as_of)

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
        current = upto
        if as_of is not None:
            known = self.version_as_of(stream_id, as_of)
            if known is None:
                raise NotFoundError(f"{kind} {stream_id} was not yet recorded at {iso(as_of)}")
            upto = known
        if version is not None:
            upto = min(upto, version)
        events = self.cache.events(stream_id, upto)
        # The current version's index serves every read of now and at a moment; an earlier
        # version's is kept for reads at a moment only.
        keep = upto == current or at is not None
        state = self.folds.fold(stream_id, events, at, keep=keep)
        if state is None:
            raise NotFoundError(
                f"nothing of {kind} {stream_id} had happened by {iso(at or as_of or datetime.now(UTC))}"
            )
        if "corrected" in state:  # beside each corrected value, what was reported
            as_reported = [e for e in events if not isinstance(e, EventCorrected)]
            reported = self.reported_folds.fold(stream_id, as_reported, at, keep=keep)
            state["corrected_values"] = corrected_values.state_changes(reported, state, events)
        return {"id": str(stream_id), "version": upto, **state}

    def events_of(
        self, stream_id: UUID, upto: int | None = None
    ) -> list[NegotiationAggregate.Event]:
        """A stream's decoded events (its first ``upto``), from the cache."""
        if upto is None:
            upto = self._current_version(str(stream_id)) or 0
        return self.cache.events(stream_id, upto)

    def events_by_id(self, event_ids: Sequence[str]) -> dict[str, NegotiationAggregate.Event]:
        """These events, decoded, by id (from the cache; ids not recorded are left out)."""
        by_stream: dict[str, dict[str, int]] = {}
        for event_id, (stream_id, version) in self.index.versions(event_ids).items():
            by_stream.setdefault(stream_id, {})[event_id] = version
        found: dict[str, NegotiationAggregate.Event] = {}
        for stream_id, versions in by_stream.items():  # each stream's events taken once
            events = self.events_of(UUID(stream_id), max(versions.values()))
            found.update((i, events[v - 1]) for i, v in versions.items() if v <= len(events))
        return found

    def target(self, event_id: UUID) -> dict[str, Any] | None:
        """Where an event is: its stream, kind, version and type (None if unknown)."""
        return self.index.locate(str(event_id))

    def recorded_ids(self, event_ids: list[str]) -> set[str]:
        """Which of these event ids are recorded already."""
        return self.index.recorded_ids(event_ids)

    # The commands' checks and guards, shared with the importer's check of a whole file

    def opened(
        self,
        kind: str,
        event: NewEvent,
        stream_id: UUID,
        kind_of: Callable[[str], str | None],
    ) -> NegotiationAggregate:
        """A new stream's aggregate with its creating event recorded, not saved.

        ``kind_of`` says which kind of stream an id is: the store's, or the importer's, which
        also knows the streams opened earlier in its file.
        """
        talks_id = event.data.get("talks_id")
        belongs = "talks_id" in event.event_type.event_class.data_fields()  # not talks, actors
        if belongs and kind_of(str(talks_id)) != "talks":
            raise UnknownStreamError(f"no talks with id {talks_id}", pointer="/data/talks_id")
        return AGGREGATES[kind].open(
            event.event_type.event_class,
            stream_id=stream_id,
            event_id=event.event_id,
            envelope=event.envelope,
            **event.data,
        )

    @staticmethod
    def recorded(aggregate: NegotiationAggregate, events: list[NewEvent]) -> None:
        """Record events onto an aggregate, its guards deciding; an error says which event."""
        for index, event in enumerate(events):
            try:
                aggregate.record(
                    event.event_type.event_class,
                    event_id=event.event_id,
                    envelope=event.envelope,
                    **event.data,
                )
            except DomainError as error:
                error.index = index
                raise

    def recorded_target(self, event_id: str) -> corrections.Target | None:
        """A recorded event as the target of a correction or retraction (None if unknown)."""
        found = self.index.locate(event_id)
        if found is None:
            return None
        stream_id, version = UUID(found["stream_id"]), int(found["version"])

        def event() -> NegotiationAggregate.Event:
            found = self.cache.event(stream_id, version)
            assert found is not None  # the index lists it: it is stored
            return found

        def data() -> dict[str, Any]:  # loaded only if a correction's fields need checking
            return event().data()

        def source_count() -> int:  # loaded only if an erratum names a source
            return len(event().envelope.sources)

        return corrections.Target(found["stream_id"], found["type"], data, source_count)

    def _checked(
        self, stream_id: UUID, events: list[NewEvent], *, recorded: bool = True
    ) -> list[NewEvent]:
        """Client-chosen event ids are new; corrections follow the rule of corrections.py.

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
        check_participant_actors(events, self.stream_kind)
        checked = []
        family: str | None = None
        for index, event in enumerate(events):
            found = corrections.reference(event)
            try:
                if event.envelope.in_reply_to is not None:
                    family = family or self.family_of(stream_id, event)
                    earlier = {str(e.event_id) for e in events[:index]}
                    replies.checked(event, family, self.reply_family(event, family, earlier))
                checked.append(
                    event
                    if found is None
                    else corrections.checked(event, stream_id, self.recorded_target(found[1]))
                )
            except (DomainError, ApplicationError) as error:
                error.index = index
                raise
        return checked

    def family_of(self, stream_id: UUID, event: NewEvent) -> str:
        """The Talks family of the stream ``event`` is created in or appended to."""
        if event.event_type.creates:
            return str(event.data.get("talks_id") or stream_id)
        return self.index.family_of(str(stream_id)) or str(stream_id)

    def reply_family(self, event: NewEvent, family: str, earlier: set[str]) -> str | None:
        """The family of the event ``event`` answers: ``family`` for an earlier event of the same
        request, the store's for a recorded one, None if there is none."""
        replied = event.envelope.in_reply_to
        if replied is None:
            return None
        if replied in earlier:
            return family
        found = self.index.locate(replied)
        return None if found is None else str(found["talks_id"])

    def stream_events(self, kind: str, stream_id: UUID) -> list[dict[str, Any]]:
        """Every event of a stream in order, with envelope, version and global position."""
        if self.stream_kind(str(stream_id)) != kind:
            raise NotFoundError(f"no {kind} with id {stream_id}")
        index = self.index.stream_rows(str(stream_id))
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
        index = self.index.log_rows(notifications[0].id, notifications[-1].id)
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
