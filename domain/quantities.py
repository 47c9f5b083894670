"""Quantities as reporting gives them: a count or a range, with its unit, perhaps approximate.

"Around 390 prisoners of war" is ``{"value": 390, "unit": "prisoners of war", "approximate":
true}``; "between 1,000 and 1,200 bodies" is ``{"min": 1000, "max": 1200, "unit": "bodies"}``.
Two sources that give different quantities for one fact are a dispute of numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidEventError

Number = int | float


@dataclass(frozen=True)
class Quantity:
    """A count or a measure: exactly one of ``value`` or both ``min`` and ``max``, and a unit."""

    value: Number | None = None
    min: Number | None = None
    max: Number | None = None
    unit: str = ""
    approximate: bool = False

    def check(self, pointer: str) -> None:
        """Refuse a quantity without a unit, with neither or both forms, negative, or min > max."""
        if not self.unit.strip():
            raise InvalidEventError("a quantity names its unit", pointer=f"{pointer}/unit")
        ranged = self.min is not None or self.max is not None
        if self.value is not None and ranged:
            raise InvalidEventError(
                "a quantity gives a value or a range (min and max), not both",
                pointer=f"{pointer}/value",
            )
        if self.value is None and not ranged:
            raise InvalidEventError(
                "a quantity gives a value or a range (min and max)", pointer=f"{pointer}/value"
            )
        for name in ("value", "min", "max"):
            number = getattr(self, name)
            if number is not None and number < 0:
                raise InvalidEventError(
                    f"{name} is a number of at least 0", pointer=f"{pointer}/{name}"
                )
        if ranged:
            if self.min is None or self.max is None:
                missing = "min" if self.min is None else "max"
                raise InvalidEventError(
                    "a range gives both min and max", pointer=f"{pointer}/{missing}"
                )
            if self.min > self.max:
                raise InvalidEventError(
                    f"min ({self.min}) is more than max ({self.max})", pointer=f"{pointer}/min"
                )

    def as_json(self) -> dict[str, Any]:
        """The quantity as JSON-ready values, in the contract's order."""
        return {
            "value": self.value,
            "min": self.min,
            "max": self.max,
            "unit": self.unit,
            "approximate": self.approximate,
        }

    def text(self) -> str:
        """How a headline says it: "about 390 prisoners of war", "1000–1200 bodies"."""
        if self.value is not None:
            amount = _number(self.value)
        else:
            amount = f"{_number(self.min)}–{_number(self.max)}"
        return f"{'about ' if self.approximate else ''}{amount} {self.unit}"


def _number(number: Number | None) -> str:
    if isinstance(number, float) and number.is_integer():
        return str(int(number))
    return str(number)


def check_quantities(quantities: list[Quantity] | None, pointer: str) -> None:
    """Check each quantity of a list, pointing at its index."""
    for index, quantity in enumerate(quantities or []):
        quantity.check(f"{pointer}/{index}")
