"""Operations: a request id on every request, JSON logs, Prometheus metrics, a body size limit.

One pure ASGI middleware does the per-request part, so that even a request refused for its size
gets an id, a log line and a count.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.datastructures import URL
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from application.components import Components

log = logging.getLogger("negotiation_timeline.access")
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
PROBLEM_413 = {
    "type": "urn:negotiation-timeline:problem:body-too-large",
    "title": "Request body too large",
    "status": 413,
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message and any extra fields."""

    STANDARD = frozenset(vars(logging.makeLogRecord({})))

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {k: v for k, v in vars(record).items() if k not in self.STANDARD and k != "message"}
        )
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def logging_config(level: str = "INFO") -> dict[str, Any]:
    """logging.config.dictConfig settings: JSON lines on stderr, uvicorn's loggers included."""
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            "uvicorn": {"level": level},
            "uvicorn.access": {"level": "WARNING"},  # our own access log has the request id
        },
    }


class Metrics:
    """The service's Prometheus metrics, in a registry of the app's own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "nt_http_requests", "HTTP requests by route and status",
            ["method", "route", "status"], registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "nt_http_request_duration_seconds", "HTTP request latency by route",
            ["method", "route"], registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
        )  # fmt: skip
        self.appends = Counter(
            "nt_appended_events", "Events appended through this process", registry=self.registry
        )

    def follow(self, components: Components) -> None:
        """Report each view's position and lag at scrape time."""
        self.registry.register(ProjectionCollector(components))


class ProjectionCollector(Collector):
    """Projection positions and lag, read from the tracking table when scraped."""

    def __init__(self, components: Components) -> None:
        self.components = components

    def collect(self) -> Iterable[Metric]:
        position = GaugeMetricFamily(
            "nt_projection_position", "Last applied position", labels=["view"]
        )
        events = GaugeMetricFamily(
            "nt_projection_lag_events", "Events not yet applied", labels=["view"]
        )
        seconds = GaugeMetricFamily(
            "nt_projection_lag_seconds", "Age of the oldest event not yet applied", labels=["view"]
        )
        head = GaugeMetricFamily("nt_log_head", "Position of the newest event in the log")
        statuses = self.components.projector.statuses()
        for status in statuses:
            position.add_metric([status.name], status.position)
            events.add_metric([status.name], status.lag_events)
            seconds.add_metric([status.name], status.lag_seconds)
        head.add_metric([], statuses[0].head if statuses else 0)
        return [position, events, seconds, head]


class RequestMiddleware:
    """Request id, body size limit, access log and request metrics, for every HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics, max_body_bytes: int) -> None:
        self.app, self.metrics, self.max_body_bytes = app, metrics, max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(b"x-request-id", b"").decode("latin-1")[:100]
        request_id = given if given.isprintable() and given else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            declared = int(headers.get(b"content-length", b"0") or 0)
        except ValueError:
            declared = 0
        try:
            if declared > self.max_body_bytes:
                await self._too_large(scope, send_with_id)
            elif b"content-length" not in headers and scope.get("method") in BODY_METHODS:
                body = await self._read_bounded(receive)
                if body is None:
                    await self._too_large(scope, send_with_id)
                else:
                    await self.app(scope, _replay(body, receive), send_with_id)
            else:
                await self.app(scope, receive, send_with_id)
        finally:
            route = getattr(scope.get("route"), "path", "unmatched")
            elapsed = time.perf_counter() - started
            method = scope.get("method", "")
            self.metrics.requests.labels(method, route, str(status)).inc()
            self.metrics.latency.labels(method, route).observe(elapsed)
            log.info(
                "request",
                extra={"request_id": request_id, "method": method, "path": scope.get("path"),
                       "route": route, "status": status, "duration_ms": round(elapsed * 1000, 2)},
            )  # fmt: skip

    async def _read_bounded(self, receive: Receive) -> bytes | None:
        """The whole body of a request without Content-Length, or None past the limit."""
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        """A 413 problem, with the members every other problem has (api/problems.py)."""
        body = json.dumps({
            **PROBLEM_413,
            "detail": f"the body exceeds {self.max_body_bytes} bytes",
            "instance": URL(scope=scope).path,
        }).encode()  # fmt: skip
        await send({
            "type": "http.response.start", "status": 413,
            "headers": [(b"content-type", b"application/problem+json"),
                        (b"content-length", str(len(body)).encode())],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that gives the buffered body once, then whatever the client sends next."""
    given = False

    async def replay() -> Message:
        nonlocal given
        if not given:
            given = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
