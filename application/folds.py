"""Checkpoints of the temporal fold, so that a state read on any clock replays few events.

Every read folds in occurrence order (domain/temporal.py), so a read now, a read at a moment
after every fact and a read as of now give one state. The facts that count at a moment are a
prefix of the stream's facts in occurrence order, so, per stream version, the sorted facts with
a checkpoint every ``EVERY`` of them answer any moment (or now: all of them) with a binary
search and at most ``EVERY`` steps, unless a claim folded before the checkpoint is outranked by
one after it (then from an earlier checkpoint). They are rebuilt when the stream grows.

A checkpoint is the state's own dict: the fold changes no value in place (``domain.base.appended``),
so the states of successive checkpoints share what did not change between them, and resuming
from one copies only its top level. (They were JSON text, and a read of a Talks of 5,000 events
spent more time writing and parsing them than folding.)
"""

from __future__ import annotations

import bisect
import threading
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from cachetools import LRUCache

from domain import temporal
from domain.base import NegotiationAggregate, State

Event = NegotiationAggregate.Event
EVERY = 100
#: The facts of every index kept, at most (an index's checkpoints hold, per fact, about 9 KB of
#: a realistic stream's state between them: a bound on entries alone let 64 random versions of
#: a 5,000-event Talks hold 1.4 GB). A 10,000-event Talks' index fits; with the event cache
#: and the shared facts, the server stays under its 200 MB target (``bench/memory.py``).
MAX_FACTS = 12_000
#: Facts of uncorrected events kept for the next fold of the same events (each with its data
#: and claim worked out: about 1 KB).
MAX_MEMO = 10_000


class SharedFacts:
    """The facts of recently folded events that no correction touched, by event (identity)."""

    def __init__(self, size: int = MAX_MEMO) -> None:
        # Keyed by id(): the fact holds its event, so no other object has that id meanwhile.
        self.facts: LRUCache[int, temporal.Fact] = LRUCache(size)
        self._lock = threading.Lock()

    def get(self, event: Event) -> temporal.Fact | None:
        with self._lock:
            fact = self.facts.get(id(event))
        return fact if fact is not None and fact.original is event else None

    def put(self, fact: temporal.Fact) -> None:
        with self._lock:
            self.facts[id(fact.original)] = fact


@dataclass
class OccurrenceIndex:
    """One stream version's facts in occurrence order, with checkpoints along them."""

    facts: list[temporal.Fact]
    background: int  # how many facts count at every moment (creation, undated, corrections)
    starts: list[datetime]  # the earliest instants of the dated facts, in order
    states: dict[int, State]  # the state after the first k·EVERY facts (internal; shared)
    #: Claims outranked in some prefix: fact index -> length of the shortest such prefix.
    claims: temporal.Suppressions
    keys: list[tuple[int, datetime, int]]  # each fact's occurrence key, in order

    @property
    def outranked(self) -> list[tuple[int, int]]:
        """(fact index, length of the shortest prefix leaving it out), for each such claim."""
        return list(self.claims.found.items())

    def resume_point(self, counted: int, until: int | None = None) -> int:
        """The latest checkpoint at or before ``counted`` whose state is that of the fold of the
        first ``until`` facts (``counted`` if not given) so far: no claim before it is outranked
        only by a fact between it and ``until``."""
        until = counted if until is None else until
        start = max(k for k in self.states if k <= counted)
        while any(index < start < since <= until for index, since in self.outranked):
            start = max(k for k in self.states if k < start)
        return start

    def skips(self, counted: int) -> list[bool]:
        """For each fact, whether folding the first ``counted`` facts leaves it out."""
        left_out = [False] * len(self.facts)
        for index, since in self.outranked:
            left_out[index] = since <= counted
        return left_out


@dataclass(frozen=True)
class Between:
    """Two reads of a stream at a moment and what happened between them (``FoldCache.between``)."""

    at_start: State | None  # the read at the first moment (None: the stream did not exist)
    #: The fold at the second moment just before the first fact between (None: no fact came
    #: before it), and each fact between with the state after it.
    previous: State | None
    steps: list[tuple[temporal.Fact, State]]
    at_end: State | None  # the read at the second moment


