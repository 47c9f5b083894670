"""Liveness and readiness for orchestrators."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ComponentsDep
from api.responses.operations import Health, Readiness

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=Health)
async def read_health() -> dict[str, str]:
    """The process is alive and answering (on the event loop: it needs no request thread)."""
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse)
def read_metrics(request: Request) -> PlainTextResponse:
    """Prometheus metrics: requests and latency by route, appends, projection positions and lag."""
    registry = request.app.state.metrics.registry
    return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz", response_model=Readiness)
def read_readiness(components: ComponentsDep) -> dict[str, Any]:
    """The database answers and every view is within the lag bound (503 otherwise)."""
    return components.readiness()
