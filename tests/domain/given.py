"""Given-when-then for the aggregates: build a stream from facts, run one command, check it:

talks = given(Talks, fact(Talks.TalksProposed, title="t", parties=["A", "B"]))
new = when(talks, fact(Talks.RoundHeld, number=1))
then(new, Talks.RoundHeld, number=1)
then_refused(talks, fact(Talks.RoundHeld, number=1), DuplicateFactError, "/data/number")
"""

from __future__ import annotations

import copy
import types
import typing
from dataclasses import dataclass
from typing import Any, TypeVar
from uuid import UUID, uuid4

import pytest

from domain.base import NegotiationAggregate, plain
from domain.envelope import Envelope, Modality, Person, Source
from domain.errors import DomainError
from domain.occurrence import Occurrence
from domain.participants import Participant
from domain.quantities import Quantity

Event = NegotiationAggregate.Event
A = TypeVar("A", bound=NegotiationAggregate)
ON_2_JUNE = Occurrence.build(precision="day", value="2025-06-02")


def an_envelope(
    *quotes: str,
    attributed_to: str | None = None,
    modality: Modality = "asserted",
    occurred: Occurrence = ON_2_JUNE,
) -> Envelope:
    """A valid envelope; one source per quote given, or one unquoted source."""
    sources = tuple(
        Source(url=f"https://example.org/news/{index}", outlet="Example Wire", quote=quote)
        for index, quote in enumerate(quotes)
    ) or (Source(outlet="Example Wire"),)
    return Envelope(
        occurred=occurred, sources=sources, attributed_to=attributed_to, modality=modality
    )


@dataclass(frozen=True)
class Fact:
    """One event to record: its type, its own data and its envelope."""

    event_class: type[Event]
    data: dict[str, Any]
    envelope: Envelope


def fact(event_class: type[Event], envelope: Envelope | None = None, **data: Any) -> Fact:
    """A fact of this type with this data (and a default envelope)."""
    return Fact(event_class, data, envelope or an_envelope())


def opened(aggregate_class: type[A], first: Fact) -> A:
    """A new stream of ``aggregate_class`` opened with ``first``; its event still pending."""
    return aggregate_class.open(
        first.event_class,
        stream_id=uuid4(),
        event_id=uuid4(),
        envelope=first.envelope,
        **first.data,
    )


def given(aggregate_class: type[A], first: Fact, *rest: Fact) -> A:
    """A stream that has already seen these facts; nothing is left pending."""
    aggregate = opened(aggregate_class, first)
    for item in rest:
        aggregate.record(item.event_class, event_id=uuid4(), envelope=item.envelope, **item.data)
    aggregate.collect_events()
    return aggregate


def when(aggregate: NegotiationAggregate, command: Fact) -> list[Event]:
    """Record ``command`` and return the new events it produced."""
    aggregate.record(
        command.event_class, event_id=uuid4(), envelope=command.envelope, **command.data
    )
    return list(aggregate.collect_events())  # type: ignore[arg-type]


def then(events: list[Event], event_class: type[Event], **data: Any) -> Event:
    """Exactly one new event, of this type, whose data include ``data`` (as JSON values)."""
    assert [type(event) for event in events] == [event_class]
    (event,) = events
    actual = event.data()
    assert {key: actual.get(key, "<absent>") for key in data} == {
        key: plain(value) for key, value in data.items()
    }
    return event


def then_refused(
    aggregate: NegotiationAggregate,
    command: Fact,
    error: type[DomainError],
    pointer: str,
) -> DomainError:
    """``command`` is refused with ``error`` at ``pointer``, and the stream is unchanged."""
    state, version = copy.deepcopy(aggregate.state), aggregate.version
    with pytest.raises(error) as caught:
        when(aggregate, command)
    assert caught.value.pointer == pointer
    assert aggregate.state == state
    assert aggregate.version == version
    assert aggregate.collect_events() == []
    return caught.value


def build_data(event_class: type[Event], raw: dict[str, Any]) -> dict[str, Any]:
    """JSON-shaped data (as in the catalogue's examples) turned into the event's field types."""
    hints = event_class.data_fields()
    return {name: _build(hints[name], value) for name, value in raw.items()}


def _build(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        (inner,) = (arg for arg in args if arg is not type(None))
        return _build(inner, value)
    if origin is list:
        return [_build(args[0], item) for item in value]
    if hint is Person:
        return Person(**value)
    if hint is Occurrence:
        return Occurrence.build(**value)
    if hint in (Quantity, Participant):
        return hint(**value)
    if hint is UUID:
        return UUID(value)
    return value


def example(event_class: type[Event]) -> Fact:
    """The catalogue example of this event type, with its example modality."""
    return fact(
        event_class,
        an_envelope(modality=event_class.EXAMPLE_MODALITY),  # type: ignore[arg-type]
        **build_data(event_class, event_class.EXAMPLE),
    )
