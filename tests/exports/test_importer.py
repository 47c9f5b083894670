"""application/importer.py: export -> import round trips, idempotence, bad lines, --strict."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest
from export_support import (
    DELEGATION,
    POSITION,
    TALKS,
    export,
    fresh_store,
    lines,
    loaded,
    service_on,
)

from application.demo import DELEGATION_ID, POSITION_ID, TALKS_ID
from application.importer import BadLineError, import_file, import_lines, parse_line
from application.service import TimelineService
from store.settings import Settings

STREAMS = (TALKS_ID, DELEGATION_ID, POSITION_ID, TALKS, DELEGATION, POSITION)
NEW_TALKS = "5e1ec7ed-0000-4000-8000-000000000001"
SOURCE = [{"outlet": "Test Wire"}]


def body_line(**fields: Any) -> str:
    """An API-shaped line: a body with routing members."""
    return json.dumps({"sources": SOURCE, "occurred": {"precision": "day", "value": "2025-06-01"}}
                      | fields)  # fmt: skip


def talks_line(stream_id: str | None = NEW_TALKS, **fields: Any) -> str:
    return body_line(
        kind="talks",
        stream_id=stream_id,
        type="TalksProposed",
        data={"title": "Imported talks", "parties": ["Ukraine", "Russia"]},
        **fields,
    )


def round_line(number: Any, stream_id: str = NEW_TALKS, **fields: Any) -> str:
    return body_line(stream_id=stream_id, type="RoundHeld", data={"number": number}, **fields)


def snapshot(service: TimelineService, streams: tuple[UUID, ...]) -> list[dict[str, Any]]:
    """What must survive a round trip: each event's id, stream, version, type, data, envelope."""
    found = []
    for stream in streams:
        for event in service.events_of(stream):
            envelope = event.envelope
            found.append(
                {
                    "stream": str(stream),
                    "version": event.originator_version,
                    "event_id": str(event.event_id),
                    "type": event.type_name(),
                    "data": event.data(),
                    "occurred": asdict(envelope.occurred),
                    "sources": [asdict(source) for source in envelope.sources],
                    "attributed_to": envelope.attributed_to,
                    "modality": envelope.modality,
                    "recorded_by": envelope.recorded_by,
                }
            )
    return found


def without_record_marks(text: str) -> list[dict[str, Any]]:
    """CloudEvents without what differs between stores: record time and global position."""
    return [
        {key: value for key, value in event.items() if key not in ("time", "position")}
        for event in lines(text)
    ]


# Round trips


def test_an_export_imports_into_a_fresh_store_as_the_same_events(
    service: TimelineService, settings: Settings, tmp_path: Path
) -> None:
    loaded(service)
    original = snapshot(service, STREAMS)
    exported = {talks: export(service, talks, "cloudevents") for talks in (TALKS_ID, TALKS)}
    text = "".join(exported.values())

    with fresh_store(settings, tmp_path) as fresh, service_on(fresh) as target:
        report = import_lines(target, text.splitlines(), principal="import:test")

        assert (report.read, report.appended, report.present, report.errors) == (
            len(original), len(original), 0, []
        )  # fmt: skip
        assert snapshot(target, STREAMS) == original
        for talks, before in exported.items():
            assert without_record_marks(export(target, talks, "cloudevents")) == (
                without_record_marks(before)
            )
        for fmt in ("timelinejs", "plover"):
            assert export(target, TALKS, fmt) == export(service, TALKS, fmt)
        assert target.state("talks", TALKS_ID) == service.state("talks", TALKS_ID)


def test_importing_the_same_file_twice_appends_nothing_the_second_time(
    service: TimelineService, settings: Settings, tmp_path: Path
) -> None:
    loaded(service)
    path = tmp_path / "talks.cloudevents.jsonl"
    path.write_text(export(service, TALKS, "cloudevents"), encoding="utf-8")

    with fresh_store(settings, tmp_path) as fresh, service_on(fresh) as target:
        first = import_file(target, path)
        head = target.head()
        second = import_file(target, path)

        assert first.appended == first.read > 0
        assert (second.appended, second.present, second.bad) == (0, first.read, 0)
        assert target.head() == head


