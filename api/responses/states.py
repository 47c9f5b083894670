"""The state of a stream of each kind, as ``GET /{kind}/{id}`` answers it (domain/*.py fold it).

A key is absent until an event sets it: a stream whose creating event was retracted has no
title, a round's ``duration_minutes`` appears once a RoundHeld gives it.
"""

from __future__ import annotations

from typing import NotRequired

from pydantic import ConfigDict, with_config
from typing_extensions import TypedDict

from api.responses.marks import Marks
from api.responses.values import OccurrenceOut, PersonOut, SourceOut


@with_config(ConfigDict(extra="forbid"))
class QuantityOut(TypedDict):
    """A count or a measure: a value or a range (min, max), its unit, approximate or not."""

    value: float | int | None
    min: float | int | None
    max: float | int | None
    unit: str
    approximate: bool


@with_config(ConfigDict(extra="forbid"))
class ParticipantOut(TypedDict):
    """Who took part, in what role, on the word of which event."""

    actor: str
    role: str
    event_id: str


@with_config(ConfigDict(extra="forbid"))
class ExpectedOut(TypedDict):
    """Who was expected at a round, in what role, and who said so."""

    actor: str
    role: str | None
    according_to: str | None
    event_id: str


@with_config(ConfigDict(extra="forbid"))
class MediatorRole(TypedDict):
    """One role a mediator took on, with its own date and sources."""

    role: str | None
    hosts: bool
    event_id: str
    occurred: OccurrenceOut
    sources: list[SourceOut]


@with_config(ConfigDict(extra="forbid"))
class Mediator(TypedDict):
    """A third party acting as mediator: its latest role, and every role it took on."""

    name: str
    role: str | None
    hosts: bool
    roles: NotRequired[list[MediatorRole]]


@with_config(ConfigDict(extra="forbid"))
class RoundDelegation(TypedDict):
    """A delegation tied to a round (the Talks overview joins them)."""

    delegation_id: str
    party: str | None
    type: str
    event_id: str


@with_config(ConfigDict(extra="forbid"))
class ExpectedParticipant(TypedDict):
    """A third party expected to take part, and on whose word."""

    party: str
    round: int | None
    role: str | None
    according_to: str | None


@with_config(ConfigDict(extra="forbid"))
class Round(TypedDict):
    """A round: mentioned, scheduled, held, postponed or cancelled."""

    number: int
    city: str | None
    venue: str | None
    date: OccurrenceOut | None
    status: str
    duration_minutes: NotRequired[int]
    country: NotRequired[str | None]
    duration: NotRequired[QuantityOut]
    held_on: NotRequired[OccurrenceOut | None]
    participants: NotRequired[list[ParticipantOut]]
    expected: NotRequired[list[ExpectedOut]]
    delegations: NotRequired[list[RoundDelegation]]


@with_config(ConfigDict(extra="forbid"))
class Implementation(TypedDict):
    """A stage of an agreement carried out, with its counts."""

    agreement: str
    stage: str | None
    quantities: list[QuantityOut]
    participants: list[ParticipantOut]
    summary: str | None
    event_id: str
    occurred: OccurrenceOut


@with_config(ConfigDict(extra="forbid"))
class Agreement(TypedDict):
    """An agreement reached, coded by PA-X stage."""

    title: str
    parties: list[str]
    kind: str | None
    stage: str | None
    round_number: int | None
    terms: str | None
    event_id: str
    participants: NotRequired[list[ParticipantOut]]
    implementation: NotRequired[list[Implementation]]


@with_config(ConfigDict(extra="forbid"))
class Document(TypedDict):
    """A document handed from one party to another."""

    title: str
    from_party: str
    to_party: str
    kind: str
    round_number: int | None
    event_id: str
    summary: NotRequired[str | None]


@with_config(ConfigDict(extra="forbid"))
class Consultation(TypedDict):
    """A party's consultation of a mediator."""

    party: str
    mediator: str
    participants: list[str]
    channel: str
    subject: str | None
    event_id: str


