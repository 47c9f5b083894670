"""Typed dependencies: the service the app was wired with."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from application.components import Components
from application.service import TimelineService


def get_service(request: Request) -> TimelineService:
    """The TimelineService built in the app's lifespan."""
    service: TimelineService = request.app.state.service
    return service


def get_components(request: Request) -> Components:
    """Everything this process runs on (service, projector, runner)."""
    components: Components = request.app.state.components
    return components


ServiceDep = Annotated[TimelineService, Depends(get_service)]
ComponentsDep = Annotated[Components, Depends(get_components)]