def test_importing_into_the_store_it_came_from_appends_nothing(service: TimelineService) -> None:
    loaded(service)
    head = service.head()

    report = import_lines(
        service, export(service, TALKS_ID, "cloudevents").splitlines(), principal="import:x"
    )

    assert (report.appended, report.bad) == (0, 0)
    assert report.present == report.read > 0
    assert service.head() == head


def test_appended_events_record_the_import_principal(
    service: TimelineService, tmp_path: Path
) -> None:
    path = tmp_path / "new-talks.jsonl"
    path.write_text(talks_line() + "\n" + round_line(1) + "\n", encoding="utf-8")

    report = import_file(service, path)

    assert report.appended == 2
    events = service.stream_events("talks", UUID(NEW_TALKS))
    assert [event["appended_by"] for event in events] == ["import:new-talks.jsonl"] * 2


# The API's own shape


def test_body_lines_without_ids_get_stable_ones_and_import_once(service: TimelineService) -> None:
    file = [
        body_line(type="TalksProposed", data={"title": "No ids", "parties": ["A", "B"]}),
    ]
    first = import_lines(service, file, principal="import:x")
    second = import_lines(service, file, principal="import:x")

    assert (first.appended, second.appended, second.present) == (1, 0, 1)
    assert service.head() == 1


def test_kind_comes_from_the_type_and_corrections_take_their_streams(
    service: TimelineService,
) -> None:
    held = "5e1ec7ed-0000-4000-8000-0000000000a1"
    file = [
        talks_line(),
        round_line(1, event_id=held),
        body_line(
            stream_id=NEW_TALKS,
            type="EventCorrected",
            data={
                "corrects": held,
                "reason": "it lasted longer",
                "fields": {"duration_minutes": 200},
            },
        ),
    ]

    report = import_lines(service, file, principal="import:x")

    assert (report.appended, report.errors) == (3, [])
    assert service.state("talks", UUID(NEW_TALKS))["corrected"][0]["event_id"] == held


DELEGATION_ID = "5e1ec7ed-0000-4000-8000-000000000002"
MEMBER_ID = "5e1ec7ed-0000-4000-8000-0000000000b1"


def member_lines() -> list[str]:
    """A new Talks, a Ukrainian delegation, and Rustem Umerov added to it (no title)."""
    return [
        talks_line(),
        body_line(kind="delegations", stream_id=DELEGATION_ID, type="DelegationAnnounced",
                  data={"talks_id": NEW_TALKS, "party": "Ukraine"}),
        body_line(stream_id=DELEGATION_ID, type="DelegationMemberAdded", event_id=MEMBER_ID,
                  data={"member": {"name": "Rustem Umerov"}}),
    ]  # fmt: skip


def title_correction() -> str:
    return body_line(stream_id=DELEGATION_ID, type="EventCorrected",
                     data={"corrects": MEMBER_ID, "reason": "title",
                           "fields": {"member": {"name": "Rustem Umerov", "title": "Minister"}}})  # fmt: skip


@pytest.mark.parametrize("strict", [False, True])
def test_a_correction_of_a_person_field_made_earlier_in_the_file(
    service: TimelineService, strict: bool
) -> None:
    delegation = DELEGATION_ID
    file = [*member_lines(), title_correction()]

    report = import_lines(service, file, principal="import:x", strict=strict)

    assert (report.appended, report.errors) == (4, [])
    state = service.state("delegations", UUID(delegation))
    assert state["members"] == [{"name": "Rustem Umerov", "title": "Minister"}]


