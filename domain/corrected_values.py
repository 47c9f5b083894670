"""What corrections changed, shown beside what was reported: one entry per corrected value.

A read now shows facts as corrected (domain/temporal.py); these entries say, beside each value a
correction changed, what had been reported, so that a reader sees both without asking "as of"
an earlier time. Each entry::

    {"path", "field", "event_id", "reported", "corrected", "by", "reason"}

- ``field``: a JSON pointer (RFC 6901) into the corrected event: ``/data/<name>`` for a data
  field, ``/occurred`` for its date;
- ``path``: a JSON pointer into what is read (a stream's state, a timeline entry) where the
  corrected value shows; None when what is read does not hold it (a state does not keep the
  date a round was *announced*, yet the correction of that date is listed);
- ``by``: the id of the last correction that set the value, ``reason`` its reason.

Only corrections among the events given count: a read as of a time passes only those recorded
by then, so it lists only them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from domain.base import NegotiationAggregate, State, plain
from domain.corrections import EventCorrected
from domain.temporal import corrected

Event = NegotiationAggregate.Event
Entry = dict[str, Any]
OCCURRED = "/occurred"
#: What a state holds about corrections, retractions and disputes (not values to compare).
MARKS = frozenset({"disputes", "corrected", "retracted", "corrections", "corrected_values"})


def escape(key: str) -> str:
    """A key as one JSON pointer segment (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def fact_changes(original: Event, fixes: Sequence[EventCorrected]) -> list[Entry]:
    """Each value of ``original`` that its corrections (in record order) changed.

    ``reported`` is the value as first recorded, ``corrected`` the value after every correction;
    ``path`` is the field's pointer (a timeline entry holds ``data`` and ``occurred`` as the
    event does).
    """
    if not fixes:
        return []
    setters: dict[str, EventCorrected] = {}
    current = original
    for fix in fixes:
        for name in fix.fields or {}:
            setters[f"/data/{escape(name)}"] = fix
        if fix.occurred is not None:
            setters[OCCURRED] = fix
        current = corrected(current, fix)
    before, after = original.data(), current.data()
    found = []
    for field, fix in setters.items():
        if field == OCCURRED:
            reported = plain(original.envelope.occurred)
            now = plain(current.envelope.occurred)
        else:
            name = field.removeprefix("/data/").replace("~1", "/").replace("~0", "~")
            reported, now = before.get(name), after.get(name)
        if reported == now:
            continue  # a correction restating the recorded value changes nothing
        found.append(
            {
                "path": field,
                "field": field,
                "event_id": str(original.event_id),
                "reported": reported,
                "corrected": now,
                "by": str(fix.event_id),
                "reason": fix.reason,
            }
        )
    return found


def corrections_of(events: Iterable[Event]) -> dict[str, list[EventCorrected]]:
    """The corrections among ``events`` by the id of the event each corrects, in record order."""
    found: dict[str, list[EventCorrected]] = {}
    for event in events:
        if isinstance(event, EventCorrected):
            found.setdefault(str(event.corrects), []).append(event)
    return found


def state_changes(reported: State | None, now: State, events: Sequence[Event]) -> list[Entry]:
    """Each value of the state ``now`` that differs from the state folded without corrections
    (``reported``), with the correction that changed it; then the corrected values of folded
    facts that the state does not show (``path`` None).

    A value is credited to the correction whose corrected value it is (the latest, if several);
    a value that follows from a correction only indirectly (a list that grew when a date moved)
    to the latest correction of the facts folded.
    """
    fixes = corrections_of(events)
    folded = {mark["event_id"] for mark in now.get("corrected", [])}
    originals = [e for e in events if str(e.event_id) in folded]
    candidates = [entry for e in originals for entry in fact_changes(e, fixes[str(e.event_id)])]
    if not candidates:
        return []
    latest = max(
        (fix for e in originals for fix in fixes[str(e.event_id)]),
        key=lambda fix: fix.originator_version,
    )
    found: list[Entry] = []
    shown: set[int] = set()
    for path, before, after in differences(_values(reported or {}), _values(now)):
        index = _credited(candidates, before, after)
        if index is None:
            found.append(_entry(path, latest, before, after))
            continue
        shown.add(index)
        found.append({**candidates[index], "path": path})
    found.extend(
        {**entry, "path": None} for index, entry in enumerate(candidates) if index not in shown
    )
    return found


def _entry(path: str, fix: EventCorrected, before: Any, after: Any) -> Entry:
    """A value that follows from a correction without being one of its values."""
    return {
        "path": path,
        "field": None,
        "event_id": str(fix.corrects),
        "reported": before,
        "corrected": after,
        "by": str(fix.event_id),
        "reason": fix.reason,
    }


def _values(state: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in MARKS and not k.startswith("_")}


def _credited(candidates: list[Entry], before: Any, after: Any) -> int | None:
    """The candidate (latest first) whose values are these, or failing that whose corrected
    value is ``after``."""
    order = list(reversed(range(len(candidates))))
    for index in order:
        if candidates[index]["corrected"] == after and candidates[index]["reported"] == before:
            return index
    for index in order:
        if after is not None and candidates[index]["corrected"] == after:
            return index
    return None


def differences(before: Any, after: Any, prefix: str = "") -> list[tuple[str, Any, Any]]:
    """(pointer, before, after) for each value that differs, descending into objects and into
    lists of one length; a date (an object with a ``precision``) is one value."""
    if before == after:
        return []
    if _container(before) and _container(after) and type(before) is type(after):
        if isinstance(before, dict):
            return [
                change
                for key in sorted(before.keys() | after.keys())
                for change in differences(
                    before.get(key), after.get(key), f"{prefix}/{escape(str(key))}"
                )
            ]
        if len(before) == len(after):
            return [
                change
                for index, (one, other) in enumerate(zip(before, after, strict=True))
                for change in differences(one, other, f"{prefix}/{index}")
            ]
    return [(prefix, before, after)]


def _container(value: Any) -> bool:
    return isinstance(value, list) or (isinstance(value, dict) and "precision" not in value)
