"""Timeline: one entry per event of all three aggregates, ordered by when it occurred.

Entries show facts as now known: a corrected event shows its corrected values with the ids of
its corrections, a retracted one stays, marked; corrections and retractions are entries too.
"""

from __future__ import annotations

from typing import Any

from domain import temporal
from domain.base import NegotiationAggregate
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
from store.serialize import cameo_of, iso

#: The fields that name the event a correction, retraction or erratum points at.
REFERENCES = ("corrects", "retracts", "event")
#: How timeline entries are ordered: by occurrence (undated ones last), then by log position.
ORDER = f"{UNDATED}, occurred_start, position"


def actors(event: NegotiationAggregate.Event, context: Context) -> list[str]:
    """The stream's party first, then whoever the event names."""
    names = [context.party] if context.party else []
    return names + [name for name in event.actors() if name not in names]


#: The columns of a timeline row, in order: their DDL and their names.
TYPES = (
    "position BIGINT NOT NULL, talks_id TEXT NOT NULL, stream_id TEXT NOT NULL,"
    " kind TEXT NOT NULL, type TEXT NOT NULL, event_id TEXT NOT NULL,"
    " version INTEGER NOT NULL, occurred TEXT NOT NULL, occurred_start TEXT,"
    " occurred_end TEXT, recorded_at TEXT NOT NULL, actors TEXT NOT NULL,"
    " headline TEXT NOT NULL, cameo TEXT, sources TEXT NOT NULL, quote TEXT,"
    " modality TEXT NOT NULL, attributed_to TEXT, data TEXT NOT NULL,"
    " corrected_by TEXT NOT NULL, retracted_by TEXT, refers_to TEXT, in_reply_to TEXT,"
    " claim_key TEXT, claim_compared TEXT"
)
COLUMNS = column_names(TYPES)


class Timeline(VersionedRows):
    """Each row keeps, as ``claim_key`` and ``claim_compared``, the claim its fact makes in its
    stream's fold as a dispute compares it (domain/temporal.py ``claim_of``): the disputes at
    any point are found from the rows of that point."""

    name = "timeline"
    description = "Every event across Talks, delegations and positions, by occurrence."
    table = "timeline"
    columns = COLUMNS
    tables = versioned_tables("timeline", TYPES, "position")
    indexes = {
        "timeline": [
            "talks_id",
            "occurred_start, position",
            # The order of a timeline read (undated entries last), so a page is read in order
            # rather than sorted: a Talks of 10,000 events answered in 0.2 ms instead of 8.
            # With record_from, a read as of a time skips later rows on the index alone (every
            # Talks as of its 50th event: 19 ms to 3).
            f"read_order: {ORDER}, {RECORD_FROM}",
            f"talks_read_order: talks_id, {ORDER}, {RECORD_FROM}",
            # The errata noted on a page of entries are found by the event they point at.
            "refers_to",
            # A correction's target is found by its event id; disputes by their claims.
            "event_id",
            "claim_key",
            "stream_id",
        ],
        # Reads as of a time: the versions a family's rows had then.
        "timeline_past": ["talks_id, record_from", "refers_to", "stream_id", "claim_key"],
    }
    retired_indexes = {"timeline": ["in_order", "talks_in_order"]}

    def rows(self, fact: Fact, position: int, context: Context) -> list[tuple[Any, ...]]:
        if fact.identity_only:
            return []
        event = fact.event
        envelope = event.envelope
        start, end = envelope.occurred.bounds()
        quotes = envelope.quotes
        refers_to = next(
            (getattr(event, name) for name in REFERENCES if getattr(event, name, None)), None
        )
        claim = temporal.claim_of(fact)
        return [
            (
                position,
                context.talks_id,
                str(event.originator_id),
                context.kind,
                event.type_name(),
                str(event.event_id),
                event.originator_version,
                dumps(as_dict(envelope.occurred)),
                iso(start) if start else None,
                iso(end) if end else None,
                iso(event.timestamp),
                dumps(actors(event, context)),
                fact.headline,
                cameo_of(event),
                dumps([as_dict(source) for source in envelope.sources]),
                quotes[0] if quotes else None,
                envelope.modality,
                envelope.attributed_to,
                dumps(fact.data),
                dumps(list(fact.corrected_by)),
                fact.retracted_by,
                str(refers_to) if refers_to else None,
                envelope.in_reply_to,
                claim[0] if claim else None,
                dumps(claim[1]) if claim else None,
            )
        ]
