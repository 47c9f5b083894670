"""Guards are registered by event type, explicitly; a guard of an unknown type fails at import."""

from typing import Any, ClassVar
from uuid import uuid4

import pytest
from eventsourcing.domain import Aggregate
from given import an_envelope, fact, given, then_refused

from domain.base import NegotiationAggregate, guards
from domain.catalogue import AGGREGATES
from domain.errors import DuplicateFactError
from domain.talks import Talks


def test_every_guard_of_every_aggregate_names_one_of_its_own_event_types():
    for aggregate in AGGREGATES.values():
        events = {
            value.type_name()
            for value in vars(aggregate).values()
            if isinstance(value, type) and issubclass(value, NegotiationAggregate.Event)
        }
        assert set(aggregate.GUARDS) <= events
    assert Talks.GUARDS["RoundHeld"] == "ensure_round_held"


def test_a_guard_naming_an_event_type_the_aggregate_lacks_fails_when_the_class_is_defined():
    with pytest.raises(TypeError, match="guards RoundHeldTwice"):

        class Broken(NegotiationAggregate):  # pragma: no cover - refused at definition
            class Opened(NegotiationAggregate.Event):
                CREATES: ClassVar[bool] = True

            @guards("RoundHeldTwice")
            def ensure_round_held(self, **_: Any) -> None:
                pass


def test_two_guards_of_one_event_type_fail_when_the_class_is_defined():
    with pytest.raises(TypeError, match="two guards of Opened"):

        class Twice(NegotiationAggregate):  # pragma: no cover - refused at definition
            class Opened(NegotiationAggregate.Event):
                CREATES: ClassVar[bool] = True

            @guards("Opened")
            def first(self, **_: Any) -> None:
                pass

            @guards("Opened")
            def second(self, **_: Any) -> None:
                pass


def test_a_method_merely_named_like_a_guard_is_not_called_as_one():
    class Plain(NegotiationAggregate):
        class Opened(NegotiationAggregate.Event, Aggregate.Created):
            CREATES: ClassVar[bool] = True

        class Noted(NegotiationAggregate.Event):
            pass

        def ensure_noted(self, **_: Any) -> None:  # not registered: no guard
            raise DuplicateFactError("never called")

    stream = Plain.open(Plain.Opened, stream_id=uuid4(), event_id=uuid4(), envelope=an_envelope())
    stream.record(Plain.Noted, event_id=uuid4(), envelope=an_envelope())

    assert Plain.GUARDS == {}
    assert [type(e).__name__ for e in stream.collect_events()] == ["Opened", "Noted"]


def test_a_registered_guard_refuses_what_it_guards():
    proposed = fact(Talks.TalksProposed, title="t", parties=["A", "B"])
    talks = given(Talks, proposed, fact(Talks.RoundHeld, number=1))

    then_refused(talks, fact(Talks.RoundHeld, number=1), DuplicateFactError, "/data/number")
