"""The live stream: Server-Sent Events of the global log, filtered, resumable, with heartbeats.

Each event's SSE id is its global position, so a client that reconnects with ``Last-Event-ID``
continues right after the last event it saw. One follower per process (api/fanout.py) reads each
new page of the log once for every client: this process's appends wake it at once; appends made
by other processes are seen by a poll every second.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Header, Query, Request
from sse_starlette.event import ServerSentEvent
from sse_starlette.sse import EventSourceResponse
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool

from api.auth import Reader
from api.deps import ComponentsDep
from api.fanout import Fanout, with_talks
from application.limits import MAX_POSITION

router = APIRouter(tags=["log"], dependencies=[Reader])


class AppendSignal:
    """Wakes the streams' event loops when this process appends (called from worker threads)."""

    def __init__(self) -> None:
        self._waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()
        self._lock = threading.Lock()

    def notify(self, *_: int) -> None:
        """Something was appended: wake every waiting stream."""
        with self._lock:
            waiters = list(self._waiters)
        for loop, event in waiters:
            loop.call_soon_threadsafe(event.set)

    def register(self) -> asyncio.Event:
        """A fresh event to wait on, registered before the log is read (so no wake is lost)."""
        event = asyncio.Event()
        with self._lock:
            self._waiters.add((asyncio.get_running_loop(), event))
        return event

    def unregister(self, event: asyncio.Event) -> None:
        """Stop waking this event."""
        with self._lock:
            self._waiters = {(loop, e) for loop, e in self._waiters if e is not event}


#: EventSourceResponse sets its media type per response, not on the class, so FastAPI would
#: document the 200 without one. Each event is described by the media type's ``schema``, as
#: tools read it for event streams in OpenAPI 3.1 (schemathesis checks every event against it);
#: ``itemSchema``, what FastAPI writes for its own event streams, is OpenAPI 3.2.
STREAM_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "Server-Sent Events named event: each one's id is its global position, "
        "its data the event as GET /events gives it; a comment every few seconds keeps the "
        "connection alive",
        "content": {
            "text/event-stream": {
                "schema": {
                    "type": "object",
                    "required": ["event", "id", "data"],
                    "properties": {
                        "event": {"type": "string", "enum": ["event"]},
                        "id": {"type": "string", "pattern": "^[0-9]+$"},
                        "data": {"type": "string", "contentMediaType": "application/json"},
                    },
                },
            }
        },
    }
}


@router.get("/events/stream", response_class=EventSourceResponse, responses=STREAM_RESPONSES)
async def stream_events(
    request: Request,
    components: ComponentsDep,
    talks_id: Annotated[UUID | None, Query(description="Only this Talks' family")] = None,
    event_type: Annotated[
        list[str] | None, Query(alias="type", max_length=50, description="Only these types")
    ] = None,
    after: Annotated[
        int | None, Query(ge=0, le=MAX_POSITION, description="Start after this position")
    ] = None,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=20, pattern=r"^\d*$")
    ] = None,
) -> EventSourceResponse:
    """Server-Sent Events of the log as it grows (id: the global position); resumable with
    Last-Event-ID; filterable by talks_id and type; a heartbeat comment every few seconds."""
    service = components.service
    fanout: Fanout = request.app.state.fanout
    if last_event_id:
        start = int(last_event_id)
    elif after is not None:
        start = after
    else:
        start = await run_in_threadpool(service.head)
    scope = str(talks_id) if talks_id else None
    types = set(event_type or [])
    principal = getattr(request.state, "principal", None)
    address = request.client.host if request.client else "unknown"
    subscriber = await fanout.subscribe(principal, address)

    def wanted(talks: str | None, event: dict[str, Any]) -> bool:
        return (scope is None or talks == scope) and (not types or event["type"] in types)

    async def events() -> AsyncIterator[ServerSentEvent]:
        position = start
        try:
            while True:
                # Events before the shared pages began for this client come from the store.
                while position < subscriber.joined_at:
                    target = subscriber.joined_at
                    stored = await run_in_threadpool(with_talks, service, position)
                    for talks, event in stored:
                        if event["position"] <= target and wanted(talks, event):
                            yield _sse(event)
                    position = min(stored[-1][1]["position"], target) if stored else target
                page = await subscriber.queue.get()
                if subscriber.joined_at > position:  # it fell behind: the store first
                    subscriber.queue.put_nowait(page)
                    continue
                for talks, event in page:
                    if event["position"] > position:
                        if wanted(talks, event):
                            yield _sse(event)
                        position = event["position"]
        finally:
            fanout.unsubscribe(subscriber)

    return EventSourceResponse(
        events(),
        ping=components.settings.sse_ping_seconds,
        background=BackgroundTask(fanout.unsubscribe, subscriber),
    )


def _sse(event: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(
        data=json.dumps(event, ensure_ascii=False), id=str(event["position"]), event="event"
    )
