"""The analyst's own coding of the events a page shows (the views keep only its CAMEO code)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.service import TimelineService
from store.sql import Row


def own_codings(service: TimelineService, entries: list[Row]) -> dict[str, dict[str, Any]]:
    """Each entry's event coding (CAMEO and scheme, PLOVER, who coded it), by event id; events
    coded by nobody but their type are left out."""
    wanted: dict[str, set[str]] = {}
    for entry in entries:
        wanted.setdefault(entry["stream_id"], set()).add(entry["event_id"])
    found: dict[str, dict[str, Any]] = {}
    for stream_id, ids in wanted.items():
        for event in service.events_of(UUID(stream_id)):
            coding = event.envelope.coding
            if coding is not None and str(event.event_id) in ids:
                found[str(event.event_id)] = coding.as_json()
    return found
