"""Corrections, retractions and errata: new events that point at an earlier one, which stays in
the log.

They belong to no one aggregate: the same three types are appended to Talks, Delegation and
Position streams alike. An erratum (SourceErrorNoted) says that a source of the event got
something wrong, while the event's value stands; it is folded into the stream's ``errata``. They change nothing in the write model's state (invariants are checked
against facts as they were recorded); the read side folds them in (see domain/temporal.py).
"""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.domain import register_topic  # type: ignore[attr-defined]  # re-exported there; the domain may import only eventsourcing.domain

from domain.base import NegotiationAggregate, State, appended
from domain.occurrence import Occurrence

#: The catalogue's examples correct and retract these example events (fixed ids, see catalogue).
EXAMPLE_CORRECTED = "RoundScheduled"
EXAMPLE_RETRACTED = "DocumentExchanged"
#: The catalogue's example erratum is noted on this example event's source.
EXAMPLE_ERRATUM = "RoundScheduled"


class EventCorrected(NegotiationAggregate.Event):
    """A correction of an earlier event: its corrected data fields and/or date, with a reason."""

    TOPIC = "negotiation-timeline/EventCorrected/v1"
    ANY_STREAM = True
    HEADLINE = "Correction: {reason}"
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "fields": {"city": "Ankara"},
        "reason": "the venue was moved to the capital",
    }

    corrects: UUID
    reason: str
    fields: dict[str, Any] | None = None
    occurred: Occurrence | None = None

    def apply_to(self, state: State) -> None:
        """Nothing in the write model; the read side applies the correction to its target."""


class EventRetracted(NegotiationAggregate.Event):
    """A retraction of an earlier event that should not have been recorded, with a reason."""

    TOPIC = "negotiation-timeline/EventRetracted/v1"
    ANY_STREAM = True
    HEADLINE = "Retraction: {reason}"
    EXAMPLE: ClassVar[dict[str, Any]] = {"reason": "the memorandum was never handed over"}

    retracts: UUID
    reason: str

    def apply_to(self, state: State) -> None:
        """Nothing in the write model; the read side drops the retracted fact."""


class SourceErrorNoted(NegotiationAggregate.Event):
    """An erratum: a source of an earlier event got something wrong; the event's value stands."""

    TOPIC = "negotiation-timeline/SourceErrorNoted/v1"
    ANY_STREAM = True
    HEADLINE = "Source error: {error}"
    EXAMPLE: ClassVar[dict[str, Any]] = {
        "source_index": 0,
        "field": "city",
        "error": "the wire first named Ankara as the venue",
        "reason": "the wire's own later report names Istanbul",
    }

    event: UUID
    error: str
    source_index: int | None = None
    field: str | None = None
    reason: str | None = None

    def apply_to(self, state: State) -> None:
        appended(
            state,
            "errata",
            {
                "event": str(self.event),
                "source_index": self.source_index,
                "field": self.field,
                "error": self.error,
                "reason": self.reason,
                "event_id": str(self.event_id),
            },
        )


for _cls in (EventCorrected, EventRetracted, SourceErrorNoted):
    register_topic(_cls.TOPIC, _cls)
