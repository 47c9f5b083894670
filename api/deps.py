"""Typed dependencies: what the app was wired with, and the use cases over it.

They only look up what the lifespan built, so they are ``async``: FastAPI runs a plain ``def``
dependency in its thread pool, and each such hop cost an append more of the event loop's time
than the lookup itself.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from application.components import Components
from application.reads import Reads
from application.service import TimelineService


async def get_service(request: Request) -> TimelineService:
    """The TimelineService built in the app's lifespan."""
    service: TimelineService = request.app.state.service
    return service


async def get_components(request: Request) -> Components:
    """Everything this process runs on (service, projector, runner)."""
    components: Components = request.app.state.components
    return components


ComponentsDep = Annotated[Components, Depends(get_components)]


async def get_reads(components: ComponentsDep) -> Reads:
    """The views' reads over this process's components."""
    return Reads(components)


ServiceDep = Annotated[TimelineService, Depends(get_service)]
ReadsDep = Annotated[Reads, Depends(get_reads)]
