"""Events as JSON: the shape the API returns and the projections read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from domain.base import NegotiationAggregate
from domain.catalogue import EVENT_TYPES
from domain.values import as_dict


def iso(moment: datetime) -> str:
    """A UTC instant as fixed-width RFC 3339 text, so that text order is time order.

    The year always has four digits (``isoformat`` pads it; ``%Y`` gives ``1`` for year 1 on
    glibc, which is not RFC 3339), and ``strftime`` is not used: it took a tenth of an import.
    An instant whose UTC form falls outside the calendar (9999-12-31T23:59-12:00) is clamped to
    its end, which compares the same against every recorded time.
    """
    try:
        utc = moment.astimezone(UTC)
    except OverflowError:
        return "9999-12-31T23:59:59.999999Z" if moment.year > 1 else "0001-01-01T00:00:00.000000Z"
    return utc.replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def cameo_of(event: NegotiationAggregate.Event) -> str | None:
    """The event's CAMEO code: its own coding's, else its type's default."""
    coding = event.envelope.coding
    if coding is not None and coding.cameo is not None:
        return coding.cameo
    return EVENT_TYPES[event.type_name()].cameo


def event_json(
    event: NegotiationAggregate.Event,
    position: int | None,
    kind: str,
    appended_by: str | None = None,
) -> dict[str, Any]:
    """One stored event with its envelope, version, global position and its stream's kind."""
    event_type = EVENT_TYPES[event.type_name()]
    envelope = event.envelope
    return {
        "position": position,
        "stream_id": str(event.originator_id),
        "kind": kind,
        "version": event.originator_version,
        "type": event_type.name,
        "event_id": str(event.event_id),
        "cameo": cameo_of(event),
        "recorded_at": iso(event.timestamp),
        "occurred": as_dict(envelope.occurred),
        "sources": [as_dict(source) for source in envelope.sources],
        "attributed_to": envelope.attributed_to,
        "modality": envelope.modality,
        "recorded_by": envelope.recorded_by,
        "coding": None if envelope.coding is None else envelope.coding.as_json(),
        "appended_by": appended_by,
        "data": event.data(),
        # Only a reply carries it: every other event keeps the shape it always had.
        **({"in_reply_to": envelope.in_reply_to} if envelope.in_reply_to else {}),
    }
