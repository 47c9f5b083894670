"""Talks: one negotiation track, its parties, mediators, rounds, agreements and documents."""

from __future__ import annotations

import bisect
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from domain.base import NegotiationAggregate, State, appended, guards, owned, plain
from domain.errors import DuplicateFactError, InvalidEventError
from domain.occurrence import Occurrence
from domain.participants import Participant
from domain.quantities import Quantity

PAX_STAGES = (
    "pre-negotiation",
    "ceasefire",
    "partial",
    "comprehensive",
    "implementation",
    "renewal",
)


COLLECTIONS = (
    "mediators",
    "expected_participants",
    "rounds",
    "agreements",
    "documents",
    "consultations",
    "contacts",
)
#: How a contact between parties is held (ContactHeld).
CHANNELS = ("phone", "video", "in person", "letter")


def _people(event: NegotiationAggregate.Event, participants: list[Participant] | None) -> list[Any]:
    """Participants as state holds them: actor, role and the event that says so."""
    return [
        {"actor": p.actor, "role": p.role, "event_id": str(event.event_id)}
        for p in participants or []
    ]


def _expected_entry(
    event: NegotiationAggregate.Event, party: str, role: str | None
) -> dict[str, Any]:
    return {
        "actor": party,
        "role": role,
        "according_to": event.envelope.attributed_to,
        "event_id": str(event.event_id),
    }


def _number(item: dict[str, Any]) -> int:
    number: int = item["number"]
    return number


def _round_index(state: State, number: int | None) -> int | None:
    """Where the round with this number is in the state's rounds (kept in number order), if
    it is there: a binary search, not a walk (a long Talks mentions thousands of rounds)."""
    rounds = state.get("rounds", [])
    if number is None:
        return None
    index = bisect.bisect_left(rounds, number, key=_number)
    return index if index < len(rounds) and rounds[index]["number"] == number else None


def _round(state: State, number: int) -> dict[str, Any]:
    """The round with this number, as this step's own copy (``owned``), created on first
    mention (events may come in any order)."""
    index = _round_index(state, number)
    if index is not None:
        return owned(state, "rounds", index)
    item = {
        "number": number,
        "city": None,
        "venue": None,
        "date": None,
        "status": "mentioned",
        "held_on": None,
        "participants": [],
        # Who was expected, said before the round was mentioned (facts come in any order).
        "expected": [dict(e) for r, e in state.get("_expected", []) if r == number],
    }
    rounds = [*state.get("rounds", ())]  # a new list, as ``appended`` makes
    bisect.insort(rounds, item, key=_number)
    state["rounds"] = rounds
    return item


_PROGRESS = {"proposed": 0, "scheduled": 1, "active": 2}


def _set_status(state: State, status: str) -> None:
    """Rounds move talks forward (proposed, scheduled, active), never back, never out of a pause."""
    current = state.get("status", "proposed")
    if current in _PROGRESS and _PROGRESS[status] > _PROGRESS[current]:
        state["status"] = status


