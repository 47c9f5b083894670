"""Events as the API returns them: a stream's events, the global log, the catalogue of types."""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import Field
from typing_extensions import TypedDict

from api.responses.values import Closed, Kind, Modality, OccurrenceOut, SourceOut, closed


@closed
class StoredEvent(TypedDict):
    """One recorded event: its place in its stream and in the log, its envelope and data."""

    position: Annotated[int, Field(description="Global position in the log")]
    stream_id: str
    kind: Kind
    version: Annotated[int, Field(description="Its stream's version after it")]
    type: str
    event_id: str
    cameo: str | None
    recorded_at: Annotated[str, Field(description="Record time (RFC 3339, UTC)")]
    occurred: OccurrenceOut
    sources: list[SourceOut]
    attributed_to: str | None
    modality: Modality
    recorded_by: str | None
    appended_by: Annotated[
        str | None, Field(description="The key that appended it, as its principal")
    ]
    data: Annotated[dict[str, Any], Field(description="The type's own data (GET /event-types)")]
    coding: NotRequired[
        Annotated[dict[str, Any] | None, Field(description="An analyst's own coding, if any")]
    ]
    in_reply_to: NotRequired[Annotated[str, Field(description="The event this one answers")]]


@closed
class LogPage(TypedDict):
    """A page of the global log, where to read on from, and the head."""

    events: list[StoredEvent]
    next_after: int
    head: int


class EventTypeExample(Closed):
    """A body to POST unchanged, and where."""

    path: str
    body: dict[str, Any]


class EventTypeOut(Closed):
    """An event type: its aggregate, CAMEO code, JSON Schema and a postable example."""

    name: str
    aggregate: Literal["talks", "delegations", "positions", "actors", "any"]
    description: str
    cameo: str | None
    cameo_scheme: str | None
    creates_stream: bool
    schema_: dict[str, Any] = Field(alias="schema", description="JSON Schema of the whole body")
    examples: list[EventTypeExample]
