"""Folding a stream's events on either clock, with corrections, retractions and disputes.

The read side's one fold, pure and in the domain:

- **Corrections** among the events given replace their target's data fields and date; the
  corrected fact is marked with the ids of its corrections. **Retractions** drop their target,
  which is marked too. Corrections outside the events given (recorded later) are not applied:
  reading as of a time passes only what was recorded by then.
- **Occurrence order** (the default, for reads now, as of a time and at a moment alike) folds
  facts by when they happened: earliest possible instant first, then record order; undated facts
  (precision unknown) and corrections first, as background; a stream's creating event always
  opens the fold. So a read now, a read at a moment after every fact and a read as of now give
  one state. **Record order** folds events as they were recorded (the views follow the log so).
- **At a moment** keeps the facts that may have happened by then: a fact counts when its earliest
  possible instant is at or before the moment (a day-precise fact counts from the start of its
  day, a month from its first day, an interval from its start), and an undated fact always
  counts. A stream none of whose facts counts did not exist yet.
- **Disputes**: two facts of the same type and subject (``SUBJECT``) that give different values
  for a field both of them state, or (``DATED`` types: a round held, an agreement reached) dates
  that cannot be the same moment, and have no source in common, disagree. Which claim stands
  never depends on fold order or on the calendar: a claim recorded as ``disputed`` is never the
  value, and otherwise the first recorded claim stands (``rank``). Rival claims are listed under
  ``disputes``, in rank order, with their dates and sources, until a correction or retraction
  makes them agree; a claim recorded as disputed with nothing beside it is listed alone.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import typing
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any, Literal, Protocol
from uuid import UUID

from domain.base import NegotiationAggregate, State, appended, plain
from domain.corrections import EventCorrected, EventRetracted
from domain.envelope import Person
from domain.occurrence import Occurrence
from domain.participants import Participant
from domain.quantities import Quantity

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
    def claim(self) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
        """The claim the event makes: its subject's key, its subject, and what the fold keeps
        of it (``_claim``); None if it makes none. Worked out once for the fold, its
        suppressions and the views' disputes, and shared by them: never changed."""
        subject = self.event.claim_subject()
        if subject is None:
            return None
        return _key(subject), subject, _claim(self.event, subject, self.data)

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


class FactMemo(Protocol):
    """Facts made before, of events neither corrected nor retracted (such a fact depends on its
    event alone), so that what a fact works out once (its data, claim, headline) serves every
    fold of the same event."""

    def get(self, event: Event) -> Fact | None: ...

    def put(self, fact: Fact) -> None: ...


def facts(events: Iterable[Event], memo: FactMemo | None = None) -> list[Fact]:
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
        if memo is not None and not fixes and retraction is None:
            fact = memo.get(event)
            if fact is None:
                fact = Fact(event, event)
                memo.put(fact)
            found.append(fact)
            continue
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
    """Sort key of occurrence order: creation first, then corrections, undated facts and facts
    open at their start (which count at every moment, the last by their end), then dated facts
    by earliest instant; record order breaks ties.

    So the facts that count at a moment are always a prefix of this order.
    """
    start, end = fact.event.envelope.occurred.bounds()
    if fact.event.CREATES:
        return (0, _EARLIEST, fact.event.originator_version)
    if fact.is_correction:
        return (1, _EARLIEST, fact.event.originator_version)
    if start is None:  # undated, or open at its start ("until 1 June"): by its end, if any
        return (1, end or _EARLIEST, fact.event.originator_version)
    return (2, start, fact.event.originator_version)


def select(
    events: Sequence[Event],
    *,
    at: datetime | None = None,
    order: Order = "occurred",
    memo: FactMemo | None = None,
) -> list[Fact]:
    """The facts to fold: corrected, filtered to those that count ``at`` a moment, ordered.

    Returns no facts when none but the creating event counts: the stream did not exist yet.
    """
    found = facts(events, memo)
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
    events: Sequence[Event],
    *,
    at: datetime | None = None,
    order: Order = "occurred",
    memo: FactMemo | None = None,
) -> State | None:
    """The state the events describe, on the clock asked; None if the stream did not exist."""
    state = fold_facts(select(events, at=at, order=order, memo=memo))
    return None if state is None else public(state)


