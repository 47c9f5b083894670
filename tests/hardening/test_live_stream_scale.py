"""The live stream at scale: one follower fans out to every client, with caps and heartbeats.

Against a real server process. The CPU figure is a limit (idle clients must cost next to
nothing), not a benchmark.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import os
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import mediator_role, talks_body
from trust.trust_support import Server, issue_key, server_process

from store.settings import Settings

pytestmark = pytest.mark.slow
IDLE_CLIENTS = 1000
CPU_SECONDS = 3.0
CPU_SHARE_BOUND = 0.05
READ_BOUND = 0.25
TICKS = os.sysconf("SC_CLK_TCK")


def _cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


async def _open_streams(port: int, count: int) -> list[asyncio.StreamWriter]:
    """``count`` idle clients of /events/stream, each past its response headers."""

    async def one() -> asyncio.StreamWriter:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /events/stream HTTP/1.1\r\nHost: t\r\nAccept: text/event-stream\r\n\r\n")
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 20)
        assert head.startswith(b"HTTP/1.1 200"), head[:200]
        return writer

    writers: list[asyncio.StreamWriter] = []
    for start in range(0, count, 100):  # in waves, so the listen backlog never overflows
        writers += await asyncio.gather(*(one() for _ in range(min(100, count - start))))
    return writers


def _events(response: httpx.Response, count: int) -> list[dict[str, Any]]:
    """The next ``count`` events of an open stream (heartbeat comments skipped)."""
    found: list[dict[str, Any]] = []
    event: dict[str, Any] = {}
    for line in response.iter_lines():
        if line.startswith("id:"):
            event["id"] = line[3:].strip()
        elif line.startswith("data:"):
            event["data"] = json.loads(line[5:])
        elif not line and "data" in event:
            found.append(event)
            event = {}
            if len(found) == count:
                return found
    return found


@pytest.fixture
def server(settings: Settings, tmp_path: Path) -> Iterator[Server]:
    # Heartbeats every 15 s, the default; room for the thousand clients.
    env = {"NT_SSE_MAX_PER_ADDRESS": "3000", "NT_LIMIT_CONCURRENCY": "3000"}
    with server_process(settings, tmp_path / "server.log", env=env) as running:
        yield running


def test_every_client_gets_its_events_from_the_shared_follower(
    server: Server, settings: Settings
) -> None:
    headers = {"Authorization": f"Bearer {issue_key(settings, 'editor')}"}
    with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as client:
        first = client.post("/talks", json=talks_body("First")).json()
        other = client.post("/talks", json=talks_body("Other")).json()
        talks_id = first["stream_id"]
        with (
            client.stream("GET", "/events/stream", params={"talks_id": talks_id}) as mine,
            client.stream("GET", "/events/stream", params={"after": 0}) as everything,
            client.stream("GET", "/events/stream", headers={"Last-Event-ID": "1"}) as resumed,
        ):
            time.sleep(0.3)  # the streams are open
            late = client.post(f"/talks/{talks_id}/events", json=mediator_role("Qatar")).json()
            client.post(f"/talks/{other['stream_id']}/events", json=mediator_role("Oman"))
            ours = client.post(f"/talks/{talks_id}/events", json=mediator_role("Egypt")).json()
            assert [e["id"] for e in _events(mine, 2)] == [
                str(late["position"]),
                str(ours["position"]),
            ]
            assert [int(e["id"]) for e in _events(everything, 5)] == [1, 2, 3, 4, 5]
            assert [int(e["id"]) for e in _events(resumed, 4)] == [2, 3, 4, 5]


def test_streams_beyond_the_per_address_cap_get_503_and_heartbeats_go_on(
    settings: Settings, tmp_path: Path
) -> None:
    env = {"NT_SSE_MAX_PER_ADDRESS": "3", "NT_SSE_PING_SECONDS": "0.5"}
    with server_process(settings, tmp_path / "server.log", env=env) as running:
        opened = [_raw_stream(running.port) for _ in range(3)]
        assert [head.split(b"\r\n")[0] for _, head in opened] == [b"HTTP/1.1 200 OK"] * 3
        sock = opened[0][0]
        received = b""
        while b"\r\n: ping" not in received and b"\n: ping" not in received:
            received += sock.recv(4096)  # the socket's timeout bounds the wait
        refused = httpx.get(running.base_url + "/events/stream", timeout=5)
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "5"
        assert refused.json()["type"].endswith(":busy")
        opened.pop()[0].close()
        deadline = time.monotonic() + 5
        while True:
            again, head = _raw_stream(running.port)
            again.close()
            if head.startswith(b"HTTP/1.1 200"):
                break
            assert time.monotonic() < deadline, "a closed stream's place was not given back"
            time.sleep(0.1)
        for sock, _ in opened:
            sock.close()


def _raw_stream(port: int) -> tuple[socket.socket, bytes]:
    """An open /events/stream connection and its response head."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(b"GET /events/stream HTTP/1.1\r\nHost: t\r\n\r\n")
    head = b""
    while b"\r\n\r\n" not in head:
        head += sock.recv(4096)
    return sock, head


def test_a_thousand_idle_clients_cost_little_cpu_and_reads_stay_quick(server: Server) -> None:
    assert server.process is not None

    async def scenario() -> tuple[float, list[float]]:
        writers = await _open_streams(server.port, IDLE_CLIENTS)
        try:
            await asyncio.sleep(1.0)  # settled
            before, started = _cpu_seconds(server.process.pid), time.monotonic()  # type: ignore[union-attr]
            await asyncio.sleep(CPU_SECONDS)
            share = (_cpu_seconds(server.process.pid) - before) / (time.monotonic() - started)  # type: ignore[union-attr]
            latencies = []
            async with httpx.AsyncClient(base_url=server.base_url, timeout=10) as client:
                for _ in range(10):
                    sent = time.monotonic()
                    assert (await client.get("/timeline", params={"limit": 10})).status_code == 200
                    latencies.append(time.monotonic() - sent)
            return share, latencies
        finally:
            for writer in writers:
                writer.close()

    # A loop of its own, in a thread of its own: the browser tests' session may keep one running
    # in this thread.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        share, latencies = pool.submit(asyncio.run, scenario()).result()
    assert share <= CPU_SHARE_BOUND, f"{IDLE_CLIENTS} idle clients used {share:.1%} of a core"
    assert sorted(latencies)[len(latencies) // 2] < READ_BOUND, latencies
