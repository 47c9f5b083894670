"""The demo: every fact of the seed article (application/demo_data/) as its own sourced event.

Dates are anchored to when each statement was made, not to when the article appeared. The
article is dated Sunday 1 June 2025; its hour is not given, so its anchor is noon in Kyiv. The
evening video address it quotes came before publication, so it was Saturday 31 May, and "the
previous day" in that address is Friday 30 May.

Real reporting is messy, and the demo keeps the mess with its resolution, all drawn from the
article's own text: its second sentence sends the delegation "to the Turkish capital" (Ankara),
while its first says Istanbul, so the venue of round 2 is disputed until a correction settles it
(Istanbul is not Türkiye's capital); and the call with Erdogan, first anchored to the day the
article appeared, is corrected to the Friday before the Saturday address that mentioned it.

Loading is idempotent: each operation carries an Idempotency-Key, so a second load (or a load
interrupted and run again) appends nothing that is already there.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from api.routes.streams import new_event, with_corrected_fields
from api.schemas import CreateIn, EventIn
from application.service import Idempotency, TimelineService

ARTICLE_FILE = "istanbul-talks-2025-06-01.txt"
PUBLISHED = "2025-06-01T12:00:00+03:00"
EVENING_ADDRESS = "2025-05-31T20:00:00+03:00"


def demo_id(name: str) -> UUID:
    """A fixed id for a demo stream or event, the same on every machine."""
    return uuid5(NAMESPACE_URL, f"urn:negotiation-timeline:demo:{name}")


TALKS_ID = demo_id("talks")
DELEGATION_ID = demo_id("delegation-ukraine")
POSITION_ID = demo_id("position-ukraine")
STREAMS = {"talks": TALKS_ID, "delegations": DELEGATION_ID, "positions": POSITION_ID}


def article_text() -> str:
    """The seed article, as shipped with the package."""
    return (
        resources.files("application")
        .joinpath("demo_data", ARTICLE_FILE)
        .read_text(encoding="utf-8")
    )


def source(*quotes: str) -> list[dict[str, Any]]:
    """The seed article as a source, once per verbatim quote."""
    return [
        {
            "url": f"urn:negotiation-timeline:seed:{ARTICLE_FILE}",
            "outlet": "Seed article: Istanbul talks, 1 June 2025",
            "published_at": PUBLISHED,
            "quote": quote,
        }
        for quote in quotes
    ]


SUNDAY = {"precision": "day", "wording": "Sunday", "anchor": PUBLISHED}
REPORTED_BY_SUNDAY = {"precision": "day", "value": "2025-06-01", "uncertain": True}
SATURDAY_ADDRESS = {
    "precision": "day",
    "value": "2025-05-31",
    "wording": "his evening video address",
    "anchor": PUBLISHED,
}
UNKNOWN = {"precision": "unknown"}
ZELENSKYY = "Volodymyr Zelenskyy"


@dataclass(frozen=True)
class Fact:
    """One fact of the article: its words, and the demo event that records it."""

    key: str
    kind: str
    body: dict[str, Any]


FACTS: list[Fact] = [
    Fact(
        "talks-framed",
        "talks",
        {
            "type": "TalksProposed",
            "data": {
                "title": "Russia–Ukraine direct talks, Istanbul",
                "parties": ["Ukraine", "Russia"],
                "description": "The latest diplomatic effort to resolve the ongoing conflict",
            },
            "occurred": UNKNOWN,
            "modality": "reported",
            "sources": source(
                "The Istanbul talks represent the latest diplomatic effort to resolve"
                " the ongoing conflict"
            ),
        },
    ),
    Fact(
        "turkiye-mediates",
        "talks",
        {
            "type": "MediatorRoleAssumed",
            "data": {
                "mediator": "Türkiye",
                "role": "mediator and host of previous rounds",
                "hosts": True,
            },
            "occurred": UNKNOWN,
            "modality": "reported",
            "sources": source(
                "Türkiye has positioned itself as a mediator in the conflict, hosting previous rounds"
                " of talks between Ukrainian and Russian officials.",
                "with Türkiye continuing its role as a key intermediary between the warring parties",
            ),
        },
    ),
    Fact(
        "delegation-announced",
        "delegations",
        {
            "type": "DelegationAnnounced",
            "data": {
                "talks_id": str(TALKS_ID),
                "party": "Ukraine",
                "destination": "Istanbul",
                "description": "a high-level delegation",
            },
            "occurred": SUNDAY,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "Ukrainian President Volodymyr Zelenskyy announced Sunday that a"
                " high-level delegation will travel to Istanbul on Monday"
            ),
        },
    ),
    Fact(
        "round-scheduled",
        "talks",
        {
            "type": "RoundScheduled",
            "data": {
                "number": 2,
                "city": "Istanbul",
                "date": {"precision": "day", "wording": "Monday", "anchor": PUBLISHED},
            },
            "occurred": SUNDAY,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "a high-level delegation will travel to Istanbul on Monday for talks with Russia"
            ),
        },
    ),
    Fact(
        "head-named",
        "delegations",
        {
            "type": "DelegationHeadNamed",
            "data": {"head": {"name": "Rustem Umerov", "title": "Defense Minister"}},
            "occurred": REPORTED_BY_SUNDAY,
            "modality": "reported",
            "sources": source(
                "Defense Minister Rustem Umerov will lead the Ukrainian delegation to"
                " the Turkish capital"
            ),
        },
    ),
    Fact(
        "third-parties-expected",
        "talks",
        {
            "type": "ThirdPartiesExpected",
            "data": {
                "parties": ["United States", "Germany", "France", "United Kingdom"],
                "round_number": 2,
            },
            "occurred": REPORTED_BY_SUNDAY,
            "modality": "expected",
            "attributed_to": "Keith Kellogg, US special envoy for Ukraine",
            "sources": source(
                "representatives from the United States, Germany, France, and the"
                " United Kingdom are also expected to participate, according to Donald"
                " Trump's special envoy for Ukraine, Keith Kellogg"
            ),
        },
    ),
    Fact(
        "position-outlined",
        "positions",
        {
            "type": "PositionTaken",
            "data": {
                "talks_id": str(TALKS_ID),
                "party": "Ukraine",
                "speaker": ZELENSKYY,
                "channel": "social media",
                "summary": "Ukraine's position heading into the talks",
            },
            "occurred": SUNDAY,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "Speaking on social media Sunday, Zelenskyy outlined Ukraine's"
                " position heading into the talks"
            ),
        },
    ),
    Fact(
        "priorities-stated",
        "positions",
        {
            "type": "PrioritiesStated",
            "data": {
                "priorities": [
                    "a complete and unconditional cease-fire",
                    "the return of prisoners",
                    "the return of abducted children",
                ],
                "speaker": ZELENSKYY,
                "channel": "social media",
            },
            "occurred": SUNDAY,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "a complete and unconditional cease-fire",
                "the return of prisoners and abducted children",
            ),
        },
    ),
    Fact(
        "skepticism-voiced",
        "positions",
        {
            "type": "SkepticismVoiced",
            "data": {
                "speaker": ZELENSKYY,
                "channel": "evening video address",
                "about": "Moscow's seriousness in pursuing meaningful negotiations",
            },
            "occurred": SATURDAY_ADDRESS,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "As of now, there is no clear information about what the Russians are bringing to"
                " Istanbul. We don't have it, Türkiye doesn't have it, and the United States doesn't"
                " have it—nor do other partners. So far, it doesn't look very serious",
                "he expressed skepticism about Moscow's seriousness in pursuing meaningful"
                " negotiations",
                "the Ukrainian leader voiced concerns about Russia's intentions during his evening"
                " video address, noting that key stakeholders remain unclear about Moscow's"
                " proposals",
            ),
        },
    ),
    Fact(
        "erdogan-consulted",
        "talks",
        {
            "type": "MediatorConsulted",
            "data": {
                "party": "Ukraine",
                "mediator": "Türkiye",
                "participants": [ZELENSKYY, "Recep Tayyip Erdogan"],
                "channel": "phone",
                "subject": "the upcoming negotiations",
            },
            # Anchored, as a hurried reader would, to the day the article appeared; corrected
            # below ("erdogan-call-date-corrected").
            "occurred": {
                "precision": "day",
                "wording": "the previous day",
                "anchor": PUBLISHED,
            },
            "attributed_to": ZELENSKYY,
            "modality": "reported",
            "sources": source(
                "The Ukrainian president said he had discussed the upcoming"
                " negotiations with President Recep Tayyip Erdogan the previous day."
            ),
        },
    ),
    Fact(
        "coordination-stated",
        "positions",
        {
            "type": "StatementMade",
            "data": {
                "speaker": ZELENSKYY,
                "subject": "diplomatic coordination with partners in Europe and the United States",
            },
            "occurred": {**SATURDAY_ADDRESS, "uncertain": True},
            "attributed_to": ZELENSKYY,
            "sources": source(
                "We're now preparing for new diplomatic steps together with our partners in Europe"
                " and—very importantly—with our partners in the United States. We're in contact"
                " practically every day with everyone who can make diplomacy more than just empty"
                " words",
                "Zelenskyy emphasized Ukraine's ongoing diplomatic coordination with Western allies"
                " ahead of the Istanbul meeting.",
            ),
        },
    ),
    Fact(
        "serious-peace-demanded",
        "positions",
        {
            "type": "DemandMade",
            "data": {
                "demand": "Russia must agree to a serious peace and end the war",
                "addressee": "Russia",
                "speaker": ZELENSKYY,
            },
            "occurred": {**SATURDAY_ADDRESS, "uncertain": True},
            "attributed_to": ZELENSKYY,
            "sources": source(
                "Of course, everyone in the world wants diplomacy to work and for there to be a real"
                " ceasefire. Everyone wants Russia to stop playing games with diplomacy and end the"
                " war. Everyone wants a serious peace, and Russia needs to agree to that",
            ),
        },
    ),
    Fact(
        "sanctions-appeal",
        "positions",
        {
            "type": "AppealMade",
            "data": {
                "addressee": "United States",
                "speaker": ZELENSKYY,
                "subject": "a firm stance on sanctions against Russia",
            },
            "occurred": {**SATURDAY_ADDRESS, "uncertain": True},
            "attributed_to": ZELENSKYY,
            "sources": source(
                "We hope the U.S. side will take a firm stance on sanctions to help bring about"
                " peace.",
                "The Ukrainian leader called for sustained international pressure on Russia,"
                " particularly through economic sanctions, to help secure peace.",
            ),
        },
    ),
    Fact(
        "venue-called-capital",
        "talks",
        {
            "type": "RoundScheduled",
            "data": {"number": 2, "city": "Ankara"},
            "occurred": REPORTED_BY_SUNDAY,
            "modality": "disputed",
            "sources": source(
                "Defense Minister Rustem Umerov will lead the Ukrainian delegation to the Turkish"
                " capital, where representatives from the United States, Germany, France, and the"
                " United Kingdom are also expected to participate"
            ),
        },
    ),
    Fact(
        "venue-corrected",
        "talks",
        {
            "type": "EventCorrected",
            "data": {
                "corrects": str(demo_id("event:venue-called-capital")),
                "fields": {"city": "Istanbul"},
                "reason": "Istanbul is not Türkiye's capital (Ankara is): the article's 'Turkish"
                " capital' is Istanbul, where its first sentence sends the delegation",
            },
            "occurred": {"precision": "day", "value": "2025-06-01"},
            "sources": source(
                "a high-level delegation will travel to Istanbul on Monday for talks with Russia"
            ),
        },
    ),
    Fact(
        "erdogan-call-date-corrected",
        "talks",
        {
            "type": "EventCorrected",
            "data": {
                "corrects": str(demo_id("event:erdogan-consulted")),
                "occurred": {
                    "precision": "day",
                    "wording": "the previous day",
                    "anchor": EVENING_ADDRESS,
                },
                "reason": "'the previous day' is relative to the Saturday evening address that"
                " mentioned the call, not to the Sunday the article appeared: Friday 30 May",
            },
            "occurred": {"precision": "day", "value": "2025-06-01"},
            "sources": source(
                "The Ukrainian president said he had discussed the upcoming negotiations with"
                " President Recep Tayyip Erdogan the previous day."
            ),
        },
    ),
]


def load_demo(service: TimelineService) -> int:
    """Record every fact of the seed article; returns how many events were new."""
    created: set[str] = set()
    new = 0
    for fact in FACTS:
        body = {
            **fact.body,
            "event_id": str(demo_id(f"event:{fact.key}")),
            "recorded_by": "negotiation-timeline demo",
        }
        key = Idempotency(f"demo:{fact.key}", f"demo:{fact.key}:v1")
        if fact.kind not in created:
            created.add(fact.kind)
            result = service.create(
                fact.kind,
                new_event(fact.kind, CreateIn.model_validate(body)),
                stream_id=STREAMS[fact.kind],
                idempotency=key,
            )
        else:
            event = with_corrected_fields(
                service, new_event(fact.kind, EventIn.model_validate(body)), ""
            )
            result = service.append(fact.kind, STREAMS[fact.kind], [event], idempotency=key)
        new += 0 if result.replayed else 1
    return new
