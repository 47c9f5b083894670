"""Folding a stream's events on either clock, with corrections, retractions and disputes.

The read side's one fold, pure and in the domain:

- **Corrections** among the events given replace their target's data fields and date; the
  corrected fact is marked with the ids of its corrections. **Retractions** drop their target,
  which is marked too. Corrections outside the events given (recorded later) are not applied:
  reading as of a time passes only what was recorded by then.
- **Record order** (the default) folds events as they were recorded. **Occurrence order** folds
  them by when they happened: earliest possible instant first, then record order; undated facts
  (precision unknown) and corrections first, as background; a stream's creating event always
  opens the fold.
- **At a moment** keeps the facts that may have happened by then: a fact counts when its earliest
  possible instant is at or before the moment (a day-precise fact counts from the start of its
  day, a month from its first day, an interval from its start), and an undated fact always
  counts. A stream none of whose facts counts did not exist yet.
- **Disputes**: two facts of the same type and subject (``SUBJECT``) that give different values
  for a field both of them state, and have no source in common, disagree. The earlier one (in fold order) stays in the state, the later one
  is not applied over it, and both are listed under ``disputes`` with their sources until a
  correction or retraction makes them agree.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import types
import typing
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal
from uuid import UUID

from domain.base import NegotiationAggregate, State
from domain.corrections import EventCorrected, EventRetracted
from domain.envelope import Person
from domain.occurrence import Occurrence

Event = NegotiationAggregate.Event
Order = Literal["recorded", "occurred"]
_EARLIEST = datetime.min.replace(tzinfo=UTC)


@dataclasses.dataclass(frozen=True)
class Fact:
    """An event as currently known: corrected where corrections say so, with its marks."""

    event: Event
    original: Event
    corrected_by: tuple[str, ...] = ()
    retracted_by: str | None = None
    #: Folded but not itself a fact of the moment asked: a creating event that had not happened
    #: yet while later facts of its stream had (folded for the stream's identity), or a
    #: correction dated later (folded as knowledge). Timelines leave it out.
    identity_only: bool = False

    @functools.cached_property
    def data(self) -> dict[str, Any]:
        """The event's data as JSON-ready values (worked out once, shared by every view)."""
        return self.event.data()

    @functools.cached_property
    def headline(self) -> str:
        """The event's one-line description."""
        return self.event.headline(self.data)

    @property
    def is_correction(self) -> bool:
        """True for corrections and retractions themselves."""
        return isinstance(self.event, EventCorrected | EventRetracted)


def corrected(event: Event, correction: EventCorrected) -> Event:
    """The event with a correction's fields and date applied."""
    changes: dict[str, Any] = dict(correction.fields or {})
    if correction.occurred is not None:
        changes["envelope"] = dataclasses.replace(event.envelope, occurred=correction.occurred)
    return dataclasses.replace(event, **changes)


def facts(events: Iterable[Event]) -> list[Fact]:
    """Every event as a Fact, in the given order, with the corrections among them applied.

    Corrections and retractions appear as facts of their own, after their targets' marks.
    """
    events = list(events)
    corrections: dict[str, list[EventCorrected]] = {}
    retractions: dict[str, EventRetracted] = {}
    for event in events:
        if isinstance(event, EventCorrected):
            corrections.setdefault(str(event.corrects), []).append(event)
        elif isinstance(event, EventRetracted):
            retractions.setdefault(str(event.retracts), event)
    found = []
    for event in events:
        current = event
        fixes = corrections.get(str(event.event_id), [])
        for fix in fixes:
            current = corrected(current, fix)
        retraction = retractions.get(str(event.event_id))
        found.append(
            Fact(
                current,
                event,
                tuple(str(fix.event_id) for fix in fixes),
                str(retraction.event_id) if retraction else None,
            )
        )
    return found


def occurs_by(event: Event, moment: datetime) -> bool:
    """True if the event may have happened at or before ``moment`` (undated: always)."""
    start, _ = event.envelope.occurred.bounds()
    return start is None or start <= moment


def occurrence_key(fact: Fact) -> tuple[int, datetime, int]:
    """Sort key of occurrence order: creation first, then undated facts and corrections (which
    count at every moment), then dated facts by earliest instant; record order breaks ties.

    So the facts that count at a moment are always a prefix of this order.
    """
    start, _ = fact.event.envelope.occurred.bounds()
    if fact.event.CREATES:
        return (0, _EARLIEST, fact.event.originator_version)
    if start is None or fact.is_correction:
        return (1, _EARLIEST, fact.event.originator_version)
    return (2, start, fact.event.originator_version)


