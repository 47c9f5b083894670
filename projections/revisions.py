"""Which rows a correction, retraction or erratum changes, and how they read from then on.

A fix changes its target's rows (corrected values and date, its marks); a correction of the
party or the Talks of a stream's creating event changes the context of every row of that stream.
Each revision follows from the events up to the fix alone (``temporal.facts`` over them), never
from how the log was cut into batches.
"""

from __future__ import annotations

from domain import temporal
from domain.base import NegotiationAggregate
from domain.corrections import EventCorrected, EventRetracted
from domain.temporal import Fact

#: The fields of a creating event that make its stream's context.
CONTEXT_FIELDS = frozenset({"party", "talks_id"})


def target_of(event: NegotiationAggregate.Event) -> str | None:
    """The id of the event a correction or retraction changes; None for any other event."""
    if isinstance(event, EventCorrected):
        return str(event.corrects)
    if isinstance(event, EventRetracted):
        return str(event.retracts)
    return None


def revisions(family: list[tuple[int, Fact]], first: int) -> dict[int, list[tuple[int, Fact]]]:
    """For each fix of the family at or after position ``first``: the positions and facts, as
    known from the fix on, of the events whose rows it changes (none for an erratum).

    ``family``: a Talks family's events in log order, with their positions (their recorded
    form is read from each fact's ``original``).
    """
    position_of = {str(fact.original.event_id): position for position, fact in family}
    original = {str(fact.original.event_id): fact.original for _, fact in family}
    chains: dict[str, list[NegotiationAggregate.Event]] = {}
    found: dict[int, list[tuple[int, Fact]]] = {}
    for position, fact in family:
        event = fact.original
        if not event.ANY_STREAM:
            continue
        target = target_of(event)
        if target is not None:
            chains.setdefault(target, [original[target]]).append(event)
        if position < first:
            continue
        if target is None:
            found[position] = []
        elif _changes_context(event, original[target]):
            stream = [
                e.original
                for p, e in family
                if p <= position and e.original.originator_id == event.originator_id
            ]
            found[position] = [
                (position_of[str(f.original.event_id)], f)
                for f in temporal.facts(stream)
                if f.original.event_id != event.event_id
            ]
        else:
            found[position] = [(position_of[target], temporal.facts(chains[target])[0])]
    return found


def _changes_context(fix: NegotiationAggregate.Event, target: NegotiationAggregate.Event) -> bool:
    return (
        target.CREATES
        and isinstance(fix, EventCorrected)
        and bool(CONTEXT_FIELDS & set(fix.fields or {}))
    )