def test_a_correction_of_an_event_stored_by_an_earlier_import_is_checked_against_it(
    service: TimelineService,
) -> None:
    """The target is not in the file: its fields are read from the store, once, while its
    stream grows in the same file."""
    delegation = DELEGATION_ID
    assert import_lines(service, member_lines(), principal="import:x").appended == 3
    later = [
        body_line(stream_id=delegation, type="DelegationMemberAdded",
                  data={"member": {"name": "Serhiy Kyslytsya"}}),
        body_line(stream_id=delegation, type="EventCorrected",
                  data={"corrects": MEMBER_ID, "reason": "a typo", "fields": {"party": "Russia"}}),
        title_correction(),
    ]  # fmt: skip

    report = import_lines(service, later, principal="import:x")

    # A member added has no party: the first correction names a field its target lacks.
    assert [(error.line, error.pointer) for error in report.errors] == [(2, "/data/fields/party")]
    assert report.appended == 2
    state = service.state("delegations", UUID(delegation))
    assert state["members"] == [
        {"name": "Rustem Umerov", "title": "Minister"},
        {"name": "Serhiy Kyslytsya", "title": None},  # no title reported
    ]


def test_a_creating_line_without_a_stream_id_gets_a_stable_one(service: TimelineService) -> None:
    file = [talks_line(stream_id=None)]

    import_lines(service, file, principal="import:x")
    import_lines(service, file, principal="import:x")

    assert service.head() == 1


# Bad lines


BAD_FILE = [
    talks_line(),  # 1
    "not json",  # 2
    round_line("first"),  # 3: not a number
    round_line(1),  # 4
    round_line(1, occurred={"precision": "day", "value": "2025-06-03"}),  # 5: held twice
    "",  # blank: ignored
    round_line(2, stream_id="5e1ec7ed-0000-4000-8000-00000000ffff"),  # 7: no such stream
    "[1, 2]",  # 8
    body_line(type="Nonsense"),  # 9
    round_line(3, occurred={"precision": "day", "value": "2025-06-40"}),  # 10
]


def test_bad_lines_are_reported_by_number_with_a_pointer_and_skipped(
    service: TimelineService,
) -> None:
    report = import_lines(service, BAD_FILE, principal="import:x")

    assert [(error.line, error.pointer) for error in report.errors] == [
        (2, None),
        (3, "/data/number"),
        (5, "/data/number"),
        (7, "/stream_id"),
        (8, None),
        (9, "/type"),
        (10, "/occurred/value"),
    ]
    assert "not JSON" in report.errors[0].reason
    assert str(report.errors[1]).startswith("line 3: ")
    assert (report.read, report.appended, report.present, report.bad) == (9, 2, 0, 7)
    assert [e["type"] for e in service.stream_events("talks", UUID(NEW_TALKS))] == [
        "TalksProposed",
        "RoundHeld",
    ]


def test_strict_appends_nothing_when_any_line_is_bad(service: TimelineService) -> None:
    report = import_lines(service, BAD_FILE, principal="import:x", strict=True)

    assert report.appended == 0
    assert service.head() == 0
    assert [error.line for error in report.errors] == [2, 3, 5, 7, 8, 9, 10]


def test_strict_checks_invariants_across_the_file_before_appending(
    service: TimelineService,
) -> None:
    file = [talks_line(), round_line(1), round_line(1, event_id=str(UUID(int=9)))]

    report = import_lines(service, file, principal="import:x", strict=True)

    assert [(e.line, e.pointer) for e in report.errors] == [(3, "/data/number")]
    assert service.head() == 0


def test_strict_imports_everything_when_every_line_is_good(service: TimelineService) -> None:
    report = import_lines(service, [talks_line(), round_line(1)], principal="x", strict=True)

    assert (report.appended, report.bad, report.stopped) == (2, 0, False)