def select(
    events: Sequence[Event], *, at: datetime | None = None, order: Order = "recorded"
) -> list[Fact]:
    """The facts to fold: corrected, filtered to those that count ``at`` a moment, ordered.

    Returns no facts when none but the creating event counts: the stream did not exist yet.
    """
    found = facts(events)
    if at is not None:
        if not any(not f.is_correction and occurs_by(f.event, at) for f in found):
            return []  # nothing of this stream had happened yet
        found = [
            f if occurs_by(f.event, at) else dataclasses.replace(f, identity_only=True)
            for f in found
            if f.event.CREATES or f.is_correction or occurs_by(f.event, at)
        ]
    if at is not None or order == "occurred":
        found.sort(key=occurrence_key)
    return found


def fold(
    events: Sequence[Event], *, at: datetime | None = None, order: Order = "recorded"
) -> State | None:
    """The state the events describe, on the clock asked; None if the stream did not exist."""
    state = fold_facts(select(events, at=at, order=order))
    return None if state is None else public(state)


def fold_facts(chosen: Sequence[Fact]) -> State | None:
    """The state of facts already chosen and ordered, with the fold's bookkeeping kept."""
    if not chosen:
        return None
    state: State = {}
    for fact in chosen:
        step(state, fact)
    return state


def step(state: State, fact: Fact) -> None:
    """Fold one fact into a state, keeping rival claims as disputes."""
    event = fact.event
    if fact.is_correction:
        state.setdefault("corrections", []).append(
            {"event_id": str(event.event_id), "type": event.type_name(), **event.data()}
        )
        return
    if fact.retracted_by is not None:
        state.setdefault("retracted", []).append(
            {"event_id": str(event.event_id), "retracted_by": fact.retracted_by}
        )
        return
    if fact.corrected_by:
        state.setdefault("corrected", []).append(
            {"event_id": str(event.event_id), "corrected_by": list(fact.corrected_by)}
        )
    subject = event.claim_subject()
    if subject is not None:
        if _disputed(state, event, subject):
            return
        event = _completed(state, event, subject)
    event.apply_to(state)


def _sources(event: Event) -> list[list[str | None]]:
    return sorted([s.url or s.outlet, s.quote] for s in event.envelope.sources)


def _disputed(state: State, event: Event, subject: dict[str, Any]) -> bool:
    """Register the event's claim; True if it disagrees with an earlier claim (not applied)."""
    key = json.dumps(subject, sort_keys=True, ensure_ascii=False)
    values = {k: v for k, v in event.data().items() if k not in subject}
    sources = _sources(event)
    claim = {
        "event_id": str(event.event_id),
        "values": values,
        "sources": sources,
        "attributed_to": event.envelope.attributed_to,
        "modality": event.envelope.modality,
    }
    claims: list[dict[str, Any]] = state.setdefault("_claims", {}).setdefault(key, [])
    rivals = [
        c
        for c in claims
        if _contradict(c["values"], values) and not any(s in c["sources"] for s in sources)
    ]
    claims.append(claim)
    if not rivals:
        return False
    disputes: list[dict[str, Any]] = state.setdefault("disputes", [])
    for dispute in disputes:
        if dispute["subject"] == subject:
            dispute["claims"].append(_public_claim(claim))
            return True
    disputes.append(
        {"subject": subject, "claims": [*(_public_claim(c) for c in rivals), _public_claim(claim)]}
    )
    return True


def _completed(state: State, event: Event, subject: dict[str, Any]) -> Event:
    """A claim agreeing with earlier ones, its unstated fields taken from them.

    A second source that confirms a round's city without its date must not erase the date.
    """
    key = json.dumps(subject, sort_keys=True, ensure_ascii=False)
    hints = event.data_fields()
    missing: dict[str, Any] = {}
    for claim in state["_claims"][key][:-1]:
        for name, value in claim["values"].items():
            if value is not None and getattr(event, name) is None and name not in missing:
                missing[name] = restore(hints[name], value)
    return dataclasses.replace(event, **missing) if missing else event


def restore(hint: Any, value: Any) -> Any:
    """A JSON-ready data value back to its domain type (people, occurrences, ids)."""
    if value is None:
        return None
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if typing.get_origin(hint) is list:
        (item,) = typing.get_args(hint)
        return [restore(item, element) for element in value]
    if hint in (Person, Occurrence):
        return hint(**value)
    if hint is UUID:
        return UUID(value)
    return value


def _contradict(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """True if the two claims give different values for a field both of them state."""
    return any(
        first.get(key) is not None and second.get(key) is not None and first[key] != second[key]
        for key in first.keys() | second.keys()
    )


def _public_claim(claim: dict[str, Any]) -> dict[str, Any]:
    found = {k: claim[k] for k in ("event_id", "values", "attributed_to", "modality")}
    found["sources"] = [{"source": s, "quote": q} for s, q in claim["sources"]]
    return found


def public(state: State) -> State:
    """The state without the fold's own bookkeeping (keys starting with an underscore)."""
    return {key: value for key, value in state.items() if not key.startswith("_")}
