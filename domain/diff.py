"""What changed between two states: each field added, changed or removed, by JSON pointer."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

Change = Literal["added", "changed", "removed"]


def _escape(key: str) -> str:
    if "~" in key or "/" in key:
        return key.replace("~", "~0").replace("/", "~1")
    return key


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Leaves of a JSON-ready value by JSON pointer (RFC 6901).

    Objects and lists of objects are descended into; scalars, lists of scalars and empty
    containers are leaves.
    """
    found: dict[str, Any] = {}
    _leaves(value, prefix, found)
    return found


def _leaves(value: Any, prefix: str, found: dict[str, Any]) -> None:
    """``flatten`` into one dict (no dict per level to merge)."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            _leaves(item, f"{prefix}/{_escape(str(key))}", found)
    elif _objects(value):
        for index, item in enumerate(value):
            _leaves(item, f"{prefix}/{index}", found)
    else:
        found[prefix] = value


_NOTHING = object()


def changed(
    before: dict[str, Any] | None, after: dict[str, Any] | None, prefix: str = ""
) -> set[str]:
    """The paths of the leaves (``flatten``'s) that differ between two states, present on one
    side only or unequal: ``{p for p in old | new if old.get(p) != new.get(p)}`` over both
    sides' leaves, without walking what the two sides share. None is a side with no leaves at
    all (not even the empty state's ``""``).

    Successive states of a fold share every value the step between them did not replace (the
    fold changes no value in place: ``domain.base.appended``), and a value that is the same
    object on both sides has the same leaves. Objects, and lists of objects, of the same kind
    on both sides are compared item by item; anything else leaf by leaf.
    """
    found: set[str] = set()
    _differing(
        _NOTHING if before is None else before,
        _NOTHING if after is None else after,
        prefix,
        found,
        {},
    )
    return found


@dataclass(frozen=True)
class Shift:
    """Positions ``first`` to ``end`` (excluded) of the list at ``path`` hold other items than
    before: items were inserted, removed or moved there; every path in them counts as touched."""

    path: str
    first: int
    end: int


def touched(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[set[str], list[Shift]]:
    """What one step of a fold changed, to find each change's events by: ``changed``'s paths,
    except where items of a list were inserted, removed or moved: the positions that moved are
    one ``Shift`` rather than every leaf of every item after them (a round scheduled before the
    others would list the leaves of all later rounds, and a diff over a long Talks' growth
    walked them at every step)."""
    found: set[str] = set()
    shifts: list[Shift] = []
    _differing(
        _NOTHING if before is None else before,
        _NOTHING if after is None else after,
        "",
        found,
        {},
        shifts,
    )
    return found, shifts


def _differing(
    before: Any,
    after: Any,
    prefix: str,
    found: set[str],
    lists: dict[int, bool],
    shifts: list[Shift] | None = None,
    values: dict[str, tuple[Any, Any]] | None = None,
) -> None:
    """``changed``'s walk; ``shifts``: ``touched``'s; ``values``: each differing leaf's values
    on both sides (``_NOTHING`` where a side has none), as ``compare`` needs them."""
    if before is after:
        return
    if isinstance(before, dict) and isinstance(after, dict) and before and after:
        for key in before.keys() | after.keys():
            _differing(
                before.get(key, _NOTHING), after.get(key, _NOTHING),
                f"{prefix}/{_escape(str(key))}", found, lists, shifts, values,
            )  # fmt: skip
        return
    if shifts is not None and _led_by_object(before) and _led_by_object(after):
        # Descending into a list ``flatten`` takes as a leaf only names paths below that leaf:
        # the leaf still counts as touched (``touching`` lists a container's events), and the
        # whole list need not be looked at.
        _aligned(before, after, prefix, found, lists, shifts)
        return
    if _objects(before, lists) and _objects(after, lists):
        for index, (old, new) in enumerate(zip(before, after, strict=False)):
            if old is not new:  # most items of successive states are shared
                _differing(old, new, f"{prefix}/{index}", found, lists, None, values)
        for index in range(min(len(before), len(after)), len(before)):  # items removed
            _differing(before[index], _NOTHING, f"{prefix}/{index}", found, lists, None, values)
        for index in range(min(len(before), len(after)), len(after)):  # items added
            _differing(_NOTHING, after[index], f"{prefix}/{index}", found, lists, None, values)
        return
    old = {} if before is _NOTHING else flatten(before, prefix)
    new = {} if after is _NOTHING else flatten(after, prefix)
    for path in old.keys() | new.keys():
        pair = (old.get(path, _NOTHING), new.get(path, _NOTHING))
        if pair[0] != pair[1]:
            found.add(path)
            if values is not None:
                values[path] = pair


def _aligned(
    before: list[Any],
    after: list[Any],
    prefix: str,
    found: set[str],
    lists: dict[int, bool],
    shifts: list[Shift],
) -> None:
    """Two lists of objects of successive states: the items both share at the start and at the
    end (by identity) are unchanged; between them, items replaced one for one are compared, and
    anything else (an item inserted, removed or moved) is a ``Shift``."""
    old_length, new_length = len(before), len(after)
    shortest = min(old_length, new_length)
    start = 0
    while start < shortest and before[start] is after[start]:
        start += 1
    kept = 0
    while kept < shortest - start and before[old_length - 1 - kept] is after[new_length - 1 - kept]:
        kept += 1
    old_middle = before[start : old_length - kept]
    new_middle = after[start : new_length - kept]
    if not kept and not (old_middle and new_middle):  # added or removed at the end: no move
        for index in range(start, max(old_length, new_length)):
            old = before[index] if index < old_length else _NOTHING
            new = after[index] if index < new_length else _NOTHING
            _differing(old, new, f"{prefix}/{index}", found, lists, shifts)
        return
    if len(old_middle) != len(new_middle):
        shifts.append(Shift(prefix, start, max(old_length, new_length)))
        return
    if len(old_middle) > 1 and not {id(item) for item in old_middle}.isdisjoint(
        id(item) for item in new_middle
    ):
        shifts.append(Shift(prefix, start, start + len(old_middle)))
        return
    for index, (old, new) in enumerate(zip(old_middle, new_middle, strict=True), start):
        _differing(old, new, f"{prefix}/{index}", found, lists, shifts)


def _led_by_object(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and isinstance(value[0], dict)


def _objects(value: Any, lists: dict[int, bool] | None = None) -> bool:
    """A list ``flatten`` descends into: not empty, and of objects only.

    ``lists``: the answers for lists seen before, by identity (within one walk over states
    that are not changed meanwhile: a long list is looked at once, not at every path in it).
    """
    if not isinstance(value, list) or not value:
        return False
    if lists is not None and (known := lists.get(id(value))) is not None:
        return known
    found = all(isinstance(i, dict) for i in value)
    if lists is not None:
        lists[id(value)] = found
    return found


@dataclass(frozen=True)
class FieldChange:
    """One leaf that differs between two states."""

    path: str
    change: Change
    before: Any
    after: Any


def compare(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """Every leaf added, changed or removed from ``before`` to ``after``, in path order.

    Only the leaves that differ are found (``changed``'s walk: what the two sides share is not
    walked), with their values on each side; an empty container on one side whose contents the
    other side lists is no change of its own (the contents are).
    """
    paths: set[str] = set()
    values: dict[str, tuple[Any, Any]] = {}
    _differing(before or {}, after or {}, "", paths, {}, None, values)
    paths.discard("")  # an empty state's only leaf
    old = {p: pair[0] for p, pair in values.items() if p and pair[0] is not _NOTHING}
    new = {p: pair[1] for p, pair in values.items() if p and pair[1] is not _NOTHING}
    # The leaves inside a container emptied on one side are all on the other side's list of
    # differing leaves: the containers above those are the ones that matter.
    old_above, new_above = _containers(old), _containers(new)
    found = []
    for path in sorted(paths):
        if _emptied_container(path, old, new_above) or _emptied_container(path, new, old_above):
            continue
        if path not in old:
            found.append(FieldChange(path, "added", None, new[path]))
        elif path not in new:
            found.append(FieldChange(path, "removed", old[path], None))
        elif old[path] != new[path]:
            found.append(FieldChange(path, "changed", old[path], new[path]))
    return found


def _emptied_container(path: str, one: dict[str, Any], above_other: set[str]) -> bool:
    """An empty container on one side whose contents are listed on the other (not a change);
    ``above_other``: the containers of the other side's leaves (``_containers``)."""
    return one.get(path) in ([], {}) and path in above_other


def _containers(leaves: dict[str, Any]) -> set[str]:
    """Every path above a leaf (``/a`` and the root ``""`` above ``/a/b``), found once rather
    than by a walk over every leaf for each path."""
    found: set[str] = set()
    for path in leaves:
        for above in _above(path):
            if above in found:  # and so is every container above it
                break
            found.add(above)
    return found


def _above(path: str) -> Iterator[str]:
    """The containers of a path, nearest first, up to the root ``""``."""
    while path:
        path = path[: path.rfind("/")]
        yield path


def touches(path: str, paths: set[str]) -> bool:
    """True if ``path`` is one of ``paths``, or lies above one of them (a container)."""
    return any(path == other or other.startswith(path + "/") for other in paths)


def touching(causes: Iterable[tuple[str, set[str]]]) -> dict[str, list[str]]:
    """For every path, the events that ``touches`` it, in order: each event is listed under the
    paths it changed and under every container above them (``/a/b`` is above ``/a/b/c``, not
    ``/a/bc``), so that finding a change's events is one lookup, not a walk over every event."""
    found: dict[str, list[str]] = {}
    for event, paths in causes:
        listed: set[str] = set()
        for path in paths:
            for above in (path, *_above(path)):
                if above in listed:  # and so is every container above it
                    break
                listed.add(above)
                found.setdefault(above, []).append(event)
    return found


#: No events: one list for every path that has none of its own (never changed).
_NO_EVENTS: list[str] = []


class EventsOf:
    """The events that touched each path, from what each step touched (``touched``): those
    whose paths it ``touches``, and those whose shifts moved an item it lies in, in order."""

    def __init__(self, causes: Iterable[tuple[str, set[str], list[Shift]]]) -> None:
        listed = list(causes)
        self._order = {event: index for index, (event, _, _) in enumerate(listed)}
        # A shifted list is touched itself, and so is every container above it.
        self._exact = touching(
            (event, paths | {shift.path for shift in shifts}) for event, paths, shifts in listed
        )
        self._shifts: dict[str, list[tuple[str, Shift]]] = {}
        for event, _, shifts in listed:
            for shift in shifts:
                self._shifts.setdefault(shift.path, []).append((event, shift))
        #: The shifts' events at a position of a list (the leaves of one item ask the same).
        self._shifted: dict[tuple[str, int], list[str]] = {}
        #: A path's events by its exact list (by identity: the index's own) and positions.
        self._merged: dict[tuple[int, tuple[tuple[str, int], ...]], list[str]] = {}

    def get(self, path: str) -> list[str]:
        """The events that touched ``path``; if none did, those that touched the nearest
        container above it that any did (what a fact changed may show in what a later fact
        did after it: a round's day set by a report folded after the round's new schedule)."""
        for above in (path, *_above(path)):
            found = self._touching(above)
            if found:
                return found
        return []

    def _touching(self, path: str) -> list[str]:
        exact = self._exact.get(path, _NO_EVENTS)
        if not self._shifts:
            return exact
        positions = []
        for above in _above(path):
            if above in self._shifts:
                segment = path[len(above) + 1 :].split("/", 1)[0]
                if segment.isdigit():
                    positions.append((above, int(segment)))
        if not positions:
            return exact
        # The leaves of one shifted item share their list (one list, not one per leaf).
        key = (id(exact), tuple(positions))
        found = self._merged.get(key)
        if found is None:
            merged = set(exact)
            for above, index in positions:
                merged.update(self._at(above, index))
            found = (
                exact if len(merged) == len(exact) else sorted(merged, key=self._order.__getitem__)
            )
            self._merged[key] = found
        return found

    def _at(self, path: str, index: int) -> list[str]:
        key = (path, index)
        events = self._shifted.get(key)
        if events is None:
            events = [e for e, shift in self._shifts[path] if shift.first <= index < shift.end]
            self._shifted[key] = events
        return events
