"""Checkpoints of the temporal fold, so that a state read on any clock replays few events.

- **Record order** (``version`` and ``as_of`` reads): the fold of a stream's first N events
  never changes, so a checkpoint every ``EVERY`` events is valid forever. A read continues from
  the nearest checkpoint, unless a correction after it reaches back before it; then from an
  earlier checkpoint, before the earliest event so corrected.
- **Occurrence order** (``at`` reads): the facts that count at a moment are a prefix of the
  stream's facts in occurrence order (domain/temporal.py), so, per stream version, the sorted
  facts with a checkpoint every ``EVERY`` of them answer any moment with a binary search and at
  most ``EVERY`` steps. They are rebuilt when the stream grows.

Checkpoints are kept as JSON text: resuming from one is a fast copy.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from domain import temporal
from domain.base import NegotiationAggregate, State

Event = NegotiationAggregate.Event
EVERY = 100
MAX_STREAMS = 64


def _dump(state: State) -> str:
    return json.dumps(state, separators=(",", ":"))


@dataclass
class RecordCheckpoints:
    """States after the first k·EVERY events of a stream (internal, as JSON)."""

    states: dict[int, str] = field(default_factory=lambda: {0: "{}"})
    #: For each correction, the version of the event it reaches back to.
    reaches: dict[int, int] = field(default_factory=dict)


@dataclass
class OccurrenceIndex:
    """One stream version's facts in occurrence order, with checkpoints along them."""

    facts: list[temporal.Fact]
    background: int  # how many facts count at every moment (creation, undated, corrections)
    starts: list[datetime]  # the earliest instants of the dated facts, in order
    states: dict[int, str]  # the state after the first k·EVERY facts (internal, as JSON)


class FoldCache:
    """Folds of recently read streams, on either clock, from checkpoints."""

    def __init__(self) -> None:
        self._records: OrderedDict[UUID, RecordCheckpoints] = OrderedDict()
        self._occurrences: OrderedDict[tuple[UUID, int], OccurrenceIndex] = OrderedDict()
        self._lock = threading.Lock()

    def fold(self, stream_id: UUID, events: list[Event], at: datetime | None) -> State | None:
        """The public state of these events (a stream's first N), at a moment or in full."""
        if at is None:
            state = self._record_fold(stream_id, events)
        else:
            state = self._occurrence_fold(stream_id, events, at)
        return None if state is None else temporal.public(state)

    # Record order

    def _record_fold(self, stream_id: UUID, events: list[Event]) -> State | None:
        if not events:
            return None
        with self._lock:
            points = self._records.setdefault(stream_id, RecordCheckpoints())
            self._records.move_to_end(stream_id)
            while len(self._records) > MAX_STREAMS:
                self._records.popitem(last=False)
        version = len(events)
        start = self._resume_point(points, events, version)
        state: State = json.loads(points.states[start])
        facts = temporal.facts(events[start:version])
        for offset, fact in enumerate(facts, start=start + 1):
            temporal.step(state, fact)
            if offset % EVERY == 0 and offset not in points.states:
                points.states[offset] = _dump(state)
        return state

    def _resume_point(self, points: RecordCheckpoints, events: list[Event], version: int) -> int:
        """The latest checkpoint no correction up to ``version`` reaches back before."""
        start = max(k for k in points.states if k <= version)
        for event in events[start:version]:
            if event.ANY_STREAM:
                points.reaches[event.originator_version] = self._target_version(events, event)
        reach = min(
            (target for at, target in points.reaches.items() if start < at <= version),
            default=None,
        )
        while reach is not None and start >= reach:
            start = max(k for k in points.states if k < reach)
            reach = min(
                (target for at, target in points.reaches.items() if start < at <= version),
                default=None,
            )
        return start

    @staticmethod
    def _target_version(events: list[Event], correction: Event) -> int:
        target = str(getattr(correction, "corrects", None) or getattr(correction, "retracts", ""))
        for event in events[: correction.originator_version]:
            if str(event.event_id) == target:
                return event.originator_version
        return correction.originator_version

    # Occurrence order

    def _occurrence_fold(self, stream_id: UUID, events: list[Event], at: datetime) -> State | None:
        index = self._index(stream_id, events)
        counted = index.background + bisect.bisect_right(index.starts, at)
        if not any(  # the stream existed: one of its facts (not a correction) had happened
            not f.is_correction and (not f.event.CREATES or temporal.occurs_by(f.event, at))
            for f in index.facts[:counted]
        ):
            return None
        start = (counted // EVERY) * EVERY
        state: State = json.loads(index.states[start])
        for fact in index.facts[start:counted]:
            temporal.step(state, fact)
        return state

    def _index(self, stream_id: UUID, events: list[Event]) -> OccurrenceIndex:
        key = (stream_id, len(events))
        with self._lock:
            found = self._occurrences.get(key)
            if found is not None:
                self._occurrences.move_to_end(key)
                return found
        facts = sorted(temporal.facts(events), key=temporal.occurrence_key)
        keys = [temporal.occurrence_key(f) for f in facts]
        background = sum(1 for k in keys if k[0] < 2)
        states: dict[int, str] = {0: "{}"}
        state: State = {}
        for count, fact in enumerate(facts, start=1):
            temporal.step(state, fact)
            if count % EVERY == 0:
                states[count] = _dump(state)
        index = OccurrenceIndex(facts, background, [k[1] for k in keys[background:]], states)
        with self._lock:
            self._occurrences[key] = index
            while len(self._occurrences) > MAX_STREAMS:
                self._occurrences.popitem(last=False)
        return index
