"""Statements: every verbatim quote with its speaker, date, channel and source.

Quotes of retracted events are left out; a corrected event's quotes show its corrected speaker
and date. Speaker and quote are also kept case-folded (by Python, the same on both databases),
so that searches ignore case for every alphabet.
"""

from __future__ import annotations

from typing import Any

from domain.temporal import Fact
from domain.values import as_dict
from projections.versioned import (
    RECORD_FROM,
    UNDATED,
    VersionedRows,
    column_names,
    versioned_tables,
)
from projections.view import Context, dumps
from store.serialize import iso

#: The columns of a statement row, in order: their DDL and their names.
TYPES = (
    "position BIGINT NOT NULL, seq INTEGER NOT NULL, talks_id TEXT NOT NULL,"
    " stream_id TEXT NOT NULL, party TEXT, speaker TEXT, channel TEXT, type TEXT NOT NULL,"
    " occurred TEXT NOT NULL, occurred_start TEXT, quote TEXT NOT NULL,"
    " source TEXT NOT NULL, attributed_to TEXT, event_id TEXT NOT NULL,"
    " corrected_by TEXT NOT NULL, speaker_folded TEXT, quote_folded TEXT NOT NULL,"
    " in_reply_to TEXT"
)
COLUMNS = column_names(TYPES)
#: How statements are ordered: by occurrence (undated ones last), then by log position.
ORDER = f"{UNDATED}, occurred_start, position, seq"


class Statements(VersionedRows):
    name = "statements"
    description = "Every quote, searchable by speaker and by text."
    table = "statements"
    columns = COLUMNS
    tables = versioned_tables("statements", TYPES, "position, seq")
    indexes = {
        "statements": [
            "talks_id",
            "speaker",
            # The order of a read (undated quotes last), so a page is read in order, not sorted;
            # with record_from, a read as of a time skips later rows on the index alone.
            f"read_order: {ORDER}, {RECORD_FROM}",
            f"talks_read_order: talks_id, {ORDER}, {RECORD_FROM}",
        ],
        "statements_past": ["talks_id, record_from", "record_to"],
    }

    def rows(self, fact: Fact, position: int, context: Context) -> list[tuple[Any, ...]]:
        if fact.retracted_by is not None or fact.identity_only:
            return []
        event = fact.event
        envelope = event.envelope
        speaker = getattr(event, "speaker", None) or envelope.attributed_to
        start, _ = envelope.occurred.bounds()
        return [
            (
                position,
                seq,
                context.talks_id,
                str(event.originator_id),
                context.party,
                speaker,
                getattr(event, "channel", None),
                event.type_name(),
                dumps(as_dict(envelope.occurred)),
                iso(start) if start else None,
                source.quote,
                dumps(as_dict(source)),
                envelope.attributed_to,
                str(event.event_id),
                dumps(list(fact.corrected_by)),
                speaker.casefold() if speaker else None,
                source.quote.casefold(),
                envelope.in_reply_to,
            )
            for seq, source in enumerate(envelope.sources)
            if source.quote
        ]
