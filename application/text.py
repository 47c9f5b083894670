"""The text rule (domain/text.py) as string types, for bodies and import lines alike."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field, StringConstraints

from domain.text import PATTERN, first_control


def refuse_controls(text: str) -> str:
    """``text`` unchanged, or a ValueError naming its first control character."""
    found = first_control(text)
    if found is not None:
        msg = f"control character {found} is not allowed (only tab, newline and CR are)"
        raise ValueError(msg)
    return text


_REFUSED = AfterValidator(refuse_controls)
_STATED = Field(json_schema_extra={"pattern": PATTERN})
#: Text fields: names, titles, outlets, dates as written (up to 500 characters).
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=500), _REFUSED, _STATED]
#: Verbatim quotes (up to 10,000 characters).
LongText = Annotated[str, StringConstraints(min_length=1, max_length=10_000), _REFUSED, _STATED]
#: A key's name, which may be empty.
KeyName = Annotated[str, StringConstraints(max_length=200), _REFUSED, _STATED]
