"""Actor: a state, government, armed force, organisation or person, as one identity.

The same person appears as Umerov, Umierov and Umyerov; a state as Türkiye, Turkey and TUR. An
actor has one canonical name and its aliases; states and their organs carry an ISO 3166-1
alpha-3 code and a PLOVER sector. A person's titles are facts with valid time: ``RoleAssumed``
dated when the role began, ``RoleEnded`` when it ended, so "who was X, with what title, on
date D" is a read at D on either clock.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar, Self
from uuid import UUID

import pycountry
from eventsourcing.domain import Aggregate

from domain.base import NegotiationAggregate, State, appended, guards, owned
from domain.envelope import Envelope
from domain.errors import DuplicateFactError, InvalidEventError
from domain.names import folded

KINDS = ("state", "government", "armed_forces", "organisation", "person")
#: PLOVER's actor sectors (a subset: those of negotiation reporting).
SECTORS = ("GOV", "MIL", "LEG", "JUD", "REB", "OPP", "PTY", "IGO", "NGO", "MED", "CVL", "BUS")
#: The kinds that stand for a state or one of its organs: they carry the state's code.
STATE_KINDS = frozenset({"state", "government", "armed_forces"})
DEFAULT_SECTORS = {"government": "GOV", "armed_forces": "MIL"}
_WIKIDATA = re.compile(r"^Q[1-9]\d*$")


def _role(state: State, title: str, organisation: str | None) -> int | None:
    """Where in ``roles`` the person's current role of this title (and organisation, if given)
    is, the latest first."""
    roles = state.get("roles", [])
    for index in range(len(roles) - 1, -1, -1):
        role = roles[index]
        same = organisation is None or role["organisation"] == organisation
        if role["title"] == title and same and role["until"] is None:
            return index
    return None


class Actor(NegotiationAggregate):
    """One identity that acts in negotiations, with its names and, for a person, roles."""

    TOPIC = "negotiation-timeline/Actor/v1"

    class Event(NegotiationAggregate.Event):
        TOPIC = "negotiation-timeline/Actor.Event/v1"

    class ActorRegistered(Event, Aggregate.Created):
        """An actor is known: its kind, canonical name, aliases, country code and sector."""

        TOPIC = "negotiation-timeline/ActorRegistered/v1"
        CREATES = True
        HEADLINE = "Actor: {name}"
        ACTOR_FIELDS = ("name",)
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "kind": "person",
            "name": "Rustem Umerov",
            "aliases": ["Umierov", "Umyerov", "Рустем Умєров"],
            "iso3": "UKR",
            "sector": "GOV",
            "wikidata": "Q4400927",
        }

        kind: str
        name: str
        aliases: list[str] | None = None
        iso3: str | None = None
        sector: str | None = None
        wikidata: str | None = None

        def apply_to(self, state: State) -> None:
            state.update(
                kind=self.kind,
                name=self.name,
                iso3=self.iso3,
                sector=self.sector or DEFAULT_SECTORS.get(self.kind),
                wikidata=self.wikidata,
            )
            aliases = state.get("aliases", [])
            state["aliases"] = [*(a for a in self.aliases or [] if a not in aliases), *aliases]
            state.setdefault("roles", [])

    class ActorAliasAdded(Event):
        """Another spelling, transliteration or code by which the actor is named."""

        TOPIC = "negotiation-timeline/ActorAliasAdded/v1"
        HEADLINE = "{alias}: another name of the actor"
        EXAMPLE: ClassVar[dict[str, Any]] = {"alias": "R. Umerov"}

        alias: str

        def apply_to(self, state: State) -> None:
            if self.alias not in state.get("aliases", []):
                appended(state, "aliases", self.alias)

    class RoleAssumed(Event):
        """A person takes up a title (in an organisation), from the date it is dated."""

        TOPIC = "negotiation-timeline/RoleAssumed/v1"
        HEADLINE = "Now {title}"
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "title": "Defense Minister",
            "organisation": "Government of Ukraine",
        }

        title: str
        organisation: str | None = None

        def apply_to(self, state: State) -> None:
            appended(
                state,
                "roles",
                {
                    "title": self.title,
                    "organisation": self.organisation,
                    "since": self.envelope.occurred.value,
                    "until": None,
                    "event_id": str(self.event_id),
                },
            )

    class RoleEnded(Event):
        """A person no longer holds a title, from the date it is dated."""

        TOPIC = "negotiation-timeline/RoleEnded/v1"
        HEADLINE = "No longer {title}"
        EXAMPLE: ClassVar[dict[str, Any]] = {
            "title": "Defense Minister",
            "reason": "appointed Secretary of the National Security and Defense Council",
        }

        title: str
        organisation: str | None = None
        reason: str | None = None

        def apply_to(self, state: State) -> None:
            index = _role(state, self.title, self.organisation)
            if index is not None:
                role = owned(state, "roles", index)
                role["until"] = self.envelope.occurred.value or "unknown"
                role["ended_by"] = str(self.event_id)

    @classmethod
    def open(
        cls,
        event_class: type[NegotiationAggregate.Event],
        *,
        stream_id: UUID,
        event_id: UUID,
        envelope: Envelope,
        **data: Any,
    ) -> Self:
        """Register an actor, its kind, code, sector and Wikidata id checked first."""
        envelope.check()
        check_registration(data)
        return super().open(
            event_class, stream_id=stream_id, event_id=event_id, envelope=envelope, **data
        )

    # Guards

    @guards("ActorRegistered")
    def ensure_actor_registered(self, **_: Any) -> None:
        raise DuplicateFactError("an actor is registered once, when created", pointer="/type")

    @guards("ActorAliasAdded")
    def ensure_actor_alias_added(self, *, alias: str, **_: Any) -> None:
        names = [self.state.get("name", ""), *self.state.get("aliases", [])]
        if folded(alias) in {folded(n) for n in names}:
            raise DuplicateFactError(f"{alias!r} already names this actor", pointer="/data/alias")

    @guards("RoleAssumed")
    def ensure_role_assumed(self, **_: Any) -> None:
        if self.state.get("kind") != "person":
            raise InvalidEventError(
                f"only a person assumes a role; this actor is a {self.state.get('kind')}",
                pointer="/type",
            )

    @guards("RoleEnded")
    def ensure_role_ended(self, *, title: str, organisation: str | None = None, **_: Any) -> None:
        if _role(self.state, title, organisation) is None:
            current = [r["title"] for r in self.state.get("roles", []) if r["until"] is None]
            raise InvalidEventError(
                f"{title!r} is not a current role; current: {', '.join(current) or 'none'}",
                pointer="/data/title",
            )


def check_registration(data: dict[str, Any]) -> None:
    """Refuse an unknown kind, a missing or unknown country code, an unknown sector or a
    malformed Wikidata id (called before the stream is opened)."""
    kind = data.get("kind")
    if kind not in KINDS:
        raise InvalidEventError(f"kind is one of {', '.join(KINDS)}", pointer="/data/kind")
    iso3 = data.get("iso3")
    if iso3 is None and kind in STATE_KINDS:
        raise InvalidEventError(
            f"a {kind} carries its state's ISO 3166-1 alpha-3 code (UKR, RUS, TUR)",
            pointer="/data/iso3",
        )
    if iso3 is not None and (len(iso3) != 3 or pycountry.countries.get(alpha_3=iso3) is None):
        raise InvalidEventError(
            f"{iso3!r} is not an ISO 3166-1 alpha-3 code (UKR, RUS, TUR)", pointer="/data/iso3"
        )
    sector = data.get("sector")
    if sector is not None and sector not in SECTORS:
        raise InvalidEventError(
            f"sector is a PLOVER sector: {', '.join(SECTORS)}", pointer="/data/sector"
        )
    wikidata = data.get("wikidata")
    if wikidata is not None and not _WIKIDATA.match(wikidata):
        raise InvalidEventError(
            f"{wikidata!r} is not a Wikidata id (Q followed by digits)", pointer="/data/wikidata"
        )
