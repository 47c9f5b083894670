"""The fold never changes a value of a state in place, so a copied aggregate may share them.

``NegotiationAggregate.__deepcopy__`` copies only the state's own dict: the library copies the
cached aggregate for every write, and a command that fails must leave the cache as it was. That
holds only if no ``apply_to`` changes a list or dict it did not make in the same step. Here
every value below a state's top level is frozen (changing it raises) before each event is
folded (and before each step of the temporal fold, which keeps the disputes), over every stream of every demo set and over generated streams that revisit rounds,
agreements, proposals and roles, the paths that change an entry already there.
"""

from __future__ import annotations

import copy
import json
from collections import defaultdict
from typing import Any, NoReturn
from uuid import UUID, uuid4

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from application.demo_sets import load_demos
from application.service import TimelineService
from domain import temporal
from domain.actors import Actor
from domain.base import NegotiationAggregate
from domain.envelope import Envelope, Source
from domain.occurrence import Occurrence
from domain.participants import Participant
from domain.position import Position
from domain.talks import Talks

Event = NegotiationAggregate.Event


class SharedValueChangedError(AssertionError):
    """A fold step changed a value the state shares with its copies."""


def _refuse(*_: Any, **__: Any) -> NoReturn:
    raise SharedValueChangedError("the fold changed a shared value in place")


class FrozenList(list[Any]):
    """A list that refuses every change (it reads as a list: JSON, isinstance, copies)."""

    append = extend = insert = remove = pop = sort = reverse = clear = _refuse
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse


class FrozenDict(dict[str, Any]):
    """A dict that refuses every change, ``setdefault`` of a missing key included."""

    __setitem__ = __delitem__ = __ior__ = update = pop = popitem = clear = _refuse

    def setdefault(self, key: str, default: Any = None) -> Any:
        if key not in self:
            _refuse()
        return self[key]


def frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return FrozenDict({key: frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return FrozenList(frozen(item) for item in value)
    return value


def fold_sharing(events: list[Event]) -> dict[str, Any]:
    """Fold as a write's working copy does: each step on a copy of the top level only."""
    state: dict[str, Any] = {}
    for event in events:
        working = dict(state)  # the top level is the step's own; every value below is shared
        event.apply_to(working)
        state = {key: frozen(value) for key, value in working.items()}
    return state


def step_sharing(events: list[Event]) -> dict[str, Any]:
    """The same for the temporal fold's steps (disputes, corrections), in occurrence order."""
    state: dict[str, Any] = {}
    for fact in temporal.select(events, at=None, order="occurred"):
        working = dict(state)
        temporal.step(working, fact)
        state = {key: frozen(value) for key, value in working.items()}
    return state


def step_alone(events: list[Event]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for fact in temporal.select(events, at=None, order="occurred"):
        temporal.step(state, fact)
    return state


def fold_alone(events: list[Event]) -> dict[str, Any]:
    state: dict[str, Any] = {}
    for event in events:
        event.apply_to(state)
    return state


def as_json(state: dict[str, Any]) -> str:
    return json.dumps(state, sort_keys=True, default=str)


def test_every_demo_stream_folds_without_changing_a_shared_value(
    service: TimelineService,
) -> None:
    load_demos(service)
    streams: dict[UUID, list[Event]] = defaultdict(list)
    app = service.app
    for notification in app.recorder.select_notifications(start=None, limit=100_000):
        event = app.mapper.to_domain_event(notification)
        streams[event.originator_id].append(event)  # type: ignore[arg-type]
    assert len(streams) > 20  # the three demo sets: Talks, delegations, positions, actors
    for events in streams.values():
        assert as_json(fold_sharing(events)) == as_json(fold_alone(events))
        assert as_json(step_sharing(events)) == as_json(step_alone(events))


def test_a_copied_aggregate_takes_an_event_and_leaves_the_original_as_it_was() -> None:
    talks = Talks.open(
        Talks.TalksProposed, stream_id=uuid4(), event_id=uuid4(), envelope=_envelope(0),
        title="Talks", parties=["A", "B"],
    )  # fmt: skip
    _record(talks, "RoundScheduled", 1, number=1, city="Istanbul")
    _record(talks, "ThirdPartiesExpected", 2, parties=["C"], round_number=1)
    before = as_json(talks.state)
    working = copy.deepcopy(talks)
    _record(working, "RoundHeld", 3, number=1, participants=[Participant("X", "head")])
    _record(working, "ThirdPartiesExpected", 4, parties=["D"], round_number=1)
    assert as_json(talks.state) == before
    assert talks.version == 3
    assert working.version == 5
    assert len(talks.collect_events()) == 3
    assert len(working.collect_events()) == 5
    held = working.state["rounds"][0]
    assert held["status"] == "held"
    assert [p["actor"] for p in held["participants"]] == ["X"]
    assert [e["actor"] for e in held["expected"]] == ["C", "D"]


# Generated streams: steps that change an entry already in the state


def _envelope(index: int) -> Envelope:
    return Envelope(
        occurred=Occurrence(precision="day", value=f"2025-06-{index % 28 + 1:02d}"),
        sources=(Source(url=f"https://example.org/news/{index}", quote=f"quote {index}"),),
    )


def _record(aggregate: NegotiationAggregate, kind: str, index: int, **data: Any) -> None:
    event_class = getattr(type(aggregate), kind)
    aggregate.trigger_event(event_class, event_id=uuid4(), envelope=_envelope(index), **data)


NUMBERS = st.integers(1, 3)
NAMES = st.sampled_from(["Alpha", "Beta"])
TALKS_STEPS = st.one_of(
    st.tuples(st.just("RoundScheduled"), st.builds(dict, number=NUMBERS, city=NAMES)),
    st.tuples(
        st.just("RoundHeld"),
        st.builds(
            dict,
            number=NUMBERS,
            participants=st.lists(
                st.builds(Participant, actor=NAMES, role=st.sampled_from(["head", "member"])),
                max_size=2,
            ),
        ),
    ),
    st.tuples(st.just("RoundPostponed"), st.builds(dict, number=NUMBERS)),
    st.tuples(st.just("RoundCancelled"), st.builds(dict, number=NUMBERS)),
    st.tuples(
        st.just("ThirdPartiesExpected"),
        st.builds(dict, parties=st.lists(NAMES, min_size=1, max_size=2), round_number=NUMBERS),
    ),
    st.tuples(st.just("MediatorRoleAssumed"), st.builds(dict, mediator=NAMES, role=NAMES)),
    st.tuples(
        st.just("AgreementReached"), st.builds(dict, title=NAMES, parties=st.just(["A", "B"]))
    ),
    st.tuples(st.just("AgreementImplemented"), st.builds(dict, agreement=NAMES)),
    st.tuples(st.just("TalksSuspended"), st.builds(dict)),
)
POSITION_STEPS = st.one_of(
    st.tuples(st.just("PrioritiesStated"), st.builds(dict, priorities=st.lists(NAMES, min_size=1))),
    st.tuples(st.just("PriorityDropped"), st.builds(dict, priority=NAMES)),
    st.tuples(st.just("DemandMade"), st.builds(dict, demand=NAMES, addressees=st.lists(NAMES))),
    st.tuples(st.just("DemandDropped"), st.builds(dict, demand=NAMES)),
    st.tuples(st.just("ProposalMade"), st.builds(dict, title=NAMES)),
    st.tuples(st.just("ProposalRejected"), st.builds(dict, title=NAMES)),
)
ACTOR_STEPS = st.one_of(
    st.tuples(st.just("RoleAssumed"), st.builds(dict, title=NAMES, organisation=NAMES)),
    st.tuples(st.just("RoleEnded"), st.builds(dict, title=NAMES)),
    st.tuples(st.just("ActorAliasAdded"), st.builds(dict, alias=NAMES)),
)


def _opened(kind: str) -> NegotiationAggregate:
    if kind == "talks":
        return Talks.open(
            Talks.TalksProposed, stream_id=uuid4(), event_id=uuid4(), envelope=_envelope(0),
            title="Talks", parties=["A", "B"],
        )  # fmt: skip
    if kind == "positions":
        return Position.open(
            Position.PositionTaken, stream_id=uuid4(), event_id=uuid4(), envelope=_envelope(0),
            talks_id=uuid4(), party="A",
        )  # fmt: skip
    return Actor.open(
        Actor.ActorRegistered, stream_id=uuid4(), event_id=uuid4(), envelope=_envelope(0),
        kind="person", name="Alpha Person", aliases=["Alpha"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "steps"),
    [("talks", TALKS_STEPS), ("positions", POSITION_STEPS), ("actors", ACTOR_STEPS)],
)
def test_generated_streams_fold_without_changing_a_shared_value(
    kind: str, steps: st.SearchStrategy[tuple[str, dict[str, Any]]]
) -> None:
    @settings(max_examples=60, deadline=None)
    @given(st.lists(steps, min_size=1, max_size=12))
    def check(facts: list[tuple[str, dict[str, Any]]]) -> None:
        aggregate = _opened(kind)
        for index, (name, data) in enumerate(facts, start=1):
            _record(aggregate, name, index, **data)  # facts, unguarded: any order
        events: list[Event] = list(aggregate.collect_events())  # type: ignore[arg-type]
        assert as_json(fold_sharing(events)) == as_json(fold_alone(events))
        assert as_json(step_sharing(events)) == as_json(step_alone(events))

    check()
