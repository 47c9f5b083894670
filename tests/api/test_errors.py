"""Every error is an RFC 9457 problem document with the right status, pointer or parameter."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import (
    assert_problem,
    delegation_body,
    event_body,
    position_body,
    read_whole_log,
    round_held,
    round_scheduled,
    source,
    talks_body,
)

UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"


@dataclass(frozen=True)
class Case:
    """One request that must be refused; {talks}, {delegation}, {position}, {unknown} are ids."""

    method: str
    path: str
    status: int
    json: Any = None
    content: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    pointer: str | None = None
    parameter: str | None = None
    slug: str | None = None


@pytest.fixture
def ids(client: TestClient) -> dict[str, str]:
    """One stream of each kind, and an id no stream has."""
    talks = client.post("/talks", json=talks_body()).json()["stream_id"]
    delegation = client.post("/delegations", json=delegation_body(talks)).json()["stream_id"]
    position = client.post("/positions", json=position_body(talks)).json()["stream_id"]
    return {"talks": talks, "delegation": delegation, "position": position, "unknown": UNKNOWN_ID}


def send(client: TestClient, case: Case, ids: dict[str, str]):
    path = case.path.format(**ids)
    json_body = case.json(ids) if callable(case.json) else case.json
    if case.content is not None:
        headers = {"content-type": "application/json", **case.headers}
        return client.request(case.method, path, content=case.content, headers=headers)
    return client.request(case.method, path, json=json_body, headers=case.headers)


def check(client: TestClient, case: Case, ids: dict[str, str]) -> dict:
    before = read_whole_log(client)
    response = send(client, case, ids)
    problem = assert_problem(
        response, case.status, pointer=case.pointer, parameter=case.parameter, slug=case.slug
    )
    assert read_whole_log(client) == before, "a refused request appended something"
    return problem


def with_data(body: dict, **data: Any) -> dict:
    return body | {"data": body["data"] | data}


NOT_FOUND = {
    "unknown-talks": Case("GET", "/talks/{unknown}", 404, slug="not-found"),
    "unknown-delegation": Case("GET", "/delegations/{unknown}", 404, slug="not-found"),
    "unknown-position-events": Case("GET", "/positions/{unknown}/events", 404, slug="not-found"),
    "append-to-unknown": Case("POST", "/talks/{unknown}/events", 404, json=round_held(1)),
    "delegation-under-talks": Case("GET", "/talks/{delegation}", 404, slug="not-found"),
    "delegation-events-under-talks": Case("GET", "/talks/{delegation}/events", 404),
    "append-to-delegation-under-talks": Case(
        "POST", "/talks/{delegation}/events", 404, json=round_held(1)
    ),
    "talks-under-positions": Case("GET", "/positions/{talks}", 404),
    "position-under-delegations-at-a-version": Case(
        "GET", "/delegations/{position}?version=1", 404
    ),
    "unknown-route": Case("GET", "/nowhere", 404, slug="not-found"),
}


@pytest.mark.parametrize("case", NOT_FOUND.values(), ids=NOT_FOUND.keys())
def test_an_unknown_stream_or_one_of_another_kind_is_a_404_problem(
    client: TestClient, ids: dict[str, str], case: Case
) -> None:
    check(client, case, ids)


INVALID_EVENTS = {
    "data-of-the-wrong-type": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, data={"number": "one"}),
        pointer="/data/number",
    ),
    "data-field-missing": Case(
        "POST", "/talks/{talks}/events", 422, json=round_held(1, data={}), pointer="/data/number"
    ),
    "occurred-value-not-a-date": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, occurred={"precision": "day", "value": "2025-13-45"}),
        pointer="/occurred/value",
    ),
    "occurred-value-beside-its-precision": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, occurred={"precision": "month", "value": "2025-06-01"}),
        pointer="/occurred/value",
    ),
    "occurred-anchor-without-offset": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, occurred={"wording": "Sunday", "anchor": "2025-06-01T12:00:00"}),
        pointer="/occurred/anchor",
    ),
    "date-inside-data": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_scheduled(1)
        | {"data": {"number": 1, "city": "Istanbul", "date": {"precision": "day", "value": "x"}}},
        pointer="/data/date/value",
    ),
    "no-sources": Case(
        "POST", "/talks/{talks}/events", 422, json=round_held(1, sources=[]), pointer="/sources"
    ),
    "a-source-without-url-or-outlet": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, sources=[{"quote": "said"}]),
        pointer="/sources/0",
    ),
    "published-at-without-offset": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, sources=[source(published_at="2025-06-01T10:00:00")]),
        pointer="/sources/0/published_at",
    ),
    "unknown-modality": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, modality="rumoured"),
        pointer="/modality",
    ),
    "batch-second-event-data-of-the-wrong-type": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json={"events": [round_held(1), round_held(2, data={"number": "two"})]},
        pointer="/events/1/data/number",
    ),
    "batch-second-event-occurred-value": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json={
            "events": [round_held(1), round_held(2, occurred={"precision": "day", "value": "x"})]
        },
        pointer="/events/1/occurred/value",
    ),
    "batch-second-event-unknown-type": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json={"events": [round_held(1), round_held(2, type="RoundDreamt")]},
        pointer="/events/1/type",
    ),
    "batch-empty": Case(
        "POST", "/talks/{talks}/events", 422, json={"events": []}, pointer="/events"
    ),
    "unknown-event-type": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, type="RoundDreamt"),
        pointer="/type",
    ),
    "round-held-on-a-delegation": Case(
        "POST", "/delegations/{delegation}/events", 422, json=round_held(1), pointer="/type"
    ),
    "delegation-event-on-a-position": Case(
        "POST",
        "/positions/{position}/events",
        422,
        json=event_body("DelegationArrived", {"city": "Istanbul"}),
        pointer="/type",
    ),
    "a-talks-opened-with-another-type": Case(
        "POST",
        "/talks",
        422,
        json=talks_body(type="RoundHeld", data={"number": 1}),
        pointer="/type",
    ),
    "a-creating-type-appended": Case(
        "POST", "/talks/{talks}/events", 422, json=talks_body(), pointer="/type"
    ),
    "a-broken-invariant": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=event_body("RoundPostponed", {"number": 9}),
        pointer="/data/number",
    ),
}


@pytest.mark.parametrize("case", INVALID_EVENTS.values(), ids=INVALID_EVENTS.keys())
def test_an_invalid_event_is_a_422_problem_pointing_at_the_field(
    client: TestClient, ids: dict[str, str], case: Case
) -> None:
    check(client, case, ids)


UNKNOWN_FIELDS = {
    "top-level-on-create": Case(
        "POST", "/talks", 422, json=talks_body(colour="blue"), pointer="/colour"
    ),
    "top-level-on-append": Case(
        "POST", "/talks/{talks}/events", 422, json=round_held(1, colour="blue"), pointer="/colour"
    ),
    "top-level-of-a-batch": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json={"events": [round_held(1)], "colour": "blue"},
        pointer="/colour",
    ),
    "in-a-batch-event": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json={"events": [round_held(1), round_held(2, colour="blue")]},
        pointer="/events/1/colour",
    ),
    "inside-data-on-create": Case(
        "POST", "/talks", 422, json=with_data(talks_body(), colour="blue"), pointer="/data/colour"
    ),
    "inside-data-on-append": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=with_data(round_held(1), colour="blue"),
        pointer="/data/colour",
    ),
    "inside-a-person-in-data": Case(
        "POST",
        "/delegations/{delegation}/events",
        422,
        json=event_body("DelegationHeadNamed", {"head": {"name": "R. Umerov", "rank": "x"}}),
        pointer="/data/head/rank",
    ),
    "inside-occurred": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, occurred={"precision": "unknown", "colour": "blue"}),
        pointer="/occurred/colour",
    ),
    "inside-a-source": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, sources=[source(colour="blue")]),
        pointer="/sources/0/colour",
    ),
}


@pytest.mark.parametrize("case", UNKNOWN_FIELDS.values(), ids=UNKNOWN_FIELDS.keys())
def test_an_unknown_field_is_refused_with_a_pointer_to_it(
    client: TestClient, ids: dict[str, str], case: Case
) -> None:
    check(client, case, ids)


def unknown_talks(ids: dict[str, str]) -> dict:
    return delegation_body(ids["unknown"])


def talks_id_of_a_delegation(ids: dict[str, str]) -> dict:
    return delegation_body(ids["delegation"])


def position_of_a_position(ids: dict[str, str]) -> dict:
    return position_body(ids["position"])


TALKS_REFERENCES = {
    "delegation-for-unknown-talks": Case(
        "POST", "/delegations", 422, json=unknown_talks, pointer="/data/talks_id"
    ),
    "delegation-for-a-delegation": Case(
        "POST", "/delegations", 422, json=talks_id_of_a_delegation, pointer="/data/talks_id"
    ),
    "position-for-a-position": Case(
        "POST", "/positions", 422, json=position_of_a_position, pointer="/data/talks_id"
    ),
    "delegation-without-talks-id": Case(
        "POST",
        "/delegations",
        422,
        json=event_body("DelegationAnnounced", {"party": "Ukraine"}),
        pointer="/data/talks_id",
    ),
    "position-with-a-talks-id-not-a-uuid": Case(
        "POST",
        "/positions",
        422,
        json=event_body("PositionTaken", {"talks_id": "istanbul", "party": "Ukraine"}),
        pointer="/data/talks_id",
    ),
}


@pytest.mark.parametrize("case", TALKS_REFERENCES.values(), ids=TALKS_REFERENCES.keys())
def test_a_delegation_or_position_needs_an_existing_talks(
    client: TestClient, ids: dict[str, str], case: Case
) -> None:
    check(client, case, ids)


BAD_REQUESTS = {
    "if-match-not-a-number": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1),
        headers={"If-Match": "abc"},
        parameter="If-Match",
    ),
    "if-match-negative": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1),
        headers={"If-Match": "-1"},
        parameter="If-Match",
    ),
    "negative-expected-version": Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json=round_held(1, expected_version=-1),
        pointer="/expected_version",
    ),
    "as-of-without-time-zone": Case(
        "GET", "/talks/{talks}?as_of=2025-06-01T12:00:00", 422, parameter="as_of"
    ),
    "as-of-not-a-time": Case("GET", "/talks/{talks}?as_of=yesterday", 422, parameter="as_of"),
    "version-zero": Case("GET", "/talks/{talks}?version=0", 422, parameter="version"),
    "version-not-a-number": Case("GET", "/talks/{talks}?version=two", 422, parameter="version"),
    "stream-id-not-a-uuid": Case("GET", "/talks/istanbul", 422, parameter="stream_id"),
    "log-limit-zero": Case("GET", "/events?limit=0", 422, parameter="limit"),
    "log-limit-too-large": Case("GET", "/events?limit=100000", 422, parameter="limit"),
    "log-after-negative": Case("GET", "/events?after=-1", 422, parameter="after"),
    "body-not-an-object": Case("POST", "/talks/{talks}/events", 422, json=[round_held(1)]),
    "no-body": Case("POST", "/talks", 422),
    "malformed-json-on-create": Case(
        "POST", "/talks", 400, content=b'{"type": "TalksProposed",', slug="malformed-json"
    ),
    "malformed-json-on-append": Case(
        "POST", "/talks/{talks}/events", 400, content=b"{not json}", slug="malformed-json"
    ),
    "method-not-allowed": Case("DELETE", "/talks/{talks}", 405),
}


@pytest.mark.parametrize("case", BAD_REQUESTS.values(), ids=BAD_REQUESTS.keys())
def test_a_malformed_request_is_a_4xx_problem(
    client: TestClient, ids: dict[str, str], case: Case
) -> None:
    check(client, case, ids)


def test_a_422_lists_every_error_of_the_data(client: TestClient, ids: dict[str, str]) -> None:
    body = event_body("TalksProposed", {"title": 7, "parties": "Ukraine"})

    problem = check(client, Case("POST", "/talks", 422, json=body), ids)

    assert {e["pointer"] for e in problem["errors"]} == {"/data/title", "/data/parties"}
    assert problem["pointer"] in {"/data/title", "/data/parties"}


def test_a_version_conflict_is_a_409_problem_with_the_current_version(
    client: TestClient, ids: dict[str, str]
) -> None:
    case = Case(
        "POST",
        "/talks/{talks}/events",
        409,
        json=round_held(1),
        headers={"If-Match": "7"},
        slug="version-conflict",
    )

    problem = check(client, case, ids)

    assert problem["current_version"] == 1


def test_reusing_an_event_id_is_a_422_pointing_at_it_and_appends_nothing(
    client: TestClient, ids: dict[str, str]
) -> None:
    event_id = "00000000-0000-4000-8000-0000000000e7"
    path = f"/talks/{ids['talks']}/events"
    assert client.post(path, json=round_held(1, event_id=event_id)).status_code == 201
    before = read_whole_log(client)

    again = client.post(path, json=round_held(2, event_id=event_id))

    assert_problem(again, 422, pointer="/event_id")
    assert read_whole_log(client) == before


EXTREMES = {
    "version-beyond-64-bits": "/talks/{talks}?version=99999999999999999999",
    "after-beyond-64-bits": "/events?after=99999999999999999999",
    "as-of-at-the-end-of-the-calendar": "/talks/{talks}?as_of=9999-12-31T23:59:59-12:00",
    "as-of-at-the-start-of-the-calendar": "/talks/{talks}?as_of=0001-01-01T00:00:00%2B14:00",
}


@pytest.mark.parametrize("path", EXTREMES.values(), ids=EXTREMES.keys())
def test_extreme_query_values_are_answered_never_a_500(
    client: TestClient, ids: dict[str, str], path: str
) -> None:
    response = client.get(path.format(**ids))

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    "body",
    [
        round_held(10**30),
        round_held(1, expected_version=10**30),
        round_held(1, data={"number": 1, "city": "nul\u0000byte"}),
        round_held(1, attributed_to="x" * 501),
        round_held(1, sources=[source()] * 21),
        {"events": [round_held(i) for i in range(1, 502)]},
    ],
    ids=[
        "huge-number",
        "huge-expected-version",
        "nul-byte",
        "long-text",
        "many-sources",
        "batch-too-long",
    ],
)
def test_odd_bodies_are_answered_never_a_500(
    client: TestClient, ids: dict[str, str], body: dict
) -> None:
    response = client.post(f"/talks/{ids['talks']}/events", json=body)

    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_problem(response, response.status_code)


@pytest.mark.parametrize(
    ("second", "pointer"),
    [
        (round_held(1), "/events/1/data/number"),
        (round_held(2, sources=[{"quote": "said"}]), "/events/1/sources/0"),
    ],
    ids=["round-held-twice", "source-without-url-or-outlet"],
)
def test_an_error_in_a_batch_found_by_the_aggregate_points_into_the_batch(
    client: TestClient, ids: dict[str, str], second: dict, pointer: str
) -> None:
    case = Case(
        "POST",
        "/talks/{talks}/events",
        422,
        json={"events": [round_held(1), second]},
        pointer=pointer,
    )

    check(client, case, ids)
