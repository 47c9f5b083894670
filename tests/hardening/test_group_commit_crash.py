"""Group commit under SIGKILL: the server killed mid-burst loses no acknowledged append.

A real server process with group commit on; many clients append at once to one shared Talks
and to several others, single events and batches of three, some with an Idempotency-Key (the
ordinary path) and most without (the grouped path), every event with a client-chosen id. The
server is SIGKILLed while appends are in flight, then started again on the same store.
Afterwards every acknowledged event is in the log exactly once where its answer said, each
stream's versions have no gap, no batch is half-written, and a retry of each unanswered append
lands it exactly once: by its key, or by its event ids (a second copy is refused as a
duplicate fact).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from helpers import mediator_role, read_whole_log, talks_body
from trust.trust_support import Server, issue_key, kill, start_server, terminate

from store.settings import Settings

pytestmark = pytest.mark.slow

CLIENTS = 12
OTHER_STREAMS = 4
#: Kill once this many appends were acknowledged (or the burst ran this long).
KILL_AFTER_ACKNOWLEDGED = 120
BURST_SECONDS = 4.0
REQUEST_TIMEOUT = 5.0
GROUP_COMMIT = {"NT_GROUP_COMMIT": "true"}


@dataclass
class Append:
    """One logical append: its body, its stream, and what the server answered (if it did)."""

    stream: str
    body: dict[str, Any]
    key: str | None
    event_ids: list[str]
    answer: dict[str, Any] | None = None
    unanswered: bool = False


@dataclass
class Client:
    """A client appending until the server goes away; every attempt kept."""

    number: int
    server: Server
    token: str
    streams: list[str]
    acknowledged: list[int]
    lock: threading.Lock
    appends: list[Append] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def next_append(self) -> Append:
        i = len(self.appends)
        # Every other append goes to the shared Talks: many requests wait on one stream.
        stream = self.streams[0] if i % 2 == 0 else self.streams[1 + (self.number + i) % 4]
        size = 3 if i % 4 == 1 else 1
        events = [
            mediator_role(f"Mediator {self.number}-{i}-{j}") | {"event_id": str(uuid.uuid4())}
            for j in range(size)
        ]
        body = events[0] if size == 1 else {"events": events}
        key = f"gc-crash-{self.number}-{i}" if i % 5 == 3 else None
        return Append(stream, body, key, [e["event_id"] for e in events])

    def run(self, deadline: float) -> None:
        headers = {"Authorization": f"Bearer {self.token}"}
        with httpx.Client(
            base_url=self.server.base_url, headers=headers, timeout=REQUEST_TIMEOUT
        ) as http:
            while time.monotonic() < deadline:
                append = self.next_append()
                self.appends.append(append)
                try:
                    response = send(http, append)
                except httpx.TransportError:
                    append.unanswered = True  # the server died with it in flight, or before
                    return
                if response.status_code != 201:
                    self.refused.append(f"{append.event_ids}: {response.status_code}")
                    return
                append.answer = response.json()
                with self.lock:
                    self.acknowledged[0] += 1


def send(http: httpx.Client, append: Append) -> httpx.Response:
    headers = {"Idempotency-Key": append.key} if append.key else {}
    return http.post(f"/talks/{append.stream}/events", json=append.body, headers=headers)


def test_a_sigkill_mid_burst_of_grouped_appends_loses_no_acknowledged_append(
    settings: Settings, tmp_path: Path
) -> None:
    token = issue_key(settings, "admin", "group-commit-crash")
    headers = {"Authorization": f"Bearer {token}"}
    output = tmp_path / "server.log"
    server = start_server(settings, output, env=GROUP_COMMIT)
    try:
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=REQUEST_TIMEOUT) as h:
            streams = []
            for i in range(1 + OTHER_STREAMS):
                created = h.post("/talks", json=talks_body(f"Talks {i}"))
                assert created.status_code == 201, created.text
                streams.append(created.json()["stream_id"])
        acknowledged, lock = [0], threading.Lock()
        clients = [Client(n, server, token, streams, acknowledged, lock) for n in range(CLIENTS)]
        deadline = time.monotonic() + BURST_SECONDS + REQUEST_TIMEOUT
        threads = [threading.Thread(target=c.run, args=(deadline,), daemon=True) for c in clients]
        for thread in threads:
            thread.start()
        kill_at = time.monotonic() + BURST_SECONDS
        while acknowledged[0] < KILL_AFTER_ACKNOWLEDGED and time.monotonic() < kill_at:
            time.sleep(0.01)
        kill(server)  # SIGKILL, mid-burst
        for thread in threads:
            thread.join(REQUEST_TIMEOUT * 2)
        assert not any(thread.is_alive() for thread in threads)
        assert [r for c in clients for r in c.refused] == []
        everything = [a for c in clients for a in c.appends]
        answered = [a for a in everything if a.answer is not None]
        unanswered = [a for a in everything if a.answer is None]
        # The kill came mid-burst: appends were answered before it, and cut off by it.
        assert answered
        assert [c.number for c in clients if not c.appends[-1].unanswered] == []

        server = start_server(settings, output, port=server.port, env=GROUP_COMMIT)
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=REQUEST_TIMEOUT) as h:
            log = read_whole_log(h)
            retries = [send(h, a) for a in unanswered]
            log_after_retries = read_whole_log(h)
            retried_again = [send(h, a) for a in unanswered if a.key is not None]
            log_at_the_end = read_whole_log(h)
    finally:
        terminate(server)
        kill(server)

    # Every acknowledged event is in the log exactly once, where its answer said.
    by_id = {e["event_id"]: e for e in log}
    assert len(by_id) == len(log)
    for append in answered:
        assert append.answer is not None
        assert [e["event_id"] for e in append.answer["events"]] == append.event_ids
        for told in append.answer["events"]:
            stored = by_id.get(told["event_id"])
            assert stored is not None, f"acknowledged {told} is not in the log"
            assert (stored["stream_id"], stored["version"], stored["position"]) == (
                append.stream,
                told["version"],
                told["position"],
            )
    # No append is half-written: all of its events are in the log, or none.
    for append in unanswered:
        present = [i in by_id for i in append.event_ids]
        assert present in ([True] * len(present), [False] * len(present)), append.event_ids
    # Each stream's versions have no gap, before and after the retries.
    for entries in (log, log_at_the_end):
        for stream in streams:
            versions = [e["version"] for e in entries if e["stream_id"] == stream]
            assert versions == list(range(1, len(versions) + 1)), stream
    # A retry lands an unanswered append exactly once: fresh if it was lost, replayed by its
    # key, or refused as a duplicate of the very events it had stored (nothing appended).
    for append, retry in zip(unanswered, retries, strict=True):
        stored = append.event_ids[0] in by_id
        if append.key is not None:
            assert retry.status_code == 201, retry.text
            assert (retry.headers.get("idempotent-replayed") == "true") == stored
        elif stored:
            assert retry.status_code == 422, retry.text
            assert retry.json()["type"].endswith(":duplicate-fact"), retry.text
        else:
            assert retry.status_code == 201, retry.text
    ids = Counter(e["event_id"] for e in log_after_retries if e["version"] > 1)
    expected = [i for a in everything for i in a.event_ids]
    assert sorted(ids) == sorted(expected)
    assert set(ids.values()) == {1}
    assert len(log_after_retries) == len(streams) + len(expected)
    # A second retry by key is a replay of the first answer, and appends nothing.
    assert [r.status_code for r in retried_again] == [201] * len(retried_again)
    assert all(r.headers.get("idempotent-replayed") == "true" for r in retried_again)
    assert log_at_the_end == log_after_retries
