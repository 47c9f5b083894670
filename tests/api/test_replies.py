"""Replies (``in_reply_to`` in the envelope): an event answers one recorded in its own Talks
family; the log, the timeline and the statements show the link; imports and CloudEvents keep it."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from helpers import assert_problem

from application.exports import load_family, render
from application.importer import import_lines
from application.service import TimelineService
from store.settings import Settings
from tests.exports.export_support import fresh_store, service_on
from tests.temporal.support import append, body, create, get_list, new_talks, settle
from tests.temporal.support import stream_events as events_of

UNKNOWN = "00000000-0000-4000-8000-0000000000ab"


def a_family(client: TestClient) -> tuple[str, str, str]:
    """A Talks with a proposal made on it and a Russian position; their ids."""
    talks = new_talks(client)
    proposal = append(
        client, "talks", talks, body("RoundScheduled", {"number": 1, "city": "Istanbul"})
    )
    position = create(
        client, "positions", body("PositionTaken", {"talks_id": talks, "party": "Russia"})
    )
    return talks, proposal, position


def reply(**data: Any) -> dict[str, Any]:
    return body(
        "StatementMade",
        {"speaker": "Dmitry Peskov", "subject": "the round in Istanbul", **data},
        sources=[{"outlet": "TASS", "quote": "we will be there"}],
    )


def test_a_reply_to_an_event_of_its_talks_family_is_linked_in_every_view(
    client: TestClient,
) -> None:
    talks, scheduled, position = a_family(client)

    answer = append(client, "positions", position, reply() | {"in_reply_to": scheduled})
    settle(client)

    (logged,) = [e for e in events_of(client, "positions", position) if e["event_id"] == answer]
    assert logged["in_reply_to"] == scheduled
    entries = {e["event_id"]: e for e in get_list(client, f"/talks/{talks}/timeline")}
    assert entries[answer]["in_reply_to"] == scheduled
    assert entries[scheduled]["in_reply_to"] is None
    quotes = {q["event_id"]: q for q in get_list(client, "/statements", talks_id=talks)}
    assert quotes[answer]["in_reply_to"] == scheduled
    assert quotes[scheduled]["in_reply_to"] is None


def test_an_event_that_replies_to_nothing_keeps_its_shape_in_the_log(client: TestClient) -> None:
    talks_events = events_of(client, "talks", new_talks(client))

    assert "in_reply_to" not in talks_events[0]


def test_a_reply_to_an_unknown_event_is_refused_and_nothing_written(client: TestClient) -> None:
    _, _, position = a_family(client)

    response = client.post(f"/positions/{position}/events", json=reply() | {"in_reply_to": UNKNOWN})

    assert_problem(response, 422, pointer="/in_reply_to")
    assert len(events_of(client, "positions", position)) == 1


def test_a_reply_to_an_event_of_another_talks_is_refused(client: TestClient) -> None:
    _, elsewhere, _ = a_family(client)
    _, _, position = a_family(client)

    response = client.post(
        f"/positions/{position}/events", json=reply() | {"in_reply_to": elsewhere}
    )

    assert_problem(response, 422, pointer="/in_reply_to")
    assert len(events_of(client, "positions", position)) == 1


def test_a_reply_that_is_no_event_id_is_refused_at_its_member(client: TestClient) -> None:
    _, _, position = a_family(client)

    response = client.post(
        f"/positions/{position}/events", json=reply() | {"in_reply_to": "the proposal"}
    )

    assert_problem(response, 422, pointer="/in_reply_to")


def test_a_new_position_may_open_in_reply_to_an_event_of_its_talks(client: TestClient) -> None:
    talks, scheduled, _ = a_family(client)
    request = body("PositionTaken", {"talks_id": talks, "party": "Ukraine"})

    opened = create(client, "positions", request | {"in_reply_to": scheduled})

    assert events_of(client, "positions", opened)[0]["in_reply_to"] == scheduled


def _line(stream: str, event_id: str, event_type: str, data: dict[str, Any], **more: Any) -> str:
    return json.dumps(
        {
            "stream_id": stream,
            "event_id": event_id,
            "type": event_type,
            "data": data,
            "occurred": {"precision": "day", "value": "2025-06-02"},
            "sources": [{"outlet": "Test Wire"}],
            **more,
        }
    )


TALKS = "5e1ec7ed-0000-4000-8000-0000000000a1"
POSITION = "5e1ec7ed-0000-4000-8000-0000000000a2"
ROUND = "5e1ec7ed-0000-4000-8000-0000000000a3"
ANSWER = "5e1ec7ed-0000-4000-8000-0000000000a4"


def family_file(**answer: Any) -> list[str]:
    return [
        _line(TALKS, "5e1ec7ed-0000-4000-8000-0000000000a0", "TalksProposed",
              {"title": "Imported", "parties": ["Ukraine", "Russia"]}),
        _line(TALKS, ROUND, "RoundScheduled", {"number": 1, "city": "Istanbul"}),
        _line(POSITION, "5e1ec7ed-0000-4000-8000-0000000000a5", "PositionTaken",
              {"talks_id": TALKS, "party": "Russia"}),
        _line(POSITION, ANSWER, "StatementMade", {"speaker": "Peskov"},
              **({"in_reply_to": ROUND} | answer)),
    ]  # fmt: skip


def test_an_import_takes_a_reply_to_an_event_earlier_in_the_file_and_refuses_an_unknown_one(
    service: TimelineService,
) -> None:
    bad = import_lines(service, family_file(in_reply_to=UNKNOWN), principal="import:x")
    assert [(e.line, e.pointer) for e in bad.errors] == [(4, "/in_reply_to")]
    assert service.target(UUID(ANSWER)) is None

    good = import_lines(service, family_file(), principal="import:x")
    assert good.errors == []
    (answer,) = [
        e for e in service.stream_events("positions", UUID(POSITION)) if e["event_id"] == ANSWER
    ]
    assert answer["in_reply_to"] == ROUND


def test_cloudevents_carry_the_reply_into_a_fresh_store(
    service: TimelineService, settings: Settings, tmp_path: Path
) -> None:
    import_lines(service, family_file(), principal="import:x")

    text = render(load_family(service, UUID(TALKS)), "cloudevents")
    carried = [json.loads(line) for line in text.splitlines()]
    (answer,) = [c for c in carried if c["id"] == ANSWER]
    assert answer["data"]["envelope"]["in_reply_to"] == ROUND

    with fresh_store(settings, tmp_path) as fresh, service_on(fresh) as target:
        report = import_lines(target, text.splitlines(), principal="import:test")
        assert report.errors == []
        events = target.stream_events("positions", UUID(POSITION))
        assert [e.get("in_reply_to") for e in events] == [None, ROUND]


def test_csv_notes_and_timelinejs_slides_say_what_a_reply_answers(client: TestClient) -> None:
    talks, scheduled, position = a_family(client)
    answer = append(client, "positions", position, reply() | {"in_reply_to": scheduled})

    text = client.get(f"/talks/{talks}/export", params={"format": "csv"}).text
    rows = {row["event_id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert "In reply to: Round 1 scheduled in Istanbul" in rows[answer]["notes"]
    assert "In reply to" not in rows[scheduled]["notes"]
    slides = client.get(f"/talks/{talks}/export", params={"format": "timelinejs"}).json()
    texts = [s["text"]["text"] for s in slides["events"]]
    assert sum("In reply to: Round 1" in t for t in texts) == 1
