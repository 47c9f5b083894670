"""Control characters (NUL among them): refused at every edge, and never able to halt a view.

PostgreSQL text cannot hold NUL; before this rule, one accepted quote with NUL halted the views
for good there. Runs on both backends (NT_TEST_BACKEND).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any
from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem, event_body, run_cli, source, talks_body

from application.event_input import CreateIn, EventIn, NewEvent, new_event
from application.importer import import_lines
from application.service import TimelineService
from store.settings import Settings


def _talks(client: TestClient) -> str:
    created = client.post("/talks", json=talks_body())
    assert created.status_code == 201, created.text
    return str(created.json()["stream_id"])


def _position(client: TestClient, talks_id: str) -> str:
    body = event_body("PositionTaken", {"talks_id": talks_id, "party": "Ukraine"})
    created = client.post("/positions", json=body)
    assert created.status_code == 201, created.text
    return str(created.json()["stream_id"])


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f\x00"])
def test_a_control_character_in_a_quote_is_refused_with_a_pointer(
    client: TestClient, character: str
) -> None:
    body = talks_body() | {"sources": [source(quote=f"before{character}after")]}
    assert_problem(client.post("/talks", json=body), 422, pointer="/sources/0/quote")


def test_every_kind_of_string_field_refuses_nul(client: TestClient) -> None:
    talks_id = _talks(client)
    position = _position(client, talks_id)
    skeptic = event_body("SkepticismVoiced", {"speaker": "Dmitry\x00Peskov", "about": "talks"})
    cases: list[tuple[str, dict[str, Any], str]] = [
        ("/talks", talks_body("a\x00b"), "/data/title"),
        ("/talks", talks_body(attributed_to="x\x00"), "/attributed_to"),
        ("/talks", talks_body(recorded_by="x\x00"), "/recorded_by"),
        ("/talks", talks_body(sources=[source(outlet="Wire\x00")]), "/sources/0/outlet"),
        ("/talks", talks_body(occurred={"precision": "day", "wording": "Sunday\x00",
                                        "anchor": "2025-06-01T10:00:00Z"}), "/occurred/wording"),
        ("/talks", talks_body() | {"data": {"title": "t", "parties": ["Ukr\x00aine"]}},
         "/data/parties/0"),
        (f"/positions/{position}/events", skeptic, "/data/speaker"),
        ("/keys", {"role": "reader", "name": "me\x00"}, "/name"),
    ]  # fmt: skip
    for path, body, pointer in cases:
        assert_problem(client.post(path, json=body), 422, pointer=pointer)
    assert client.get("/events").json()["events"].__len__() == 2  # nothing half-written


def test_a_control_character_in_a_data_key_is_refused(client: TestClient) -> None:
    talks_id = _talks(client)
    body = event_body("EventCorrected", {"corrects": str(uuid4()), "fields": {"ci\x00ty": "x"},
                                         "reason": "typo"})  # fmt: skip
    assert_problem(client.post(f"/talks/{talks_id}/events", json=body), 422,
                   pointer="/data/fields/ci\x00ty")  # fmt: skip


def test_tab_newline_and_carriage_return_are_kept(client: TestClient) -> None:
    quote = "line one\r\n\tline two"
    created = client.post("/talks", json=talks_body() | {"sources": [source(quote=quote)]})
    assert created.status_code == 201, created.text
    events = client.get(f"/talks/{created.json()['stream_id']}/events").json()
    assert events[0]["sources"][0]["quote"] == quote


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/statements?q=%00", "q"),
        ("/statements?speaker=a%00", "speaker"),
        ("/talks?status=%00", "status"),
        ("/talks?party=%01", "party"),
        ("/timeline?actor=%00", "actor"),
        ("/events/stream?type=%00", "type"),
    ],
)
def test_a_control_character_in_a_query_parameter_is_refused(
    client: TestClient, path: str, parameter: str
) -> None:
    assert_problem(client.get(path), 422, parameter=parameter)


def test_a_control_character_in_a_path_parameter_is_refused(client: TestClient) -> None:
    assert_problem(client.delete("/keys/ab%00cd"), 422, parameter="key_id")


def test_an_import_reports_each_line_with_a_control_character(service: TimelineService) -> None:
    good = talks_body("Clean") | {"kind": "talks", "id": str(uuid4())}
    bad = talks_body("Dirty") | {"kind": "talks", "id": str(uuid4())}
    bad["sources"] = [source(quote="nul\x00here")]
    lines = [json.dumps(good), json.dumps(bad)]
    report = import_lines(service, lines, principal="import:test")
    assert report.appended == 1
    assert [(e.line, e.pointer) for e in report.errors] == [(2, "/sources/0/quote")]
    assert "U+0000" in report.errors[0].reason


def _with_quote(event: NewEvent, quote: str) -> NewEvent:
    """The event as an older release would have accepted it: control characters unchecked."""
    dirty = dataclasses.replace(event.envelope.sources[0], quote=quote)
    return dataclasses.replace(
        event, envelope=dataclasses.replace(event.envelope, sources=(dirty,))
    )


def test_an_event_with_nul_already_stored_does_not_halt_the_views(
    settings: Settings, client: TestClient
) -> None:
    # Written through the service, past the API's check, as an older release stored it.
    service: TimelineService = client.app.state.service  # type: ignore[attr-defined]
    talks = new_event("talks", CreateIn.model_validate(talks_body()))
    talks_id = service.create("talks", _with_quote(talks, "Istanbul\x00 was agreed")).stream_id
    position = service.create(
        "positions",
        new_event(
            "positions",
            CreateIn.model_validate(
                event_body("PositionTaken", {"talks_id": talks_id, "party": "Ukraine"})
            ),
        ),
    ).stream_id
    skeptic = new_event("positions", EventIn.model_validate(event_body(
        "SkepticismVoiced", {"speaker": "Dmitry Peskov", "about": "the talks"})))  # fmt: skip
    dirty = _with_quote(skeptic, "no\x00progress")
    dirty = dataclasses.replace(dirty, data=dirty.data | {"speaker": "Dmi\x00try"})
    head = service.append("positions", UUID(position), [dirty]).position
    statements = client.get("/statements", params={"min_position": head})
    assert statements.status_code == 200, statements.text
    quotes = {s["quote"]: s["speaker"] for s in statements.json()}
    assert quotes["no\ufffdprogress"] == "Dmi\ufffdtry"  # U+FFFD in the derived rows
    assert "Istanbul\ufffd was agreed" in quotes
    views = client.get("/projections").json()
    assert {v["name"]: v["state"] for v in views} == dict.fromkeys(
        [v["name"] for v in views], "running"
    )
    assert client.get("/readyz").status_code == 200
    # The event itself keeps the character, losslessly.
    logged = client.get(f"/talks/{talks_id}/events").json()
    assert logged[0]["sources"][0]["quote"] == "Istanbul\x00 was agreed"
    # A rebuild (offline, from the CLI) gives the same rows.
    before = run_cli("checksum", "statements", settings=settings).stdout
    rebuilt = run_cli("rebuild", settings=settings)
    assert rebuilt.returncode == 0, rebuilt.stderr
    assert run_cli("checksum", "statements", settings=settings).stdout == before


def test_a_failing_view_is_reported_and_rebuild_says_so_in_one_line(
    settings: Settings, client: TestClient
) -> None:
    # A speaker no database column can hold, stored past every check: the handler fails.
    service: TimelineService = client.app.state.service  # type: ignore[attr-defined]
    talks_id = _talks(client)
    position = _position(client, talks_id)
    skeptic = new_event("positions", EventIn.model_validate(event_body(
        "SkepticismVoiced", {"speaker": "Dmitry Peskov", "about": "the talks"})))  # fmt: skip
    broken = dataclasses.replace(skeptic, data=skeptic.data | {"speaker": {"not": "text"}})
    service.append("positions", UUID(position), [broken])
    assert client.get("/statements", params={"min_position": 3}).status_code == 503
    views = {v["name"]: v for v in client.get("/projections").json()}
    assert views["statements"]["state"] == "failed"
    assert "position 3" in views["statements"]["last_error"]
    rebuilt = run_cli("rebuild", "statements", settings=settings)
    assert rebuilt.returncode == 1
    assert "Traceback" not in rebuilt.stderr + rebuilt.stdout
    failures = [line for line in rebuilt.stderr.splitlines() if "failed" in line]
    assert len(failures) == 1, rebuilt.stderr
    assert failures[0].startswith("rebuild failed: statements failed at position 3")
