"""Flat value objects (sources, people, occurrences) as plain dicts, fast.

``dataclasses.asdict`` recurses and deep-copies every leaf; these values hold only strings,
booleans and None, so a shallow read of their fields gives the same dict at a fraction of the
cost. That matters on the hot paths: every event's envelope is turned into JSON for the store,
the timeline and the statements.
"""

from __future__ import annotations

import dataclasses
from typing import Any

_NAMES: dict[type, tuple[str, ...]] = {}


def as_dict(value: Any) -> dict[str, Any]:
    """The fields of a flat dataclass instance, in declaration order."""
    cls = type(value)
    names = _NAMES.get(cls)
    if names is None:
        names = tuple(field.name for field in dataclasses.fields(cls))
        _NAMES[cls] = names
    return {name: getattr(value, name) for name in names}
