"""The common envelope of every event: when, on whose word, how certain, and who recorded it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from domain.coding import Coding
from domain.errors import InvalidEventError
from domain.occurrence import Occurrence, parse_datetime

Modality = Literal["asserted", "planned", "expected", "reported", "disputed"]
MODALITIES: tuple[Modality, ...] = ("asserted", "planned", "expected", "reported", "disputed")
FORWARD_MODALITIES = frozenset({"planned", "expected"})


@dataclass(frozen=True)
class Source:
    """Where a fact was read: a URL or an outlet, when it was published, the verbatim quote."""

    url: str | None = None
    outlet: str | None = None
    published_at: str | None = None
    quote: str | None = None

    def check(self, pointer: str) -> None:
        """Refuse a source that names neither a URL nor an outlet."""
        if not (self.url or self.outlet):
            raise InvalidEventError("a source names a url or an outlet", pointer=pointer)
        if self.published_at is not None:
            parse_datetime(self.published_at, f"{pointer}/published_at", day_ok=True)


@dataclass(frozen=True)
class Person:
    """Someone who acts in a negotiation: a name and, where known, a title."""

    name: str
    title: str | None = None


@dataclass(frozen=True)
class Envelope:
    """What every event carries beside its own data (W3C PROV: attributed to, quoted from)."""

    occurred: Occurrence
    sources: tuple[Source, ...] = field(default_factory=tuple)
    attributed_to: str | None = None
    modality: Modality = "asserted"
    recorded_by: str | None = None
    #: An analyst's own coding, overriding the type's default CAMEO code where it gives one.
    coding: Coding | None = None
    #: The id of the event this one answers (a reply to a proposal, a rebuttal of a claim); the
    #: application checks that it is recorded in the same Talks family (application/replies.py).
    in_reply_to: str | None = None

    def check(self) -> None:
        """Refuse an envelope without sources or with an unknown modality."""
        self.occurred.bounds()
        if not self.sources:
            raise InvalidEventError("every event rests on at least one source", pointer="/sources")
        for index, source in enumerate(self.sources):
            source.check(f"/sources/{index}")
        if self.modality not in MODALITIES:
            raise InvalidEventError(
                f"modality must be one of {', '.join(MODALITIES)}", pointer="/modality"
            )
        if self.coding is not None:
            self.coding.check()

    @property
    def quotes(self) -> list[str]:
        """The verbatim quotes of its sources, in order."""
        return [source.quote for source in self.sources if source.quote]
