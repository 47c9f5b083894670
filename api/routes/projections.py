"""Projection status, rebuilds and checksums."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response

from api.auth import Admin, Reader
from api.deps import ComponentsDep
from api.problems import ProblemError
from application.components import Components, RebuildStoppedError

router = APIRouter(prefix="/projections", tags=["projections"])


def known_view(components: Components, name: str) -> str:
    """The view's name, or 404."""
    if name not in components.projector.views:
        raise ProblemError(
            404,
            "not-found",
            "Not found",
            f"no view {name!r}; views: {', '.join(components.projector.views)}",
        )
    return name


@router.get("", response_model=list[dict[str, Any]], dependencies=[Reader])
def list_projections(components: ComponentsDep) -> list[dict[str, Any]]:
    """Each view's position, the head, the lag in events and seconds, its state and last error."""
    return [asdict(status) for status in components.projector.statuses()]


@router.post("/{name}/rebuild", status_code=202, response_model=dict[str, Any])
def rebuild_projection(
    name: str, components: ComponentsDep, response: Response, _admin: Admin
) -> dict[str, Any]:
    """Rebuild a view from position 0 into fresh tables, swapped in when complete."""
    known_view(components, name)
    try:
        started = components.rebuilds.start(name)
    except RebuildStoppedError as error:
        raise ProblemError(
            503, "shutting-down", "Shutting down", str(error), headers={"Retry-After": "1"}
        ) from None
    if not started:
        raise ProblemError(
            409,
            "rebuild-running",
            "Rebuild already running",
            f"{name} is being rebuilt already",
        )
    response.headers["Location"] = "/projections"
    return {"name": name, "state": "rebuilding", "status": "/projections"}


@router.get("/{name}/checksum", response_model=dict[str, Any], dependencies=[Reader])
def read_checksum(name: str, components: ComponentsDep) -> dict[str, Any]:
    """A SHA-256 digest of the view at its position; a rebuild reproduces it."""
    position, digest = components.projector.digest(known_view(components, name))
    return {"name": name, "position": position, "checksum": digest}
