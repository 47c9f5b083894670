"""Who an actor filter means: a name or one of its other spellings, case and accents aside.

Until the domain keeps actors with their aliases (issue 13), the spellings the desk's sources
use for the same actor are listed here; each group is one actor.
"""

from __future__ import annotations

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
