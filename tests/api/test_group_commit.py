"""Group commit: concurrent appends, grouped by one writer, each answered as if alone."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from uuid import UUID, uuid4

import pytest

from application.errors import ConflictError
from application.event_input import CreateIn, EventIn, new_event
from application.service import AppendResult, Idempotency, TimelineService
from domain.errors import DomainError, DuplicateFactError
from store.application import TimelineApplication
from store.settings import Settings

THREADS = 16
SOURCE = [{"outlet": "Test Wire", "quote": "as reported"}]


@pytest.fixture
def services(settings: Settings) -> Iterator[list[TimelineService]]:
    """Two services with group commit on the same store: two API processes."""
    found = [
        TimelineService(TimelineApplication(settings.eventsourcing_env()), group_commit=True)
        for _ in range(2)
    ]
    try:
        yield found
    finally:
        for service in found:
            service.close()
            service.app.close()


def body(type_name: str, data: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": type_name,
        "data": data,
        "occurred": {"precision": "day", "value": "2025-06-02"},
        "sources": SOURCE,
    }


def new_talks(service: TimelineService) -> UUID:
    created = body("TalksProposed", {"title": "Talks", "parties": ["Ukraine", "Russia"]})
    result = service.create("talks", new_event("talks", CreateIn.model_validate(created)))
    return UUID(result.stream_id)


def event(type_name: str, **data: Any) -> Any:
    return new_event("talks", EventIn.model_validate(body(type_name, data)))


def concurrently(calls: list[Callable[[], AppendResult]]) -> list[AppendResult | Exception]:
    """Run the calls at once from THREADS threads; each one's answer or error, in order."""
    start = threading.Barrier(min(THREADS, len(calls)))

    def run(call: Callable[[], AppendResult]) -> AppendResult | Exception:
        with contextlib.suppress(threading.BrokenBarrierError):
            start.wait(timeout=30)
        try:
            return call()
        except (DomainError, ConflictError) as error:
            return error

    with ThreadPoolExecutor(THREADS) as pool:
        return list(pool.map(run, calls))


def versions(service: TimelineService, stream: UUID) -> list[int]:
    return [event.originator_version for event in service.app.events.get(stream)]


def test_concurrent_appends_to_one_stream_are_all_stored_gap_free(
    services: list[TimelineService],
) -> None:
    service = services[0]
    stream = new_talks(service)
    per_thread = 5
    calls = [
        (
            lambda n=n: service.append(
                "talks", stream, [event("MediatorRoleAssumed", mediator=f"M{n}")]
            )
        )
        for n in range(THREADS * per_thread)
    ]

    answers = concurrently(calls)

    assert all(isinstance(answer, AppendResult) for answer in answers)
    results = [a for a in answers if isinstance(a, AppendResult)]
    assert sorted(r.version for r in results) == list(range(2, 2 + THREADS * per_thread))
    assert versions(service, stream) == list(range(1, 2 + THREADS * per_thread))
    # Each answer names its own event, stored at the position it was told.
    for result in results:
        (stored,) = result.events
        found = services[1].index.locate(stored.event_id)
        assert found is not None
        assert (found["version"], found["position"]) == (stored.version, stored.position)


def test_a_refused_append_is_answered_alone_and_the_others_are_stored(
    services: list[TimelineService],
) -> None:
    service = services[0]
    streams = [new_talks(service) for _ in range(4)]
    calls = [
        # Every round is held twice, on each stream: one of each pair is refused.
        (lambda s=s, n=n: service.append("talks", s, [event("RoundHeld", number=n)]))
        for s in streams
        for n in range(1, 5)
        for _ in range(2)
    ]

    answers = concurrently(calls)

    refused = [a for a in answers if isinstance(a, Exception)]
    assert len(refused) == len(streams) * 4
    assert all(isinstance(error, DuplicateFactError) for error in refused)
    for place in range(0, len(answers), 2):  # each pair: one stored, one refused
        pair = answers[place : place + 2]
        assert sum(isinstance(a, AppendResult) for a in pair) == 1
    for stream in streams:
        assert versions(service, stream) == [1, 2, 3, 4, 5]
        rounds = service.state("talks", stream)["rounds"]
        assert sorted(r["number"] for r in rounds) == [1, 2, 3, 4]


