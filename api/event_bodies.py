"""Event bodies as a union discriminated on ``type``, per kind of stream, for the OpenAPI document.

The routes validate a body in two steps (its envelope, then its ``data`` against its type's
model; application/event_input.py), so that an error points at the field at fault. The document describes
the same bodies in one piece: each type's body with its own ``data`` schema, told apart by
``type``, so a client (or a fuzzer) knows which data goes with which type.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, Field, TypeAdapter, create_model

from api.bodies import BatchAppendIn, SingleAppendIn
from application.event_input import MAX_BATCH, CreateIn, EventIn, data_model
from domain.catalogue import EVENT_TYPES, EventType, creation_type

#: A schema's references point into the document's components.
REF = "#/components/schemas/{model}"


@cache
def _body(event_type: EventType, base: type[EventIn], suffix: str) -> type[BaseModel]:
    """One type's body on ``base``: its ``type`` fixed, its ``data`` that type's model."""
    literal: Any = Literal[event_type.name]  # a type built at run time, one per event type
    return create_model(
        f"{event_type.name}{suffix}",
        __base__=base,
        __doc__=event_type.description,
        type=(literal, ...),
        data=(data_model(event_type), ...),
    )


def appendable(kind: str) -> list[EventType]:
    """The types a stream of ``kind`` takes after its creating event (corrections included)."""
    return [t for t in EVENT_TYPES.values() if t.accepts(kind) and not t.creates]


def _union(models: list[type[BaseModel]]) -> Any:
    """The models as one union discriminated on ``type``."""
    if len(models) == 1:
        return models[0]
    return Annotated[Union[tuple(models)], Field(discriminator="type")]  # noqa: UP007


def create_body(kind: str) -> Any:
    """What POST /{kind} takes: the kind's creating event."""
    return _body(creation_type(kind), CreateIn, "Create")


def append_body(kind: str) -> Any:
    """What POST /{kind}/{id}/events takes: one event of a type the kind takes, or a batch."""
    types = appendable(kind)
    single = _union([_body(t, SingleAppendIn, "Append") for t in types])
    item = _union([_body(t, EventIn, "Event") for t in types])
    batch = create_model(
        f"{kind.capitalize()}Batch",
        __base__=BatchAppendIn,
        __doc__=f"Several events appended atomically to a {kind} stream.",
        events=(list[item], Field(min_length=1, max_length=MAX_BATCH)),  # type: ignore[valid-type]
    )
    return Union[single, batch]  # noqa: UP007


def schema_of(body: Any) -> tuple[dict[str, Any], dict[str, Any]]:
    """A body's JSON Schema (validation mode) and the definitions it refers to.

    A model is itself one of the definitions, referred to by name (clients name it so).
    """
    schema = TypeAdapter(body).json_schema(ref_template=REF)
    definitions: dict[str, Any] = schema.pop("$defs", {})
    if isinstance(body, type) and issubclass(body, BaseModel):
        definitions[body.__name__] = schema
        schema = {"$ref": REF.format(model=body.__name__)}
    return schema, definitions
