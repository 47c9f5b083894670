"""Concurrent writers against a real server process: one winner, nothing lost or doubled."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from helpers import (
    PROBLEM_JSON,
    authorized,
    mediator_role,
    read_whole_log,
    running_server,
    talks_body,
)

from store.settings import Settings

pytestmark = pytest.mark.slow

N = 16
REQUEST_TIMEOUT = 60.0
ALL_DONE_TIMEOUT = 120.0


def released_together(count: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    """``send(i)`` for i < count, each on its own thread, all released by one barrier."""
    barrier = threading.Barrier(count, timeout=30)

    def run(i: int) -> httpx.Response:
        barrier.wait()
        return send(i)

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(run, i) for i in range(count)]
        return [future.result(timeout=ALL_DONE_TIMEOUT) for future in futures]


def assert_a_gap_free_log_without_duplicates(log: list[dict[str, Any]]) -> None:
    assert [e["position"] for e in log] == list(range(1, len(log) + 1))
    duplicated = [i for i, n in Counter(e["event_id"] for e in log).items() if n > 1]
    assert duplicated == []


@pytest.fixture
def http(settings: Settings) -> Iterator[httpx.Client]:
    with running_server(settings) as base_url:
        limits = httpx.Limits(max_connections=N * 2, max_keepalive_connections=N * 2)
        with httpx.Client(
            base_url=base_url, timeout=REQUEST_TIMEOUT, limits=limits, headers=authorized(base_url)
        ) as client:
            yield client


@pytest.fixture
def talks(http: httpx.Client) -> str:
    """A Talks at version 3 beside another stream, so the log is not just this one."""
    other = http.post("/talks", json=talks_body("Other talks"))
    created = http.post("/talks", json=talks_body())
    assert other.status_code == created.status_code == 201
    stream_id = str(created.json()["stream_id"])
    assert http.post(f"/talks/{stream_id}/events", json=mediator_role()).status_code == 201
    assert http.post(f"/talks/{stream_id}/events", json=mediator_role("Qatar")).status_code == 201
    return stream_id


def test_of_16_concurrent_appends_expecting_the_same_version_exactly_one_is_appended(
    http: httpx.Client, talks: str
) -> None:
    version = http.get(f"/talks/{talks}").json()["version"]
    log_before = read_whole_log(http)

    responses = released_together(
        N,
        lambda i: http.post(
            f"/talks/{talks}/events",
            json=mediator_role(f"Mediator {i}"),
            headers={"If-Match": str(version)},
        ),
    )

    statuses = Counter(r.status_code for r in responses)
    assert statuses == {201: 1, 409: N - 1}, [r.text for r in responses]
    winner = next(r for r in responses if r.status_code == 201).json()
    for loser in (r for r in responses if r.status_code == 409):
        assert loser.headers["content-type"] == PROBLEM_JSON
        assert loser.json()["current_version"] == version + 1
    assert winner["version"] == version + 1
    assert http.get(f"/talks/{talks}").json()["version"] == version + 1
    log_after = read_whole_log(http)
    assert len(log_after) == len(log_before) + 1
    assert log_after[:-1] == log_before
    assert [e["event_id"] for e in log_after[-1:]] == [e["event_id"] for e in winner["events"]]
    assert_a_gap_free_log_without_duplicates(log_after)
    stream = http.get(f"/talks/{talks}/events").json()
    assert [e["version"] for e in stream] == list(range(1, version + 2))
    mediators = [m["name"] for m in http.get(f"/talks/{talks}").json()["mediators"]]
    assert len([m for m in mediators if m.startswith("Mediator ")]) == 1


def test_of_16_concurrent_batches_expecting_the_same_version_exactly_one_is_appended_whole(
    http: httpx.Client, talks: str
) -> None:
    version = http.get(f"/talks/{talks}").json()["version"]
    log_before = read_whole_log(http)

    responses = released_together(
        N,
        lambda i: http.post(
            f"/talks/{talks}/events",
            json={
                "events": [mediator_role(f"Mediator {i}-{j}") for j in range(3)],
                "expected_version": version,
            },
        ),
    )

    assert Counter(r.status_code for r in responses) == {201: 1, 409: N - 1}
    winner = next(r for r in responses if r.status_code == 201).json()
    log_after = read_whole_log(http)
    assert len(log_after) == len(log_before) + 3
    assert [e["event_id"] for e in log_after[-3:]] == [e["event_id"] for e in winner["events"]]
    assert len({e["data"]["mediator"].split("-")[0] for e in log_after[-3:]}) == 1
    assert_a_gap_free_log_without_duplicates(log_after)


def test_16_concurrent_retries_with_one_idempotency_key_append_once_and_all_get_its_answer(
    http: httpx.Client, talks: str
) -> None:
    log_before = read_whole_log(http)

    responses = released_together(
        N,
        lambda _: http.post(
            f"/talks/{talks}/events",
            json=mediator_role("Egypt"),
            headers={"Idempotency-Key": "the-one-append"},
        ),
    )

    assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses]
    answers = {tuple(e["event_id"] for e in r.json()["events"]) for r in responses}
    assert len(answers) == 1
    log_after = read_whole_log(http)
    assert len(log_after) == len(log_before) + 1
    assert (log_after[-1]["event_id"],) in answers
    assert_a_gap_free_log_without_duplicates(log_after)
