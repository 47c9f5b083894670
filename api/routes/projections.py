"""Projection status, rebuilds and checksums."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response

from api.auth import Admin, Reader
from api.deps import ComponentsDep
from api.responses.operations import Checksum, ProjectionStatus, RebuildStarted

router = APIRouter(prefix="/projections", tags=["projections"])


@router.get("", response_model=list[ProjectionStatus], dependencies=[Reader])
def list_projections(components: ComponentsDep) -> list[dict[str, Any]]:
    """Each view's position, the head, the lag in events and seconds, its state and last error."""
    return [asdict(status) for status in components.projector.statuses()]


@router.post("/{name}/rebuild", status_code=202, response_model=RebuildStarted)
def rebuild_projection(
    name: str, components: ComponentsDep, response: Response, _admin: Admin
) -> dict[str, Any]:
    """Rebuild a view from position 0 into fresh tables, swapped in when complete."""
    components.start_rebuild(name)
    response.headers["Location"] = "/projections"
    return {"name": name, "state": "rebuilding", "status": "/projections"}


@router.get("/{name}/checksum", response_model=Checksum, dependencies=[Reader])
def read_checksum(name: str, components: ComponentsDep) -> dict[str, Any]:
    """A SHA-256 digest of the view at its position; a rebuild reproduces it."""
    position, digest = components.projector.digest(components.view(name))
    return {"name": name, "position": position, "checksum": digest}
