"""The valid-time fold (domain/temporal.py) does not depend on the order facts were recorded."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from domain import temporal
from domain.envelope import Envelope, Source
from domain.occurrence import Occurrence
from domain.talks import Talks

Event = Talks.Event
FIRST_DAY = date(2025, 5, 1)
DAYS = 60
KINDS = (
    "MediatorRoleAssumed",
    "ThirdPartiesExpected",
    "RoundScheduled",
    "MediatorConsulted",
    "DocumentExchanged",
)
PROPERTIES = settings(max_examples=60, deadline=None)


def occurrence(offset: int | None) -> Occurrence:
    """A day ``offset`` days after 1 May 2025, or an unknown date (None)."""
    if offset is None:
        return Occurrence(precision="unknown")
    return Occurrence(precision="day", value=(FIRST_DAY + timedelta(days=offset)).isoformat())


def envelope(index: int, offset: int | None) -> Envelope:
    source = Source(url=f"https://example.org/news/{index}", quote=f"quote {index}")
    return Envelope(occurred=occurrence(offset), sources=(source,))


def data(kind: str, index: int) -> dict[str, Any]:
    """Data for one fact; names and round numbers differ from fact to fact."""
    return {
        "MediatorRoleAssumed": {"mediator": f"Mediator {index}", "role": f"role {index}"},
        "ThirdPartiesExpected": {"parties": [f"Party {index}"], "role": "observers"},
        "RoundScheduled": {"number": index, "city": f"City {index}"},
        "MediatorConsulted": {
            "party": "Ukraine",
            "mediator": f"Mediator {index}",
            "participants": [f"Person {index}"],
        },
        "DocumentExchanged": {"title": f"Memo {index}", "from_party": "A", "to_party": "B"},
    }[kind]


def recorded(created: int | None, facts: list[tuple[str, int | None]]) -> list[Event]:
    """A Talks stream's events: TalksProposed, then the facts in the order given."""
    talks = Talks.open(
        Talks.TalksProposed,
        stream_id=uuid4(),
        event_id=uuid4(),
        envelope=envelope(0, created),
        title="Generated talks",
        parties=["A", "B"],
    )
    for index, (kind, offset) in enumerate(facts, start=1):
        talks.record(
            getattr(Talks, kind),
            event_id=uuid4(),
            envelope=envelope(index, offset),
            **data(kind, index),
        )
    return list(talks.collect_events())  # type: ignore[arg-type]


def rerecorded(events: list[Event], order: list[int]) -> list[Event]:
    """The same facts recorded in another order: the creating event first, versions 1..n."""
    shuffled = [events[0], *(events[1:][i] for i in order)]
    return [
        dataclasses.replace(event, originator_version=version)
        for version, event in enumerate(shuffled, start=1)
    ]


def canonical(value: Any) -> Any:
    """The state with every list sorted: equal if the states differ only in list order."""
    if isinstance(value, dict):
        return {key: canonical(item) for key, item in value.items()}
    if isinstance(value, list):
        return sorted((canonical(item) for item in value), key=json.dumps)
    return value


def counts_at(event: Event, moment: datetime) -> bool:
    """The `at` rule: the earliest possible instant is at or before the moment; undated counts."""
    start, _ = event.envelope.occurred.bounds()
    return start is None or start <= moment


@st.composite
def streams_without_ties(draw: st.DrawFn) -> tuple[list[Event], list[int]]:
    """A stream whose facts all have distinct dates (at most one undated), and a reordering."""
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=8))
    offsets: list[int | None] = list(
        draw(st.lists(st.integers(0, DAYS), min_size=len(kinds), max_size=len(kinds), unique=True))
    )
    undated = draw(st.none() | st.integers(0, len(kinds) - 1))
    if undated is not None:
        offsets[undated] = None
    created = draw(st.none() | st.integers(-10, DAYS))
    events = recorded(created, list(zip(kinds, offsets, strict=True)))
    return events, draw(st.permutations(range(len(kinds))))


@st.composite
def streams(draw: st.DrawFn) -> tuple[list[Event], list[int]]:
    """A stream whose facts may share a date or be undated, and a reordering."""
    facts = draw(
        st.lists(
            st.tuples(st.sampled_from(KINDS), st.none() | st.integers(0, DAYS)),
            min_size=1,
            max_size=8,
        )
    )
    events = recorded(draw(st.none() | st.integers(-10, DAYS)), facts)
    return events, draw(st.permutations(range(len(facts))))


moments = st.integers(-5 * 1440, (DAYS + 5) * 1440).map(
    lambda minutes: datetime(2025, 5, 1, tzinfo=UTC) + timedelta(minutes=minutes)
)


@PROPERTIES
@given(streams_without_ties())
def test_the_occurrence_order_fold_is_the_same_whatever_order_the_facts_were_recorded_in(
    stream: tuple[list[Event], list[int]],
) -> None:
    events, order = stream
    assert temporal.fold(rerecorded(events, order), order="occurred") == temporal.fold(
        events, order="occurred"
    )


@PROPERTIES
@given(streams_without_ties(), moments)
def test_the_fold_at_a_moment_is_the_same_whatever_order_the_facts_were_recorded_in(
    stream: tuple[list[Event], list[int]], moment: datetime
) -> None:
    events, order = stream
    assert temporal.fold(rerecorded(events, order), at=moment) == temporal.fold(events, at=moment)


@PROPERTIES
@given(streams(), st.none() | moments)
def test_facts_on_the_same_date_change_only_the_order_of_list_entries(
    stream: tuple[list[Event], list[int]], moment: datetime | None
) -> None:
    events, order = stream
    again = temporal.fold(rerecorded(events, order), at=moment, order="occurred")
    first = temporal.fold(events, at=moment, order="occurred")
    assert (again is None) == (first is None)
    assert canonical(again) == canonical(first)


@PROPERTIES
@given(streams(), moments)
def test_the_fold_at_a_moment_is_the_occurrence_fold_of_the_facts_that_count_by_then(
    stream: tuple[list[Event], list[int]], moment: datetime
) -> None:
    events, _ = stream
    counting = [event for event in events[1:] if counts_at(event, moment)]
    folded = temporal.fold(events, at=moment)
    if not counting and not counts_at(events[0], moment):
        assert folded is None  # nothing had happened: the stream did not exist yet
    else:
        assert folded == temporal.fold([events[0], *counting], order="occurred")


@PROPERTIES
@given(streams(), moments)
def test_a_fold_at_a_moment_holds_exactly_the_facts_that_count_by_then(
    stream: tuple[list[Event], list[int]], moment: datetime
) -> None:
    events, _ = stream
    folded = temporal.fold(events, at=moment) or {}
    known = {
        item["event_id"] for key in ("consultations", "documents") for item in folded.get(key, [])
    }
    expected = {
        str(event.event_id)
        for event in events
        if isinstance(event, Talks.MediatorConsulted | Talks.DocumentExchanged)
        and counts_at(event, moment)
    }
    assert known == expected