@with_config(ConfigDict(extra="forbid"))
class Contact(TypedDict):
    """A contact between parties without a mediator: a call, a meeting, a letter."""

    parties: list[str]
    channel: str
    place: str | None
    duration: QuantityOut | None
    participants: list[ParticipantOut]
    subject: str | None
    initiated_by: str | None
    event_id: str


@with_config(ConfigDict(extra="forbid"))
class TalksFields(Marks):
    """What a Talks' fold holds (the list view's rows hold it too)."""

    title: NotRequired[str]
    parties: NotRequired[list[str]]
    description: NotRequired[str | None]
    proposed_by: NotRequired[str | None]
    status: NotRequired[str]
    outcome: NotRequired[str]
    mediators: NotRequired[list[Mediator]]
    expected_participants: NotRequired[list[ExpectedParticipant]]
    rounds: NotRequired[list[Round]]
    agreements: NotRequired[list[Agreement]]
    documents: NotRequired[list[Document]]
    consultations: NotRequired[list[Consultation]]
    contacts: NotRequired[list[Contact]]
    implementations: NotRequired[list[Implementation]]


@with_config(ConfigDict(extra="forbid"))
class TalksState(TalksFields):
    """A Talks: parties, mediators, rounds, agreements, documents and status."""

    id: str
    version: int


@with_config(ConfigDict(extra="forbid"))
class Role(TypedDict):
    """A title a person held, from when until when (valid time)."""

    title: str
    organisation: str | None
    since: str | None
    until: str | None
    event_id: str
    ended_by: NotRequired[str | None]
    reason: NotRequired[str | None]


@with_config(ConfigDict(extra="forbid"))
class ActorState(Marks):
    """An Actor: who it is (kind, names, ISO 3166-1 alpha-3 code, sector) and its roles."""

    id: str
    version: int
    kind: NotRequired[str]
    name: NotRequired[str]
    aliases: NotRequired[list[str]]
    iso3: NotRequired[str | None]
    sector: NotRequired[str | None]
    wikidata: NotRequired[str | None]
    roles: NotRequired[list[Role]]


@with_config(ConfigDict(extra="forbid"))
class Movement(TypedDict):
    """A delegation's movement: travelling, arrived or left, and where."""

    status: str
    city: str | None
    round_number: NotRequired[int]


@with_config(ConfigDict(extra="forbid"))
class DelegationState(Marks):
    """A Delegation: its party, head (and heads over time), members, status and movements."""

    id: str
    version: int
    talks_id: NotRequired[str]
    party: NotRequired[str]
    destination: NotRequired[str | None]
    description: NotRequired[str | None]
    head: NotRequired[PersonOut | None]
    heads: NotRequired[list[PersonOut]]
    members: NotRequired[list[PersonOut]]
    status: NotRequired[str]
    location: NotRequired[str | None]
    movements: NotRequired[list[Movement]]
    rounds: NotRequired[list[int]]


@with_config(ConfigDict(extra="forbid"))
class Proposal(TypedDict):
    """A proposal made by the party (``by``: self) or rejected by it (``by``: its author)."""

    title: str
    summary: str | None
    status: str
    by: str | None
    event_id: str


@with_config(ConfigDict(extra="forbid"))
class Said(TypedDict):
    """An appeal, assessment or statement, with its verbatim quotes."""

    kind: str
    speaker: str | None
    channel: str | None
    quotes: list[str]
    event_id: str
    addressee: NotRequired[str]
    subject: NotRequired[str | None]
    about: NotRequired[str | None]


@with_config(ConfigDict(extra="forbid"))
class PositionLists(TypedDict):
    """A party's priorities, demands (current and dropped), proposals and what it said."""

    priorities: NotRequired[list[str]]
    dropped_priorities: NotRequired[list[str]]
    demands: NotRequired[list[str]]
    dropped_demands: NotRequired[list[str]]
    proposals: NotRequired[list[Proposal]]
    appeals: NotRequired[list[Said]]
    assessments: NotRequired[list[Said]]
    statements: NotRequired[list[Said]]


@with_config(ConfigDict(extra="forbid"))
class PositionState(PositionLists, Marks):
    """A Position: a party's stance in a Talks."""

    id: str
    version: int
    talks_id: NotRequired[str]
    party: NotRequired[str]
    summary: NotRequired[str | None]
