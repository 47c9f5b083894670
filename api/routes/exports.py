"""Exports of a Talks in the field's formats (TimelineJS, ACLED-style CSV, CloudEvents, PLOVER).

Every export takes the views' clocks: ``as_of`` (record time) and ``at`` (valid time).

``GET /talks/{id}/export?format=...`` covers the Talks with its delegations and positions, read
from the store (always current); application/exports.py describes each format.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Header, Query, Response

from api.auth import Reader
from api.deps import ServiceDep
from api.limits import expensive_read
from api.params import AsOf, At, moment
from application.exports import (
    CLOUDEVENTS_BATCH,
    EXTENSIONS,
    MEDIA_TYPES,
    Format,
    load_family,
    render,
)

router = APIRouter(tags=["exports"], dependencies=[Reader])

_TEXT = {"schema": {"type": "string"}}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The export, as an attachment: TimelineJS JSON (timelinejs), CSV with a "
        "header row (csv, csv-v1), JSON lines (cloudevents, plover) or a CloudEvents JSON batch "
        "(cloudevents-batch)",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": _TEXT,
            "application/x-ndjson": _TEXT,
            CLOUDEVENTS_BATCH: {"schema": {"type": "array", "items": {"type": "object"}}},
        },
        "headers": {
            "Content-Disposition": {
                "description": 'attachment; filename="talks-<id>.<ext>"',
                "schema": {"type": "string"},
                "required": True,
            }
        },
    }
}


@router.get(
    "/talks/{talks_id}/export",
    response_class=Response,
    responses=EXPORT_RESPONSES,
    name="export_talks",
    dependencies=[Depends(expensive_read)],
)
def export_talks(
    talks_id: UUID,
    service: ServiceDep,
    format: Annotated[  # the query parameter's public name
        Format | None,
        Query(
            description="timelinejs (the default): TimelineJS 3 JSON; csv: ACLED's columns in "
            "ACLED's order, then ours; csv-v1: the CSV columns before ACLED's; cloudevents: "
            "CloudEvents 1.0 JSON lines (the log, as recorded, importable); cloudevents-batch: "
            "the same events as one CloudEvents JSON batch (also by Accept: "
            f"{CLOUDEVENTS_BATCH}); plover: PLOVER JSON lines"
        ),
    ] = None,
    as_of: AsOf = None,
    at: At = None,
    accept: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> Response:
    """A Talks with its delegations and positions, as a download, on either clock like the
    views. TimelineJS, CSV and PLOVER show the facts as known (corrections applied, retracted
    events left out); CloudEvents gives every event as recorded, corrections and retractions
    included."""
    chosen = _negotiated(format, accept)
    family = load_family(service, talks_id, as_of=as_of, at=moment(at))
    filename = f"talks-{talks_id}.{EXTENSIONS[chosen]}"
    return Response(
        render(family, chosen),
        media_type=MEDIA_TYPES[chosen],
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Vary": "Accept"},
    )


def _negotiated(fmt: Format | None, accept: str | None) -> Format:
    """The format asked: by name, or the CloudEvents batch by Accept (for cloudevents or none)."""
    wants_batch = CLOUDEVENTS_BATCH in (accept or "").casefold()
    if wants_batch and fmt in (None, "cloudevents"):
        return "cloudevents-batch"
    return fmt or "timelinejs"
