"""Corrections and retractions: visible from their record time on, validated, the original kept."""

from __future__ import annotations

import threading
import time
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.event_input import CreateIn, EventIn, new_event
from application.service import TimelineService
from projections.projector import Projector
from projections.registry import all_views
from tests.temporal.support import (
    append,
    body,
    correction,
    create,
    day,
    fact,
    get_list,
    head,
    just_before,
    new_talks,
    recorded_at,
    retraction,
    state,
    stream_events,
)


def scheduled_in_istanbul(client: TestClient) -> tuple[str, str]:
    talks = new_talks(client)
    return talks, fact(client, "talks", talks, "RoundScheduled", {"number": 1, "city": "Istanbul"})


def test_a_corrected_field_shows_from_the_corrections_record_time_on(client: TestClient) -> None:
    talks, round_id = scheduled_in_istanbul(client)
    fix = append(client, "talks", talks, correction(round_id, fields={"city": "Ankara"}))
    when = recorded_at(client, "talks", talks, fix)

    before = state(client, "talks", talks, as_of=just_before(when))
    assert before["rounds"][0]["city"] == "Istanbul"
    assert "corrected" not in before
    for known in (state(client, "talks", talks, as_of=when), state(client, "talks", talks)):
        assert known["rounds"][0]["city"] == "Ankara"
        assert known["corrected"] == [{"event_id": round_id, "corrected_by": [fix]}]


