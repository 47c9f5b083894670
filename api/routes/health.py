"""Liveness and readiness for orchestrators."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import PersistenceError
from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import ComponentsDep
from api.problems import ProblemError

router = APIRouter(tags=["operations"])


@router.get("/healthz", response_model=dict[str, str])
async def read_health() -> dict[str, str]:
    """The process is alive and answering (on the event loop: it needs no request thread)."""
    return {"status": "ok"}


@router.get("/metrics", response_class=PlainTextResponse)
def read_metrics(request: Request) -> PlainTextResponse:
    """Prometheus metrics: requests and latency by route, appends, projection positions and lag."""
    registry = request.app.state.metrics.registry
    return PlainTextResponse(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)


@router.get("/readyz", response_model=dict[str, Any])
def read_readiness(components: ComponentsDep) -> dict[str, Any]:
    """The database answers and every view is within the lag bound (503 otherwise)."""
    bound = components.settings.ready_max_lag_events
    try:
        statuses = components.projector.statuses()
    except PersistenceError as error:
        raise ProblemError(
            503,
            "not-ready",
            "Not ready",
            f"the database does not answer: {error}",
            headers={"Retry-After": "5"},
        ) from None
    behind = {s.name: s.lag_events for s in statuses if s.lag_events > bound or s.state == "failed"}
    if behind:
        raise ProblemError(
            503,
            "not-ready",
            "Not ready",
            f"views behind by more than {bound} events or failed: {', '.join(behind)}",
            headers={"Retry-After": "5"},
            views=behind,
        )
    return {"status": "ready", "head": statuses[0].head if statuses else 0, "max_lag_events": bound}
