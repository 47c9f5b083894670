"""``serve`` with NT_FOLLOWER=process: the follower runs in a worker process that the server
starts, wakes on each append, starts again if it dies, and never leaves behind. Against real
processes, on the test's backend."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from helpers import talks_body
from trust.trust_support import issue_key, server_process

from store.settings import Settings

pytestmark = pytest.mark.slow
T = TypeVar("T")
FOLLOWER = {"NT_FOLLOWER": "process", "NT_POLL_INTERVAL": "30"}  # woken by the server, not a poll


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # gone meanwhile
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            found.append(int(entry.name))
    return found


def workers_of(pid: int) -> list[int]:
    """The server's children that run the CLI's worker."""
    found = []
    for child in children(pid):
        try:
            command = (Path("/proc") / str(child) / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"worker" in command:
            found.append(child)
    return found


def until(check: Callable[[], T], seconds: float) -> T:
    """``check()``'s first truthy answer within ``seconds``; the last answer otherwise."""
    deadline = time.monotonic() + seconds
    answer = check()
    while not answer and time.monotonic() < deadline:
        time.sleep(0.05)
        answer = check()
    return answer


def appended_and_read(http: httpx.Client, title: str) -> httpx.Response:
    """Open a Talks, then read the timeline as of that append (the views must have it)."""
    created = http.post("/talks", json=talks_body(title))
    assert created.status_code == 201, created.text
    return http.get("/timeline", params={"min_position": created.json()["position"], "limit": 500})


def test_a_follower_process_keeps_the_views_is_restarted_and_dies_with_the_server(
    settings: Settings, tmp_path: Path
) -> None:
    token = issue_key(settings, "editor")
    with server_process(settings, tmp_path / "server.log", env=FOLLOWER) as server:
        process = server.process
        assert process is not None
        (first,) = until(lambda: workers_of(process.pid), 10)
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=10) as http:
            # The first read may be answered by the follower's catch-up as it starts; the
            # second only if the server woke it (its own poll is 30 s away).
            for title in ("Istanbul talks", "Geneva talks"):
                read = appended_and_read(http, title)
                assert read.status_code == 200, read.text
                assert title in read.text

            os.kill(first, signal.SIGKILL)  # the follower dies: the server starts another
            (second,) = until(lambda: [p for p in workers_of(process.pid) if p != first], 10)
            for title in ("Vienna talks", "Doha talks"):
                read = appended_and_read(http, title)
                assert read.status_code == 200, read.text
                assert title in read.text

        os.kill(process.pid, signal.SIGKILL)  # the server dies: so does its follower
        process.wait(timeout=10)
        assert until(lambda: not Path(f"/proc/{second}/cmdline").exists() or
                     not Path(f"/proc/{second}/cmdline").read_bytes(), 15)  # fmt: skip
    assert any("exited" in line and "starting it again" in line for line in server.log_lines())
