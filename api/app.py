"""The FastAPI application; all wiring happens in its lifespan, nothing at import time."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from api import problems
from api.observability import Metrics, RequestMiddleware
from api.routes import exports, health, keys, log, pages, projections, stream, streams, views
from api.web.render import STATIC
from api.wiring import build
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


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app; the event store opens when the app starts and closes when it stops."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        components = build(settings, follow=settings.run_projections)
        app.state.components = components
        app.state.service = components.service
        metrics.follow(components.projector)
        components.service.on_append.append(app.state.append_signal.notify)
        components.service.on_append.append(lambda _, count: metrics.appends.inc(count))
        try:
            yield
        finally:
            components.close()

    metrics = Metrics()
    app = FastAPI(
        title="Negotiation Timeline",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        responses=problems.PROBLEM_RESPONSES,
    )
    app.state.metrics = metrics
    app.state.append_signal = stream.AppendSignal()
    app.add_middleware(RequestMiddleware, metrics=metrics, max_body_bytes=settings.max_body_bytes)
    problems.install(app)
    app.include_router(streams.stream_router("talks", "Talks"))
    app.include_router(streams.stream_router("delegations", "Delegation"))
    app.include_router(streams.stream_router("positions", "Position"))
    app.include_router(streams.stream_router("actors", "Actor"))
    app.include_router(stream.router)
    app.include_router(log.router)
    app.include_router(views.router)
    app.include_router(projections.router)
    app.include_router(health.router)
    app.include_router(keys.router)
    app.include_router(exports.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
