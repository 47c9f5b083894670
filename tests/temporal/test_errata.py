"""Errata (SourceErrorNoted): a source of an event erred; the event's value stands, the stream,
its views and its exports show the erratum beside the event."""

from __future__ import annotations

import csv
import io
import json
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.importer import import_lines
from application.service import TimelineService
from tests.temporal.support import (
    append,
    body,
    correction,
    fact,
    get_list,
    new_talks,
    retraction,
    settle,
    state,
    stream_events,
)

WIRE = "https://example.org/news/first-report"


def erratum(target: str, **data: Any) -> dict[str, Any]:
    """A SourceErrorNoted body for ``target``."""
    return body(
        "SourceErrorNoted",
        {"event": target, "error": "named Ankara as the venue", **data},
    )


def scheduled(client: TestClient) -> tuple[str, str]:
    talks = new_talks(client)
    sources = [{"url": WIRE, "outlet": "Example Wire", "quote": "talks in Istanbul"}]
    data = {"number": 1, "city": "Istanbul"}
    return talks, fact(client, "talks", talks, "RoundScheduled", data, sources=sources)


def test_an_erratum_leaves_the_value_and_lists_itself_in_the_state(client: TestClient) -> None:
    talks, round_id = scheduled(client)

    noted = append(
        client,
        "talks",
        talks,
        erratum(round_id, source_index=0, field="city", reason="the wire corrected itself"),
    )

    found = state(client, "talks", talks)
    assert found["rounds"][0]["city"] == "Istanbul"
    assert "corrected" not in found
    assert found["errata"] == [
        {
            "event": round_id,
            "source_index": 0,
            "field": "city",
            "error": "named Ankara as the venue",
            "reason": "the wire corrected itself",
            "event_id": noted,
        }
    ]


def test_the_timeline_and_the_statements_show_the_erratum_beside_its_event(
    client: TestClient,
) -> None:
    talks, round_id = scheduled(client)
    noted = append(client, "talks", talks, erratum(round_id, field="city"))
    settle(client)

    entries = {e["event_id"]: e for e in get_list(client, f"/talks/{talks}/timeline")}
    assert [e["event_id"] for e in entries[round_id]["errata"]] == [noted]
    assert entries[round_id]["errata"][0]["field"] == "city"
    assert entries[noted]["refers_to"] == round_id
    assert entries[noted]["type"] == "SourceErrorNoted"
    quotes = [
        q for q in get_list(client, "/statements", talks_id=talks) if q["event_id"] == round_id
    ]
    assert [e["event_id"] for e in quotes[0]["errata"]] == [noted]


def test_a_retracted_erratum_is_no_longer_shown(client: TestClient) -> None:
    talks, round_id = scheduled(client)
    noted = append(client, "talks", talks, erratum(round_id))
    append(client, "talks", talks, retraction(noted))
    settle(client)

    assert "errata" not in state(client, "talks", talks)
    entries = {e["event_id"]: e for e in get_list(client, f"/talks/{talks}/timeline")}
    assert entries[round_id]["errata"] == []


def test_an_erratum_may_be_corrected(client: TestClient) -> None:
    talks, round_id = scheduled(client)
    noted = append(client, "talks", talks, erratum(round_id, field="venue"))
    append(client, "talks", talks, correction(noted, fields={"field": "city"}))

    assert state(client, "talks", talks)["errata"][0]["field"] == "city"


@pytest.mark.parametrize("target", ["unknown", "other stream", "correction", "erratum"])
def test_an_erratum_points_at_an_original_event_of_its_stream(
    client: TestClient, target: str
) -> None:
    talks, round_id = scheduled(client)
    other, elsewhere = scheduled(client)
    fix = append(client, "talks", talks, correction(round_id, fields={"city": "Izmir"}))
    noted = append(client, "talks", talks, erratum(round_id))
    before = len(stream_events(client, "talks", talks))
    pointed = {
        "unknown": "00000000-0000-4000-8000-0000000000aa",
        "other stream": elsewhere,
        "correction": fix,
        "erratum": noted,
    }[target]

    response = client.post(f"/talks/{talks}/events", json=erratum(pointed))

    assert_problem(response, 422, pointer="/data/event")
    assert len(stream_events(client, "talks", talks)) == before
    assert len(stream_events(client, "talks", other)) == 2


