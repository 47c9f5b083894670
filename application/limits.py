"""The bounds every input is held to, named once for the schema, the checks and the docs."""

from __future__ import annotations

from application.event_input import MAX_BATCH
from store.schema import MAX_POSITION

#: The most entries one page of a read returns.
MAX_PAGE = 1000

__all__ = ["MAX_BATCH", "MAX_PAGE", "MAX_POSITION"]
