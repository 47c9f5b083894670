"""Position: one party's stance in a Talks: priorities, demands, proposals, appeals, claims,
intents and statements."""

from __future__ import annotations

from dataclasses import field
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.base import EXAMPLE_IDS, NegotiationAggregate, State, appended, guards, owned, plain
from domain.errors import DuplicateFactError, InvalidEventError
from domain.occurrence import Occurrence

COLLECTIONS = (
    "priorities",
    "dropped_priorities",
    "demands",
    "dropped_demands",
    "proposals",
    "appeals",
    "assessments",
    "statements",
)


def _said(event: NegotiationAggregate.Event, kind: str, **extra: Any) -> dict[str, Any]:
    """A statement as kept in state: who, how, the verbatim quotes and the event behind it."""
    return {
        "kind": kind,
        "speaker": getattr(event, "speaker", None),
        "channel": getattr(event, "channel", None),
        "quotes": event.envelope.quotes,
        "event_id": str(event.event_id),
        **extra,
    }


def addressed(addressee: str | None, addressees: list[str] | None) -> list[str]:
    """Everyone an event is addressed to: the one ``addressee`` of the first release, then the
    list, each once."""
    return list(dict.fromkeys([*([addressee] if addressee else []), *(addressees or [])]))


def _upcast_addressees(state: dict[str, Any]) -> None:
    """A first-release event, stored before the list of addressees: it had none beside one."""
    state.setdefault("addressees", [])


