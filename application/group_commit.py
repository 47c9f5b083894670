"""Group commit: one writer per process commits the appends that are waiting, together.

Request threads hand their append to the writer and wait. The writer takes every append waiting
(up to ``MAX_GROUP`` events), runs each one's command against the aggregate as the one before it
left it, and saves the group in one transaction (one fsync). An append whose guard or expected
version fails is answered alone, with its error, and leaves the others be; each is answered only
after its group has committed. Should the store refuse the group (another process changed one of
its streams, or took an event id), each append runs again alone on the ordinary path, which
retries and says precisely what failed. So appends from other processes are still checked by the
store, and nothing is acknowledged that was not stored.

A stream this process wrote or read comes from its cache as it left it, with no look at the
store for what another process appended since (a query per stream and group): a save that missed
such events takes a version already taken, so the store refuses it and each append runs alone;
an append refused on such a copy (a guard, an expected version) is asked again alone, after the
group, on the stream brought up to date.

Appends that carry an Idempotency-Key, or a correction or retraction, take the ordinary path:
their checks read the store (the first response to a key, a correction's target).
"""

from __future__ import annotations

import copy
import queue
import threading
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.errors import ApplicationError, ConflictError, NotFoundError
from application.event_input import NewEvent
from domain.base import NegotiationAggregate
from domain.catalogue import AGGREGATES
from domain.errors import DomainError

#: Events in one group at most: one transaction, as large as an import's batch.
MAX_GROUP = 500


@dataclass
class _Request:
    kind: str
    stream_id: UUID
    events: list[NewEvent]
    expected_version: int | None
    principal: str | None
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None  # the service's AppendResult
    error: BaseException | None = None


class GroupCommitter:
    """The process's one writer of grouped appends (started on the first one)."""

    def __init__(self, service: Any) -> None:
        # The TimelineService (typed loosely: it imports this module, not the other way round).
        self.service = service
        self._queue: queue.SimpleQueue[_Request | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start = threading.Lock()

    def append(
        self,
        kind: str,
        stream_id: UUID,
        events: list[NewEvent],
        expected_version: int | None,
        principal: str | None,
    ) -> Any:
        """Append through the writer; answered once the group holding it has committed."""
        request = _Request(kind, stream_id, events, expected_version, principal)
        self._ensure_started()
        self._queue.put(request)
        request.done.wait()
        if request.error is not None:
            raise request.error
        assert request.result is not None
        return request.result

    def close(self) -> None:
        """Stop the writer once the appends waiting are answered."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=10)
            self._thread = None

    def _ensure_started(self) -> None:
        with self._start:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="group-commit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while (first := self._queue.get()) is not None:
            group, size, stopping = [first], len(first.events), False
            while size < MAX_GROUP:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                group.append(more)
                size += len(more.events)
            try:
                self._commit(group)
            except BaseException as error:
                for request in group:
                    if not request.done.is_set():
                        request.error = error
                        request.done.set()
            if stopping:
                return

    def _commit(self, group: list[_Request]) -> None:
        service = self.service
        working: dict[UUID, NegotiationAggregate] = {}
        staged: list[tuple[NegotiationAggregate, str, str | None]] = []
        accepted: list[tuple[_Request, int]] = []
        # Streams taken from this process's cache as it left them, without a look at the store
        # for events another process appended since: a save that missed some is refused by the
        # store (and each append runs again alone), and a request refused on such a stream is
        # asked again alone, after the group, on a stream brought up to date.
        unchecked: set[UUID] = set()
        again: list[_Request] = []
        for request in group:
            try:
                aggregate = working.get(request.stream_id)
                if aggregate is None:
                    aggregate = service.app.cached(request.stream_id)
                    if aggregate is None:
                        aggregate = service._load(request.kind, request.stream_id)
                    else:
                        unchecked.add(request.stream_id)
                if type(aggregate) is not AGGREGATES[request.kind]:
                    msg = f"no {request.kind} with id {request.stream_id}"
                    raise NotFoundError(msg)
                events = service._checked(request.stream_id, request.events, recorded=False)
                if request.expected_version is not None and (
                    aggregate.version != request.expected_version
                ):
                    raise ConflictError(
                        f"expected version {request.expected_version}, the stream is at"
                        f" {aggregate.version}",
                        aggregate.version,
                    )
                # A guard refuses before its event exists; a later event of the same request
                # may still refuse after an earlier one was recorded: keep a copy to go back to
                # (in place: the group's earlier appends hold this very aggregate). The copy
                # shares the state's values, which the fold never changes in place.
                before = vars(copy.deepcopy(aggregate)) if len(events) > 1 else None
                try:
                    service.recorded(aggregate, events)
                except DomainError:
                    if before is not None:
                        vars(aggregate).clear()
                        vars(aggregate).update(before)
                    raise
            except (DomainError, ApplicationError) as error:
                if request.stream_id in unchecked:
                    again.append(request)
                else:
                    request.error = error
                    request.done.set()
                continue
            working[request.stream_id] = aggregate
            accepted.append((request, len(staged)))
            staged.extend((aggregate, request.kind, request.principal) for _ in events)
        try:
            self._save(staged, accepted)
        finally:
            for request in again:
                self._alone(request)

    def _save(
        self,
        staged: list[tuple[NegotiationAggregate, str, str | None]],
        accepted: list[tuple[_Request, int]],
    ) -> None:
        """Save the group's accepted appends in one transaction and answer them."""
        service = self.service
        if not staged:
            return
        try:
            recordings = service.save_together(
                [(aggregate, kind) for aggregate, kind, _ in staged],
                principal=None,
                principals=[principal for _, _, principal in staged],
            )
        except ConflictError:
            # Another process got there first, or an event id is taken: each alone, as usual.
            for request, _ in accepted:
                self._alone(request)
            return
        for request, start in accepted:
            mine = recordings[start : start + len(request.events)]
            request.result = service.result_of(request.stream_id, request.kind, mine)
            request.done.set()

    def _alone(self, request: _Request) -> None:
        try:
            request.result = self.service.append_alone(
                request.kind,
                request.stream_id,
                request.events,
                request.expected_version,
                request.principal,
            )
        except (DomainError, ApplicationError) as error:
            request.error = error
        request.done.set()
