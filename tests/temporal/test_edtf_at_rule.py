"""The `at` rule for each EDTF form, through the real app: a fact counts from its earliest
possible instant, and a fact open at its start counts at every moment, before its end too."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from tests.temporal.support import append, body, new_talks, state


def consulted(client: TestClient, talks: str, occurred: dict[str, Any]) -> str:
    data = {"party": "Ukraine", "mediator": "Türkiye", "participants": ["A", "B"]}
    return append(client, "talks", talks, body("MediatorConsulted", data, occurred=occurred))


def counted(client: TestClient, talks: str, at: str) -> list[str]:
    return [c["event_id"] for c in state(client, "talks", talks, at=at)["consultations"]]


# (occurred, the last moment it does not count yet or None, the first moment it counts)
FORMS = [
    ({"precision": "edtf", "value": "2025-05-14?"}, "2025-05-13T23:59:59Z", "2025-05-14T00:00:00Z"),
    ({"value": "2025-05-14~"}, "2025-05-13T23:59:59Z", "2025-05-14T00:00:00Z"),
    ({"value": "2025-05-14%"}, "2025-05-13T23:59:59Z", "2025-05-14T00:00:00Z"),
    ({"value": "2025-05-XX"}, "2025-04-30T23:59:59Z", "2025-05-01T00:00:00Z"),
    ({"value": "[2025-05-14,2025-05-20]"}, "2025-05-13T23:59:59Z", "2025-05-14T00:00:00Z"),
    ({"precision": "interval", "value": "2025-05-10/.."}, "2025-05-09T23:59:59Z", "2025-05-10"),
    ({"precision": "interval", "value": "../2025-05-20"}, None, "2025-05-02"),
    (
        {"precision": "day", "value": "2025-05-14", "tz": "Europe/Moscow"},
        "2025-05-13T20:59:59Z",
        "2025-05-13T21:00:00Z",
    ),
]


@pytest.mark.parametrize(("occurred", "before", "from_"), FORMS, ids=[str(f[0]) for f in FORMS])
def test_each_date_form_counts_from_its_earliest_possible_instant(
    client: TestClient, occurred: dict[str, Any], before: str | None, from_: str
) -> None:
    talks = new_talks(client, occurred={"precision": "day", "value": "2025-04-01"})
    call = consulted(client, talks, occurred)

    if before is not None:
        assert call not in counted(client, talks, before)
    assert call in counted(client, talks, from_)
    assert call in counted(client, talks, "2025-07-01")


def test_an_open_start_interval_counts_before_its_end_and_keeps_its_end(
    client: TestClient,
) -> None:
    talks = new_talks(client, occurred={"precision": "day", "value": "2025-05-01"})
    until = consulted(client, talks, {"precision": "interval", "value": "../2025-05-20"})

    assert until in counted(client, talks, "2025-05-05")  # before its end: it may have happened
    (event,) = [e for e in client.get(f"/talks/{talks}/events").json() if e["event_id"] == until]
    assert event["occurred"]["value"] == "../2025-05-20"


def test_next_week_in_a_statement_resolves_to_the_week_after_the_anchor(client: TestClient) -> None:
    talks = new_talks(client)
    call = consulted(
        client, talks, {"wording": "next week", "anchor": "2025-06-01"}
    )  # a bare day: a dateline

    (event,) = [e for e in client.get(f"/talks/{talks}/events").json() if e["event_id"] == call]
    assert event["occurred"]["precision"] == "interval"
    assert event["occurred"]["value"] == "2025-06-02/2025-06-08"


@pytest.mark.parametrize(
    ("occurred", "pointer", "says"),
    [
        (
            {"precision": "edtf", "value": "{2025-05-14,2025-05-15}"},
            "/occurred/value",
            "one of a set",
        ),
        ({"precision": "day", "value": "2025-06-01", "tz": "Mars/Olympus"}, "/occurred/tz", "IANA"),
        ({"wording": "soon", "anchor": "2025-06-01"}, "/occurred/wording", "next week"),
        (
            {"wording": "Sunday", "anchor": "2025-06-01T10:00"},
            "/occurred/anchor",
            "a day, 2025-06-01",
        ),
    ],
)
def test_a_date_we_cannot_read_is_a_422_saying_what_is_accepted(
    client: TestClient, occurred: dict[str, Any], pointer: str, says: str
) -> None:
    talks = new_talks(client)
    data = {"party": "Ukraine", "mediator": "Türkiye", "participants": ["A", "B"]}

    response = client.post(
        f"/talks/{talks}/events", json=body("MediatorConsulted", data, occurred=occurred)
    )

    problem = assert_problem(response, 422, pointer=pointer)
    assert says in problem["detail"]
    assert len(client.get(f"/talks/{talks}/events").json()) == 1  # nothing was written


def test_a_bare_publication_day_is_accepted(client: TestClient) -> None:
    talks = new_talks(client)
    request = body("TalksSuspended", {}, sources=[{"outlet": "Wire", "published_at": "2025-06-02"}])

    append(client, "talks", talks, request)

    assert state(client, "talks", talks)["status"] == "suspended"
