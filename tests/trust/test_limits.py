"""Limits: body size (413), batch size, text length and page size (422), stated in OpenAPI too."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from helpers import PROBLEM_JSON, assert_problem, mediator_role, read_whole_log, talks_body

from api.app import create_app
from store.settings import Settings
from trust.trust_support import issue_key, server_process

SMALL_LIMIT = 2048
MAX_BATCH = 500
MAX_TEXT = 500
MAX_QUOTE = 10_000
MAX_PAGE = 1000


def padded_talks(size: int) -> dict[str, Any]:
    """A valid TalksProposed body whose JSON is exactly ``size`` bytes (a long quote)."""
    body = talks_body()
    body["sources"] = [{"outlet": "Test Wire", "quote": "q"}]
    base = len(httpx.Request("POST", "/", json=body).content)
    body["sources"][0]["quote"] = "q" * (size - base + 1)  # the base has one "q" already
    return body


def assert_too_large(response: httpx.Response) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM_JSON
    problem = response.json()
    assert problem["status"] == 413
    assert problem["type"] == "urn:negotiation-timeline:problem:body-too-large"
    assert problem["title"]
    assert str(SMALL_LIMIT) in problem["detail"]


@pytest.fixture
def small(settings: Settings, admin_token: str) -> Iterator[TestClient]:
    """The app with NT_MAX_BODY_BYTES=2048, as an admin."""
    limited = settings.model_copy(update={"max_body_bytes": SMALL_LIMIT})
    headers = {"Authorization": f"Bearer {admin_token}"}
    with TestClient(
        create_app(limited), raise_server_exceptions=False, headers=headers
    ) as test_client:
        yield test_client


@pytest.fixture
def talks(client: TestClient) -> str:
    created = client.post("/talks", json=talks_body())
    assert created.status_code == 201, created.text
    return str(created.json()["stream_id"])


# Body size


def test_the_padded_bodies_have_the_size_they_claim() -> None:
    for size in (1000, SMALL_LIMIT, 5000):
        assert len(httpx.Request("POST", "/", json=padded_talks(size)).content) == size


def test_a_body_over_the_limit_with_content_length_is_413_and_appends_nothing(
    small: TestClient,
) -> None:
    response = small.post("/talks", json=padded_talks(SMALL_LIMIT + 1))

    assert int(response.request.headers["content-length"]) == SMALL_LIMIT + 1
    assert_too_large(response)
    assert small.get("/events").json()["head"] == 0


def test_a_body_just_within_the_limit_is_accepted(small: TestClient) -> None:
    response = small.post("/talks", json=padded_talks(SMALL_LIMIT))

    assert int(response.request.headers["content-length"]) == SMALL_LIMIT
    assert response.status_code == 201, response.text


def test_a_body_over_the_limit_is_413_even_without_a_key(settings: Settings) -> None:
    limited = settings.model_copy(update={"max_body_bytes": SMALL_LIMIT})
    with TestClient(create_app(limited), raise_server_exceptions=False) as anonymous:
        assert_too_large(anonymous.post("/talks", json=padded_talks(5000)))


def test_a_413_is_a_whole_problem_naming_the_request_it_refuses_as_its_instance(
    small: TestClient,
) -> None:
    path = "/talks/00000000-0000-4000-8000-000000000413/events"
    oversized = httpx.Request("POST", "/", json=padded_talks(SMALL_LIMIT + 1)).content

    declared = small.post(path, content=oversized)
    streamed = small.post(path, content=chunks(oversized))

    assert "content-length" not in streamed.request.headers
    for response in (declared, streamed):
        problem = assert_problem(response, 413, slug="body-too-large")
        assert problem["instance"] == path


def chunks(body: bytes, size: int = 512) -> Iterator[bytes]:
    for start in range(0, len(body), size):
        yield body[start : start + size]


@pytest.mark.slow
def test_through_a_real_server_a_body_over_the_limit_is_413_chunked_or_not(
    settings: Settings, tmp_path: Path
) -> None:
    token = issue_key(settings, "admin", "limits")
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    big = httpx.Request("POST", "/", json=padded_talks(4 * SMALL_LIMIT)).content
    fits = httpx.Request("POST", "/", json=padded_talks(SMALL_LIMIT // 2)).content

    with (
        server_process(
            settings, tmp_path / "server.log", env={"NT_MAX_BODY_BYTES": str(SMALL_LIMIT)}
        ) as server,
        httpx.Client(base_url=server.base_url, headers=headers, timeout=20) as http,
    ):
        declared = http.post("/talks", content=big)
        chunked = http.post("/talks", content=chunks(big))
        small_chunked = http.post("/talks", content=chunks(fits))
        head = http.get("/events").json()["head"]

    assert "content-length" not in chunked.request.headers
    assert chunked.request.headers["transfer-encoding"] == "chunked"
    assert_too_large(declared)
    assert_too_large(chunked)
    assert small_chunked.status_code == 201, small_chunked.text
    assert head == 1


# Batch size and text length


def test_a_batch_over_500_events_is_422_pointing_at_events(client: TestClient, talks: str) -> None:
    batch = {"events": [mediator_role(f"Mediator {i}") for i in range(MAX_BATCH + 1)]}

    response = client.post(f"/talks/{talks}/events", json=batch)

    assert_problem(response, 422, pointer="/events")
    assert len(read_whole_log(client)) == 1


def test_a_batch_of_exactly_500_events_is_appended(client: TestClient, talks: str) -> None:
    batch = {"events": [mediator_role(f"Mediator {i}") for i in range(MAX_BATCH)]}

    response = client.post(f"/talks/{talks}/events", json=batch)

    assert response.status_code == 201, response.text
    assert response.json()["version"] == 1 + MAX_BATCH
    assert len(read_whole_log(client)) == 1 + MAX_BATCH


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (talks_body(title="t" * (MAX_TEXT + 1)), "/data/title"),
        (talks_body() | {"attributed_to": "a" * (MAX_TEXT + 1)}, "/attributed_to"),
        (talks_body() | {"sources": [{"outlet": "o" * (MAX_TEXT + 1)}]}, "/sources/0/outlet"),
        (talks_body() | {"sources": [{"quote": "q" * (MAX_QUOTE + 1)}]}, "/sources/0/quote"),
    ],
    ids=["data", "envelope", "source", "quote"],
)
def test_a_text_over_its_limit_is_422_pointing_at_it(
    client: TestClient, body: dict[str, Any], pointer: str
) -> None:
    response = client.post("/talks", json=body)

    assert_problem(response, 422, pointer=pointer)
    assert client.get("/events").json()["head"] == 0


def test_texts_at_their_limits_are_accepted(client: TestClient) -> None:
    body = talks_body(title="t" * MAX_TEXT) | {
        "attributed_to": "a" * MAX_TEXT,
        "sources": [{"outlet": "o" * MAX_TEXT, "quote": "q" * MAX_QUOTE}],
    }

    response = client.post("/talks", json=body)

    assert response.status_code == 201, response.text


def test_a_string_over_500_chars_inside_a_batch_points_at_its_event(
    client: TestClient, talks: str
) -> None:
    batch = {"events": [mediator_role("Qatar"), mediator_role("m" * (MAX_TEXT + 1))]}

    response = client.post(f"/talks/{talks}/events", json=batch)

    assert_problem(response, 422, pointer="/events/1/data/mediator")


# Page size


@pytest.mark.parametrize("path", ["/events", "/timeline", "/statements", "/talks"])
def test_a_page_over_1000_entries_is_422_naming_the_limit_parameter(
    client: TestClient, path: str
) -> None:
    too_many = client.get(path, params={"limit": MAX_PAGE + 1})
    most = client.get(path, params={"limit": MAX_PAGE})

    assert_problem(too_many, 422, parameter="limit")
    assert most.status_code == 200, most.text


# The OpenAPI document states them


@pytest.fixture
def openapi(client: TestClient) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def test_the_openapi_document_states_the_batch_limit(openapi: dict[str, Any]) -> None:
    events = openapi["components"]["schemas"]["BatchAppendIn"]["properties"]["events"]

    assert events["maxItems"] == MAX_BATCH
    assert events["minItems"] == 1


def text_limits(schema: dict[str, Any]) -> dict[str, int]:
    """maxLength of each string property (directly or inside anyOf)."""
    found = {}
    for name, prop in schema["properties"].items():
        for option in [prop, *prop.get("anyOf", [])]:
            if option.get("type") == "string" and "maxLength" in option:
                found[name] = option["maxLength"]
    return found


def test_the_openapi_document_states_the_text_limits(openapi: dict[str, Any]) -> None:
    schemas = openapi["components"]["schemas"]

    event = text_limits(schemas["EventIn"])
    source = text_limits(schemas["SourceIn"])
    occurred = text_limits(schemas["OccurrenceIn"])

    assert event == {"type": MAX_TEXT, "attributed_to": MAX_TEXT, "recorded_by": MAX_TEXT}
    assert source == {
        "url": MAX_TEXT, "outlet": MAX_TEXT, "published_at": MAX_TEXT, "quote": MAX_QUOTE,
    }  # fmt: skip
    assert set(occurred.values()) == {MAX_TEXT}
    assert schemas["EventIn"]["properties"]["sources"]["maxItems"] == 20


@pytest.mark.parametrize(
    "path", ["/events", "/timeline", "/statements", "/talks", "/talks/{talks_id}/timeline"]
)
def test_the_openapi_document_states_the_page_limit(openapi: dict[str, Any], path: str) -> None:
    parameters = {p["name"]: p for p in openapi["paths"][path]["get"]["parameters"]}

    assert parameters["limit"]["schema"]["maximum"] == MAX_PAGE
    assert parameters["limit"]["schema"]["minimum"] == 1


def test_the_openapi_document_states_the_body_limit_and_its_413(openapi: dict[str, Any]) -> None:
    create = openapi["paths"]["/talks"]["post"]

    assert "413" in create["responses"]
    assert PROBLEM_JSON in create["responses"]["413"]["content"]
    assert "NT_MAX_BODY_BYTES" in openapi["info"]["description"]
