"""Given events in the log, after catching up, the views answer with the right rows."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from support import (
    EVERYTHING,
    UNKNOWN,
    append,
    body,
    count,
    day,
    opened,
    stream,
    talks,
    timeline,
)

from application.components import Components
from projections import queries
from store.settings import Settings


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


def scheduled(number: int, date: dict[str, Any] | None, city: str = "Istanbul") -> dict[str, Any]:
    data = {"number": number, "city": city} | ({"date": date} if date else {})
    return body("RoundScheduled", data, modality="planned")


def overview(store: Components, talks_id: str) -> dict[str, Any]:
    store.projector.catch_up()
    rows = queries.list_talks(store.application.database, None, None, EVERYTHING)
    return next(row for row in rows if row["id"] == talks_id)


# Talks overview


def test_the_overview_shows_status_parties_mediators_and_the_earliest_coming_round(
    store: Components,
) -> None:
    service = store.service
    talks_id = talks(service, "Istanbul talks")
    append(service, "talks", talks_id, body("MediatorRoleAssumed", {"mediator": "Türkiye"}))
    append(
        service,
        "talks",
        talks_id,
        scheduled(1, day("2025-07-10")),
        scheduled(2, day("2025-06-20")),
        scheduled(3, {"precision": "month", "value": "2025-09"}),
        body("RoundHeld", {"number": 4}),
    )
    row = overview(store, talks_id)
    assert (row["title"], row["status"]) == ("Istanbul talks", "active")
    assert row["parties"] == ["Ukraine", "Russia"]
    assert [m["name"] for m in row["mediators"]] == ["Türkiye"]
    assert (row["next_round"]["number"], row["next_round"]["date"]["value"]) == (2, "2025-06-20")

    moved = append(
        service,
        "talks",
        talks_id,
        body("RoundPostponed", {"number": 2, "new_date": day("2025-08-01")}),
    )
    row = overview(store, talks_id)
    assert row["next_round"]["number"] == 1
    assert row["last_change"] == {
        "position": moved.position,
        "type": "RoundPostponed",
        "headline": "Round 2 postponed",
    }
    later = body("RoundPostponed", {"number": 1, "new_date": day("2025-07-30")})
    append(service, "talks", talks_id, later)
    row = overview(store, talks_id)
    assert (row["next_round"]["number"], row["next_round"]["status"]) == (1, "postponed")


def test_an_event_of_a_delegation_is_the_talks_last_change_without_touching_its_state(
    store: Components,
) -> None:
    talks_id = talks(store.service)
    before = overview(store, talks_id)
    delegation = stream(store.service, "delegations", talks_id, "Russia")
    arrived = append(
        store.service,
        "delegations",
        delegation,
        body("DelegationArrived", {"city": "Istanbul"}),
    )
    after = overview(store, talks_id)
    assert after["last_change"]["position"] == arrived.position
    assert after["last_change"]["type"] == "DelegationArrived"
    assert {k: v for k, v in after.items() if k != "last_change"} == {
        k: v for k, v in before.items() if k != "last_change"
    }


def test_talks_are_filtered_by_status_and_by_a_whole_party_name(store: Components) -> None:
    first = talks(store.service, "First", parties=["Ukraine", "Russian Federation"])
    second = talks(store.service, "Second", parties=["Ukraine", "Russia"])
    append(store.service, "talks", second, scheduled(1, day("2025-06-20")))
    store.projector.catch_up()
    db = store.application.database

    def ids(status: str | None, party: str | None) -> list[str]:
        return [row["id"] for row in queries.list_talks(db, status, party, EVERYTHING)]

    assert ids("scheduled", None) == [second]
    assert ids("proposed", None) == [first]
    assert ids(None, "Russia") == [second]
    assert sorted(ids(None, "Ukraine")) == sorted([first, second])
    assert ids(None, "R_ssia") == []


def test_a_round_with_an_unknown_date_is_not_the_next_round_before_a_dated_one(
    store: Components,
) -> None:
    talks_id = talks(store.service)
    append(
        store.service,
        "talks",
        talks_id,
        scheduled(1, day("2025-07-01")),
        scheduled(2, UNKNOWN),
    )
    assert overview(store, talks_id)["next_round"]["number"] == 1


def test_the_next_round_is_the_earliest_instant_whatever_the_time_zones(store: Components) -> None:
    talks_id = talks(store.service)
    at_eight_utc = {"precision": "minute", "value": "2025-06-02T09:00+01:00"}
    at_seven_utc = {"precision": "minute", "value": "2025-06-02T10:00+03:00"}
    append(
        store.service,
        "talks",
        talks_id,
        scheduled(1, at_eight_utc),
        scheduled(2, at_seven_utc),
    )
    assert overview(store, talks_id)["next_round"]["number"] == 2


# Timeline


@pytest.fixture
def dated(store: Components) -> dict[str, Any]:
    """A Talks (undated), then events out of date order, with a delegation and a position."""
    service = store.service
    talks_id = talks(service)
    positions = {}
    for name, occurred in (
        ("june 3", day("2025-06-03")),
        ("june 1", day("2025-06-01")),
        ("june", {"precision": "month", "value": "2025-06"}),
        ("may 30-june 1", {"precision": "interval", "value": "2025-05-30/2025-06-01"}),
        ("unknown", UNKNOWN),
        ("june 1 again", day("2025-06-01")),
    ):
        mediator = body("MediatorRoleAssumed", {"mediator": f"M {name}"}, occurred=occurred)
        positions[name] = append(service, "talks", talks_id, mediator).position
    positions["consulted"] = append(
        service,
        "talks",
        talks_id,
        body(
            "MediatorConsulted",
            {"party": "Ukraine", "mediator": "Türkiye", "participants": ["Russian Federation"]},
            occurred=day("2025-05-01"),
        ),
    ).position
    delegation = stream(service, "delegations", talks_id, "Russia")
    position = stream(service, "positions", talks_id, "Ukraine")
    positions["june 2"] = [service.head() - 1, service.head()]  # both dated 2025-06-02
    store.projector.catch_up()
    return {"talks_id": talks_id, "delegation": delegation, "position": position, **positions}


def test_the_timeline_is_ordered_by_occurrence_then_position_with_unknown_dates_last(
    store: Components, dated: dict[str, Any]
) -> None:
    entries = timeline(store.application.database)
    assert [e["position"] for e in entries] == [
        dated["consulted"],
        dated["may 30-june 1"],
        dated["june 1"],  # the same start as the month of June, logged earlier
        dated["june"],
        dated["june 1 again"],
        *dated["june 2"],
        dated["june 3"],
        1,  # TalksProposed, date unknown
        dated["unknown"],
    ]
    assert [e["occurred"]["value"] for e in entries[-2:]] == [None, None]
    assert len(entries) == count(store.application.database, "view_timeline") == 10


def test_the_timeline_filters_by_kind(store: Components, dated: dict[str, Any]) -> None:
    db = store.application.database
    assert [e["stream_id"] for e in timeline(db, kind="delegations")] == [dated["delegation"]]
    assert [e["stream_id"] for e in timeline(db, kind="positions")] == [dated["position"]]
    assert {e["kind"] for e in timeline(db, kind="talks")} == {"talks"}
    assert len(timeline(db, kind="talks")) == 8


def test_the_actor_filter_matches_a_whole_name_never_part_of_another(
    store: Components, dated: dict[str, Any]
) -> None:
    db = store.application.database
    russia = timeline(db, actor="Russia")
    assert [e["type"] for e in russia] == ["DelegationAnnounced", "TalksProposed"]
    assert [e["position"] for e in timeline(db, actor="Russian Federation")] == [dated["consulted"]]
    assert timeline(db, actor="Russ") == []
    assert timeline(db, actor="R_ssia") == []
    assert timeline(db, actor="%") == []


def test_the_actor_filter_is_exact_about_case_on_every_backend(
    store: Components, dated: dict[str, Any]
) -> None:
    assert timeline(store.application.database, actor="russia") == []


def test_the_date_range_keeps_what_overlaps_it_and_drops_undated_entries(
    store: Components, dated: dict[str, Any]
) -> None:
    db = store.application.database
    june_first = timeline(
        db, date_from="2025-06-01T00:00:00.000000Z", date_to="2025-06-02T00:00:00.000000Z"
    )
    assert sorted(e["position"] for e in june_first) == sorted(
        dated[name] for name in ("june 1", "june 1 again", "june", "may 30-june 1")
    )
    before_june = timeline(db, date_to="2025-06-01T00:00:00.000000Z")
    assert [e["position"] for e in before_june] == [dated["consulted"], dated["may 30-june 1"]]
    assert all(
        e["occurred"]["value"] for e in timeline(db, date_from="2000-01-01T00:00:00.000000Z")
    )
