"""Names as people write them: compared without case, accents or extra spaces."""

from __future__ import annotations

import unicodedata


def folded(name: str) -> str:
    """The form two spellings of one name share: "Erdoğan" and "erdogan" both give "erdogan".

    Letters that decompose lose their marks (ğ, é, ü); dotless ı, ø, ł and ß are mapped by hand,
    as Unicode gives them no decomposition.
    """
    text = unicodedata.normalize("NFKD", name.translate(_UNDECOMPOSED))
    bare = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(bare.casefold().split())


_UNDECOMPOSED = str.maketrans(
    {"ı": "i", "İ": "I", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "ß": "ss"}
)
