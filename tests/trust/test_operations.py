"""Operations: liveness, readiness, request ids, Prometheus metrics and the JSON access log."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem, mediator_role, talks_body
from prometheus_client.parser import text_string_to_metric_families

from api.app import create_app
from store.settings import Settings
from trust.trust_support import issue_key, server_process

ACCESS_LOGGER = "negotiation_timeline.access"
#: Metric samples by name and labels.
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(client: TestClient) -> Samples:
    """Every sample of GET /metrics, by name and labels."""
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


@pytest.fixture
def lagging(settings: Settings, admin_token: str) -> Iterator[TestClient]:
    """An app that does not follow the log itself, and whose views may lag by nothing."""
    still = settings.model_copy(update={"run_projections": False, "ready_max_lag_events": 0})
    headers = {"Authorization": f"Bearer {admin_token}"}
    with TestClient(create_app(still), raise_server_exceptions=False, headers=headers) as client:
        yield client


# Health and readiness


def test_healthz_says_the_process_is_alive(anonymous: TestClient) -> None:
    response = anonymous.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_200_while_every_view_is_within_the_bound(client: TestClient) -> None:
    assert client.post("/talks", json=talks_body()).status_code == 201
    deadline = time.monotonic() + 10
    while client.get("/readyz").status_code != 200 and time.monotonic() < deadline:
        time.sleep(0.05)

    response = client.get("/readyz")

    assert response.status_code == 200, response.text
    assert response.json()["status"] == "ready"
    assert response.json()["head"] == 1


def test_readyz_is_503_with_retry_after_once_a_view_is_further_behind_than_the_bound(
    lagging: TestClient,
) -> None:
    before = lagging.get("/readyz")
    assert lagging.post("/talks", json=talks_body()).status_code == 201

    after = lagging.get("/readyz")

    assert before.status_code == 200, before.text
    problem = assert_problem(after, 503, slug="not-ready")
    assert int(after.headers["retry-after"]) > 0
    views = {p["name"] for p in lagging.get("/projections").json()}
    assert views
    assert problem["views"] == dict.fromkeys(views, 1)


# Request ids


def test_every_response_has_a_request_id_and_each_request_its_own(
    settings: Settings, anonymous: TestClient
) -> None:
    limited = settings.model_copy(update={"max_body_bytes": 1024})
    with TestClient(create_app(limited), raise_server_exceptions=False) as small:
        responses = [
            anonymous.get("/healthz"),
            anonymous.get("/metrics"),
            anonymous.get(f"/talks/{uuid4()}"),  # 404
            anonymous.get("/no/such/route"),  # 404, unmatched
            anonymous.put("/events"),  # 405
            anonymous.post("/talks", json=talks_body()),  # 401
            anonymous.get("/events", params={"limit": 0}),  # 422
            small.post("/talks", content=b"x" * 2000),  # 413
        ]

    ids = [r.headers.get("x-request-id") for r in responses]
    assert [r.status_code for r in responses] == [200, 200, 404, 404, 405, 401, 422, 413]
    assert all(ids), ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize(
    ("method", "path"), [("GET", "/healthz"), ("GET", "/talks/nope"), ("POST", "/talks")]
)
def test_a_given_request_id_is_echoed_back(anonymous: TestClient, method: str, path: str) -> None:
    given = f"trace-{uuid4().hex}"

    response = anonymous.request(method, path, headers={"X-Request-ID": given})

    assert response.headers["x-request-id"] == given


# Metrics


def test_metrics_count_requests_by_route_and_status_and_time_them(client: TestClient) -> None:
    before = samples(client)
    for _ in range(3):
        client.get("/healthz")
    client.get(f"/talks/{uuid4()}")

    after = samples(client)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    requests, count = "nt_http_requests_total", "nt_http_request_duration_seconds_count"
    assert grew(requests, method="GET", route="/healthz", status="200") == 3
    assert grew(requests, method="GET", route="/talks/{stream_id}", status="404") == 1
    assert grew(count, method="GET", route="/healthz") == 3
    inf = value(
        after, "nt_http_request_duration_seconds_bucket", method="GET", route="/healthz", le="+Inf"
    )
    assert inf == value(after, count, method="GET", route="/healthz")


def test_metrics_count_appended_events_by_the_number_appended(client: TestClient) -> None:
    before = value(samples(client), "nt_appended_events_total")
    talks = client.post("/talks", json=talks_body()).json()["stream_id"]
    batch = {"events": [mediator_role("Qatar"), mediator_role("Oman"), mediator_role("Egypt")]}
    assert client.post(f"/talks/{talks}/events", json=batch).status_code == 201
    refused = client.post(f"/talks/{talks}/events", json=batch | {"expected_version": 1})
    assert refused.status_code == 409

    after = value(samples(client), "nt_appended_events_total")

    assert after - before == 4


def test_metrics_report_each_views_lag_in_events(lagging: TestClient) -> None:
    views = {p["name"] for p in lagging.get("/projections").json()}
    assert lagging.post("/talks", json=talks_body()).status_code == 201

    found = samples(lagging)

    assert views
    for view in views:
        assert value(found, "nt_projection_lag_events", view=view) == 1, view
        assert ("nt_projection_position", frozenset({("view", view)})) in found
    assert value(found, "nt_log_head") == 1


# The access log


def test_each_request_is_logged_once_with_its_request_id(
    anonymous: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    given = f"trace-{uuid4().hex}"
    with caplog.at_level(logging.INFO, logger=ACCESS_LOGGER):
        anonymous.get("/healthz", headers={"X-Request-ID": given})
        anonymous.get(f"/talks/{uuid4()}")

    mine = [r for r in caplog.records if getattr(r, "request_id", None) == given]
    assert len(mine) == 1
    record = mine[0]
    assert record.name == ACCESS_LOGGER
    assert (record.method, record.path, record.route, record.status) == (  # type: ignore[attr-defined]
        "GET", "/healthz", "/healthz", 200,
    )  # fmt: skip
    assert record.duration_ms >= 0  # type: ignore[attr-defined]
    others = [r for r in caplog.records if r.name == ACCESS_LOGGER and r is not record]
    assert [r.status for r in others] == [404]  # type: ignore[attr-defined]
    assert others[0].request_id != given  # type: ignore[attr-defined]


@pytest.mark.slow
def test_a_real_server_logs_json_lines_with_the_request_id(
    settings: Settings, tmp_path: Path
) -> None:
    given = f"trace-{uuid4().hex}"
    output = tmp_path / "server.log"
    token = issue_key(settings, "editor", "logs")

    with server_process(settings, output) as server:
        answered = httpx.post(
            server.base_url + "/talks",
            json=talks_body(),
            headers={"X-Request-ID": given, "Authorization": f"Bearer {token}"},
            timeout=20,
        )
        deadline = time.monotonic() + 5
        while given not in output.read_text() and time.monotonic() < deadline:
            time.sleep(0.05)

    assert answered.status_code == 201, answered.text
    assert answered.headers["x-request-id"] == given
    logged = [
        json.loads(line) for line in server.log_lines() if line.startswith("{") and given in line
    ]
    assert len(logged) == 1
    entry = logged[0]
    assert entry["request_id"] == given
    assert entry["logger"] == ACCESS_LOGGER
    assert (entry["method"], entry["path"], entry["route"], entry["status"]) == (
        "POST", "/talks", "/talks", 201,
    )  # fmt: skip
    json_lines = [line for line in server.log_lines() if line.startswith("{")]
    assert all(json.loads(line)["time"] for line in json_lines)
