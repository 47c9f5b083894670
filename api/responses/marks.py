"""What the fold records about corrections, retractions and disputes (domain/temporal.py)."""

from __future__ import annotations

from typing import Annotated, Any, NotRequired

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from api.responses.values import Modality, OccurrenceOut, SourceOut, closed


@closed
class CorrectedMark(TypedDict):
    """A fact shown corrected, and the corrections applied to it."""

    event_id: str
    corrected_by: list[str]


@closed
class RetractedMark(TypedDict):
    """A fact dropped by a retraction."""

    event_id: str
    retracted_by: str


@closed
class CorrectedValue(TypedDict):
    """A value a correction changed, beside what was reported (domain/corrected_values.py)."""

    path: Annotated[
        str | None,
        Field(
            description="JSON pointer to where the value shows in what is read; null if it does not"
        ),
    ]
    field: Annotated[
        str | None,
        Field(description="JSON pointer into the corrected event: /data/<name> or /occurred"),
    ]
    event_id: Annotated[str, Field(description="The corrected event")]
    reported: Annotated[Any, Field(description="The value as first recorded")]
    corrected: Annotated[Any, Field(description="The value as corrected")]
    by: Annotated[str, Field(description="The EventCorrected that set it")]
    reason: Annotated[str, Field(description="The correction's reason")]
    sources: Annotated[list[SourceOut], Field(description="The correction's own sources")]


@with_config(ConfigDict(extra="forbid"))
class CorrectionMark(TypedDict):
    """A correction (``corrects``, ``fields``, ``occurred``) or retraction (``retracts``)."""

    event_id: str
    type: str
    reason: str
    corrects: NotRequired[str]
    fields: NotRequired[dict[str, Any] | None]
    occurred: NotRequired[OccurrenceOut | None]
    retracts: NotRequired[str]


@closed
class ClaimSource(TypedDict):
    """A claim's source (its URL or outlet) and quote."""

    source: str | None
    quote: str | None


@closed
class Claim(TypedDict):
    """One of the rival claims of a dispute, with the values it gives (open: the type's data)."""

    event_id: str
    values: dict[str, Any]
    attributed_to: str | None
    modality: Modality
    sources: list[ClaimSource]
    occurred: NotRequired[OccurrenceOut]
    when: NotRequired[list[str | None] | None]
    rank: NotRequired[list[int]]
    applied: NotRequired[bool]


@closed
class Dispute(TypedDict):
    """Facts that disagree about one subject: its type and the fields naming what it is about."""

    subject: dict[str, Any]
    claims: list[Claim]


@with_config(ConfigDict(extra="forbid"))
class Marks(TypedDict):
    """The marks a stream's state carries once some event calls for them."""

    disputes: NotRequired[list[Dispute]]
    corrected: NotRequired[list[CorrectedMark]]
    retracted: NotRequired[list[RetractedMark]]
    corrections: NotRequired[list[CorrectionMark]]
    corrected_values: NotRequired[list[CorrectedValue]]
