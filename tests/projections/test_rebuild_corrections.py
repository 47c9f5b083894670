"""Corrections in a batch: a family reprojected once per batch gives the views of one at a time."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import (
    VIEWS,
    append,
    body,
    day,
    digests,
    fresh_projector,
    opened,
    stream,
    talks,
    timeline,
)

from application.components import Components
from projections.projector import Projector
from store.settings import Settings

FAMILIES = 3
ROUNDS = 6


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


def corrected_families(store: Components) -> list[str]:
    """Interleaved families, each with several corrections and a retraction among its events."""
    service = store.service
    families = [talks(service, f"Talks {n}") for n in range(FAMILIES)]
    delegations = [stream(service, "delegations", t, "Ukraine") for t in families]
    for number in range(1, ROUNDS + 1):
        for talks_id, delegation in zip(families, delegations, strict=True):
            scheduled = append(
                service, "talks", talks_id,
                body("RoundScheduled", {"number": number, "city": "Ankara"},
                     occurred=day(f"2025-06-{number:02d}")),
            ).events[0].event_id  # fmt: skip
            arrived = (
                append(
                    service,
                    "delegations",
                    delegation,
                    body("DelegationArrived", {"city": "Ankara"}),
                )
                .events[0]
                .event_id
            )
            append(
                service, "talks", talks_id,
                body("EventCorrected", {"corrects": scheduled, "reason": "it was Istanbul",
                                        "fields": {"city": "Istanbul"}}),
            )  # fmt: skip
            if number == ROUNDS:
                append(
                    service, "delegations", delegation,
                    body("EventRetracted", {"retracts": arrived, "reason": "never arrived"}),
                )  # fmt: skip
    return families


def caught_up_one_at_a_time(store: Components) -> tuple[Projector, dict[str, tuple[int, str]]]:
    """A projector of fresh views that took every event alone, and its views' digests."""
    projector = fresh_projector(store, batch_size=1)
    projector.catch_up()
    return projector, digests(projector)


def test_batches_with_several_corrections_per_family_equal_one_event_at_a_time(
    store: Components,
) -> None:
    families = corrected_families(store)
    head = store.service.head()
    one_at_a_time, expected = caught_up_one_at_a_time(store)

    for name in VIEWS:
        assert one_at_a_time.rebuild(name, batch_size=2000) == head
    assert digests(one_at_a_time) == expected
    in_batches = fresh_projector(store, batch_size=500)
    in_batches.reset()
    in_batches.setup()
    in_batches.catch_up()
    assert digests(in_batches) == expected
    # What the story says: every round corrected to Istanbul; the last arrival retracted (a
    # retracted entry stays on the timeline, marked).
    for talks_id in families:
        rows = timeline(store.application.database, talks_id=talks_id)
        rounds = [r for r in rows if r["type"] == "RoundScheduled"]
        assert len(rounds) == ROUNDS
        assert all("Istanbul" in str(r["data"]) and "Ankara" not in str(r["data"]) for r in rounds)
        arrivals = [r for r in rows if r["type"] == "DelegationArrived"]
        assert [r["retracted_by"] is not None for r in arrivals] == [False] * (ROUNDS - 1) + [True]


def test_a_rebuild_in_small_batches_reprojects_each_family_at_its_last_fix_and_equals_them(
    store: Components,
) -> None:
    """A rebuild leaves a family's events to the reprojection at its last fix, which may lie
    many batches later, and takes the events after it one by one; the views are still those of
    one event at a time."""
    for talks_id in corrected_families(store):  # after every family's last fix
        append(store.service, "talks", talks_id, body("RoundHeld", {"number": 1}))
        append(store.service, "talks", talks_id, body("RoundHeld", {"number": 2}))
    head = store.service.head()
    one_at_a_time, expected = caught_up_one_at_a_time(store)
    assert one_at_a_time.rebuild_views(list(VIEWS), batch_size=4) == head
    assert digests(one_at_a_time) == expected
