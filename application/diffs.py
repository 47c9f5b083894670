"""The diff of a Talks family (its Talks, delegations and positions) between two points.

On the ``recorded`` axis the two points are record times (what was known then); on the
``occurred`` axis they are moments of the world, as known now. Each changed field names the
events that changed it: on the record axis those recorded in between (a correction changes the
fields of the fact it corrects), on the occurrence axis those that happened in between. On the
record axis, ``corrections`` lists each value a correction recorded in between changed, dates
included, from -> to.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from application.folds import FoldCache
from application.service import TimelineService
from domain import temporal
from domain.base import NegotiationAggregate, State
from domain.corrected_values import fact_changes
from domain.corrections import EventCorrected
from domain.diff import EventsOf, Shift, compare, touched

Axis = Literal["occurred", "recorded"]
Causes = list[tuple[str, set[str], list[Shift]]]


def _recorded(
    memo: temporal.FactMemo, events: list[NegotiationAggregate.Event], first: int, last: int
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Causes]:
    """States after the first ``first`` and ``last`` events, and what each event between did.

    Each state is the fold of the events recorded by then in occurrence order, as a read as of
    that time gives. An event recorded between is credited with what its fact's step changes in
    the fold at ``last``; a correction or a retraction also with what the fact it fixes does
    there, and with what that fact did as known before (which the fix takes away). One fold
    answers, not one per event that sorts among earlier ones (a correction sorts before every
    dated fact: folding again for each made a long Talks' diff take minutes).
    """
    before = temporal.fold(events[:first], memo=memo) if first else None
    if not last:
        return before, None, []
    window = {str(event.event_id) for event in events[first:last]}
    chosen = temporal.select(events[:last], memo=memo)
    state: State = {}
    credited: dict[str, tuple[set[str], list[Shift]]] = {}

    def credit(names: list[str], previous: State, current: State) -> None:
        paths, shifts = touched(previous, current)
        for name in names:
            found = credited.setdefault(name, (set(), []))
            found[0].update(paths)
            found[1].extend(shifts)

    known: dict[str, temporal.Fact] | None = None  # the facts as known before, if needed
    for fact, since in zip(chosen, temporal.suppressions(chosen), strict=True):
        own = str(fact.original.event_id)
        fixes = [f for f in (*fact.corrected_by, fact.retracted_by) if f in window]
        names = [own, *fixes] if own in window else fixes
        if not names:
            temporal.step(state, fact, skip=since is not None)
            continue
        previous = temporal.public(state)
        if fixes and own not in window:
            if known is None:
                known = {str(f.original.event_id): f for f in temporal.facts(events[:first], memo)}
            trial = dict(state)  # the fold changes no value in place: this step is the trial's
            temporal.step(trial, known[own])
            credit(fixes, previous, temporal.public(trial))
        temporal.step(state, fact, skip=since is not None)
        credit(names, previous, temporal.public(state))
    causes = [
        (name, *credited[name])
        for event in events[first:last]
        if (name := str(event.event_id)) in credited
    ]
    return before, temporal.public(state), causes


def _occurred(
    folds: FoldCache, events: list[NegotiationAggregate.Event], start: datetime, end: datetime
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Causes]:
    """States at two moments, as known now, and what each fact that happened between did.

    The two states are reads at a moment; each fact's effect is the change it makes in the
    fold at ``end``; all resumed from the checkpoint before ``start`` (``folds.between``), so
    that the states share what did not change.
    """
    if not events:
        return None, None, []
    walk = folds.between(events[0].originator_id, events, start, end)
    causes: Causes = []
    previous = walk.previous
    for fact, current in walk.steps:
        causes.append((str(fact.event.event_id), *touched(previous, current)))
        previous = current
    return walk.at_start, walk.at_end, causes


def corrections_between(
    events: list[NegotiationAggregate.Event], first: int, last: int
) -> list[dict[str, Any]]:
    """Each value (data field or date) that a correction recorded among ``events[first:last]``
    changed, from what was known just before it to what it set.

    A state need not hold the value (a round's state keeps the day it is scheduled for, not the
    day that was announced), so a corrected date shows here even where no field changed.
    """
    found: list[dict[str, Any]] = []
    by_id = {str(event.event_id): event for event in events[:last]}
    earlier: dict[str, list[EventCorrected]] = {}
    for index, event in enumerate(events[:last]):
        if not isinstance(event, EventCorrected):
            continue
        target = str(event.corrects)
        prior = earlier.setdefault(target, [])
        if index >= first and target in by_id:
            known = by_id[target]
            for fix in prior:
                known = temporal.corrected(known, fix)
            for change in fact_changes(known, [event]):
                found.append(
                    {"event_id": target, "field": change["field"], "from": change["reported"],
                     "to": change["corrected"], "by": change["by"], "reason": change["reason"]}
                )  # fmt: skip
        prior.append(event)
    return found


def diff(
    service: TimelineService, talks_id: UUID, start: datetime, end: datetime, axis: Axis
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every field added, changed or removed in the family between ``start`` and ``end``; and,
    on the record axis, every value corrected in between (``corrections_between``)."""
    rows = service.index.family_streams(str(talks_id))
    found: list[dict[str, Any]] = []
    corrected: list[dict[str, Any]] = []
    for row in rows:
        stream_id = UUID(row["stream_id"])
        events = service.events_of(stream_id)
        if axis == "recorded":
            first = service.version_as_of(stream_id, start) or 0
            last = service.version_as_of(stream_id, end) or 0
            before, after, causes = _recorded(service.folds.facts, events, first, last)
            corrected.extend(
                {"stream_id": row["stream_id"], "kind": row["kind"], **change}
                for change in corrections_between(events, first, last)
            )
        else:
            before, after, causes = _occurred(service.folds, events, start, end)
        events_of = EventsOf(causes)
        for change in compare(before, after):
            found.append(
                {
                    "stream_id": row["stream_id"],
                    "kind": row["kind"],
                    "path": change.path,
                    "change": change.change,
                    "from": change.before,
                    "to": change.after,
                    "events": events_of.get(change.path),
                }
            )
    return found, corrected
