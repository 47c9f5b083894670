"""application/importer.py: batches span streams, whatever the order of the lines."""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from application.importer import import_lines
from application.service import TimelineService

SOURCE = [{"outlet": "Test Wire", "quote": "as reported"}]
TALKS_A = "5e1ec7ed-0000-4000-8000-00000000000a"
TALKS_B = "5e1ec7ed-0000-4000-8000-00000000000b"
DELEGATION = "5e1ec7ed-0000-4000-8000-0000000000de"


def line(stream_id: str, type_name: str, data: dict[str, Any], number: int, **more: Any) -> str:
    return json.dumps(
        {
            "stream_id": stream_id,
            "type": type_name,
            "data": data,
            "occurred": {"precision": "day", "value": "2025-06-01"},
            "sources": SOURCE,
            "event_id": str(UUID(int=number)),
            **more,
        }
    )


def interleaved() -> list[str]:
    """Two Talks and a delegation whose lines alternate, with a correction of a line above."""
    talks = {"title": "Talks", "parties": ["Ukraine", "Russia"]}
    return [
        line(TALKS_A, "TalksProposed", talks, 1, kind="talks"),
        line(TALKS_B, "TalksProposed", talks, 2, kind="talks"),
        line(DELEGATION, "DelegationAnnounced", {"talks_id": TALKS_A, "party": "Ukraine"}, 3),
        line(TALKS_A, "RoundScheduled", {"number": 1, "city": "Ankara"}, 4),
        line(TALKS_B, "RoundHeld", {"number": 1}, 5),
        line(DELEGATION, "DelegationArrived", {"city": "Istanbul"}, 6),
        line(
            TALKS_A,
            "EventCorrected",
            {"corrects": str(UUID(int=4)), "reason": "venue", "fields": {"city": "Istanbul"}},
            7,
        ),
        line(TALKS_B, "RoundHeld", {"number": 2}, 8),
    ]


def saves(service: TimelineService) -> list[int]:
    """How many events each save stores, as the service tells its listeners."""
    found: list[int] = []
    service.on_append.append(lambda _head, count: found.append(count))
    return found


def test_interleaved_streams_are_stored_in_one_transaction_in_line_order(
    service: TimelineService,
) -> None:
    counted = saves(service)

    report = import_lines(service, interleaved(), principal="import:x")

    assert (report.appended, report.errors) == (8, [])
    assert counted == [8]
    positions = [service.index.locate(str(UUID(int=n))) for n in range(1, 9)]
    assert [row["position"] for row in positions if row] == list(range(1, 9))
    assert [row["version"] for row in positions if row] == [1, 1, 1, 2, 2, 2, 3, 3]
    # The correction met its target in the same batch: the state shows the corrected city.
    rounds = service.state("talks", UUID(TALKS_A))["rounds"]
    assert [(r["number"], r["city"]) for r in rounds] == [(1, "Istanbul")]


def test_a_bad_line_in_a_batch_is_reported_alone_and_the_rest_is_stored(
    service: TimelineService,
) -> None:
    file = interleaved()
    file[4:4] = [line(TALKS_A, "RoundHeld", {"number": 1}, 40)]  # line 5: fine, round 1 held
    file[5:5] = [line(TALKS_A, "RoundHeld", {"number": 1}, 41)]  # line 6: held twice
    counted = saves(service)

    report = import_lines(service, file, principal="import:x")

    assert [(e.line, e.pointer) for e in report.errors] == [(6, "/data/number")]
    assert report.appended == 9
    assert counted == [9]
    assert service.index.locate(str(UUID(int=41))) is None
    assert len(service.events_of(UUID(TALKS_A))) == 4


def test_batches_hold_at_most_the_batch_limit(service: TimelineService) -> None:
    talks = {"title": "Talks", "parties": ["Ukraine", "Russia"]}
    file = [
        line(TALKS_A, "TalksProposed", talks, 1, kind="talks"),
        line(TALKS_B, "TalksProposed", talks, 2, kind="talks"),
    ]
    for n in range(3, 1203):
        stream = TALKS_A if n % 2 else TALKS_B
        file.append(line(stream, "MediatorRoleAssumed", {"mediator": f"M{n}"}, n))
    counted = saves(service)

    report = import_lines(service, file, principal="import:x")

    assert (report.appended, report.errors) == (1202, [])
    assert counted == [500, 500, 202]
    assert service.head() == 1202


def test_importing_the_interleaved_file_again_appends_nothing(service: TimelineService) -> None:
    import_lines(service, interleaved(), principal="import:x")
    counted = saves(service)

    again = import_lines(service, interleaved(), principal="import:x")

    assert (again.appended, again.present, again.errors) == (0, 8, [])
    assert counted == []


def test_strict_interleaved_file_is_checked_first_then_stored_in_one_batch(
    service: TimelineService,
) -> None:
    counted = saves(service)

    report = import_lines(service, interleaved(), principal="import:x", strict=True)

    assert (report.appended, report.errors, report.stopped) == (8, [], False)
    assert counted == [8]


def test_a_long_stream_imported_in_many_batches_is_snapshot_once_at_its_last_version(
    service: TimelineService,
) -> None:
    """Each batch of 500 lines crossed a multiple of the snapshot interval (100); the stream
    is snapshot once, at the end, and reads back from that snapshot as from its events."""
    talks = {"title": "Talks", "parties": ["Ukraine", "Russia"]}
    file = [line(TALKS_A, "TalksProposed", talks, 1, kind="talks")]
    file += [
        line(TALKS_A, "MediatorRoleAssumed", {"mediator": f"Mediator {n % 7}", "role": "host"}, n)
        for n in range(2, 1201)
    ]
    report = import_lines(service, file, principal="import:x")
    assert (report.appended, report.errors) == (1200, [])

    snapshots = list(service.app.snapshots.get(UUID(TALKS_A)))  # type: ignore[union-attr]
    assert [s.originator_version for s in snapshots] == [1200]
    state = service.state("talks", UUID(TALKS_A))
    assert state["version"] == 1200
    assert sorted(m["name"] for m in state["mediators"]) == [f"Mediator {n}" for n in range(7)]
    assert sum(len(m["roles"]) for m in state["mediators"]) == 1199
    # The aggregate as loaded through the snapshot takes the next event as one from its events.
    assert service.app.load(UUID(TALKS_A)).version == 1200


def test_a_refused_last_line_leaves_the_snapshot_at_the_last_version_stored(
    service: TimelineService,
) -> None:
    """A snapshot is only of a version stored: the import's last save of the stream."""
    talks = {"title": "Talks", "parties": ["Ukraine", "Russia"]}
    file = [line(TALKS_A, "TalksProposed", talks, 1, kind="talks")]
    file += [line(TALKS_A, "RoundHeld", {"number": n}, n) for n in range(2, 151)]
    file.append(line(TALKS_A, "RoundHeld", {"number": "two"}, 151))  # refused: not stored
    report = import_lines(service, file, principal="import:x")
    assert (report.appended, len(report.errors)) == (150, 1)
    snapshots = list(service.app.snapshots.get(UUID(TALKS_A)))  # type: ignore[union-attr]
    assert [s.originator_version for s in snapshots] == [150]