def fold_facts(chosen: Sequence[Fact]) -> State | None:
    """The state of facts already chosen and ordered, with the fold's bookkeeping kept."""
    if not chosen:
        return None
    outranked = suppressions(chosen)
    state: State = {}
    for fact, since in zip(chosen, outranked, strict=True):
        step(state, fact, skip=since is not None)
    return state


def step(state: State, fact: Fact, *, skip: bool | None = None) -> None:
    """Fold one fact into a state, keeping rival claims as disputes.

    ``skip`` says whether a claim is outranked among the facts being folded (see
    ``suppressions``); None decides from the claims folded so far, which is exact when facts
    come in record order (a better-ranked claim is never recorded after a worse one).
    """
    event = fact.event
    if fact.is_correction:
        appended(
            state,
            "corrections",
            {"event_id": str(event.event_id), "type": event.type_name(), **event.data()},
        )
        return
    if fact.retracted_by is not None:
        appended(
            state, "retracted", {"event_id": str(event.event_id), "retracted_by": fact.retracted_by}
        )
        return
    if fact.corrected_by:
        appended(
            state,
            "corrected",
            {"event_id": str(event.event_id), "corrected_by": list(fact.corrected_by)},
        )
    if fact.claim is not None:
        key, subject, claim = fact.claim
        outranked = _register(state, claim, key, subject)
        if skip if skip is not None else outranked:
            return
        claims = state["_claims"][key]  # the list _register just made: this step's own
        claims[-1] = {**claim, "applied": True}  # the claim itself is the fact's, shared
        event = _completed(state, event, key)
    event.apply_to(state)


def _sources(event: Event) -> list[list[str | None]]:
    return sorted([s.url or s.outlet, s.quote] for s in event.envelope.sources)


