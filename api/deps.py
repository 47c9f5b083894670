"""Typed dependencies: what the app was wired with, and the use cases over it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from application.components import Components
from application.reads import Reads
from application.service import TimelineService


def get_service(request: Request) -> TimelineService:
    """The TimelineService built in the app's lifespan."""
    service: TimelineService = request.app.state.service
    return service


def get_components(request: Request) -> Components:
    """Everything this process runs on (service, projector, runner)."""
    components: Components = request.app.state.components
    return components


def get_reads(request: Request) -> Reads:
    """The views' reads over this process's components."""
    return Reads(get_components(request))


ServiceDep = Annotated[TimelineService, Depends(get_service)]
ComponentsDep = Annotated[Components, Depends(get_components)]
ReadsDep = Annotated[Reads, Depends(get_reads)]