class Talks(NegotiationAggregate):
    """A negotiation track, such as "Russia–Ukraine direct talks, Istanbul 2025"."""

    TOPIC = "negotiation-timeline/Talks/v1"

    class Event(NegotiationAggregate.Event):
        TOPIC = "negotiation-timeline/Talks.Event/v1"

    class TalksProposed(Event, Aggregate.Created):
        """A negotiation track is proposed: its title and parties."""

        TOPIC = "negotiation-timeline/TalksProposed/v1"
        CAMEO = "036"
        CREATES = True
        HEADLINE = "Talks proposed: {title}"
        ACTOR_FIELDS = ("parties", "proposed_by")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "title": "Russia–Ukraine direct talks, Istanbul 2025 (example)",
            "parties": ["Ukraine", "Russia"],
            "proposed_by": "Russia",
        }

        title: str
        parties: list[str]
        description: str | None = None
        proposed_by: str | None = None

        def apply_to(self, state: State) -> None:
            state.update(
                title=self.title,
                parties=list(self.parties),
                description=self.description,
                proposed_by=self.proposed_by,
            )
            state.setdefault("status", "proposed")
            for key in COLLECTIONS:
                state.setdefault(key, [])

    class RoundScheduled(Event):
        """A round of talks is scheduled at a city (or in a country, if no city is known), for a
        date."""

        TOPIC = "negotiation-timeline/RoundScheduled/v1"
        CAMEO = "036"
        SUBJECT = ("number",)
        HEADLINE = "Round {number} scheduled in {city}"
        EXAMPLE_MODALITY = "planned"
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "number": 3,
            "city": "Istanbul",
            "venue": "Çırağan Palace",
            "date": {"precision": "month", "value": "2025-07"},
        }

        number: int
        city: str | None = None
        venue: str | None = None
        date: Occurrence | None = None
        country: str | None = None

        def headline(self, data: dict[str, Any] | None = None) -> str:
            data = self.data() if data is None else data
            place = data.get("city") or data.get("country")
            return f"Round {data['number']} scheduled" + (f" in {place}" if place else "")

        def apply_to(self, state: State) -> None:
            item = _round(state, self.number)
            item.update(city=self.city, venue=self.venue, date=plain(self.date), status="scheduled")
            if self.country is not None:
                item["country"] = self.country
            _set_status(state, "scheduled")

    class RoundHeld(Event):
        """A round of talks took place."""

        TOPIC = "negotiation-timeline/RoundHeld/v1"
        CAMEO = "046"
        SUBJECT = ("number",)
        DATED = True
        UNCOMPARED = ("participants",)
        HEADLINE = "Round {number} held"
        ACTOR_FIELDS = ("participants",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "number": 2,
            "city": "Istanbul",
            "participants": [
                {"actor": "Hakan Fidan", "role": "chair"},
                {"actor": "Rustem Umerov", "role": "head"},
                {"actor": "Vladimir Medinsky", "role": "head"},
            ],
            "duration": {"value": 60, "unit": "minutes", "approximate": True},
        }

        number: int
        city: str | None = None
        venue: str | None = None
        duration_minutes: int | None = None
        participants: list[Participant] | None = None
        country: str | None = None
        duration: Quantity | None = None

        def apply_to(self, state: State) -> None:
            item = _round(state, self.number)
            item["status"] = "held"
            item["held_on"] = plain(self.envelope.occurred)
            for key in ("city", "venue", "duration_minutes", "country", "duration"):
                if getattr(self, key) is not None:
                    item[key] = plain(getattr(self, key))
            known = {(p["actor"], p["role"]) for p in item.get("participants", [])}
            appended(
                item,
                "participants",
                *(
                    p
                    for p in _people(self, self.participants)
                    if (p["actor"], p["role"]) not in known
                ),
            )
            _set_status(state, "active")

    class RoundPostponed(Event):
        """A scheduled round is moved to a later date, or to no date yet."""

        TOPIC = "negotiation-timeline/RoundPostponed/v1"
        HEADLINE = "Round {number} postponed"
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "number": 3,
            "new_date": {"precision": "month", "value": "2025-08"},
            "reason": "delegations not ready",
        }

        number: int
        new_date: Occurrence | None = None
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            item = _round(state, self.number)
            item["status"] = "postponed"
            if self.new_date is not None:
                item["date"] = plain(self.new_date)

    class RoundCancelled(Event):
        """A round that had not taken place is called off."""

        TOPIC = "negotiation-timeline/RoundCancelled/v1"
        HEADLINE = "Round {number} cancelled"
        EXAMPLE: ClassVar[dict[str, Any]] = {"number": 3, "reason": "talks suspended"}

        number: int
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            _round(state, self.number)["status"] = "cancelled"

    class ThirdPartiesExpected(Event):
        """Third parties are expected to take part; who said so is the envelope's attribution."""

        TOPIC = "negotiation-timeline/ThirdPartiesExpected/v1"
        HEADLINE = "Expected to take part: {parties}"
        ACTOR_FIELDS = ("parties",)
        EXAMPLE_MODALITY = "expected"
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "parties": ["United States", "Germany"],
            "round_number": 2,
            "role": "observers",
        }

        parties: list[str]
        round_number: int | None = None
        role: str | None = None

        def apply_to(self, state: State) -> None:
            found = _round_index(state, self.round_number)
            entries = [_expected_entry(self, party, self.role) for party in self.parties]
            appended(
                state,
                "expected_participants",
                *(
                    {
                        "party": entry["actor"],
                        "round": self.round_number,
                        "role": self.role,
                        "according_to": entry["according_to"],
                    }
                    for entry in entries
                ),
            )
            # The fold's own record, for a round mentioned later (not shown: underscore).
            appended(state, "_expected", *([self.round_number, entry] for entry in entries))
            if found is not None:
                appended(owned(state, "rounds", found), "expected", *entries)

    class MediatorRoleAssumed(Event):
        """A third party acts as mediator, and perhaps hosts the talks."""

        TOPIC = "negotiation-timeline/MediatorRoleAssumed/v1"
        CAMEO = "039"
        HEADLINE = "{mediator} acts as mediator"
        ACTOR_FIELDS = ("mediator",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "mediator": "Vatican",
            "role": "offered to host",
            "hosts": False,
        }

        mediator: str
        role: str | None = None
        hosts: bool = False

        def apply_to(self, state: State) -> None:
            # Roles accumulate, each with its own date and sources; the entry moves to the end,
            # as the latest news of the mediators.
            earlier: dict[str, Any] = next(
                (m for m in state.get("mediators", []) if m["name"] == self.mediator), {}
            )
            roles = [
                *earlier.get("roles", []),
                {
                    "role": self.role,
                    "hosts": self.hosts,
                    "event_id": str(self.event_id),
                    "occurred": plain(self.envelope.occurred),
                    "sources": plain(list(self.envelope.sources)),
                },
            ]
            mediators = [m for m in state.setdefault("mediators", []) if m["name"] != self.mediator]
            mediators.append(
                {
                    "name": self.mediator,
                    "role": self.role,
                    "hosts": any(r["hosts"] for r in roles),
                    "roles": roles,
                }
            )
            state["mediators"] = mediators

    class MediatorConsulted(Event):
        """A party consults a mediator (CAMEO 041: discuss by telephone, the usual channel)."""

        TOPIC = "negotiation-timeline/MediatorConsulted/v1"
        CAMEO = "041"
        HEADLINE = "{party} consulted {mediator} ({channel})"
        ACTOR_FIELDS = ("party", "mediator", "participants")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "party": "Ukraine",
            "mediator": "Türkiye",
            "participants": ["Volodymyr Zelenskyy", "Recep Tayyip Erdoğan"],
            "channel": "phone",
            "subject": "the next round",
        }

        party: str
        mediator: str
        participants: list[str]
        channel: str = "phone"
        subject: str | None = None

        def apply_to(self, state: State) -> None:
            appended(
                state,
                "consultations",
                {
                    "party": self.party,
                    "mediator": self.mediator,
                    "participants": list(self.participants),
                    "channel": self.channel,
                    "subject": self.subject,
                    "event_id": str(self.event_id),
                },
            )

    class AgreementReached(Event):
        """The parties agree on something, coded by PA-X stage."""

        TOPIC = "negotiation-timeline/AgreementReached/v1"
        CAMEO = "057"
        SUBJECT = ("title",)
        DATED = True
        HEADLINE = "Agreement reached: {title}"
        ACTOR_FIELDS = ("parties", "participants")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "title": "Exchange of prisoners of war",
            "kind": "prisoner exchange",
            "stage": "partial",
            "parties": ["Ukraine", "Russia"],
            "round_number": 2,
            "terms": "all-for-all exchange of seriously wounded and young prisoners",
            "participants": [
                {"actor": "Rustem Umerov", "role": "signatory"},
                {"actor": "Vladimir Medinsky", "role": "signatory"},
            ],
        }

        title: str
        parties: list[str]
        kind: str | None = None
        stage: str | None = None
        round_number: int | None = None
        terms: str | None = None
        participants: list[Participant] | None = None

        def apply_to(self, state: State) -> None:
            event_id = str(self.event_id)
            appended(
                state,
                "agreements",
                {
                    **self.data(),
                    "participants": _people(self, self.participants),
                    "event_id": event_id,
                    # Implementations folded before it (facts come in any order).
                    "implementation": [
                        i
                        for i in state.get("implementations", [])
                        if i["agreement"] in (self.title, event_id)
                    ],
                },
            )

    class DocumentExchanged(Event):
        """A document (a memorandum, a draft) passes from one party to another."""

        TOPIC = "negotiation-timeline/DocumentExchanged/v1"
        HEADLINE = "{kind} handed from {from_party} to {to_party}: {title}"
        ACTOR_FIELDS = ("from_party", "to_party")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "title": "Memorandum on a ceasefire",
            "kind": "memorandum",
            "from_party": "Russia",
            "to_party": "Ukraine",
            "round_number": 2,
        }

        title: str
        from_party: str
        to_party: str
        kind: str = "document"
        round_number: int | None = None
        summary: str | None = None

        def apply_to(self, state: State) -> None:
            appended(state, "documents", {**self.data(), "event_id": str(self.event_id)})

    class ContactHeld(Event):
        """Parties talk without a mediator: a call, a video link, a meeting, a letter."""

        TOPIC = "negotiation-timeline/ContactHeld/v1"
        CAMEO = "040"
        HEADLINE = "Contact ({channel}) between {parties}"
        ACTOR_FIELDS = ("parties", "initiated_by", "participants")
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "parties": ["Ukraine", "United States"],
            "channel": "phone",
            "duration": {"value": 40, "unit": "minutes"},
            "participants": [
                {"actor": "Volodymyr Zelenskyy", "role": "head"},
                {"actor": "Donald Trump", "role": "counterpart"},
            ],
            "subject": "the next round",
            "initiated_by": "Ukraine",
        }

        parties: list[str]
        channel: str
        place: str | None = None
        duration: Quantity | None = None
        participants: list[Participant] | None = None
        subject: str | None = None
        initiated_by: str | None = None

        def apply_to(self, state: State) -> None:
            appended(
                state,
                "contacts",
                {
                    **self.data(),
                    "participants": _people(self, self.participants),
                    "event_id": str(self.event_id),
                },
            )

    class AgreementImplemented(Event):
        """An agreement is carried out, perhaps in stages, with the counts reported."""

        TOPIC = "negotiation-timeline/AgreementImplemented/v1"
        CAMEO = "084"
        #: Two sources reporting different counts for one stage are a dispute of numbers.
        SUBJECT = ("agreement", "stage")
        #: Free text and who was there are not what sources dispute about a stage.
        UNCOMPARED = ("participants", "summary")
        HEADLINE = "Agreement carried out: {agreement}"  # with stage and counts: headline()
        ACTOR_FIELDS = ("participants",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "agreement": "Exchange of prisoners of war",
            "stage": "first stage",
            "quantities": [{"value": 390, "unit": "prisoners of war"}],
            "participants": [{"actor": "United Arab Emirates", "role": "mediator"}],
            "summary": "each side released 390 prisoners",
        }

        agreement: str
        stage: str | None = None
        quantities: list[Quantity] | None = None
        participants: list[Participant] | None = None
        summary: str | None = None

        def headline(self, data: dict[str, Any] | None = None) -> str:
            data = self.data() if data is None else data
            stage = f" ({data['stage']})" if data.get("stage") else ""
            counts = ", ".join(Quantity(**q).text() for q in data.get("quantities") or [])
            return f"Agreement carried out: {data['agreement']}{stage}" + (
                f": {counts}" if counts else ""
            )

        def apply_to(self, state: State) -> None:
            entry = {
                "agreement": self.agreement,
                "stage": self.stage,
                "quantities": plain(self.quantities or []),
                "participants": _people(self, self.participants),
                "summary": self.summary,
                "event_id": str(self.event_id),
                "occurred": plain(self.envelope.occurred),
            }
            appended(state, "implementations", entry)
            for index, agreement in enumerate(state.get("agreements", [])):
                if self.agreement in (agreement["title"], agreement["event_id"]):
                    appended(owned(state, "agreements", index), "implementation", entry)

    class TalksSuspended(Event):
        """The talks are put on hold."""

        TOPIC = "negotiation-timeline/TalksSuspended/v1"
        HEADLINE = "Talks suspended"
        EXAMPLE: ClassVar[dict[str, Any]] = {"reason": "a party walked out"}

        reason: str | None = None

        def apply_to(self, state: State) -> None:
            state["status"] = "suspended"

    class TalksResumed(Event):
        """Suspended talks go on."""

        TOPIC = "negotiation-timeline/TalksResumed/v1"
        CAMEO = "046"
        HEADLINE = "Talks resumed"
        EXAMPLE: ClassVar[dict[str, Any]] = {"reason": "mediator's invitation accepted"}

        reason: str | None = None

        def apply_to(self, state: State) -> None:
            state["status"] = "active"

    class TalksConcluded(Event):
        """The negotiation track ends, with its outcome."""

        TOPIC = "negotiation-timeline/TalksConcluded/v1"
        HEADLINE = "Talks concluded: {outcome}"
        EXAMPLE: ClassVar[dict[str, Any]] = {"outcome": "ceasefire agreement signed"}

        outcome: str

        def apply_to(self, state: State) -> None:
            state["status"] = "concluded"
            state["outcome"] = self.outcome

    # Guards: registered with @guards, called by record() before the event exists.

    def is_closed(self) -> bool:
        return self.state.get("status") == "concluded"

    def _find_round(self, number: int) -> dict[str, Any] | None:
        return next((r for r in self.state.get("rounds", []) if r["number"] == number), None)

    @guards("RoundScheduled")
    def ensure_round_scheduled(
        self, *, number: int, city: str | None = None, country: str | None = None, **_: Any
    ) -> None:
        if not (city or country):
            raise InvalidEventError(
                "a round is scheduled in a city, or in a country if no city is known",
                pointer="/data/city",
            )
        existing = self._find_round(number)
        if existing and existing["status"] in ("scheduled", "postponed", "held"):
            raise DuplicateFactError(
                f"round {number} is already {existing['status']}; postpone it instead",
                pointer="/data/number",
            )

    @guards("RoundHeld")
    def ensure_round_held(self, *, number: int, **_: Any) -> None:
        existing = self._find_round(number)
        if existing and existing["status"] == "held":
            raise DuplicateFactError(f"round {number} was already held", pointer="/data/number")
        if existing and existing["status"] == "cancelled":
            raise InvalidEventError(f"round {number} was cancelled", pointer="/data/number")

    @guards("RoundPostponed")
    def ensure_round_postponed(self, *, number: int, **_: Any) -> None:
        existing = self._find_round(number)
        if not existing or existing["status"] not in ("scheduled", "postponed"):
            status = existing["status"] if existing else "not scheduled"
            raise InvalidEventError(
                f"round {number} is {status} and cannot be postponed", pointer="/data/number"
            )

    @guards("RoundCancelled")
    def ensure_round_cancelled(self, *, number: int, **_: Any) -> None:
        existing = self._find_round(number)
        if not existing or existing["status"] in ("held", "cancelled"):
            status = existing["status"] if existing else "not scheduled"
            raise InvalidEventError(
                f"round {number} is {status} and cannot be cancelled", pointer="/data/number"
            )

    @guards("TalksProposed")
    def ensure_talks_proposed(self, **_: Any) -> None:
        raise DuplicateFactError("talks are proposed once, when created", pointer="/type")

    @guards("TalksSuspended")
    def ensure_talks_suspended(self, **_: Any) -> None:
        if self.state.get("status") == "suspended":
            raise DuplicateFactError("the talks are already suspended", pointer="/type")

    @guards("TalksResumed")
    def ensure_talks_resumed(self, **_: Any) -> None:
        if self.state.get("status") != "suspended":
            raise InvalidEventError("only suspended talks can resume", pointer="/type")

    @guards("AgreementReached")
    def ensure_agreement_reached(self, *, stage: str | None = None, **_: Any) -> None:
        if stage is not None and stage not in PAX_STAGES:
            raise InvalidEventError(
                f"stage is a PA-X stage: {', '.join(PAX_STAGES)}", pointer="/data/stage"
            )

    @guards("ThirdPartiesExpected")
    def ensure_third_parties_expected(self, *, parties: list[str], **_: Any) -> None:
        if not parties:
            raise InvalidEventError("name at least one party", pointer="/data/parties")

    @guards("ContactHeld")
    def ensure_contact_held(self, *, parties: list[str], channel: str, **_: Any) -> None:
        if len(set(parties)) < 2:
            raise InvalidEventError(
                "a contact is held between at least two parties", pointer="/data/parties"
            )
        if channel not in CHANNELS:
            raise InvalidEventError(
                f"channel is one of {', '.join(CHANNELS)}", pointer="/data/channel"
            )

    @guards("AgreementImplemented")
    def ensure_agreement_implemented(self, *, agreement: str, **_: Any) -> None:
        known = self.state.get("agreements", [])
        if not any(agreement in (a["title"], a["event_id"]) for a in known):
            raise InvalidEventError(
                f"no agreement {agreement!r} in these talks: give its title or its event id",
                pointer="/data/agreement",
            )
