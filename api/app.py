"""The FastAPI application; all wiring happens in its lifespan, nothing at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles

from api import openapi, problems
from api.fanout import Fanout
from api.limits import Gate
from api.observability import Metrics, RequestMiddleware
from api.routes import (
    docs,
    exports,
    health,
    keys,
    log,
    me,
    pages,
    projections,
    stream,
    streams,
    views,
)
from api.routes import search as search_routes
from api.security_headers import SecurityHeadersMiddleware
from api.text import refuse_control_parameters
from api.web.render import STATIC
from entrypoints.bootstrap import build
from store.settings import Settings

DESCRIPTION = (
    "Records how a diplomatic negotiation unfolds as immutable, sourced events, "
    "and answers what its state was at any moment. Errors are RFC 9457 problem details.\n\n"
    "**Keys.** Writes need `Authorization: Bearer <key>` with the editor role; rebuilds and "
    "/keys the admin role; reads are open unless NT_READS_REQUIRE_KEY is set.\n\n"
    "**Limits.** Request bodies up to NT_MAX_BODY_BYTES (1 MiB by default; 413 beyond); "
    "up to 500 events per batch; text fields up to 500 characters, quotes up to 10,000; "
    "up to 20 sources per event; pages up to 1,000 entries; positions and versions up to 2^63-1."
)


def create_app(
    settings: Settings | None = None, *, on_append: Callable[[int, int], None] | None = None
) -> FastAPI:
    """Build the app; the event store opens when the app starts and closes when it stops.

    ``on_append``: called after each append, as the service's own listeners are (``serve``
    wakes a follower process with it).
    """
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        components = build(settings, follow=settings.run_projections)
        app.state.components = components
        app.state.service = components.service
        metrics.follow(components)
        components.service.on_append.append(app.state.append_signal.notify)
        components.service.on_append.append(lambda _, count: metrics.appends.inc(count))
        if on_append is not None:
            components.service.on_append.append(on_append)
        app.state.fanout = Fanout(
            components.service,
            app.state.append_signal,
            per_key=settings.sse_max_per_key,
            per_address=settings.sse_max_per_address,
        )
        try:
            yield
        finally:
            await app.state.fanout.close()
            components.close()

    metrics = Metrics()
    app = FastAPI(
        title="Negotiation Timeline",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=problems.PROBLEM_RESPONSES,
        docs_url=None,  # served from packaged assets by api/routes/docs.py
        redoc_url=None,
        dependencies=[Depends(refuse_control_parameters)],
    )
    app.state.metrics = metrics
    app.state.read_waits = Gate(settings.max_read_waits)
    app.state.expensive_reads = Gate(settings.max_expensive_reads)
    app.state.append_signal = stream.AppendSignal()
    app.add_middleware(RequestMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    problems.install(app)
    app.include_router(streams.stream_router("talks", "Talks"))
    app.include_router(streams.stream_router("delegations", "Delegation"))
    app.include_router(streams.stream_router("positions", "Position"))
    app.include_router(streams.stream_router("actors", "Actor"))
    app.include_router(stream.router)
    app.include_router(log.router)
    app.include_router(views.router)
    app.include_router(search_routes.router)
    app.include_router(projections.router)
    app.include_router(health.router)
    app.include_router(keys.router)
    app.include_router(me.router)
    app.include_router(exports.router)
    app.include_router(pages.router)
    app.include_router(docs.router)
    app.mount("/static/docs", StaticFiles(directory=docs.ASSETS), name="docs-assets")
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    openapi.install(app)
    return app
