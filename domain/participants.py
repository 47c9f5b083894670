"""Who took part in a meeting, a signing, a call or a hand-over, and in what role."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.errors import InvalidEventError

ROLES = (
    "chair",
    "head",
    "member",
    "mediator",
    "host",
    "observer",
    "signatory",
    "addressee",
    "counterpart",
    "party",
)


@dataclass(frozen=True)
class Participant:
    """An actor (an Actor's id or a name, as written) and its role."""

    actor: str
    role: str

    def check(self, pointer: str) -> None:
        """Refuse an empty actor or a role not in ROLES."""
        if not self.actor.strip():
            raise InvalidEventError("name the participant", pointer=f"{pointer}/actor")
        if self.role not in ROLES:
            raise InvalidEventError(f"role is one of {', '.join(ROLES)}", pointer=f"{pointer}/role")

    def as_json(self) -> dict[str, Any]:
        """The participant as JSON-ready values."""
        return {"actor": self.actor, "role": self.role}


def check_participants(participants: list[Participant] | None, pointer: str) -> None:
    """Check each participant of a list, pointing at its index."""
    for index, participant in enumerate(participants or []):
        participant.check(f"{pointer}/{index}")
