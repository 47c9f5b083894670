"""The catalogue of event types: each one's aggregate, CAMEO code, description and example."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import NAMESPACE_URL, uuid5

from domain.actors import Actor
from domain.base import EXAMPLE_IDS, NegotiationAggregate
from domain.corrections import (
    EXAMPLE_CORRECTED,
    EXAMPLE_ERRATUM,
    EXAMPLE_RETRACTED,
    EventCorrected,
    EventRetracted,
    SourceErrorNoted,
)
from domain.delegation import Delegation
from domain.errors import InvalidEventError
from domain.position import Position
from domain.talks import Talks

#: Stream kinds as they appear in URLs, with their aggregate classes.
AGGREGATES: dict[str, type[NegotiationAggregate]] = {
    "talks": Talks,
    "delegations": Delegation,
    "positions": Position,
    "actors": Actor,
}
CAMEO_SCHEME = "CAMEO 1.1b3 (the CAMEO manual's numbering)"
ANY = "any"
UNIVERSAL: tuple[type[NegotiationAggregate.Event], ...] = (
    EventCorrected,
    EventRetracted,
    SourceErrorNoted,
)


def example_event_id(name: str) -> str:
    """The fixed id the catalogue's example of this type is recorded with, where one is needed."""
    return str(uuid5(NAMESPACE_URL, f"urn:negotiation-timeline:example:{name}"))


@dataclass(frozen=True)
class EventType:
    """One kind of event and where it belongs."""

    name: str
    kind: str
    event_class: type[NegotiationAggregate.Event]

    @property
    def creates(self) -> bool:
        """True for the event that opens a stream (POST /{kind})."""
        return self.event_class.CREATES

    @property
    def description(self) -> str:
        """The event class's own one-line description."""
        return (self.event_class.__doc__ or self.name).strip().splitlines()[0]

    @property
    def cameo(self) -> str | None:
        """Its CAMEO code, leading zeros kept, where one fits."""
        return self.event_class.CAMEO

    def accepts(self, kind: str) -> bool:
        """True if this type can be appended to a stream of ``kind``."""
        return self.kind in (kind, ANY)

    def example_path(self) -> str:
        """Where the example is POSTed: the example stream of its kind (Talks for any)."""
        kind = "talks" if self.kind == ANY else self.kind
        return f"/{kind}" if self.creates else f"/{kind}/{EXAMPLE_IDS[kind]}/events"

    def example_body(self) -> dict[str, Any]:
        """A body a client can POST unchanged, in catalogue order, on any store."""
        data = dict(self.event_class.EXAMPLE)
        if "talks_id" in self.event_class.data_fields():
            data["talks_id"] = EXAMPLE_IDS["talks"]
        if self.name == EventCorrected.type_name():
            data["corrects"] = example_event_id(EXAMPLE_CORRECTED)
        if self.name == EventRetracted.type_name():
            data["retracts"] = example_event_id(EXAMPLE_RETRACTED)
        if self.name == SourceErrorNoted.type_name():
            data["event"] = example_event_id(EXAMPLE_ERRATUM)
        body: dict[str, Any] = {"type": self.name}
        if self.creates:
            body["id"] = EXAMPLE_IDS[self.kind]
        if self.name in (EXAMPLE_CORRECTED, EXAMPLE_RETRACTED):
            body["event_id"] = example_event_id(self.name)
        body |= {
            "data": data,
            "occurred": {"precision": "day", "value": "2025-06-02"},
            "sources": [
                {
                    "url": "https://example.org/news/istanbul-talks",
                    "outlet": "Example Wire",
                    "published_at": "2025-06-02T18:00:00Z",
                }
            ],
            "modality": self.event_class.EXAMPLE_MODALITY,
        }
        return body


def _collect() -> dict[str, EventType]:
    types: dict[str, EventType] = {}
    for kind, aggregate in AGGREGATES.items():
        for value in vars(aggregate).values():
            if (
                isinstance(value, type)
                and issubclass(value, NegotiationAggregate.Event)
                and value.__name__ not in ("Event", "Created")
            ):
                types[value.type_name()] = EventType(value.type_name(), kind, value)
    for universal in UNIVERSAL:
        types[universal.type_name()] = EventType(universal.type_name(), ANY, universal)
    return types


def type_of(event: NegotiationAggregate.Event) -> EventType:
    """The catalogue entry of an event."""
    return EVENT_TYPES[event.type_name()]


EVENT_TYPES: dict[str, EventType] = _collect()


def event_type(name: str, kind: str | None = None) -> EventType:
    """The event type of that name (and kind, if given), or a domain error at /type."""
    found = EVENT_TYPES.get(name)
    if found is None or (kind is not None and not found.accepts(kind)):
        known = sorted(t.name for t in EVENT_TYPES.values() if kind is None or t.accepts(kind))
        raise InvalidEventError(
            f"unknown event type {name!r} here; known: {', '.join(known)}", pointer="/type"
        )
    return found


def creation_type(kind: str) -> EventType:
    """The event type that opens a stream of this kind."""
    return next(t for t in EVENT_TYPES.values() if t.kind == kind and t.creates)
