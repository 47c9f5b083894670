"""Append bodies and their answers: the HTTP shapes around an event (application/event_input.py)."""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Discriminator, Field, Tag, create_model

from application.event_input import MAX_BATCH, CreateIn, EventIn, Strict, data_model
from domain.catalogue import EventType


class SingleAppendIn(EventIn):
    """Append one event; ``expected_version`` is the stream's version before it."""

    expected_version: int | None = Field(None, ge=0, le=2**63 - 1)


class BatchAppendIn(Strict):
    """Append several events atomically."""

    events: list[EventIn] = Field(min_length=1, max_length=MAX_BATCH)
    expected_version: int | None = Field(None, ge=0, le=2**63 - 1)


def _append_shape(value: Any) -> str:
    return "batch" if isinstance(value, dict) and "events" in value else "single"


AppendIn = Annotated[
    Annotated[SingleAppendIn, Tag("single")] | Annotated[BatchAppendIn, Tag("batch")],
    Discriminator(_append_shape),
]


class AppendedOut(BaseModel):
    """One appended event."""

    event_id: str
    version: int
    position: int


class AppendOut(BaseModel):
    """The answer to an append: the stream, its new version, the global position."""

    stream_id: str
    kind: str
    version: int
    position: int
    events: list[AppendedOut]


@cache
def body_schema(event_type: EventType) -> dict[str, Any]:
    """The JSON Schema of a whole body for this event type, as clients POST it."""
    base: type[EventIn] = CreateIn if event_type.creates else SingleAppendIn
    literal: Any = Literal[event_type.name]  # a type built at run time, one per event type
    model = create_model(
        f"{event_type.name}Body",
        __base__=base,
        type=(literal, ...),
        data=(data_model(event_type), ...),
    )
    return model.model_json_schema()