def test_an_erratum_without_its_error_is_refused(client: TestClient) -> None:
    talks, round_id = scheduled(client)
    request = body("SourceErrorNoted", {"event": round_id})

    response = client.post(f"/talks/{talks}/events", json=request)

    assert_problem(response, 422, pointer="/data/error")
    assert len(stream_events(client, "talks", talks)) == 2


def test_exports_note_the_erratum_beside_its_event(client: TestClient) -> None:
    talks, round_id = scheduled(client)
    noted = append(client, "talks", talks, erratum(round_id, source_index=0, field="city"))

    text = client.get(f"/talks/{talks}/export", params={"format": "csv"}).text
    rows = {row["event_id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert noted not in rows  # not a fact of the talks
    assert (
        "Erratum: source (Example Wire) erred on the city: named Ankara" in rows[round_id]["notes"]
    )
    slides = client.get(f"/talks/{talks}/export", params={"format": "timelinejs"}).json()
    assert any("Erratum: source (Example Wire)" in s["text"]["text"] for s in slides["events"])
    lines = client.get(f"/talks/{talks}/export", params={"format": "cloudevents"}).text
    events = [json.loads(line) for line in lines.splitlines()]
    carried = next(e for e in events if e["id"] == noted)
    assert carried["type"] == "org.negotiation-timeline.SourceErrorNoted.v1"
    assert carried["data"]["data"]["event"] == round_id


def test_the_source_index_is_a_count(client: TestClient) -> None:
    talks, round_id = scheduled(client)

    response = client.post(f"/talks/{talks}/events", json=erratum(round_id, source_index=-1))

    assert_problem(response, 422, pointer="/data/source_index")


def test_an_erratum_names_one_of_its_events_sources(client: TestClient) -> None:
    talks, round_id = scheduled(client)  # one source

    response = client.post(f"/talks/{talks}/events", json=erratum(round_id, source_index=1))

    assert_problem(response, 422, pointer="/data/source_index")
    assert len(stream_events(client, "talks", talks)) == 2


def test_an_import_checks_an_erratum_against_its_event_earlier_in_the_file(
    service: TimelineService,
) -> None:
    talks, round_id = "5e1ec7ed-0000-4000-8000-0000000000c1", "5e1ec7ed-0000-4000-8000-0000000000c2"

    def line(event_id: str, event_type: str, data: dict[str, Any]) -> str:
        return json.dumps(
            {"stream_id": talks, "event_id": event_id, "type": event_type, "data": data,
             "occurred": {"precision": "day", "value": "2025-06-02"},
             "sources": [{"outlet": "Test Wire"}]}
        )  # fmt: skip

    def file(source_index: int) -> list[str]:
        return [
            line("5e1ec7ed-0000-4000-8000-0000000000c0", "TalksProposed",
                 {"title": "Imported", "parties": ["Ukraine", "Russia"]}),
            line(round_id, "RoundScheduled", {"number": 1, "city": "Istanbul"}),
            line("5e1ec7ed-0000-4000-8000-0000000000c3", "SourceErrorNoted",
                 {"event": round_id, "error": "gave Ankara", "source_index": source_index}),
        ]  # fmt: skip

    bad = import_lines(service, file(3), principal="import:x")
    assert [(e.line, e.pointer) for e in bad.errors] == [(3, "/data/source_index")]

    good = import_lines(service, file(0), principal="import:x")
    assert good.errors == []
    assert [e["error"] for e in service.state("talks", UUID(talks))["errata"]] == ["gave Ankara"]
