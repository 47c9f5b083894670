"""Optimistic concurrency: If-Match and expected_version, then real concurrent requests."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import (
    assert_problem,
    authorized,
    mediator_role,
    read_whole_log,
    round_scheduled,
    running_server,
    talks_body,
)

from store.settings import Settings

N = 16
REQUEST_TIMEOUT = 60.0
ALL_DONE_TIMEOUT = 120.0


@pytest.fixture
def talks_id(client: TestClient) -> str:
    """A Talks at version 2."""
    stream_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    assert client.post(f"/talks/{stream_id}/events", json=mediator_role()).status_code == 201
    return stream_id


def version_of(client: TestClient | httpx.Client, stream_id: str) -> int:
    version: int = client.get(f"/talks/{stream_id}").json()["version"]
    return version


# Optimistic concurrency, one request at a time


@pytest.mark.parametrize("if_match", ["2", '"2"', 'W/"2"', " 2 "])
def test_an_if_match_naming_the_current_version_appends(
    client: TestClient, talks_id: str, if_match: str
) -> None:
    response = client.post(
        f"/talks/{talks_id}/events", json=round_scheduled(1), headers={"If-Match": if_match}
    )

    assert response.status_code == 201, response.text
    assert response.json()["version"] == 3


@pytest.mark.parametrize("if_match", ["1", '"3"', "0"])
def test_an_if_match_naming_another_version_is_a_409_with_the_current_version(
    client: TestClient, talks_id: str, if_match: str
) -> None:
    response = client.post(
        f"/talks/{talks_id}/events", json=round_scheduled(1), headers={"If-Match": if_match}
    )

    problem = assert_problem(response, 409, slug="version-conflict")
    assert problem["current_version"] == 2
    assert response.headers["etag"] == '"2"'
    assert version_of(client, talks_id) == 2


def test_an_expected_version_in_the_body_that_matches_appends(
    client: TestClient, talks_id: str
) -> None:
    response = client.post(
        f"/talks/{talks_id}/events", json=round_scheduled(1) | {"expected_version": 2}
    )

    assert response.status_code == 201, response.text
    assert version_of(client, talks_id) == 3


@pytest.mark.parametrize("expected_version", [0, 1, 3, 99])
def test_an_expected_version_in_the_body_that_differs_is_a_409_and_appends_nothing(
    client: TestClient, talks_id: str, expected_version: int
) -> None:
    response = client.post(
        f"/talks/{talks_id}/events",
        json=round_scheduled(1) | {"expected_version": expected_version},
    )

    problem = assert_problem(response, 409, slug="version-conflict")
    assert problem["current_version"] == 2
    assert version_of(client, talks_id) == 2
    assert len(read_whole_log(client)) == 2


def test_a_stale_expected_version_on_a_batch_refuses_the_whole_batch(
    client: TestClient, talks_id: str
) -> None:
    batch = {"events": [round_scheduled(1), mediator_role("Qatar")], "expected_version": 1}

    response = client.post(f"/talks/{talks_id}/events", json=batch)

    assert_problem(response, 409)
    assert version_of(client, talks_id) == 2


def test_the_second_of_two_writers_expecting_the_same_version_gets_a_409(
    client: TestClient, talks_id: str
) -> None:
    first = client.post(
        f"/talks/{talks_id}/events", json=round_scheduled(1), headers={"If-Match": "2"}
    )
    second = client.post(
        f"/talks/{talks_id}/events", json=round_scheduled(2), headers={"If-Match": "2"}
    )

    assert first.status_code == 201, first.text
    problem = assert_problem(second, 409)
    assert problem["current_version"] == 3
    assert [r["number"] for r in client.get(f"/talks/{talks_id}").json()["rounds"]] == [1]


def test_if_match_and_an_expected_version_that_disagree_are_a_422(
    client: TestClient, talks_id: str
) -> None:
    response = client.post(
        f"/talks/{talks_id}/events",
        json=round_scheduled(1) | {"expected_version": 2},
        headers={"If-Match": "1"},
    )

    assert_problem(response, 422, pointer="/expected_version")
    assert version_of(client, talks_id) == 2


# Real concurrent requests against a real server process


def concurrently(count: int, send: Any) -> list[httpx.Response]:
    """Run ``send(i)`` in ``count`` threads released together; bounded waits."""
    barrier = threading.Barrier(count, timeout=30)

    def released(i: int) -> httpx.Response:
        barrier.wait()
        result: httpx.Response = send(i)
        return result

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(released, i) for i in range(count)]
        return [future.result(timeout=ALL_DONE_TIMEOUT) for future in futures]


@pytest.fixture
def server(settings: Settings):
    with running_server(settings) as base_url:
        yield base_url


@pytest.fixture
def http(server: str):
    limits = httpx.Limits(max_connections=N * 2, max_keepalive_connections=N * 2)
    with httpx.Client(
        base_url=server, timeout=REQUEST_TIMEOUT, limits=limits, headers=authorized(server)
    ) as http_client:
        yield http_client


@pytest.fixture
def live_talks(http: httpx.Client) -> str:
    created = http.post("/talks", json=talks_body())
    assert created.status_code == 201, created.text
    return str(created.json()["stream_id"])


@pytest.mark.slow
def test_of_n_concurrent_appends_expecting_the_same_version_exactly_one_wins(
    http: httpx.Client, live_talks: str
) -> None:
    before = version_of(http, live_talks)

    responses = concurrently(
        N,
        lambda i: http.post(
            f"/talks/{live_talks}/events",
            json=mediator_role(f"Mediator {i}"),
            headers={"If-Match": str(before)},
        ),
    )

    statuses = sorted(r.status_code for r in responses)
    assert statuses == [201] + [409] * (N - 1), [r.text for r in responses]
    for conflict in (r for r in responses if r.status_code == 409):
        assert conflict.headers["content-type"] == "application/problem+json"
        assert conflict.json()["current_version"] == before + 1
    assert version_of(http, live_talks) == before + 1
    assert len(read_whole_log(http)) == 2


@pytest.mark.slow
def test_of_n_concurrent_appends_with_expected_version_in_the_body_exactly_one_wins(
    http: httpx.Client, live_talks: str
) -> None:
    responses = concurrently(
        N,
        lambda i: http.post(
            f"/talks/{live_talks}/events",
            json=mediator_role(f"Mediator {i}") | {"expected_version": 1},
        ),
    )

    assert sorted(r.status_code for r in responses) == [201] + [409] * (N - 1), [
        r.text for r in responses
    ]
    assert version_of(http, live_talks) == 2


@pytest.mark.slow
def test_n_concurrent_appends_without_an_expected_version_all_land_without_gaps(
    http: httpx.Client, live_talks: str
) -> None:
    responses = concurrently(
        N,
        lambda i: http.post(f"/talks/{live_talks}/events", json=mediator_role(f"Mediator {i}")),
    )

    assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses]
    versions = sorted(r.json()["version"] for r in responses)
    assert versions == list(range(2, N + 2))
    by_version = sorted((r.json()["version"], r.json()["position"]) for r in responses)
    positions = [position for _, position in by_version]
    assert positions == sorted(set(positions))  # in version order, strictly increasing
    events = http.get(f"/talks/{live_talks}/events").json()
    assert [e["version"] for e in events] == list(range(1, N + 2))
    assert len({e["event_id"] for e in events}) == N + 1
    assert [e["position"] for e in events[1:]] == positions
    mediators = {m["name"] for m in http.get(f"/talks/{live_talks}").json()["mediators"]}
    assert mediators == {f"Mediator {i}" for i in range(N)}
    assert len(read_whole_log(http)) == N + 1
