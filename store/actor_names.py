"""Which names a filter's actor stands for: an actor's id, name or alias gives all its names.

Names are compared without case or accents (domain/names.py), so ``?actor=zelenskyy`` finds
the actor registered as "Volodymyr Zelenskyy" with the alias "Zelenskyy", and every event that
names him by any of his names. A name no actor has is kept as written.
"""

from __future__ import annotations

from uuid import UUID

from domain.names import folded
from store.service import TimelineService


def actor_names(service: TimelineService, text: str) -> list[str]:
    """The text, then every name of each registered actor it is the id, name or alias of."""
    wanted = folded(text)
    found = [text]
    for row in service.db.query(
        "SELECT stream_id FROM nt_event_index WHERE kind = 'actors' AND version = 1", ()
    ):
        state = service.state("actors", UUID(row["stream_id"]))
        names = [state["name"], *state.get("aliases", [])]
        if row["stream_id"] == text.strip().lower() or wanted in {folded(n) for n in names}:
            found.extend(n for n in names if n not in found)
    return found