def test_strict_stops_and_says_so_when_an_append_fails_after_the_check(
    service: TimelineService,
) -> None:
    import_lines(service, [talks_line()], principal="x")
    file = [round_line(1), round_line(2)]

    def another_writer(phase: str, done: int, total: int) -> None:
        # Between the check and the appends, another writer records round 2 first.
        if phase == "checking" and done == total:
            import_lines(service, [round_line(2, event_id=str(UUID(int=7)))], principal="y")

    report = import_lines(service, file, principal="x", strict=True, progress=another_writer)

    assert report.stopped
    assert report.appended == 1
    assert [error.line for error in report.errors] == [2]
    assert [e.type_name() for e in service.events_of(UUID(NEW_TALKS))] == [
        "TalksProposed", "RoundHeld", "RoundHeld"
    ]  # fmt: skip


def test_a_stream_created_twice_is_a_bad_line(service: TimelineService) -> None:
    report = import_lines(
        service, [talks_line(), talks_line(event_id=str(UUID(int=5)))], principal="x"
    )

    assert [(e.line, e.pointer) for e in report.errors] == [(2, "/stream_id")]


def test_a_correction_of_an_event_elsewhere_is_a_bad_line(service: TimelineService) -> None:
    other = "5e1ec7ed-0000-4000-8000-000000000009"
    held = str(UUID(int=77))
    file = [
        talks_line(),
        round_line(1, event_id=held),
        talks_line(stream_id=other, event_id=str(UUID(int=78))),
        body_line(stream_id=other, type="EventRetracted",
                  data={"retracts": held, "reason": "wrong stream"}),
    ]  # fmt: skip

    for strict in (True, False):
        report = import_lines(service, file, principal="x", strict=strict)
        assert [(e.line, e.pointer) for e in report.errors] == [(4, "/data/retracts")]


# CloudEvents lines


def cloudevent(**overrides: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": "not-a-uuid",
        "source": f"urn:negotiation-timeline:talks/{NEW_TALKS}",
        "type": "org.negotiation-timeline.TalksProposed.v1",
        "subject": NEW_TALKS,
        "data": {
            "occurred": {"precision": "month", "value": "2025-06"},
            "envelope": {"sources": SOURCE},
            "data": {"title": "From elsewhere", "parties": ["A", "B"]},
        },
    } | overrides


def test_a_cloudevent_with_a_foreign_id_gets_a_stable_uuid(service: TimelineService) -> None:
    file = [json.dumps(cloudevent())]

    first = import_lines(service, file, principal="x")
    second = import_lines(service, file, principal="x")

    assert (first.appended, second.present) == (1, 1)
    assert service.state("talks", UUID(NEW_TALKS))["title"] == "From elsewhere"


@pytest.mark.parametrize(
    ("event", "pointer"),
    [
        (cloudevent(specversion="0.3"), "/specversion"),
        (cloudevent(type="com.example.Other"), "/type"),
        (cloudevent(type="org.negotiation-timeline.Nonsense.v1"), "/type"),
        (cloudevent(id=""), "/id"),
        (cloudevent(data={"occurred": {}, "extra": 1}), "/data/extra"),
        (cloudevent(data={**cloudevent()["data"], "data": {"title": "T", "parties": "A"}}),
         "/data/data/parties"),
        (cloudevent(data={**cloudevent()["data"], "envelope": {"sources": []}}),
         "/data/envelope/sources"),
        (cloudevent(data={**cloudevent()["data"], "occurred": {"precision": "day", "value": "x"}}),
         "/data/occurred/value"),
        (cloudevent(streamkind="rounds"), "/streamkind"),
    ],
)  # fmt: skip
def test_bad_cloudevents_point_into_the_event(event: dict[str, Any], pointer: str) -> None:
    with pytest.raises(BadLineError) as raised:
        parse_line(1, json.dumps(event))

    assert raised.value.pointer == pointer


def test_lines_that_are_not_utf8_are_bad_lines(service: TimelineService) -> None:
    report = import_lines(service, [b"\xff\xfe{}", talks_line().encode()], principal="x")

    assert [(e.line, e.reason.split(" (")[0]) for e in report.errors] == [(1, "not UTF-8 text")]
    assert report.appended == 1