def test_a_corrected_date_moves_the_fact_only_from_the_corrections_record_time_on(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    data = {"party": "Ukraine", "mediator": "Türkiye", "participants": ["A", "B"]}
    call = fact(client, "talks", talks, "MediatorConsulted", data, occurred=day("2025-06-05"))
    fix = append(client, "talks", talks, correction(call, occurred=day("2025-06-02")))
    before = just_before(recorded_at(client, "talks", talks, fix))

    def calls(**params: str) -> list[str]:
        return [c["event_id"] for c in state(client, "talks", talks, **params)["consultations"]]

    assert calls(at="2025-06-03") == [call]
    assert calls(at="2025-06-01") == []
    assert calls(at="2025-06-03", as_of=before) == []  # then dated 5 June
    assert calls(at="2025-06-05", as_of=before) == [call]
    assert "corrected" not in state(client, "talks", talks, at="2025-06-05", as_of=before)
    assert state(client, "talks", talks, at="2025-06-03")["corrected"] == [
        {"event_id": call, "corrected_by": [fix]}
    ]


def test_a_retraction_removes_the_fact_now_but_not_as_of_before_it(client: TestClient) -> None:
    talks = new_talks(client)
    data = {"title": "Memo", "from_party": "Russia", "to_party": "Ukraine"}
    memo = fact(client, "talks", talks, "DocumentExchanged", data)
    retracted = append(client, "talks", talks, retraction(memo))
    before = just_before(recorded_at(client, "talks", talks, retracted))

    now = state(client, "talks", talks)
    assert now["documents"] == []
    assert now["retracted"] == [{"event_id": memo, "retracted_by": retracted}]
    then = state(client, "talks", talks, as_of=before)
    assert [d["event_id"] for d in then["documents"]] == [memo]
    assert "retracted" not in then


HEAD = {"name": "Rustem Umerov", "title": "Defense Minister"}
KINDS = [  # kind, creating type, what to correct (None: the creating event), fields, state key, value
    ("talks", None, None, {"title": "Corrected title"}, "title", "Corrected title"),
    ("delegations", "DelegationAnnounced", ("DelegationHeadNamed", {"head": {"name": "Rustem Umerov"}}), {"head": HEAD}, "head", HEAD),
    ("positions", "PositionTaken", ("DemandMade", {"demand": "a truce"}), {"demand": "a ceasefire"}, "demands", ["a ceasefire"]),
]  # fmt: skip


def opened(client: TestClient, talks: str, kind: str, opens: Any, target: Any) -> tuple[str, str]:
    """A stream of the family (the Talks itself if ``opens`` is None) and the event to correct."""
    data = {"talks_id": talks, "party": "Ukraine"}
    stream = create(client, kind, body(opens, data)) if opens else talks
    if target is None:
        return stream, stream_events(client, kind, stream)[0]["event_id"]
    return stream, fact(client, kind, stream, *target)


@pytest.mark.parametrize(
    ("kind", "opens", "target", "fields", "key", "expected"), KINDS, ids=[k[0] for k in KINDS]
)
def test_corrections_work_on_every_kind_of_stream(
    client: TestClient, kind: str, opens: Any, target: Any, fields: Any, key: str, expected: Any
) -> None:
    talks = new_talks(client)
    stream, corrected = opened(client, talks, kind, opens, target)
    original = state(client, kind, stream)[key]
    fix = append(client, kind, stream, correction(corrected, fields=fields))

    now = state(client, kind, stream)
    assert now[key] == expected != original
    assert now["corrected"] == [{"event_id": corrected, "corrected_by": [fix]}]
    before = just_before(recorded_at(client, kind, stream, fix))
    assert state(client, kind, stream, as_of=before)[key] == original


def test_a_correction_naming_a_field_the_target_has_not_is_refused(client: TestClient) -> None:
    talks, round_id = scheduled_in_istanbul(client)
    response = client.post(
        f"/talks/{talks}/events", json=correction(round_id, fields={"mediator": "Vatican"})
    )
    assert_problem(response, 422, pointer="/data/fields/mediator")


@pytest.mark.parametrize(
    ("fields", "pointer"),
    [({"number": "three"}, "/data/fields/number"), ({"city": ["Ankara"]}, "/data/fields/city")],
)
def test_a_correction_giving_a_value_of_the_wrong_type_is_refused(
    client: TestClient, fields: dict[str, Any], pointer: str
) -> None:
    talks, round_id = scheduled_in_istanbul(client)
    response = client.post(f"/talks/{talks}/events", json=correction(round_id, fields=fields))
    assert_problem(response, 422, pointer=pointer)
    assert len(stream_events(client, "talks", talks)) == 2


def test_a_correction_of_an_event_of_another_stream_is_refused(client: TestClient) -> None:
    _, elsewhere = scheduled_in_istanbul(client)
    talks = new_talks(client)
    response = client.post(
        f"/talks/{talks}/events", json=correction(elsewhere, fields={"city": "Ankara"})
    )
    assert_problem(response, 422, pointer="/data/corrects")
    response = client.post(f"/talks/{talks}/events", json=retraction(elsewhere))
    assert_problem(response, 422, pointer="/data/retracts")
    assert len(stream_events(client, "talks", talks)) == 1


@pytest.mark.parametrize("second", ["correct", "retract"])
def test_a_correction_is_not_itself_corrected_or_retracted(client: TestClient, second: str) -> None:
    talks, round_id = scheduled_in_istanbul(client)
    fix = append(client, "talks", talks, correction(round_id, fields={"city": "Ankara"}))
    again = correction(fix, fields={"city": "Izmir"}) if second == "correct" else retraction(fix)
    response = client.post(f"/talks/{talks}/events", json=again)
    assert_problem(
        response, 422, pointer="/data/corrects" if second == "correct" else "/data/retracts"
    )
    assert state(client, "talks", talks)["rounds"][0]["city"] == "Ankara"


def test_the_corrected_event_stays_in_the_log_as_it_was_recorded(client: TestClient) -> None:
    talks, round_id = scheduled_in_istanbul(client)
    fix = append(client, "talks", talks, correction(round_id, fields={"city": "Ankara"}))
    events = {e["event_id"]: e for e in stream_events(client, "talks", talks)}
    assert events[round_id]["data"]["city"] == "Istanbul"
    assert events[fix]["type"] == "EventCorrected"
    assert events[fix]["data"]["corrects"] == round_id
    assert events[fix]["data"]["fields"] == {"city": "Ankara"}


def test_the_timeline_shows_the_corrected_entry_now_and_the_original_as_of_before(
    client: TestClient,
) -> None:
    talks, round_id = scheduled_in_istanbul(client)
    fix = append(client, "talks", talks, correction(round_id, fields={"city": "Ankara"}))
    before = just_before(recorded_at(client, "talks", talks, fix))
    for params in ({"min_position": head(client)}, {"as_of": "9000-01-01T12:00:00Z"}):
        entries = {e["event_id"]: e for e in get_list(client, f"/talks/{talks}/timeline", **params)}
        assert entries[round_id]["data"]["city"] == "Ankara"
        assert entries[round_id]["corrected_by"] == [fix]
        assert entries[fix]["refers_to"] == round_id
        assert entries[fix]["type"] == "EventCorrected"
    entries = {e["event_id"]: e for e in get_list(client, f"/talks/{talks}/timeline", as_of=before)}
    assert entries[round_id]["data"]["city"] == "Istanbul"
    assert entries[round_id]["corrected_by"] == []
    assert fix not in entries


@pytest.mark.parametrize(
    ("kind", "opens", "target", "fields"),
    [
        KINDS[1][:4],
        ("talks", None, ("RoundScheduled", {"number": 1, "city": "Istanbul"}), {"date": day("2025-06-06")}),
    ],
    ids=["a person", "a date"],
)  # fmt: skip
def test_a_correction_of_a_person_or_a_date_shows_in_the_views(
    client: TestClient, kind: str, opens: Any, target: Any, fields: dict[str, Any]
) -> None:
    talks = new_talks(client)
    stream, original = opened(client, talks, kind, opens, target)
    fix = append(client, kind, stream, correction(original, fields=fields))
    logged = {e["event_id"]: e for e in stream_events(client, kind, stream)}
    for params in ({"as_of": "9000-01-01T12:00:00Z"}, {"min_position": head(client)}):
        entries = {e["event_id"]: e for e in get_list(client, f"/talks/{talks}/timeline", **params)}
        assert entries[original]["corrected_by"] == [fix]
        assert entries[fix]["data"] == logged[fix]["data"]


def test_an_append_while_a_correction_is_projected_goes_through(
    service: TimelineService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The projector reads a correction's family before it takes the writer (SQLite's pool
    lets a reader wait behind a queued writer: read inside, both waited 5 s, the append 500)."""
    projector = Projector(service.app, all_views())
    projector.setup()
    proposed = body("TalksProposed", {"title": "Test talks", "parties": ["Ukraine", "Russia"]})
    created = service.create("talks", new_event("talks", CreateIn.model_validate(proposed)))
    stream = UUID(created.stream_id)

    def record(request: dict[str, Any]) -> Any:
        return service.append(
            "talks", stream, [new_event("talks", EventIn.model_validate(request))]
        )

    target = record(body("RoundScheduled", {"number": 1, "city": "Istanbul"})).events[0].event_id
    record(correction(target, fields={"city": "Ankara"}))
    entered, release = threading.Event(), threading.Event()
    family = projector.family

    def paused(position: int, *talks_id: Any) -> Any:  # reading the family of the correction
        entered.set()
        release.wait(10)
        return family(position, *talks_id)

    monkeypatch.setattr(projector, "family", paused)
    outcome: dict[str, Any] = {}
    views = threading.Thread(target=lambda: outcome.setdefault("views", projector.catch_up()))
    views.start()
    assert entered.wait(10)

    def later() -> None:
        try:
            outcome["append"] = record(body("RoundScheduled", {"number": 2, "city": "Doha"}))
        except Exception as error:
            outcome["append"] = error

    appender = threading.Thread(target=later)
    appender.start()
    time.sleep(0.5)  # the append is under way while the projector reads
    release.set()
    appender.join(30)
    views.join(30)
    assert not isinstance(outcome["append"], Exception), outcome["append"]
    monkeypatch.undo()
    projector.catch_up()
    assert {(v.state, v.lag_events) for v in projector.statuses()} == {("running", 0)}