def test_a_batch_refused_at_its_second_event_leaves_the_stream_as_before(
    services: list[TimelineService],
) -> None:
    service = services[0]
    stream = new_talks(service)
    calls = [
        lambda: service.append(
            "talks", stream, [event("RoundHeld", number=1), event("RoundHeld", number=1)]
        ),
    ] + [
        (lambda n=n: service.append("talks", stream, [event("RoundHeld", number=n)]))
        for n in range(2, 9)
    ]

    answers = concurrently(calls)

    assert isinstance(answers[0], DuplicateFactError)
    assert all(isinstance(a, AppendResult) for a in answers[1:])
    rounds = service.state("talks", stream)["rounds"]
    assert sorted(r["number"] for r in rounds) == list(range(2, 9))
    assert versions(service, stream) == list(range(1, 9))


def test_two_processes_appending_to_one_stream_lose_nothing(
    services: list[TimelineService],
) -> None:
    stream = new_talks(services[0])
    calls = [
        (
            lambda n=n: services[n % 2].append(
                "talks", stream, [event("MediatorRoleAssumed", mediator=f"M{n}")]
            )
        )
        for n in range(THREADS * 3)
    ]

    answers = concurrently(calls)

    assert all(isinstance(answer, AppendResult) for answer in answers)
    assert versions(services[1], stream) == list(range(1, 2 + THREADS * 3))
    told = sorted(a.version for a in answers if isinstance(a, AppendResult))
    assert told == list(range(2, 2 + THREADS * 3))


def test_an_expected_version_is_checked_against_the_appends_before_it_in_the_group(
    services: list[TimelineService],
) -> None:
    service = services[0]
    stream = new_talks(service)
    calls = [
        (
            lambda n=n: service.append(
                "talks",
                stream,
                [event("MediatorRoleAssumed", mediator=f"M{n}")],
                expected_version=1,
            )
        )
        for n in range(THREADS)
    ]

    answers = concurrently(calls)

    assert sum(isinstance(a, AppendResult) for a in answers) == 1
    assert all(isinstance(a, ConflictError) for a in answers if not isinstance(a, AppendResult))
    assert versions(service, stream) == [1, 2]


def test_idempotent_retries_are_replayed_with_the_first_answer(
    services: list[TimelineService],
) -> None:
    service = services[0]
    stream = new_talks(service)
    key = Idempotency(str(uuid4()), "hash-of-the-request")
    same = event("MediatorRoleAssumed", mediator="Qatar")
    calls = [
        (lambda s=s: s.append("talks", stream, [same], idempotency=key))
        for s in services * (THREADS // 2)
    ]

    answers = concurrently(calls)

    results = [a for a in answers if isinstance(a, AppendResult)]
    assert len(results) == THREADS
    assert {(r.version, r.position) for r in results} == {(results[0].version, results[0].position)}
    assert sum(not r.replayed for r in results) == 1
    assert versions(service, stream) == [1, 2]


def test_a_process_whose_copy_of_a_stream_fell_behind_checks_against_the_store(
    services: list[TimelineService],
) -> None:
    """Each process keeps the streams it wrote; another process's appends since are in the
    store only. An append checked against the old copy is asked again against the store."""
    first, second = services
    stream = new_talks(first)
    first.append("talks", stream, [event("MediatorRoleAssumed", mediator="Türkiye")])
    # The other process appends twice: the first process's copy is at version 2, the stream at 4.
    second.append("talks", stream, [event("RoundScheduled", number=1, city="Istanbul")])
    second.append("talks", stream, [event("MediatorRoleAssumed", mediator="Vatican")])

    # Right by the store (4), wrong by the old copy (2): stored, not refused.
    told = first.append(
        "talks", stream, [event("MediatorRoleAssumed", mediator="Qatar")], expected_version=4
    )
    assert told.version == 5
    # Wrong by the store, right by the old copy: refused, and nothing stored.
    with pytest.raises(ConflictError):
        second.append(  # its own copy is now behind too (at 4)
            "talks", stream, [event("MediatorRoleAssumed", mediator="Oman")], expected_version=4
        )
    # A guard refuses what the store holds though the old copy does not: round 1 is scheduled.
    with pytest.raises(DuplicateFactError):
        first.append("talks", stream, [event("RoundScheduled", number=1, city="Istanbul")])
    assert versions(second, stream) == [1, 2, 3, 4, 5]