def _claim(event: Event, subject: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """What the fold keeps of one claim: its values, date, sources and rank."""
    occurred = event.envelope.occurred
    start, end = occurred.bounds()
    values = {k: v for k, v in data.items() if k not in subject}
    return {
        "event_id": str(event.event_id),
        "values": values,
        "uncompared": list(event.UNCOMPARED),
        # worked out once: a new claim is compared with every earlier one of its subject
        "compared": _stated(values, event.UNCOMPARED),
        "occurred": plain(occurred),
        "when": [_text(start), _text(end)] if event.DATED and start and end else None,
        "sources": _sources(event),
        "attributed_to": event.envelope.attributed_to,
        "modality": event.envelope.modality,
        "rank": rank(event),
    }


def rank(event: Event) -> list[int]:
    """Which claim stands: any claim not recorded as disputed before one that was, then the
    first recorded. Never the calendar: a claim dated earlier does not outrank one recorded
    earlier."""
    return [1 if event.envelope.modality == "disputed" else 0, event.originator_version]


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _key(subject: dict[str, Any]) -> str:
    return json.dumps(subject, sort_keys=True, ensure_ascii=False)


def _claims_of(state: State, key: str) -> list[dict[str, Any]]:
    claims: list[dict[str, Any]] = state.get("_claims", {}).get(key, [])
    return claims


def _rivals(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """True if two claims disagree (on a value or a date) and share no source."""
    return _rivalled_by(first, second, _compared(second))


def _rivalled_by(first: dict[str, Any], second: dict[str, Any], compared: dict[str, Any]) -> bool:
    """``_rivals``, with the second claim's compared values worked out already (a new claim
    is compared with each earlier one)."""
    return (
        _contradict(_compared(first), compared) or _apart(first["when"], second["when"])
    ) and not any(s in first["sources"] for s in second["sources"])


def _apart(first: list[str] | None, second: list[str] | None) -> bool:
    """True if two dates, both given, cannot be the same moment (their spans do not meet)."""
    if first is None or second is None:
        return False
    return first[1] <= second[0] or second[1] <= first[0]


def _register(state: State, claim: dict[str, Any], key: str, subject: dict[str, Any]) -> bool:
    """Register the event's claim and list the subject's disputes again; True if the claim is
    outranked by a rival folded already, or was recorded as disputed (never the value).

    Listed are the claims that have a rival, and claims recorded as disputed while no other
    claim stands beside them; in rank order, so that the listing never depends on fold order.
    """
    earlier = _claims_of(state, key)
    compared = _compared(claim)
    rivals = [c for c in earlier if _rivalled_by(c, claim, compared)]
    claims = [*earlier, claim]
    # New lists and dicts in place of the old (the fold changes no shared value: base.appended)
    state["_claims"] = {**state.get("_claims", {}), key: claims}
    disputes: list[dict[str, Any]] = list(state.get("disputes", []))
    index = next((i for i, d in enumerate(disputes) if d["subject"] == subject), None)
    shown = {c["event_id"]: c for c in disputes[index]["claims"]} if index is not None else {}
    if all(c["modality"] == "disputed" for c in earlier) or all(
        c["modality"] == "disputed" for c in claims
    ):
        listed = _listed(claims)  # listed as claims all recorded as disputed, before or now
    else:
        # The listing so far is the earlier claims with a rival: a rival stays one, so only
        # the new claim and its rivals can join it (each pair compared once, not at each claim).
        rivalled = {id(c) for c in rivals}
        listed = sorted(
            (
                c
                for c in claims
                if c["event_id"] in shown or id(c) in rivalled or (c is claim and rivals)
            ),
            key=lambda c: c["rank"],
        )
    public = [shown.get(c["event_id"]) or _public_claim(c) for c in listed]
    if index is None and listed:
        disputes.append({"subject": subject, "claims": public})
    elif index is not None and listed:
        disputes[index] = {**disputes[index], "claims": public}
    elif index is not None:
        del disputes[index]
    if disputes:
        state["disputes"] = disputes
    else:
        state.pop("disputes", None)
    return claim["modality"] == "disputed" or any(c["rank"] < claim["rank"] for c in rivals)


def _listed(claims: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The claims of one subject that a dispute lists, in rank order: those with a rival, and
    every claim when all of them were recorded as disputed."""
    alone = all(c["modality"] == "disputed" for c in claims)
    listed = [c for c in claims if alone or any(_rivals(c, o) for o in claims if o is not c)]
    return sorted(listed, key=lambda c: c["rank"])


def claim_of(fact: Fact) -> tuple[str, dict[str, Any]] | None:
    """The claim a fact makes in its stream's fold, keyed by stream and subject, as far as a
    dispute compares it (``_comparable``); None for a fact that makes none (no subject, a
    correction, a retracted fact).

    Kept beside a view's rows, so that the disputes at any point are found from the rows of that
    point (``disputed_ids``) by the fold's own rule.
    """
    if fact.claim is None or fact.is_correction or fact.retracted_by is not None:
        return None
    key, _, claim = fact.claim
    return f"{fact.event.originator_id} {key}", _comparable(claim)


def _comparable(claim: dict[str, Any]) -> dict[str, Any]:
    """What the listing rule (``_listed``, ``_rivals``) reads of a claim, and no more: its
    compared values, its date's span, its sources each as a digest of the source and its quote
    (equal exactly when they are), its modality and rank. About a third of the whole claim; two
    claims in this form are rivals exactly when they are in the fold's own."""
    return {
        "event_id": claim["event_id"],
        "values": _compared(claim),
        "when": claim["when"],
        "sources": sorted(_digest(source) for source in claim["sources"]),
        "modality": claim["modality"],
        "rank": claim["rank"],
    }


def _digest(source: Sequence[str | None]) -> str:
    """A short digest of a source and its quote (64 bits: a collision, two different sources
    taken for one, is about as likely as 1 in 10^19 per pair)."""
    text = json.dumps(list(source), ensure_ascii=False)
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def disputed_ids(claims: Iterable[tuple[str, dict[str, Any]]]) -> set[str]:
    """The ids of the events whose claims a dispute lists, among claims keyed as ``claim_of``
    keys them (the claims of the facts that count at one point)."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for key, claim in claims:
        by_key.setdefault(key, []).append(claim)
    return {c["event_id"] for group in by_key.values() for c in _listed(group)}


def suppressions(chosen: Sequence[Fact]) -> list[int | None]:
    """For each fact, the length of the shortest prefix of ``chosen`` in which it is a claim that
    is not applied (None: applied in every prefix, or not a claim).

    A claim is not applied when it was recorded as disputed, or when a claim that outranks it
    (see ``rank``) disagrees with it. In occurrence order the better claim may come later than
    the worse: folding a prefix must then leave the worse one out from the start.
    """
    table = Suppressions()
    for index, fact in enumerate(chosen):
        table.add(index, fact)
    return [table.found.get(index) for index in range(len(chosen))]


class Suppressions:
    """``suppressions`` kept up to date as facts are added at the end of the order."""

    def __init__(self) -> None:
        #: Fact index -> length of the shortest prefix in which it is not applied.
        self.found: dict[int, int] = {}
        self._by_subject: dict[str, list[tuple[int, dict[str, Any]]]] = {}

    def copy(self) -> Suppressions:
        """An independent copy (an index of a later stream version extends it)."""
        other = Suppressions()
        other.found = dict(self.found)
        other._by_subject = {key: list(claims) for key, claims in self._by_subject.items()}
        return other

    def add(self, index: int, fact: Fact) -> None:
        """Take the fact at ``index`` (after every fact added so far) into account."""
        if fact.claim is None or fact.is_correction or fact.retracted_by is not None:
            return
        key, _, claim = fact.claim
        earlier = self._by_subject.setdefault(key, [])
        if claim["modality"] == "disputed":
            self.found[index] = index + 1
        compared = _compared(claim)
        for other_index, other in earlier:
            if not _rivalled_by(other, claim, compared):
                continue
            worse = index if other["rank"] < claim["rank"] else other_index
            self.found[worse] = min(self.found.get(worse, index + 1), index + 1)
        earlier.append((index, claim))


def _completed(state: State, event: Event, key: str) -> Event:
    """A claim agreeing with earlier ones, its unstated fields taken from them.

    A second source that confirms a round's city without its date must not erase the date.
    """
    hints = event.data_fields()
    missing: dict[str, Any] = {}
    for claim in _claims_of(state, key)[:-1]:
        if not claim.get("applied"):
            continue  # only claims that stand fill in what a confirming claim leaves out
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
    if hint in (Person, Occurrence, Quantity, Participant):
        return hint(**value)
    if hint is UUID:
        return UUID(value)
    return value


def _compared(claim: dict[str, Any]) -> dict[str, Any]:
    """The values a claim can disagree on: stated ones (an empty list states nothing), not the
    type's UNCOMPARED fields. Quantities compare whole: 390 and "about 390" differ.

    A claim as a view keeps it (``_comparable``, no ``uncompared``) holds these values only;
    a claim as the fold keeps it (``_claim``) holds them worked out already."""
    found: dict[str, Any] | None = claim.get("compared")
    if found is not None:
        return found
    if "uncompared" not in claim:
        values: dict[str, Any] = claim["values"]
        return values
    return _stated(claim["values"], claim["uncompared"])


def _stated(values: dict[str, Any], uncompared: Iterable[str]) -> dict[str, Any]:
    """The values stated (not None, not an empty list) and compared (not ``uncompared``)."""
    skipped = set(uncompared)
    return {
        key: value
        for key, value in values.items()
        if key not in skipped and value is not None and value != []
    }


def _contradict(first: dict[str, Any], second: dict[str, Any]) -> bool:
    """True if the two claims give different values for a field both of them state."""
    return any(key in second and second[key] != value for key, value in first.items())


def _public_claim(claim: dict[str, Any]) -> dict[str, Any]:
    found = {k: claim[k] for k in ("event_id", "values", "occurred", "attributed_to", "modality")}
    found["sources"] = [{"source": s, "quote": q} for s, q in claim["sources"]]
    return found


def public(state: State) -> State:
    """The state without the fold's own bookkeeping (keys starting with an underscore)."""
    return {key: value for key, value in state.items() if not key.startswith("_")}
