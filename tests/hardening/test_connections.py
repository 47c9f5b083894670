"""Connection hygiene of the real server: header and keep-alive timeouts, a concurrency limit."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import pytest
from trust.trust_support import server_process

from store.settings import Settings

pytestmark = pytest.mark.slow
TIMEOUTS = {
    "NT_HEADER_TIMEOUT_SECONDS": "1",
    "NT_KEEP_ALIVE_SECONDS": "1",
    "NT_LIMIT_CONCURRENCY": "16",
    "NT_SSE_MAX_PER_ADDRESS": "100",
}


def _closed_within(sock: socket.socket, seconds: float, trickle: bytes = b"") -> float | None:
    """How long until the server closed the connection (None if not within ``seconds``)."""
    started = time.monotonic()
    sock.settimeout(0.2)
    while time.monotonic() - started < seconds:
        try:
            if trickle:
                sock.sendall(trickle)
            if sock.recv(4096) == b"":
                return time.monotonic() - started
        except TimeoutError:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return time.monotonic() - started
    return None


def test_slow_and_silent_clients_are_dropped_and_idle_ones_time_out(
    settings: Settings, tmp_path: Path
) -> None:
    with server_process(settings, tmp_path / "server.log", env=TIMEOUTS) as server:
        slowloris = socket.create_connection(("127.0.0.1", server.port))
        slowloris.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        took = _closed_within(slowloris, 5, trickle=b"X-Slow: 1\r\n")  # a header now and then
        assert took is not None
        assert 0.8 <= took < 3, took
        silent = socket.create_connection(("127.0.0.1", server.port))
        took = _closed_within(silent, 5)
        assert took is not None
        assert took < 3, took
        # A prompt client is served, and its idle kept-alive connection closed after 1 s.
        prompt = socket.create_connection(("127.0.0.1", server.port))
        prompt.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        prompt.settimeout(5)
        assert prompt.recv(4096).startswith(b"HTTP/1.1 200")
        took = _closed_within(prompt, 5)
        assert took is not None
        assert took < 3, took


def test_connections_beyond_the_limit_get_503(settings: Settings, tmp_path: Path) -> None:
    with server_process(settings, tmp_path / "server.log", env=TIMEOUTS) as server:
        held = []
        for _ in range(16):  # live streams stay open: each holds a place
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            sock.sendall(b"GET /events/stream HTTP/1.1\r\nHost: t\r\n\r\n")
            held.append(sock)
        time.sleep(0.5)
        extra = socket.create_connection(("127.0.0.1", server.port), timeout=5)
        extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n")
        assert extra.recv(4096).startswith(b"HTTP/1.1 503")
        for sock in held:
            sock.close()
