"""Idempotency-Key: a retried request returns the first answer and appends nothing."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import (
    assert_problem,
    authorized,
    mediator_role,
    read_whole_log,
    round_held,
    round_scheduled,
    running_server,
    talks_body,
)

from store.settings import Settings

N = 16
REQUEST_TIMEOUT = 60.0


@pytest.fixture
def talks_id(client: TestClient) -> str:
    return str(client.post("/talks", json=talks_body()).json()["stream_id"])


def key(name: str) -> dict[str, str]:
    return {"Idempotency-Key": name}


def test_a_retry_with_the_same_key_and_body_returns_the_first_answer_and_appends_nothing(
    client: TestClient, talks_id: str
) -> None:
    path = f"/talks/{talks_id}/events"
    first = client.post(path, json=round_scheduled(1), headers=key("k-1"))
    log_after_first = read_whole_log(client)

    retry = client.post(path, json=round_scheduled(1), headers=key("k-1"))

    assert first.status_code == 201, first.text
    assert retry.status_code == 201, retry.text
    assert retry.json() == first.json()
    assert retry.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    assert client.get(f"/talks/{talks_id}").json()["version"] == 2
    assert read_whole_log(client) == log_after_first
    assert len(log_after_first) == 2


def test_a_retried_batch_returns_every_event_of_the_first_answer(
    client: TestClient, talks_id: str
) -> None:
    path = f"/talks/{talks_id}/events"
    batch = {"events": [round_scheduled(1), round_held(1), mediator_role()]}
    first = client.post(path, json=batch, headers=key("batch"))

    retry = client.post(path, json=batch, headers=key("batch"))

    assert first.status_code == 201, first.text
    assert retry.json() == first.json()
    assert [e["version"] for e in retry.json()["events"]] == [2, 3, 4]
    assert len(read_whole_log(client)) == 4


def test_a_retry_after_other_appends_still_returns_the_first_answer(
    client: TestClient, talks_id: str
) -> None:
    path = f"/talks/{talks_id}/events"
    first = client.post(path, json=round_scheduled(1), headers=key("early"))
    client.post(path, json=mediator_role())

    retry = client.post(path, json=round_scheduled(1), headers=key("early"))

    assert retry.status_code == 201
    assert retry.json() == first.json()
    assert retry.json()["version"] == 2
    assert client.get(f"/talks/{talks_id}").json()["version"] == 3


def test_a_replay_ignores_the_expected_version_the_first_request_had_met(
    client: TestClient, talks_id: str
) -> None:
    path = f"/talks/{talks_id}/events"
    body = round_scheduled(1) | {"expected_version": 1}
    first = client.post(path, json=body, headers=key("with-version"))

    retry = client.post(path, json=body, headers=key("with-version"))

    assert first.status_code == 201, first.text
    assert retry.status_code == 201, retry.text
    assert retry.json() == first.json()


@pytest.mark.parametrize(
    "other_body",
    [
        round_scheduled(2),
        round_scheduled(1, attributed_to="Someone else"),
        {"events": [round_scheduled(1)]},
    ],
    ids=["other-data", "other-envelope", "same-event-as-a-batch"],
)
def test_the_same_key_with_another_body_is_a_422_problem_and_appends_nothing(
    client: TestClient, talks_id: str, other_body: dict
) -> None:
    path = f"/talks/{talks_id}/events"
    assert client.post(path, json=round_scheduled(1), headers=key("k-2")).status_code == 201

    reused = client.post(path, json=other_body, headers=key("k-2"))

    assert_problem(reused, 422, slug="idempotency-key-reused")
    assert client.get(f"/talks/{talks_id}").json()["version"] == 2
    assert len(read_whole_log(client)) == 2


def test_the_same_key_on_another_stream_is_a_422_problem(client: TestClient, talks_id: str) -> None:
    other = client.post("/talks", json=talks_body(title="Other")).json()["stream_id"]
    assert (
        client.post(f"/talks/{talks_id}/events", json=mediator_role(), headers=key("k-3"))
    ).status_code == 201

    reused = client.post(f"/talks/{other}/events", json=mediator_role(), headers=key("k-3"))

    assert_problem(reused, 422)
    assert client.get(f"/talks/{other}").json()["version"] == 1


def test_a_refused_request_does_not_use_up_its_key(client: TestClient, talks_id: str) -> None:
    path = f"/talks/{talks_id}/events"
    refused = client.post(path, json=round_held(1, data={"number": "one"}), headers=key("k-4"))

    accepted = client.post(path, json=round_held(1), headers=key("k-4"))

    assert refused.status_code == 422
    assert accepted.status_code == 201, accepted.text
    assert "idempotent-replayed" not in accepted.headers


def test_a_retried_create_returns_the_same_stream_and_creates_no_second_talks(
    client: TestClient,
) -> None:
    first = client.post("/talks", json=talks_body(), headers=key("create-1"))

    retry = client.post("/talks", json=talks_body(), headers=key("create-1"))

    assert first.status_code == 201, first.text
    assert retry.status_code == 201, retry.text
    assert retry.json() == first.json()
    assert retry.headers.get("idempotent-replayed") == "true"
    log = read_whole_log(client)
    assert [(e["type"], e["stream_id"]) for e in log] == [
        ("TalksProposed", first.json()["stream_id"])
    ]


def test_a_retried_create_with_another_body_is_a_422_and_creates_nothing(
    client: TestClient,
) -> None:
    assert client.post("/talks", json=talks_body(), headers=key("create-2")).status_code == 201

    reused = client.post("/talks", json=talks_body(title="Else"), headers=key("create-2"))

    assert_problem(reused, 422, slug="idempotency-key-reused")
    assert len(read_whole_log(client)) == 1


# Concurrent retries against a real server process


@pytest.fixture
def http(settings: Settings):
    limits = httpx.Limits(max_connections=N * 2, max_keepalive_connections=N * 2)
    with (
        running_server(settings) as base_url,
        httpx.Client(
            base_url=base_url,
            timeout=REQUEST_TIMEOUT,
            limits=limits,
            headers=authorized(base_url),
        ) as http_client,
    ):
        yield http_client


def at_once(count: int, send) -> list[httpx.Response]:
    barrier = threading.Barrier(count, timeout=30)

    def released(_: int) -> httpx.Response:
        barrier.wait()
        response: httpx.Response = send()
        return response

    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [pool.submit(released, i) for i in range(count)]
        return [future.result(timeout=120) for future in futures]


@pytest.mark.slow
def test_concurrent_retries_of_an_append_with_one_key_append_once(http: httpx.Client) -> None:
    talks_id = http.post("/talks", json=talks_body()).json()["stream_id"]

    responses = at_once(
        N,
        lambda: http.post(
            f"/talks/{talks_id}/events", json=mediator_role(), headers=key("together")
        ),
    )

    assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses]
    assert len({r.text for r in responses}) == 1
    fresh = [r for r in responses if r.headers.get("idempotent-replayed") != "true"]
    assert len(fresh) == 1
    assert http.get(f"/talks/{talks_id}").json()["version"] == 2
    assert len(read_whole_log(http)) == 2


#: Bursts on fresh streams; about half of the bursts have a retry racing the first commit.
ROUNDS = 12


@pytest.mark.slow
def test_concurrent_retries_of_a_once_only_fact_all_get_the_first_answer(
    http: httpx.Client,
) -> None:
    for burst in range(ROUNDS):
        talks_id = http.post("/talks", json=talks_body()).json()["stream_id"]

        responses = at_once(
            N,
            lambda talks_id=talks_id, burst=burst: http.post(
                f"/talks/{talks_id}/events", json=round_scheduled(1), headers=key(f"once-{burst}")
            ),
        )

        assert sorted(r.status_code for r in responses) == [201] * N, [
            r.text for r in responses if r.status_code != 201
        ]
        assert len({r.text for r in responses}) == 1
        assert http.get(f"/talks/{talks_id}").json()["version"] == 2


@pytest.mark.slow
def test_concurrent_retries_of_a_create_with_one_key_create_one_talks(
    http: httpx.Client,
) -> None:
    responses = at_once(N, lambda: http.post("/talks", json=talks_body(), headers=key("open")))

    assert [r.status_code for r in responses] == [201] * N, [r.text for r in responses]
    assert len({r.json()["stream_id"] for r in responses}) == 1
    assert len([r for r in responses if r.headers.get("idempotent-replayed") != "true"]) == 1
    assert [e["type"] for e in read_whole_log(http)] == ["TalksProposed"]
