"""How uvicorn serves the app: connection limits and timeouts, a header timeout among them.

uvicorn bounds idle keep-alive connections (``timeout_keep_alive``) and connections at once
(``limit_concurrency``, 503 beyond), but has no bound on how long a client may take to send its
request headers: a slowloris client that sends a byte now and then held its connection for good.
Our protocol closes a connection whose request head is not complete within the header timeout.
"""

from __future__ import annotations

import asyncio
from functools import cache
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from store.settings import Settings


@cache
def _header_timeout() -> float:
    # Read once per process from the environment, so that every worker process (uvicorn spawns
    # them afresh) uses the same value.
    return Settings().header_timeout_seconds


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol, closing connections whose request head comes too slowly."""

    _header_timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection: its first request head must come within the timeout."""
        super().connection_made(transport)
        self._start_header_timer()

    def on_message_begin(self) -> None:
        """A request begins (on a kept-alive connection too): its head must come in time."""
        super().on_message_begin()
        self._start_header_timer()

    def on_headers_complete(self) -> None:
        """The head is complete: the body and the answer are not bounded here."""
        self._stop_header_timer()
        super().on_headers_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection is gone."""
        self._stop_header_timer()
        super().connection_lost(exc)

    def _start_header_timer(self) -> None:
        self._stop_header_timer()
        self._header_timer = self.loop.call_later(_header_timeout(), self._header_timed_out)

    def _stop_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _header_timed_out(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.close()


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """The connection settings uvicorn runs with."""
    return {
        "http": HeaderTimeoutProtocol,
        "timeout_keep_alive": settings.keep_alive_seconds,
        "limit_concurrency": settings.limit_concurrency,
        "timeout_graceful_shutdown": settings.graceful_shutdown_seconds,
    }
