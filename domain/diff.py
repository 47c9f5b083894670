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
        _NOTHING if before is None else before, _NOTHING if after is None else after, prefix, found
    )
    return found


def _differing(before: Any, after: Any, prefix: str, found: set[str]) -> None:
    if before is after:
        return
    if isinstance(before, dict) and isinstance(after, dict) and before and after:
        for key in before.keys() | after.keys():
            _differing(
                before.get(key, _NOTHING), after.get(key, _NOTHING),
                f"{prefix}/{_escape(str(key))}", found,
            )  # fmt: skip
        return
    if _objects(before) and _objects(after):
        for index in range(max(len(before), len(after))):
            _differing(
                before[index] if index < len(before) else _NOTHING,
                after[index] if index < len(after) else _NOTHING,
                f"{prefix}/{index}", found,
            )  # fmt: skip
        return
    old = {} if before is _NOTHING else flatten(before, prefix)
    new = {} if after is _NOTHING else flatten(after, prefix)
    found.update(
        path
        for path in old.keys() | new.keys()
        if old.get(path, _NOTHING) != new.get(path, _NOTHING)
    )


def _objects(value: Any) -> bool:
    """A list ``flatten`` descends into: not empty, and of objects only."""
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


@dataclass(frozen=True)
class FieldChange:
    """One leaf that differs between two states."""

    path: str
    change: Change
    before: Any
    after: Any


def compare(before: dict[str, Any] | None, after: dict[str, Any] | None) -> list[FieldChange]:
    """Every leaf added, changed or removed from ``before`` to ``after``, in path order."""
    old, new = flatten(before or {}), flatten(after or {})
    old.pop("", None)  # an empty state's only leaf
    new.pop("", None)
    found = []
    old_above, new_above = _containers(old), _containers(new)
    for path in sorted(old.keys() | new.keys()):
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
