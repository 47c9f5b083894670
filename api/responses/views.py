"""The rows each view read answers (projections/queries.py builds them)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, with_config
from typing_extensions import TypedDict

from api.responses.marks import (
    CorrectedMark,
    CorrectedValue,
    CorrectionMark,
    Dispute,
    RetractedMark,
)
from api.responses.states import Movement, Proposal, Round, Said, TalksFields
from api.responses.values import (
    Closed,
    Kind,
    Modality,
    OccurrenceOut,
    PersonOut,
    SourceOut,
    closed,
)


@closed
class LastChange(TypedDict):
    """The newest event of a Talks family."""

    position: int
    type: str
    headline: str


@with_config(ConfigDict(extra="forbid"))
class TalksRow(TalksFields):
    """A Talks in the list: its folded state, the next round and the last change."""

    id: str
    next_round: Round | None
    last_change: LastChange


@closed
class TimelineEntry(TypedDict):
    """An event as now known, by when it occurred, with its correction and dispute marks."""

    position: int
    talks_id: str
    stream_id: str
    kind: Kind
    type: str
    event_id: str
    version: int
    recorded_at: str
    headline: str
    cameo: str | None
    quote: Annotated[str | None, Field(description="Its first verbatim quote")]
    modality: Modality
    attributed_to: str | None
    retracted_by: str | None
    refers_to: Annotated[
        str | None, Field(description="The event a correction or retraction points at")
    ]
    occurred: OccurrenceOut
    actors: list[str]
    sources: list[SourceOut]
    data: Annotated[dict[str, Any], Field(description="The type's own data, corrections applied")]
    corrected_by: list[str]
    corrected_values: Annotated[
        list[CorrectedValue], Field(description="Beside each corrected value, what was reported")
    ]
    disputed: bool


@closed
class StreamMarks(TypedDict):
    """A stream's correction and dispute marks, each list empty when there are none."""

    disputes: list[Dispute]
    corrected: list[CorrectedMark]
    retracted: list[RetractedMark]
    corrections: list[CorrectionMark]


@closed
class PositionChange(TypedDict):
    """A priority or demand added or dropped, and by which event."""

    position: int
    kind: Literal["priority", "demand"]
    item: str
    change: Literal["added", "dropped"]
    occurred: OccurrenceOut
    event_id: str


@closed
class PositionRow(StreamMarks):
    """A party's position in a Talks and the history of its priorities and demands."""

    stream_id: str
    party: str
    priorities: list[str]
    demands: list[str]
    dropped_priorities: list[str]
    dropped_demands: list[str]
    proposals: list[Proposal]
    appeals: list[Said]
    assessments: list[Said]
    statements: list[Said]
    history: list[PositionChange]


@closed
class DelegationChange(TypedDict):
    """A change of head, a member added or removed, or a new status, and by which event."""

    position: int
    change: Annotated[
        str, Field(description="head named, head changed, member added, member removed, status")
    ]
    detail: PersonOut | Movement
    occurred: OccurrenceOut
    event_id: str


@closed
class DelegationRow(StreamMarks):
    """A party's delegation to a Talks: head, members, status, and their history."""

    stream_id: str
    party: str
    head: PersonOut | None
    heads: list[PersonOut] | None
    members: list[PersonOut] | None
    status: str | None
    location: str | None
    destination: str | None
    movements: list[Movement] | None
    rounds: Annotated[
        list[int] | None, Field(description="The rounds the delegation is tied to (issue 13)")
    ]
    history: list[DelegationChange]


@closed
class Statement(TypedDict):
    """A verbatim quote with its speaker, channel, date and source."""

    position: int
    talks_id: str
    stream_id: str
    party: str | None
    speaker: str | None
    channel: str | None
    type: str
    quote: str
    attributed_to: str | None
    event_id: str
    occurred: OccurrenceOut
    source: SourceOut
    corrected_by: list[str]
    corrected_values: Annotated[
        list[CorrectedValue], Field(description="Beside each corrected value, what was reported")
    ]


class FieldChange(Closed):
    """A field added, changed or removed (its JSON pointer), and the events that did it."""

    stream_id: str
    kind: Kind
    path: str
    change: Literal["added", "changed", "removed"]
    from_: Any = Field(alias="from")
    to: Any
    events: list[str]


class CorrectionChange(Closed):
    """A value a correction recorded in between changed (a data field or the date), from -> to."""

    stream_id: str
    kind: Kind
    event_id: str = Field(description="The corrected event")
    field: str = Field(
        description="JSON pointer into the corrected event: /data/<name> or /occurred"
    )
    from_: Any = Field(alias="from")
    to: Any
    by: str = Field(description="The EventCorrected")
    reason: str


class TalksDiff(Closed):
    """What changed in a Talks family between two points, on one axis."""

    talks_id: str
    axis: Literal["occurred", "recorded"]
    from_: str = Field(alias="from")
    to: str
    changes: list[FieldChange]
    corrections: list[CorrectionChange] = Field(
        default_factory=list, description="On the record axis: the values corrected in between"
    )
