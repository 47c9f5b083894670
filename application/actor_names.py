"""Who an actor filter means: a name or one of its other spellings, case and accents aside.

Until the domain keeps actors with their aliases (issue 13), the spellings the desk's sources
use for the same actor are listed here; each group is one actor.
"""

from __future__ import annotations

from uuid import UUID

from application.service import TimelineService
from domain.names import folded
from projections.search import fold

#: Each actor's spellings; the first is the one the timeline records.
ALIASES: tuple[tuple[str, ...], ...] = (
    ("Volodymyr Zelenskyy", "Zelenskyy", "Zelensky", "Zelenskiy", "Volodymyr Zelensky"),
    ("Recep Tayyip Erdoğan", "Erdoğan", "Erdogan", "Tayyip Erdogan"),
    ("Türkiye", "Turkey", "Turkiye", "Republic of Türkiye"),
    ("Rustem Umerov", "Umerov", "Rustem Umierov"),
    ("Vladimir Putin", "Putin"),
    ("Russia", "Russian Federation"),
    ("United States", "US", "USA", "United States of America"),
)
_GROUPS = {fold(name): group for group in ALIASES for name in group}


def actor_keys(name: str) -> set[str]:
    """The folded names an actor filter matches: the name and every other spelling of it."""
    folded = fold(name.strip())
    return {fold(n) for n in _GROUPS.get(folded, ())} | {folded}


def actor_names(service: TimelineService, text: str) -> list[str]:
    """The text, then every name of each registered actor it is the id, name or alias of.

    Names are compared without case or accents (domain/names.py), so ``?actor=zelenskyy`` finds
    the actor registered as "Volodymyr Zelenskyy" with the alias "Zelenskyy", and every event
    that names him by any of his names. A name no actor has is kept as written.
    """
    wanted = folded(text)
    found = [text]
    for stream_id in service.index.streams_of_kind("actors"):
        state = service.state("actors", UUID(stream_id))
        names = [state["name"], *state.get("aliases", [])]
        if stream_id == text.strip().lower() or wanted in {folded(n) for n in names}:
            found.extend(n for n in names if n not in found)
    return found
