"""Text every store can hold: C0 control characters other than tab, newline and CR are refused.

PostgreSQL text cannot hold NUL at all, and the other C0 controls are never part of a quote, a
name or a search. The API refuses them at the edge (bodies, imports, query and path parameters);
the views replace them in rows derived from events that an older release accepted.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

#: What a string must match, as written in the JSON Schema (ECMA-262 and Rust regex alike).
PATTERN = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F]*$"
_CONTROL = re.compile(r"[\x00-\x08\x0B\x0C\x0E-\x1F]")


def first_control(text: str) -> str | None:
    """The first refused control character in ``text``, as U+XXXX, or None."""
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def controls_in(value: Any, pointer: str = "") -> Iterator[tuple[str, str]]:
    """Each (JSON pointer, character) of a control character in a JSON value's keys or strings."""
    if isinstance(value, str):
        found = first_control(value)
        if found is not None:
            yield pointer, found
    elif isinstance(value, dict):
        for key, item in value.items():
            here = f"{pointer}/{str(key).replace('~', '~0').replace('/', '~1')}"
            found = first_control(str(key))
            if found is not None:
                yield here, found
            yield from controls_in(item, here)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from controls_in(item, f"{pointer}/{index}")


def sanitised(text: str) -> str:
    """``text`` with each refused control character replaced by U+FFFD."""
    return _CONTROL.sub("\ufffd", text) if _CONTROL.search(text) else text
