"""Rows a view keeps decoded from one batch of the live follower to the next.

A Talks overview row holds its whole state as JSON; each batch that touches a Talks read it and
decoded it again (a fifth of the follower's time under appends to one Talks, growing with the
Talks). The follower hands each view the rows it wrote in its previous batch, decoded, as long
as nothing else can have written them since: the view's tracking position is still where that
batch left it. A batch of another process, a rebuild's swap or a failed commit leaves it
elsewhere, and then the view starts afresh. A view checks each row it takes against a column
the row carries (its last position), too.

What a view keeps must not change afterwards: the fold changes no value in place
(``domain.base.appended``), so a view takes a shallow copy and folds on.
"""

from __future__ import annotations

import threading
from typing import Any

from cachetools import LRUCache

#: Characters of JSON text kept per view, at most: decoded, the realistic workload's overview
#: rows take 3.5 bytes a character, so about 7 MB (a few dozen Talks of it).
MAX_CHARS = 2_000_000
#: ``Tx.pending`` key of a view's carried rows, with the view's name: ``(CARRIED, name)``.
CARRIED = "carried"

#: A kept row: (its version, its decoded state, the length of the text it was written as).
Kept = tuple[int, dict[str, Any], int]


class Rows(LRUCache[str, Kept]):
    """A view's kept rows by key, bounded by the length of the text each was written as."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        super().__init__(max_chars, getsizeof=lambda kept: max(kept[2], 1))

    def keep(self, key: str, version: int, state: dict[str, Any], chars: int) -> None:
        """Keep a row as written; one larger than the bound is forgotten instead."""
        if chars > self.maxsize:
            self.pop(key, None)
        else:
            self[key] = (version, state, chars)

    def taken(self, key: str, version: int) -> dict[str, Any] | None:
        """A copy of the kept state of a row now at ``version``, or None."""
        kept = self.get(key)
        return dict(kept[1]) if kept is not None and kept[0] == version else None


class Carried:
    """Each view's kept rows, with the tracking position the batch that kept them left."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self._lock = threading.Lock()
        self._views: dict[str, tuple[int, Rows]] = {}

    def take(self, view: str, after: int) -> Rows:
        """The rows kept for a batch that starts at ``after`` (none if the view's last batch
        here did not end there). They are the caller's until it gives them back."""
        with self._lock:
            found = self._views.pop(view, None)
        if found is not None and found[0] == after:
            return found[1]
        return Rows(self.max_chars)

    def give_back(self, view: str, end: int, rows: Rows) -> None:
        """Rows of a batch that committed, ending at ``end``."""
        with self._lock:
            self._views[view] = (end, rows)

    def forget(self, view: str) -> None:
        """Drop what a view kept (its tables were replaced)."""
        with self._lock:
            self._views.pop(view, None)
