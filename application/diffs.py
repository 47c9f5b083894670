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
from domain.base import NegotiationAggregate
from domain.corrected_values import fact_changes
from domain.corrections import EventCorrected
from domain.diff import changed, compare, touching

Axis = Literal["occurred", "recorded"]
Causes = list[tuple[str, set[str]]]


def _snapshot(state: dict[str, Any]) -> dict[str, Any]:
    """The public state as it is now: the fold's later steps replace the values they change
    (they change none in place), so its top level is all there is to copy."""
    return temporal.public(state)


def _recorded(
    events: list[NegotiationAggregate.Event], first: int, last: int
) -> tuple[dict[str, Any] | None, dict[str, Any] | None, Causes]:
    """States after the first ``first`` and ``last`` events, and what each event between did.

    Each state is the fold of the events recorded by then in occurrence order, as a read as of
    that time gives; an event that sorts after all before it is folded in one step.
    """
    internal = (temporal.fold_facts(temporal.select(events[:first])) or {}) if first else {}
    before = _snapshot(internal) if first else None
    previous = _snapshot(internal)
    causes: Causes = []
    last_key = max(
        (temporal.occurrence_key(f) for f in temporal.facts(events[:first])), default=None
    )
    for index in range(first, last):
        event = events[index]
        fact = temporal.Fact(event, event)
        key = temporal.occurrence_key(fact)
        if event.ANY_STREAM or (last_key is not None and key < last_key):
            # A correction changes an earlier fact, and an earlier date goes before later
            # ones: fold again.
            internal = temporal.fold_facts(temporal.select(events[: index + 1])) or {}
        else:
            temporal.step(internal, fact)
        last_key = key if last_key is None else max(last_key, key)
        current = _snapshot(internal)
        causes.append((str(event.event_id), changed(previous, current)))
        previous = current
    after = _snapshot(internal) if last else None
    return before, after, causes


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
        causes.append((str(fact.event.event_id), changed(previous, current)))
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
            before, after, causes = _recorded(events, first, last)
            corrected.extend(
                {"stream_id": row["stream_id"], "kind": row["kind"], **change}
                for change in corrections_between(events, first, last)
            )
        else:
            before, after, causes = _occurred(service.folds, events, start, end)
        events_of = touching(causes)
        for change in compare(before, after):
            found.append(
                {
                    "stream_id": row["stream_id"],
                    "kind": row["kind"],
                    "path": change.path,
                    "change": change.change,
                    "from": change.before,
                    "to": change.after,
                    "events": events_of.get(change.path, []),
                }
            )
    return found, corrected
