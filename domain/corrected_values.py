"""What corrections changed, shown beside what was reported: one entry per corrected value.

A read now shows facts as corrected (domain/temporal.py); these entries say, beside each value a
correction changed, what had been reported, so that a reader sees both without asking "as of"
an earlier time. Each entry::

    {"path", "field", "event_id", "reported", "corrected", "by", "reason", "sources"}

- ``field``: a JSON pointer (RFC 6901) into the corrected event: ``/data/<name>`` for a data
  field, ``/occurred`` for its date;
- ``path``: a JSON pointer into what is read (a stream's state, a timeline entry) where the
  corrected value shows; None when what is read does not hold it (a state does not keep the
  date a round was *announced*, yet the correction of that date is listed);
- ``by``: the id of the last correction that set the value, ``reason`` and ``sources`` its own.

Only corrections among the events given count: a read as of a time passes only those recorded
by then, so it lists only them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from uuid import UUID

from domain.base import NegotiationAggregate, State, plain
from domain.corrections import EventCorrected
from domain.temporal import corrected
from domain.values import as_dict

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
                "sources": [as_dict(source) for source in fix.envelope.sources],
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
    """Where the state ``now`` shows a corrected value: each value that differs from the state
    folded without corrections (``reported``) and is the corrected value of a fact folded, with
    that fact's reported value and correction; then the corrected values of folded facts that
    the state does not show (``path`` None).

    Where several corrected facts give the value, the one whose reported value the state folded
    without corrections holds there is credited, else the latest. Values that follow from a
    correction only indirectly (a list reordered when a date moved) are not listed.
    """
    fixes = corrections_of(events)
    folded = {UUID(mark["event_id"]) for mark in now.get("corrected", [])}
    candidates = [
        entry
        for event in events
        if event.event_id in folded
        for entry in fact_changes(event, fixes[str(event.event_id)])
    ]
    if not candidates:
        return []
    wanted = Wanted(candidates)
    base = _values(reported or {})
    found: list[Entry] = []
    shown: set[int] = set()
    for segments, value in wanted.found_in(_values(now), base):
        before = _at(base, segments)
        if before == value:
            continue  # the state shows it as reported too: not where it was corrected
        matches = wanted.indices(value)
        told = [i for i in matches if _same(candidates[i]["reported"], before)]
        index = (told or matches)[-1]
        shown.add(index)
        path = "".join(f"/{escape(str(segment))}" for segment in segments)
        found.append({**candidates[index], "path": path})
    found.extend(
        {**entry, "path": None} for index, entry in enumerate(candidates) if index not in shown
    )
    return found


def _same(reported: Any, shown: Any) -> bool:
    """True if the state shows this reported value (or a reported date's value alone)."""
    return reported == shown or (isinstance(reported, dict) and reported.get("value") == shown)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _values(state: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in state.items() if k not in MARKS and not k.startswith("_")}


_MISSING = object()
Segments = tuple[str | int, ...]


def _at(value: Any, segments: Segments) -> Any:
    """The value at these keys and indexes, or ``_MISSING``."""
    for segment in segments:
        keyed = isinstance(value, dict) and segment in value
        indexed = isinstance(value, list) and isinstance(segment, int) and segment < len(value)
        if not (keyed or indexed):
            return _MISSING
        value = value[segment]
    return value


def _flat(value: list[Any]) -> bool:
    return not any(isinstance(item, dict | list) for item in value)


class Wanted:
    """The corrected values sought in a state, found in one walk: scalars by value, dates,
    people and lists of scalars by their JSON text (computed only for candidates' shapes)."""

    def __init__(self, candidates: list[Entry]) -> None:
        self.scalars: dict[tuple[type, Any], list[int]] = {}
        self.structs: dict[str, list[int]] = {}
        self.shapes: set[frozenset[str]] = set()
        self.lists = False
        for index, entry in enumerate(candidates):
            value = entry["corrected"]
            if isinstance(value, dict):
                self.shapes.add(frozenset(value))
            elif isinstance(value, list):
                self.lists = True
            elif value is None:
                continue  # corrected to nothing: nowhere to be seen
            if isinstance(value, dict | list):
                self.structs.setdefault(_key(value), []).append(index)
            else:
                self.scalars.setdefault((type(value), value), []).append(index)
            if entry["field"] == OCCURRED and isinstance(value, dict) and value.get("value"):
                # a state may keep a date's value alone (a role's "since")
                self.scalars.setdefault((str, value["value"]), []).append(index)

    def indices(self, value: Any) -> list[int]:
        """The candidates whose corrected value this is."""
        if isinstance(value, dict | list):
            return self.structs.get(_key(value), [])
        return self.scalars.get((type(value), value), [])

    def found_in(self, state: Any, reported: Any) -> list[tuple[Segments, Any]]:
        """Where the state holds one of the values sought (keys and indexes), in order, leaving
        out the parts equal to the state as ``reported`` (nothing there was corrected)."""
        found: list[tuple[Segments, Any]] = []
        self._walk(state, reported, (), found)
        return found

    def _walk(
        self, node: Any, other: Any, path: Segments, found: list[tuple[Segments, Any]]
    ) -> None:
        if node == other:
            return
        if isinstance(node, dict):
            if self.shapes and frozenset(node) in self.shapes and _key(node) in self.structs:
                found.append((path, node))
                return
            mine = other if isinstance(other, dict) else {}
            for key, item in node.items():
                self._walk(item, mine.get(key, _MISSING), (*path, key), found)
        elif isinstance(node, list):
            if self.lists and _flat(node) and _key(node) in self.structs:
                found.append((path, node))
                return
            theirs = other if isinstance(other, list) else []
            for index, item in enumerate(node):
                self._walk(
                    item, theirs[index] if index < len(theirs) else _MISSING, (*path, index), found
                )
        elif node is not None and (type(node), node) in self.scalars:
            found.append((path, node))
