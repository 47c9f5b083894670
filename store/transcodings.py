"""How the domain's value objects are written into stored events (JSON, via the library)."""

from __future__ import annotations

from typing import Any

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.coding import Coding
from domain.envelope import Envelope, Person, Source
from domain.occurrence import Occurrence
from domain.participants import Participant
from domain.quantities import Quantity
from domain.values import as_dict


def _occurrence(obj: Occurrence) -> dict[str, Any]:
    """An occurrence as stored: without a time zone it keeps the first release's shape."""
    found = as_dict(obj)
    if found["tz"] is None:
        del found["tz"]
    return found


class OccurrenceAsDict(Transcoding):
    type = Occurrence
    name = "occurrence"

    def encode(self, obj: Occurrence) -> dict[str, Any]:
        return _occurrence(obj)

    def decode(self, data: dict[str, Any]) -> Occurrence:
        return Occurrence(**data)


class PersonAsDict(Transcoding):
    type = Person
    name = "person"

    def encode(self, obj: Person) -> dict[str, Any]:
        return {"name": obj.name, "title": obj.title}

    def decode(self, data: dict[str, Any]) -> Person:
        return Person(**data)


class QuantityAsDict(Transcoding):
    type = Quantity
    name = "quantity"

    def encode(self, obj: Quantity) -> dict[str, Any]:
        return obj.as_json()

    def decode(self, data: dict[str, Any]) -> Quantity:
        return Quantity(**data)


class ParticipantAsDict(Transcoding):
    type = Participant
    name = "participant"

    def encode(self, obj: Participant) -> dict[str, Any]:
        return obj.as_json()

    def decode(self, data: dict[str, Any]) -> Participant:
        return Participant(**data)


class EnvelopeAsDict(Transcoding):
    type = Envelope
    name = "envelope"

    def encode(self, obj: Envelope) -> dict[str, Any]:
        found = {
            "occurred": _occurrence(obj.occurred),
            "sources": [as_dict(source) for source in obj.sources],
            "attributed_to": obj.attributed_to,
            "modality": obj.modality,
            "recorded_by": obj.recorded_by,
        }
        if obj.coding is not None:  # without one, the first release's shape
            found["coding"] = obj.coding.as_json()
        return found

    def decode(self, data: dict[str, Any]) -> Envelope:
        return Envelope(
            occurred=Occurrence(**data["occurred"]),
            sources=tuple(Source(**source) for source in data["sources"]),
            attributed_to=data["attributed_to"],
            modality=data["modality"],
            recorded_by=data["recorded_by"],
            coding=Coding.from_json(data["coding"]) if data.get("coding") else None,
        )


def register(transcoder: JSONTranscoder) -> None:
    """Teach the library's transcoder the domain's value objects."""
    transcodings = (
        OccurrenceAsDict(),
        PersonAsDict(),
        QuantityAsDict(),
        ParticipantAsDict(),
        EnvelopeAsDict(),
    )
    for transcoding in transcodings:
        transcoder.register(transcoding)
