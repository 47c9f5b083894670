"""Delegation: its head, its members, its movements and its withdrawal."""

from uuid import uuid4

import pytest
from given import example, fact, given, opened, then, then_refused, when

from domain.catalogue import EVENT_TYPES
from domain.delegation import Delegation
from domain.envelope import Person
from domain.errors import ClosedStreamError, DuplicateFactError, InvalidEventError
from domain.talks import Talks

TALKS_ID = uuid4()
MEDINSKY = Person("Vladimir Medinsky", "Presidential aide")
LAVROV = Person("Sergei Lavrov", "Foreign Minister")
GALUZIN = Person("Mikhail Galuzin", "Deputy Foreign Minister")
ANNOUNCED = fact(Delegation.DelegationAnnounced, talks_id=TALKS_ID, party="Russia")
WITHDRAWN = fact(Delegation.DelegationWithdrawn, reason="talks suspended")


def head_named(person: Person = MEDINSKY):
    return fact(Delegation.DelegationHeadNamed, head=person)


def member_added(person: Person = GALUZIN):
    return fact(Delegation.DelegationMemberAdded, member=person)


def test_a_delegation_announced_without_a_head_has_none():
    delegation = opened(Delegation, ANNOUNCED)

    then(delegation.collect_events(), Delegation.DelegationAnnounced, talks_id=TALKS_ID)
    assert delegation.state["status"] == "announced"
    assert delegation.state["head"] is None
    assert delegation.state["heads"] == []


def test_naming_the_head_of_a_delegation_without_one_sets_it():
    delegation = given(Delegation, ANNOUNCED)

    then(when(delegation, head_named()), Delegation.DelegationHeadNamed, head=MEDINSKY)
    assert delegation.state["head"] == {"name": "Vladimir Medinsky", "title": "Presidential aide"}


def test_a_head_cannot_be_named_twice():
    delegation = given(Delegation, ANNOUNCED, head_named())

    error = then_refused(delegation, head_named(LAVROV), DuplicateFactError, "/type")
    assert "DelegationHeadChanged" in error.message


def test_a_head_cannot_be_named_when_the_announcement_named_one():
    announced_with_head = fact(
        Delegation.DelegationAnnounced, talks_id=TALKS_ID, party="Russia", head=MEDINSKY
    )
    delegation = given(Delegation, announced_with_head)
    assert delegation.state["heads"] == [
        {"name": "Vladimir Medinsky", "title": "Presidential aide"}
    ]

    then_refused(delegation, head_named(LAVROV), DuplicateFactError, "/type")


def test_a_changed_head_keeps_the_former_heads_in_history():
    delegation = given(Delegation, ANNOUNCED, head_named())

    when(delegation, fact(Delegation.DelegationHeadChanged, head=LAVROV, reason="reshuffle"))

    assert delegation.state["head"]["name"] == "Sergei Lavrov"
    assert [head["name"] for head in delegation.state["heads"]] == [
        "Vladimir Medinsky",
        "Sergei Lavrov",
    ]


def test_the_head_cannot_change_before_one_is_named():
    delegation = given(Delegation, ANNOUNCED)

    then_refused(
        delegation, fact(Delegation.DelegationHeadChanged, head=LAVROV), InvalidEventError, "/type"
    )


def test_the_head_cannot_change_to_the_current_head():
    delegation = given(Delegation, ANNOUNCED, head_named())

    then_refused(
        delegation,
        fact(Delegation.DelegationHeadChanged, head=MEDINSKY),
        DuplicateFactError,
        "/data/head/name",
    )


def test_an_added_member_joins_the_delegation():
    delegation = given(Delegation, ANNOUNCED)

    then(when(delegation, member_added()), Delegation.DelegationMemberAdded, member=GALUZIN)
    assert delegation.state["members"] == [
        {"name": "Mikhail Galuzin", "title": "Deputy Foreign Minister"}
    ]


def test_a_member_cannot_be_added_twice():
    delegation = given(Delegation, ANNOUNCED, member_added())

    then_refused(
        delegation, member_added(Person(GALUZIN.name)), DuplicateFactError, "/data/member/name"
    )


def test_a_removed_member_leaves_the_delegation():
    delegation = given(Delegation, ANNOUNCED, member_added(), member_added(LAVROV))

    when(delegation, fact(Delegation.DelegationMemberRemoved, name=GALUZIN.name))

    assert [member["name"] for member in delegation.state["members"]] == ["Sergei Lavrov"]


def test_removing_someone_who_is_not_a_member_is_refused():
    delegation = given(Delegation, ANNOUNCED, member_added())
    removal = fact(Delegation.DelegationMemberRemoved, name="Sergei Lavrov")

    then_refused(delegation, removal, InvalidEventError, "/data/name")


def test_movements_update_the_status_and_the_location():
    delegation = given(Delegation, ANNOUNCED)

    when(delegation, fact(Delegation.DelegationDeparted, from_city="Moscow", to_city="Istanbul"))
    assert (delegation.state["status"], delegation.state["location"]) == ("travelling", None)
    when(delegation, fact(Delegation.DelegationArrived, city="Istanbul"))
    assert (delegation.state["status"], delegation.state["location"]) == ("arrived", "Istanbul")
    when(delegation, fact(Delegation.DelegationLeft, city="Istanbul"))
    assert delegation.state["status"] == "left"

    assert delegation.state["movements"] == [
        {"status": "travelling", "city": "Istanbul"},
        {"status": "arrived", "city": "Istanbul"},
        {"status": "left", "city": "Istanbul"},
    ]


def test_a_withdrawn_delegation_is_marked_withdrawn():
    delegation = given(Delegation, ANNOUNCED)

    then(when(delegation, WITHDRAWN), Delegation.DelegationWithdrawn, reason="talks suspended")
    assert delegation.state["status"] == "withdrawn"


@pytest.mark.parametrize(
    "event_class",
    [t.event_class for t in EVENT_TYPES.values() if t.kind == "delegations"],
    ids=lambda cls: cls.__name__,
)
def test_a_withdrawn_delegation_accepts_no_change(event_class):
    delegation = given(Delegation, ANNOUNCED, head_named(), member_added(), WITHDRAWN)

    then_refused(delegation, example(event_class), ClosedStreamError, "/type")


def test_a_movement_folded_after_the_withdrawal_keeps_it_withdrawn():
    state: dict = {}
    delegation = given(Delegation, ANNOUNCED)
    arrived = when(delegation, fact(Delegation.DelegationArrived, city="Istanbul"))[0]
    withdrawn = when(delegation, WITHDRAWN)[0]

    withdrawn.apply_to(state)
    arrived.apply_to(state)

    assert state["status"] == "withdrawn"


def test_a_delegation_refuses_an_event_of_the_talks():
    delegation = given(Delegation, ANNOUNCED)

    then_refused(delegation, fact(Talks.TalksSuspended), InvalidEventError, "/type")
