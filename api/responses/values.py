"""The value objects every response shares: people, occurrences, sources."""

from __future__ import annotations

from typing import Literal, NotRequired

from pydantic import BaseModel, ConfigDict, with_config
from typing_extensions import TypedDict

Precision = Literal["minute", "day", "month", "interval", "edtf", "unknown"]
Modality = Literal["asserted", "planned", "expected", "reported", "disputed"]
Kind = Literal["talks", "delegations", "positions", "actors"]


class Closed(BaseModel):
    """A response body with exactly these keys (an unknown one is a bug, not data)."""

    model_config = ConfigDict(extra="forbid")


#: The same for a TypedDict; the hot answers (log pages, timelines) are TypedDicts, which
#: pydantic validates and serializes about three times faster than models.
closed = with_config(ConfigDict(extra="forbid"))


@closed
class PersonOut(TypedDict):
    """A person: name and title."""

    name: str
    title: str | None


@closed
class OccurrenceOut(TypedDict):
    """When it happened: EDTF value at its precision, the source's wording and its anchor."""

    precision: Precision
    value: str | None
    wording: str | None
    anchor: str | None
    uncertain: bool
    tz: NotRequired[str | None]


@closed
class SourceOut(TypedDict):
    """A source: URL or outlet, publication time, verbatim quote."""

    url: str | None
    outlet: str | None
    published_at: str | None
    quote: str | None
