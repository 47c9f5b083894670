"""Exports of a Talks in the field's formats (TimelineJS, ACLED-style CSV, CloudEvents, PLOVER).

``GET /talks/{id}/export?format=...`` covers the Talks with its delegations and positions, read
from the store (always current); api/export_formats.py describes each format.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Response

from api.auth import Reader
from api.deps import ServiceDep
from api.export_formats import EXTENSIONS, MEDIA_TYPES, Format, load_family, render
from api.limits import expensive_read
from api.problems import ProblemError
from store.service import NotFoundError

router = APIRouter(tags=["exports"], dependencies=[Reader])

_TEXT = {"schema": {"type": "string"}}
EXPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The export, as an attachment: TimelineJS JSON (timelinejs), CSV with a "
        "header row (csv), or JSON lines (cloudevents, plover)",
        "content": {
            "application/json": {"schema": {"type": "object"}},
            "text/csv": _TEXT,
            "application/x-ndjson": _TEXT,
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
        Format,
        Query(
            description="timelinejs: TimelineJS 3 JSON; csv: ACLED-like columns; "
            "cloudevents: CloudEvents 1.0 JSON lines (the log, as recorded, importable); "
            "plover: PLOVER-style JSON lines"
        ),
    ] = "timelinejs",
) -> Response:
    """A Talks with its delegations and positions, as a download. TimelineJS, CSV and PLOVER show
    the facts as now known (corrections applied, retracted events left out); CloudEvents gives
    every event as recorded, corrections and retractions included."""
    try:
        family = load_family(service, talks_id)
    except NotFoundError as error:
        raise ProblemError(404, "not-found", "Not found", str(error)) from None
    filename = f"talks-{talks_id}.{EXTENSIONS[format]}"
    return Response(
        render(family, format),
        media_type=MEDIA_TYPES[format],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
