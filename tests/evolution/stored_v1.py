"""The fixture store written by the first release (tests/fixtures/store_v1.jsonl), loaded as is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.persistence import StoredEvent

from domain.base import NegotiationAggregate
from domain.catalogue import EVENT_TYPES
from store.application import TimelineApplication
from store.schema import IndexRow
from store.serialize import iso

FIXTURE = Path(__file__).parents[1] / "fixtures" / "store_v1.jsonl"


def stored_lines() -> list[dict[str, Any]]:
    """The fixture's lines, in log order."""
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def stored_events() -> list[StoredEvent]:
    """The fixture's events exactly as the library stored them."""
    return [
        StoredEvent(
            originator_id=UUID(line["originator_id"]),
            originator_version=line["originator_version"],
            topic=line["topic"],
            state=line["state"].encode("utf-8"),
        )
        for line in stored_lines()
    ]


def load_into(application: TimelineApplication) -> int:
    """Write the fixture's events, with their index rows, into an empty store; their count.

    The events go in through the application's recorder, as stored, so that reading them back
    goes through today's mapper: its topics, class versions and upcasters.
    """
    lines = stored_lines()
    events = stored_events()
    talks_of: dict[str, str] = {}
    rows = []
    for line, stored in zip(lines, events, strict=True):
        event = application.mapper.to_domain_event(stored)
        assert isinstance(event, NegotiationAggregate.Event)
        stream = str(event.originator_id)
        if event.originator_version == 1:
            talks_of[stream] = str(getattr(event, "talks_id", None) or stream)
        start, end = event.envelope.occurred.bounds()
        rows.append(
            IndexRow(
                stream_id=stream,
                kind=line["kind"],
                version=event.originator_version,
                event_id=str(event.event_id),
                type=EVENT_TYPES[event.type_name()].name,
                talks_id=talks_of[stream],
                recorded_at=iso(event.timestamp),
                occurred_start=iso(start) if start else None,
                occurred_end=iso(end) if end else None,
                principal="fixture:store_v1",
            )
        )
    application.recorder.insert_events(events, nt_extras={"index": rows})
    return len(events)
