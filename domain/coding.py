"""An analyst's coding of one event: its CAMEO code and scheme, its PLOVER category, mode and
context, and who coded it. It overrides the event type's default code in views and exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidEventError

#: PLOVER's event categories (PLOVER manual 2.0, openeventdata/PLOVER; application/exports.py
#: gives each its quad code).
PLOVER_CATEGORIES = frozenset({
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "SANCTION", "THREATEN", "PROTEST", "MOBILIZE", "COERCE", "ASSAULT",
})  # fmt: skip
_CAMEO = re.compile(r"^\d{2,4}$")


@dataclass(frozen=True)
class Plover:
    """A PLOVER coding: category, mode and context(s)."""

    category: str
    mode: str | None = None
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Coding:
    """How an analyst coded the event (every part optional but one)."""

    cameo: str | None = None
    scheme: str | None = None
    plover: Plover | None = None
    coded_by: str | None = None

    def check(self, pointer: str = "/coding") -> None:
        """Refuse an empty coding, a CAMEO code that is not 2 to 4 digits, an unknown category."""
        if self.cameo is None and self.plover is None:
            raise InvalidEventError(
                "a coding gives a cameo code or a plover category", pointer=pointer
            )
        if self.cameo is not None and not _CAMEO.match(self.cameo):
            raise InvalidEventError(
                f"{self.cameo!r} is not a CAMEO code: 2 to 4 digits as a string ('0253')",
                pointer=f"{pointer}/cameo",
            )
        if self.plover is not None and self.plover.category not in PLOVER_CATEGORIES:
            raise InvalidEventError(
                f"plover category is one of {', '.join(sorted(PLOVER_CATEGORIES))}",
                pointer=f"{pointer}/plover/category",
            )

    def as_json(self) -> dict[str, Any]:
        """The coding as JSON-ready values."""
        plover = self.plover
        return {
            "cameo": self.cameo,
            "scheme": self.scheme,
            "plover": None
            if plover is None
            else {
                "category": plover.category,
                "mode": plover.mode,
                "context": list(plover.context),
            },
            "coded_by": self.coded_by,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Coding:
        """The coding from its JSON form (as stored)."""
        plover = data.get("plover")
        return cls(
            cameo=data.get("cameo"),
            scheme=data.get("scheme"),
            plover=None
            if plover is None
            else Plover(plover["category"], plover.get("mode"), tuple(plover.get("context") or ())),
            coded_by=data.get("coded_by"),
        )
