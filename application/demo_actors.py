"""The actors the seed article names, as identities: their names, codes and titles.

Each is sourced from the article's own words; a title is undated (the article dates none), so it
counts at every moment. Loaded beside the demo (application/demo.py), idempotently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from application.demo import demo_id, source
from application.event_input import CreateIn, EventIn, new_event
from application.service import Idempotency, TimelineService

UNKNOWN = {"precision": "unknown"}
EXPECTED_QUOTE = (
    "representatives from the United States, Germany, France, and the United Kingdom are also"
    " expected to participate"
)


@dataclass(frozen=True)
class DemoActor:
    """One actor of the article: its registration, its roles, and the words that name it."""

    key: str
    registration: dict[str, Any]
    quote: str
    roles: list[dict[str, Any]] = field(default_factory=list)

    @property
    def stream_id(self) -> UUID:
        """The actor's fixed id."""
        return demo_id(f"actor:{self.key}")


ACTORS = [
    DemoActor(
        "ukraine",
        {"kind": "state", "name": "Ukraine", "iso3": "UKR", "wikidata": "Q212"},
        "a high-level delegation will travel to Istanbul on Monday for talks with Russia",
    ),
    DemoActor(
        "russia",
        {
            "kind": "state",
            "name": "Russia",
            "aliases": ["Russian Federation", "Moscow"],
            "iso3": "RUS",
            "wikidata": "Q159",
        },
        "he expressed skepticism about Moscow's seriousness in pursuing meaningful negotiations",
    ),
    DemoActor(
        "turkiye",
        {
            "kind": "state",
            "name": "Türkiye",
            "aliases": ["Turkey", "Turkiye"],
            "iso3": "TUR",
            "wikidata": "Q43",
        },
        "Türkiye has positioned itself as a mediator in the conflict",
    ),
    DemoActor(
        "united-states",
        {
            "kind": "state",
            "name": "United States",
            "aliases": ["U.S.", "US", "USA"],
            "iso3": "USA",
            "wikidata": "Q30",
        },
        "We hope the U.S. side will take a firm stance on sanctions to help bring about peace.",
    ),
    *(
        DemoActor(key, registration, EXPECTED_QUOTE)
        for key, registration in (
            ("germany", {"kind": "state", "name": "Germany", "iso3": "DEU", "wikidata": "Q183"}),
            ("france", {"kind": "state", "name": "France", "iso3": "FRA", "wikidata": "Q142"}),
            (
                "united-kingdom",
                {
                    "kind": "state",
                    "name": "United Kingdom",
                    "aliases": ["UK", "Britain"],
                    "iso3": "GBR",
                    "wikidata": "Q145",
                },
            ),
        )
    ),
    DemoActor(
        "zelenskyy",
        {
            "kind": "person",
            "name": "Volodymyr Zelenskyy",
            "aliases": ["Zelenskyy", "Zelensky", "Zelenskyi", "Volodymyr Zelensky"],
            "iso3": "UKR",
            "sector": "GOV",
            "wikidata": "Q3874799",
        },
        "Ukrainian President Volodymyr Zelenskyy",
        [{"title": "President of Ukraine", "organisation": "Ukraine"}],
    ),
    DemoActor(
        "umerov",
        {
            "kind": "person",
            "name": "Rustem Umerov",
            "aliases": ["Umerov", "Umierov", "Umyerov"],
            "iso3": "UKR",
            "sector": "GOV",
        },
        "Defense Minister Rustem Umerov will lead the Ukrainian delegation",
        [{"title": "Defense Minister", "organisation": "Government of Ukraine"}],
    ),
    DemoActor(
        "erdogan",
        {
            "kind": "person",
            "name": "Recep Tayyip Erdoğan",
            "aliases": ["Recep Tayyip Erdogan", "Erdogan", "Erdoğan"],
            "iso3": "TUR",
            "sector": "GOV",
            "wikidata": "Q39723",
        },
        "President Recep Tayyip Erdogan",
        [{"title": "President of Türkiye", "organisation": "Türkiye"}],
    ),
    DemoActor(
        "kellogg",
        {"kind": "person", "name": "Keith Kellogg", "aliases": ["Kellogg"], "iso3": "USA"},
        "Donald Trump's special envoy for Ukraine, Keith Kellogg",
        [{"title": "US special envoy for Ukraine", "organisation": "United States"}],
    ),
]


def _body(event_type: str, data: dict[str, Any], quote: str, key: str) -> dict[str, Any]:
    return {
        "type": event_type,
        "data": data,
        "occurred": UNKNOWN,
        "modality": "reported",
        "sources": source(quote),
        "event_id": str(demo_id(f"event:{key}")),
        "recorded_by": "negotiation-timeline demo",
    }


def load_demo_actors(service: TimelineService) -> int:
    """Register every actor of the article with its roles; returns how many saves were new."""
    new = 0
    for actor in ACTORS:
        key = f"actor:{actor.key}"
        body = _body("ActorRegistered", actor.registration, actor.quote, key)
        result = service.create(
            "actors",
            new_event("actors", CreateIn.model_validate(body)),
            stream_id=actor.stream_id,
            idempotency=Idempotency(f"demo:{key}", f"demo:{key}:v1"),
        )
        new += 0 if result.replayed else 1
        for index, role in enumerate(actor.roles):
            role_key = f"{key}:role:{index}"
            role_body = _body("RoleAssumed", role, actor.quote, role_key)
            result = service.append(
                "actors",
                actor.stream_id,
                [new_event("actors", EventIn.model_validate(role_body))],
                idempotency=Idempotency(f"demo:{role_key}", f"demo:{role_key}:v1"),
            )
            new += 0 if result.replayed else 1
    return new
