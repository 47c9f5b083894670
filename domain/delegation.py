"""Delegation: one party's delegation to a Talks, its head, members and movements."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.base import EXAMPLE_IDS, NegotiationAggregate, State, appended, guards, person_dict
from domain.envelope import Person
from domain.errors import DuplicateFactError, InvalidEventError


def _members(state: State) -> list[dict[str, Any]]:
    return state.get("members", [])  # type: ignore[no-any-return]


def _move(state: State, status: str, city: str | None, round_number: int | None = None) -> None:
    movement: dict[str, Any] = {"status": status, "city": city}
    if round_number is not None:  # without one, the first release's shape
        movement["round_number"] = round_number
        _for_round(state, round_number)
    appended(state, "movements", movement)
    if state.get("status") != "withdrawn":
        state["status"] = status
    state["location"] = city if status == "arrived" else None


def _for_round(state: State, round_number: int) -> None:
    """Tie the delegation to a round of its Talks (``rounds``: every round it came to)."""
    if round_number not in state.get("rounds", []):
        appended(state, "rounds", round_number).sort()


class Delegation(NegotiationAggregate):
    """A party's delegation to one Talks."""

    TOPIC = "negotiation-timeline/Delegation/v1"

    class Event(NegotiationAggregate.Event):
        TOPIC = "negotiation-timeline/Delegation.Event/v1"

    class DelegationAnnounced(Event, Aggregate.Created):
        """A party announces its delegation to a Talks, with its head if named."""

        TOPIC = "negotiation-timeline/DelegationAnnounced/v1"
        CAMEO = "036"
        CREATES = True
        HEADLINE = "{party} delegation announced"
        ACTOR_FIELDS = ("party", "head", "members")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "talks_id": EXAMPLE_IDS["talks"],
            "party": "Russia",
            "members": [],
            "destination": "Istanbul",
            "round_number": 2,
        }

        talks_id: UUID
        party: str
        head: Person | None = None
        members: list[Person] | None = None
        destination: str | None = None
        description: str | None = None
        #: The round of its Talks the delegation is sent to, if one.
        round_number: int | None = None

        def apply_to(self, state: State) -> None:
            state.update(
                talks_id=str(self.talks_id),
                party=self.party,
                destination=self.destination,
                description=self.description,
            )
            if self.head is not None:
                state["heads"] = [person_dict(self.head), *state.get("heads", [])]
                state.setdefault("head", person_dict(self.head))
            state.setdefault("head", None)
            state.setdefault("heads", [])
            members = state.get("members", [])
            names = {m["name"] for m in members}
            state["members"] = [
                *(person_dict(m) for m in self.members or [] if m.name not in names),
                *members,
            ]
            state.setdefault("status", "announced")
            state.setdefault("location", None)
            state.setdefault("movements", [])
            if self.round_number is not None:
                _for_round(state, self.round_number)

    class DelegationHeadNamed(Event):
        """The person who will lead the delegation is named."""

        TOPIC = "negotiation-timeline/DelegationHeadNamed/v1"
        SUBJECT = ()
        HEADLINE = "{head} named head of delegation"
        ACTOR_FIELDS = ("head",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "head": {"name": "Vladimir Medinsky", "title": "Presidential aide"}
        }

        head: Person

        def apply_to(self, state: State) -> None:
            state["head"] = person_dict(self.head)
            appended(state, "heads", person_dict(self.head))

    class DelegationHeadChanged(Event):
        """Another person now leads the delegation."""

        TOPIC = "negotiation-timeline/DelegationHeadChanged/v1"
        HEADLINE = "{head} now heads the delegation"
        ACTOR_FIELDS = ("head",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "head": {"name": "Sergei Lavrov", "title": "Foreign Minister"},
            "reason": "reshuffle",
        }

        head: Person
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            state["head"] = person_dict(self.head)
            appended(state, "heads", person_dict(self.head))

    class DelegationMemberAdded(Event):
        """Someone joins the delegation."""

        TOPIC = "negotiation-timeline/DelegationMemberAdded/v1"
        HEADLINE = "{member} joins the delegation"
        ACTOR_FIELDS = ("member",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "member": {"name": "Igor Kostyukov", "title": "Head of military intelligence"}
        }

        member: Person

        def apply_to(self, state: State) -> None:
            members = [m for m in _members(state) if m["name"] != self.member.name]
            state["members"] = [*members, person_dict(self.member)]

    class DelegationMemberRemoved(Event):
        """Someone leaves the delegation."""

        TOPIC = "negotiation-timeline/DelegationMemberRemoved/v1"
        HEADLINE = "{name} leaves the delegation"
        ACTOR_FIELDS = ("name",)
        EXAMPLE: ClassVar[dict[str, Any]] = {"name": "Igor Kostyukov"}

        name: str
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            state["members"] = [m for m in _members(state) if m["name"] != self.name]

    class DelegationDeparted(Event):
        """The delegation sets off (CAMEO has no code for travel itself)."""

        TOPIC = "negotiation-timeline/DelegationDeparted/v1"
        HEADLINE = "Delegation departs for {to_city}"
        EXAMPLE_MODALITY = "planned"
        EXAMPLE: ClassVar[dict[str, Any]] = {"from_city": "Moscow", "to_city": "Istanbul"}

        to_city: str | None = None
        from_city: str | None = None

        def apply_to(self, state: State) -> None:
            _move(state, "travelling", self.to_city)

    class DelegationArrived(Event):
        """The delegation arrives (CAMEO 042: make a visit)."""

        TOPIC = "negotiation-timeline/DelegationArrived/v1"
        CAMEO = "042"
        HEADLINE = "Delegation arrives in {city}"
        EXAMPLE: ClassVar[dict[str, Any]] = {"city": "Istanbul", "round_number": 2}

        city: str
        round_number: int | None = None

        def apply_to(self, state: State) -> None:
            _move(state, "arrived", self.city, self.round_number)

    class DelegationLeft(Event):
        """The delegation leaves the venue."""

        TOPIC = "negotiation-timeline/DelegationLeft/v1"
        HEADLINE = "Delegation leaves {city}"
        EXAMPLE: ClassVar[dict[str, Any]] = {"city": "Istanbul"}

        city: str

        def apply_to(self, state: State) -> None:
            _move(state, "left", self.city)

    class DelegationWithdrawn(Event):
        """The delegation is withdrawn; it accepts no change after this."""

        TOPIC = "negotiation-timeline/DelegationWithdrawn/v1"
        HEADLINE = "Delegation withdrawn"
        EXAMPLE: ClassVar[dict[str, Any]] = {"reason": "talks suspended"}

        reason: str | None = None

        def apply_to(self, state: State) -> None:
            state["status"] = "withdrawn"

    def is_closed(self) -> bool:
        return self.state.get("status") == "withdrawn"

    @guards("DelegationAnnounced")
    def ensure_delegation_announced(self, **_: Any) -> None:
        raise DuplicateFactError("a delegation is announced once, when created", pointer="/type")

    @guards("DelegationHeadNamed")
    def ensure_delegation_head_named(self, **_: Any) -> None:
        if self.state.get("head"):
            raise DuplicateFactError(
                f"the delegation is already headed by {self.state['head']['name']}; "
                "record DelegationHeadChanged",
                pointer="/type",
            )

    @guards("DelegationHeadChanged")
    def ensure_delegation_head_changed(self, *, head: Person, **_: Any) -> None:
        current = self.state.get("head")
        if not current:
            raise InvalidEventError(
                "the delegation has no head yet; record DelegationHeadNamed", pointer="/type"
            )
        if current["name"] == head.name:
            raise DuplicateFactError(
                f"{head.name} already heads the delegation", pointer="/data/head/name"
            )

    @guards("DelegationMemberAdded")
    def ensure_delegation_member_added(self, *, member: Person, **_: Any) -> None:
        if any(m["name"] == member.name for m in self.state.get("members", [])):
            raise DuplicateFactError(
                f"{member.name} is already a member", pointer="/data/member/name"
            )

    @guards("DelegationMemberRemoved")
    def ensure_delegation_member_removed(self, *, name: str, **_: Any) -> None:
        if not any(m["name"] == name for m in self.state.get("members", [])):
            raise InvalidEventError(f"{name} is not a member", pointer="/data/name")