class FoldCache:
    """Folds of recently read streams, on either clock, from checkpoints."""

    def __init__(self, every: int = EVERY, facts: SharedFacts | None = None) -> None:
        #: Facts between two checkpoints (tests make it small to cross many).
        self.every = every
        self._occurrences: LRUCache[tuple[UUID, int], OccurrenceIndex] = LRUCache(
            MAX_FACTS, getsizeof=lambda index: min(max(len(index.facts), 1), MAX_FACTS)
        )
        self._lock = threading.Lock()
        #: May be another cache's: a fact of an uncorrected event is the same in every fold.
        self.facts = SharedFacts() if facts is None else facts

    def fold(
        self, stream_id: UUID, events: list[Event], at: datetime | None, *, keep: bool = True
    ) -> State | None:
        """The public state of these events (a stream's first N), at a moment or after all.

        ``keep=False``: a read that no other read is likely to share (an earlier version, after
        all its facts): folded once, straight, unless its index is kept already. Its index would
        cost the time of its checkpoints and push out the indexes that serve the other reads.
        """
        if not events:
            return None
        if not keep and at is None and not self._has(stream_id, len(events)):
            return temporal.fold(events, memo=self.facts)
        state = self._occurrence_fold(stream_id, events, at)
        return None if state is None else temporal.public(state)

    def between(
        self, stream_id: UUID, events: list[Event], start: datetime, end: datetime
    ) -> Between:
        """The reads at ``start`` and at ``end``, and the facts that count at ``end`` and not at
        ``start`` in the order the fold at ``end`` takes them, each with the state after it
        (``Between``); all from the checkpoint before ``start``, so that the states share what
        did not change between them (a diff of them walks only that: ``domain.diff.touched``).
        """
        if not events:
            return Between(None, None, [], None)
        index = self._index(stream_id, events)
        last = _counted(index, end)
        resumed = self._resumed(index, _counted(index, start))
        at_start = None if resumed is None else temporal.public(resumed)
        if last is None:
            return Between(at_start, None, [], None)
        first = min(_counted(index, start) or 0, last)
        begin = index.resume_point(first, until=last)
        state: State = dict(index.states[begin])
        skips = index.skips(last)
        for position in range(begin, first):
            temporal.step(state, index.facts[position], skip=skips[position])
        previous = temporal.public(state) if first else None
        steps = []
        for position in range(first, last):
            temporal.step(state, index.facts[position], skip=skips[position])
            steps.append((index.facts[position], temporal.public(state)))
        return Between(at_start, previous, steps, temporal.public(state))

    @staticmethod
    def _resumed(index: OccurrenceIndex, counted: int | None) -> State | None:
        """The state of the index's first ``counted`` facts, with the fold's bookkeeping (None:
        the stream did not exist), from the latest checkpoint that serves."""
        if counted is None:
            return None
        start = index.resume_point(counted)
        state: State = dict(index.states[start])  # the top level is this read's own
        skips = index.skips(counted)
        for position in range(start, counted):
            temporal.step(state, index.facts[position], skip=skips[position])
        return state

    def _occurrence_fold(
        self, stream_id: UUID, events: list[Event], at: datetime | None
    ) -> State | None:
        index = self._index(stream_id, events)
        return self._resumed(index, _counted(index, at))

    def _has(self, stream_id: UUID, version: int) -> bool:
        with self._lock:
            return (stream_id, version) in self._occurrences

    def _index(self, stream_id: UUID, events: list[Event]) -> OccurrenceIndex:
        key = (stream_id, len(events))
        with self._lock:
            found = self._occurrences.get(key)
            if found is not None:
                return found
            earlier = max(
                (v for s, v in self._occurrences if s == stream_id and v < len(events)),
                default=None,
            )
            base = None if earlier is None else self._occurrences[(stream_id, earlier)]
        index = None if base is None else self._extended(base, events[len(base.facts) :])
        if index is None:
            index = self._built(events)
        with self._lock:
            self._occurrences[key] = index
        return index

    def _built(self, events: list[Event]) -> OccurrenceIndex:
        """The index of a stream's events, from scratch."""
        facts = sorted(temporal.facts(events, self.facts), key=temporal.occurrence_key)
        keys = [temporal.occurrence_key(f) for f in facts]
        background = sum(1 for k in keys if k[0] < 2)
        claims = temporal.Suppressions()
        for position, fact in enumerate(facts):
            claims.add(position, fact)
        index = OccurrenceIndex(
            facts, background, [k[1] for k in keys[background:]], {0: {}}, claims, keys
        )
        self._checkpoint(index, {}, 0)
        return index

    def _extended(self, base: OccurrenceIndex, new: list[Event]) -> OccurrenceIndex | None:
        """The index of a later version, if its new events all sort after every fact before
        them (the usual append: a fact dated after the others); None if it must be rebuilt.

        Facts before them keep their order and their suppressions (a claim recorded later never
        outranks one recorded before it), so their checkpoints stay valid.
        """
        keys = list(base.keys)
        for event in new:
            key = temporal.occurrence_key(temporal.Fact(event, event))
            if event.ANY_STREAM or key[0] < 2 or (keys and key < keys[-1]):
                return None
            keys.append(key)
        claims = base.claims.copy()
        facts = list(base.facts)
        for event in new:
            fact = temporal.Fact(event, event)
            claims.add(len(facts), fact)
            facts.append(fact)
        index = OccurrenceIndex(
            facts,
            base.background,
            [*base.starts, *(k[1] for k in keys[len(base.keys) :])],
            dict(base.states),
            claims,
            keys,
        )
        done = max(index.states)
        if len(facts) >= (done // self.every + 1) * self.every:  # a new checkpoint is due
            self._checkpoint(index, dict(index.states[done]), done)
        return index

    def _checkpoint(self, index: OccurrenceIndex, state: State, done: int) -> None:
        """Checkpoints every ``every`` facts after ``done`` (whose state is given)."""
        first = (done // self.every + 1) * self.every
        for count in range(first, len(index.facts) + 1, self.every):
            resume = index.resume_point(count)
            if resume != done:  # a claim folded before is outranked by now: fold it again
                state, done = dict(index.states[resume]), resume
            skips = index.skips(count)
            for position in range(done, count):
                temporal.step(state, index.facts[position], skip=skips[position])
            index.states[count] = dict(state)
            done = count


def _counted(index: OccurrenceIndex, at: datetime | None) -> int | None:
    """How many of the index's facts (a prefix) count at a moment (all of them: None), or None
    if the stream did not exist then (none of its facts but a correction had happened)."""
    if at is None:
        return len(index.facts)
    counted = index.background + bisect.bisect_right(index.starts, at)
    if not any(
        not f.is_correction and (not f.event.CREATES or temporal.occurs_by(f.event, at))
        for f in index.facts[:counted]
    ):
        return None
    return counted