class Position(NegotiationAggregate):
    """A party's stance in one Talks."""

    TOPIC = "negotiation-timeline/Position/v1"

    class Event(NegotiationAggregate.Event):
        TOPIC = "negotiation-timeline/Position.Event/v1"

    class PositionTaken(Event, Aggregate.Created):
        """A party sets out its position heading into a Talks."""

        TOPIC = "negotiation-timeline/PositionTaken/v1"
        CAMEO = "010"
        CREATES = True
        HEADLINE = "{party} sets out its position"
        ACTOR_FIELDS = ("party", "speaker")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "talks_id": EXAMPLE_IDS["talks"],
            "party": "Russia",
            "speaker": "Dmitry Peskov",
            "summary": "Russia brings a memorandum setting out its conditions",
        }

        talks_id: UUID
        party: str
        speaker: str | None = None
        channel: str | None = None
        summary: str | None = None

        def apply_to(self, state: State) -> None:
            state.update(talks_id=str(self.talks_id), party=self.party, summary=self.summary)
            for key in COLLECTIONS:
                state.setdefault(key, [])

    class PrioritiesStated(Event):
        """The party states what it wants most; each priority is added if new."""

        TOPIC = "negotiation-timeline/PrioritiesStated/v1"
        CAMEO = "010"
        HEADLINE = "Priorities: {priorities}"
        ACTOR_FIELDS = ("speaker",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "priorities": ["recognition of new territorial realities"],
            "speaker": "Dmitry Peskov",
            "channel": "press briefing",
        }

        priorities: list[str]
        speaker: str | None = None
        channel: str | None = None

        def apply_to(self, state: State) -> None:
            current = state.get("priorities", [])
            appended(
                state,
                "priorities",
                *(p for p in dict.fromkeys(self.priorities) if p not in current),
            )
            state["dropped_priorities"] = [
                p for p in state.get("dropped_priorities", []) if p not in self.priorities
            ]

    class PriorityDropped(Event):
        """The party no longer insists on a priority."""

        TOPIC = "negotiation-timeline/PriorityDropped/v1"
        HEADLINE = "Priority dropped: {priority}"
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "priority": "recognition of new territorial realities",
            "reason": "dropped for a ceasefire along the front line",
        }

        priority: str
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            state["priorities"] = [p for p in state.get("priorities", []) if p != self.priority]
            appended(state, "dropped_priorities", self.priority)

    class DemandMade(Event):
        """The party demands something of another (CAMEO 100: demand)."""

        TOPIC = "negotiation-timeline/DemandMade/v1"
        CAMEO = "100"
        HEADLINE = "Demand: {demand}"
        ACTOR_FIELDS = ("speaker", "addressee", "addressees")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "demand": "withdrawal of troops from four regions",
            "addressees": ["Ukraine"],
            "deadline": {"precision": "day", "value": "2025-06-30"},
        }
        class_version = 2

        demand: str
        addressee: str | None = None
        speaker: str | None = None
        addressees: list[str] = field(default_factory=list)
        #: By when the demand is to be met.
        deadline: Occurrence | None = None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            _upcast_addressees(state)
            state.setdefault("deadline", None)

        def apply_to(self, state: State) -> None:
            if self.demand not in state.get("demands", []):
                appended(state, "demands", self.demand)
            state["dropped_demands"] = [
                d for d in state.get("dropped_demands", []) if d != self.demand
            ]
            addressees = addressed(self.addressee, self.addressees)
            if addressees or self.deadline is not None:  # the terms of a current demand
                terms = [t for t in state.get("demand_terms", []) if t["demand"] != self.demand]
                terms.append(
                    {
                        "demand": self.demand,
                        "addressees": addressees,
                        "deadline": plain(self.deadline),
                        "speaker": self.speaker,
                        "event_id": str(self.event_id),
                    }
                )
                state["demand_terms"] = terms

    class DemandDropped(Event):
        """The party drops a demand."""

        TOPIC = "negotiation-timeline/DemandDropped/v1"
        HEADLINE = "Demand dropped: {demand}"
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "demand": "withdrawal of troops from four regions",
            "reason": "concession in round 3",
        }

        demand: str
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            state["demands"] = [d for d in state.get("demands", []) if d != self.demand]
            appended(state, "dropped_demands", self.demand)
            if "demand_terms" in state:
                state["demand_terms"] = [
                    t for t in state["demand_terms"] if t["demand"] != self.demand
                ]

    class ProposalMade(Event):
        """The party puts a proposal on the table."""

        TOPIC = "negotiation-timeline/ProposalMade/v1"
        HEADLINE = "Proposal: {title}"
        ACTOR_FIELDS = ("addressee", "addressees")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "title": "30-day ceasefire",
            "summary": "a full ceasefire for 30 days, monitored by third parties",
            "addressee": "Ukraine",
            "addressees": ["Ukraine", "Türkiye"],
            "proposed_date": {"precision": "day", "value": "2025-06-20"},
            "proposed_venue": "Istanbul",
            "conditions": ["an exchange of all prisoners first"],
            "deadline": {"precision": "day", "value": "2025-06-15"},
        }
        class_version = 2

        title: str
        summary: str | None = None
        addressee: str | None = None
        addressees: list[str] = field(default_factory=list)
        #: When the proposal would have it happen (a meeting's day, a ceasefire's start).
        proposed_date: Occurrence | None = None
        proposed_venue: str | None = None
        conditions: list[str] = field(default_factory=list)
        #: By when the proposal is to be answered.
        deadline: Occurrence | None = None

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            _upcast_addressees(state)
            state.setdefault("conditions", [])
            for name in ("proposed_date", "proposed_venue", "deadline"):
                state.setdefault(name, None)

        def apply_to(self, state: State) -> None:
            appended(
                state,
                "proposals",
                {
                    "title": self.title,
                    "summary": self.summary,
                    "status": "made",
                    "by": "self",
                    "event_id": str(self.event_id),
                    "addressees": addressed(self.addressee, self.addressees),
                    "proposed_date": plain(self.proposed_date),
                    "proposed_venue": self.proposed_venue,
                    "conditions": list(self.conditions),
                    "deadline": plain(self.deadline),
                },
            )

    class ProposalRejected(Event):
        """The party rejects a proposal, its own withdrawn or another's refused (CAMEO 120)."""

        TOPIC = "negotiation-timeline/ProposalRejected/v1"
        CAMEO = "120"
        HEADLINE = "Proposal rejected: {title}"
        ACTOR_FIELDS = ("proposed_by",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "title": "30-day ceasefire",
            "proposed_by": "Ukraine",
            "reason": "conditions not met",
        }

        title: str
        proposed_by: str | None = None
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            for index, proposal in enumerate(state.get("proposals", [])):
                if proposal["title"] == self.title:
                    owned(state, "proposals", index)["status"] = "rejected"
                    return
            appended(
                state,
                "proposals",
                {
                    "title": self.title,
                    "summary": None,
                    "status": "rejected",
                    "by": self.proposed_by,
                    "event_id": str(self.event_id),
                },
            )

    class AppealMade(Event):
        """The party appeals to a third party, for example for sanctions pressure (CAMEO 020)."""

        TOPIC = "negotiation-timeline/AppealMade/v1"
        CAMEO = "020"
        HEADLINE = "Appeal to {addressees}: {subject}"
        ACTOR_FIELDS = ("speaker", "addressee", "addressees")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "addressees": ["European Union", "United States"],
            "subject": "sanctions pressure on Russia",
            "speaker": "Volodymyr Zelenskyy",
            "channel": "video address",
        }
        class_version = 2

        subject: str
        #: The one addressee of the first release; ``addressees`` names any number.
        addressee: str | None = None
        speaker: str | None = None
        channel: str | None = None
        addressees: list[str] = field(default_factory=list)

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            _upcast_addressees(state)

        def headline(self, data: dict[str, Any] | None = None) -> str:
            """The headline names every addressee, the first release's one included."""
            data = dict(self.data() if data is None else data)
            data["addressees"] = addressed(data.get("addressee"), data.get("addressees"))
            return super().headline(data)

        def apply_to(self, state: State) -> None:
            appended(
                state,
                "appeals",
                _said(
                    self,
                    "appeal",
                    addressee=self.addressee,
                    addressees=addressed(self.addressee, self.addressees),
                    subject=self.subject,
                ),
            )

    class SkepticismVoiced(Event):
        """A pessimistic assessment, with its verbatim quote in the source (CAMEO 012)."""

        TOPIC = "negotiation-timeline/SkepticismVoiced/v1"
        CAMEO = "012"
        HEADLINE = "{speaker} voices skepticism: {about}"
        ACTOR_FIELDS = ("speaker",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "speaker": "Dmitry Peskov",
            "about": "a quick breakthrough",
            "channel": "press briefing",
        }

        speaker: str
        about: str | None = None
        channel: str | None = None

        def apply_to(self, state: State) -> None:
            appended(state, "assessments", _said(self, "skepticism", about=self.about))

    class OptimismVoiced(Event):
        """An optimistic assessment (CAMEO 013)."""

        TOPIC = "negotiation-timeline/OptimismVoiced/v1"
        CAMEO = "013"
        HEADLINE = "{speaker} voices optimism: {about}"
        ACTOR_FIELDS = ("speaker",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "speaker": "Hakan Fidan",
            "about": "a prisoner exchange",
            "channel": "press conference",
        }

        speaker: str
        about: str | None = None
        channel: str | None = None

        def apply_to(self, state: State) -> None:
            appended(state, "assessments", _said(self, "optimism", about=self.about))

    class StatementMade(Event):
        """A statement on the talks, its verbatim quote in the source (CAMEO 010)."""

        TOPIC = "negotiation-timeline/StatementMade/v1"
        CAMEO = "010"
        HEADLINE = "{speaker}: {subject}"
        ACTOR_FIELDS = ("speaker",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "speaker": "Volodymyr Zelenskyy",
            "subject": "coordination with partners",
            "channel": "video address",
        }

        speaker: str
        subject: str | None = None
        channel: str | None = None

        def apply_to(self, state: State) -> None:
            appended(state, "statements", _said(self, "statement", subject=self.subject))

    class ClaimMade(Event):
        """The party asserts something as a fact, which others may dispute (CAMEO 010)."""

        TOPIC = "negotiation-timeline/ClaimMade/v1"
        CAMEO = "010"
        HEADLINE = "Claim: {claim}"
        ACTOR_FIELDS = ("speaker", "addressees")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "claim": "the Ukrainian side has not answered the memorandum",
            "about": "the memorandum",
            "speaker": "Dmitry Peskov",
            "channel": "press briefing",
            "addressees": ["Ukraine"],
        }

        claim: str
        about: str | None = None
        speaker: str | None = None
        channel: str | None = None
        addressees: list[str] = field(default_factory=list)

        def apply_to(self, state: State) -> None:
            appended(
                state,
                "claims",
                _said(
                    self,
                    "claim",
                    claim=self.claim,
                    about=self.about,
                    addressees=list(self.addressees),
                ),
            )

    class IntentStated(Event):
        """The party says what it intends to do, and on what conditions (CAMEO 030)."""

        TOPIC = "negotiation-timeline/IntentStated/v1"
        CAMEO = "030"
        HEADLINE = "Intent: {intent}"
        ACTOR_FIELDS = ("speaker",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "intent": "send a delegation to Istanbul",
            "speaker": "Volodymyr Zelenskyy",
            "conditions": ["Russia presents its memorandum beforehand"],
            "channel": "press conference",
        }

        intent: str
        speaker: str | None = None
        conditions: list[str] = field(default_factory=list)
        channel: str | None = None

        def apply_to(self, state: State) -> None:
            appended(
                state,
                "intents",
                _said(self, "intent", intent=self.intent, conditions=list(self.conditions)),
            )

    @guards("PositionTaken")
    def ensure_position_taken(self, **_: Any) -> None:
        raise DuplicateFactError("a position is taken once, when created", pointer="/type")

    @guards("PrioritiesStated")
    def ensure_priorities_stated(self, *, priorities: list[str], **_: Any) -> None:
        if not priorities:
            raise InvalidEventError("state at least one priority", pointer="/data/priorities")

    @guards("PriorityDropped")
    def ensure_priority_dropped(self, *, priority: str, **_: Any) -> None:
        if priority not in self.state.get("priorities", []):
            raise InvalidEventError(
                f"{priority!r} is not a current priority", pointer="/data/priority"
            )

    @guards("AppealMade")
    def ensure_appeal_made(
        self, *, addressee: str | None = None, addressees: list[str] | None = None, **_: Any
    ) -> None:
        if not addressed(addressee, addressees):
            raise InvalidEventError(
                "an appeal is addressed to someone: give addressees", pointer="/data/addressees"
            )

    @guards("DemandDropped")
    def ensure_demand_dropped(self, *, demand: str, **_: Any) -> None:
        if demand not in self.state.get("demands", []):
            raise InvalidEventError(f"{demand!r} is not a current demand", pointer="/data/demand")
