"""The seed demo: every fact of the seed article (application/demo_data/) as its own sourced event.

The article is Türkiye Today's of Sunday 1 June 2025 (its hour is not known: a day-precise
publication date). Each fact is its own event, with the modality the article gives it: what is
announced for Monday is ``planned``, who is "expected to participate, according to" Keith
Kellogg is ``expected`` and attributed to him, what the article says of the past without a date
("has positioned itself as a mediator") is ``reported`` and dated ``../2025-06-01`` (until the
article). Quotes the article takes from Zelenskyy's speech without saying when are dated
``2025-05-31?`` (probably the Saturday evening address).

Where the article dates a statement differently from when it was made, both are kept: the
event as reported, then an ``EventCorrected`` to the true date. The article's lead has the
skepticism voiced on Sunday, but it was voiced in the evening video address of Saturday 31 May;
and "the previous day" of the call with Erdogan, read from the article's Sunday, is Saturday,
but read from that Saturday address it is Friday 30 May.

The article's "the Turkish capital" for Istanbul is the source's own error, not a rival claim:
no event says the talks are in Ankara. It is recorded as an erratum, a ``SourceErrorNoted`` on
the event whose quote holds the words (the third parties expected), which changes no value.
(The address's claim and intent are still recorded as statements: ``ClaimMade`` and
``IntentStated`` came after this demo was written.)

**Idempotent.** Each event has a fixed id (``demo_id("event:<key>")``) and its own
Idempotency-Key: an event already in the store is appended never again, so a second load, or a
load interrupted and run again, appends only what is missing.

**Stores of the first release.** Before this demo, the seed demo was recorded differently (an
outlet-less source, a disputed venue "Ankara" then corrected). A store that holds that demo
(recognised by its event ``venue-called-capital``; tests/fixtures/store_v1.jsonl holds it) keeps
it exactly as stored, and ``load_demo`` appends nothing to its streams: rewriting a published
record is not ours to do, and adding the new facts beside the old ones would record each fact
twice. Such a store answers as before; ``load-demo`` still adds the actors and the second demo
set there.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from application.event_input import CreateIn, EventIn, new_event
from application.service import Idempotency, TimelineService

ARTICLE_FILE = "istanbul-talks-2025-06-01.txt"
ARTICLE_URL = (
    "https://www.turkiyetoday.com/nation/"
    "zelenskyy-announces-istanbul-talks-with-russia-amid-skepticism-about-progress-3202257"
)
OUTLET = "Türkiye Today"
#: The day the article appeared (its hour is not known).
PUBLISHED = "2025-06-01"
#: The day of Zelenskyy's evening video address the article quotes (the day before it appeared).
EVENING_ADDRESS = "2025-05-31"
#: The event of the first release's demo that this one no longer records (see the docstring).
FIRST_RELEASE_MARK = "venue-called-capital"


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
        {"url": ARTICLE_URL, "outlet": OUTLET, "published_at": PUBLISHED, "quote": quote}
        for quote in quotes
    ]


#: "Sunday", as the article says it: the day it appeared.
SUNDAY = {"precision": "day", "wording": "Sunday", "anchor": PUBLISHED}
#: Before the article appeared, since a day it does not give.
UNTIL_PUBLISHED = {"value": f"../{PUBLISHED}"}
#: The evening video address of Saturday 31 May.
ADDRESS = {"precision": "day", "value": EVENING_ADDRESS, "wording": "his evening video address"}
#: Said probably in that address: the article quotes it without saying when.
PROBABLY_ADDRESS = {"value": f"{EVENING_ADDRESS}?"}
#: Said in that address or on Sunday: one of the two days.
ADDRESS_OR_SUNDAY = {"value": f"[{EVENING_ADDRESS},{PUBLISHED}]"}
UNKNOWN = {"precision": "unknown"}
ZELENSKYY = "Volodymyr Zelenskyy"
KELLOGG = "Keith Kellogg"


@dataclass(frozen=True)
class Fact:
    """One fact of the article: its words, and the demo event that records it."""

    key: str
    kind: str
    body: dict[str, Any]


TALKS_FACTS: list[Fact] = [
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
            "data": {"mediator": "Türkiye", "role": "mediator", "hosts": False},
            "occurred": UNTIL_PUBLISHED,
            "modality": "reported",
            "sources": source(
                "Türkiye has positioned itself as a mediator in the conflict",
                "with Türkiye continuing its role as a key intermediary between the warring parties",
            ),
        },
    ),
    Fact(
        "turkiye-hosted",
        "talks",
        {
            "type": "MediatorRoleAssumed",
            "data": {"mediator": "Türkiye", "role": "host of previous rounds", "hosts": True},
            "occurred": UNTIL_PUBLISHED,
            "modality": "reported",
            "sources": source(
                "hosting previous rounds of talks between Ukrainian and Russian officials."
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
                "country": "Türkiye",
                "date": {"precision": "day", "wording": "Monday", "anchor": PUBLISHED},
            },
            "occurred": SUNDAY,
            "modality": "planned",
            "attributed_to": ZELENSKYY,
            "sources": source(
                "a high-level delegation will travel to Istanbul on Monday for talks with Russia"
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
            "occurred": UNTIL_PUBLISHED,
            "modality": "expected",
            "attributed_to": KELLOGG,
            "sources": source(
                "the Turkish capital, where representatives from the United States, Germany,"
                " France, and the United Kingdom are also expected to participate, according to"
                " Donald Trump's special envoy for Ukraine, Keith Kellogg"
            ),
        },
    ),
    Fact(
        "turkish-capital-erratum",
        "talks",
        {
            "type": "SourceErrorNoted",
            "data": {
                "event": str(demo_id("event:third-parties-expected")),
                "source_index": 0,
                "error": "calls Istanbul \u201cthe Turkish capital\u201d",
                "reason": "Türkiye's capital is Ankara; the talks are in Istanbul, as the"
                " article's first sentence says",
            },
            "occurred": SUNDAY,
            "modality": "asserted",
            "sources": source(
                "a high-level delegation will travel to Istanbul on Monday for talks with Russia"
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
                "subject": "the upcoming negotiations",
            },
            # As the article dates it: the day before the Sunday it appeared. Corrected below.
            "occurred": {"precision": "day", "wording": "the previous day", "anchor": PUBLISHED},
            "attributed_to": ZELENSKYY,
            "modality": "reported",
            "sources": source(
                "The Ukrainian president said he had discussed the upcoming"
                " negotiations with President Recep Tayyip Erdogan the previous day."
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
            "occurred": {"precision": "day", "value": PUBLISHED},
            "sources": source(
                "the Ukrainian leader voiced concerns about Russia's intentions during his"
                " evening video address"
            ),
        },
    ),
]

DELEGATION_FACTS: list[Fact] = [
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
                "round_number": 2,
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
        "delegation-travels",
        "delegations",
        {
            "type": "DelegationDeparted",
            "data": {"to_city": "Istanbul"},
            "occurred": {"precision": "day", "wording": "Monday", "anchor": PUBLISHED},
            "modality": "planned",
            "attributed_to": ZELENSKYY,
            "sources": source("will travel to Istanbul on Monday"),
        },
    ),
    Fact(
        "head-named",
        "delegations",
        {
            "type": "DelegationHeadNamed",
            "data": {"head": {"name": "Rustem Umerov", "title": "Defense Minister"}},
            # Part of Sunday's announcement (the article's lead): not a fact of the past.
            "occurred": SUNDAY,
            "modality": "planned",
            "sources": source("Defense Minister Rustem Umerov will lead the Ukrainian delegation"),
        },
    ),
]

POSITION_FACTS: list[Fact] = [
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
                'emphasizing priorities including "a complete and unconditional cease-fire"',
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
            # As the article's lead dates it: on the Sunday of the announcement. Corrected below.
            "occurred": SUNDAY,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "announced Sunday that a high-level delegation will travel to Istanbul on Monday"
                " for talks with Russia, though he expressed skepticism about Moscow's"
                " seriousness in pursuing meaningful negotiations",
                "So far, it doesn't look very serious",
                "the Ukrainian leader voiced concerns about Russia's intentions during his"
                " evening video address",
            ),
        },
    ),
    Fact(
        "skepticism-date-corrected",
        "positions",
        {
            "type": "EventCorrected",
            "data": {
                "corrects": str(demo_id("event:skepticism-voiced")),
                "occurred": ADDRESS,
                "reason": "the skepticism was voiced in the evening video address of Saturday"
                " 31 May, the day before the Sunday the article's lead gives",
            },
            "occurred": {"precision": "day", "value": PUBLISHED},
            "sources": source(
                "the Ukrainian leader voiced concerns about Russia's intentions during his"
                " evening video address"
            ),
        },
    ),
    Fact(
        "russian-plans-unclear",
        "positions",
        {
            "type": "StatementMade",
            "data": {
                "speaker": ZELENSKYY,
                "subject": "nobody, not Ukraine, Türkiye, the United States or other partners, has"
                " clear information about what the Russians are bringing to Istanbul",
                "channel": "evening video address",
            },
            "occurred": ADDRESS,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "As of now, there is no clear information about what the Russians are bringing to"
                " Istanbul. We don't have it, Türkiye doesn't have it, and the United States doesn't"
                " have it—nor do other partners.",
                "noting that key stakeholders remain unclear about Moscow's proposals",
            ),
        },
    ),
    Fact(
        "steps-intended",
        "positions",
        {
            "type": "StatementMade",
            "data": {
                "speaker": ZELENSKYY,
                "subject": "preparing new diplomatic steps together with partners in Europe and"
                " the United States",
            },
            "occurred": PROBABLY_ADDRESS,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "We're now preparing for new diplomatic steps together with our partners in Europe"
                " and—very importantly—with our partners in the United States."
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
                "subject": "daily contact with partners on diplomacy",
            },
            "occurred": PROBABLY_ADDRESS,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "We're in contact practically every day with everyone who can make diplomacy more"
                " than just empty words",
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
            "occurred": PROBABLY_ADDRESS,
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
                "subject": "a firm stance on sanctions to help bring about peace",
            },
            "occurred": PROBABLY_ADDRESS,
            "attributed_to": ZELENSKYY,
            "sources": source(
                "We hope the U.S. side will take a firm stance on sanctions to help bring about"
                " peace."
            ),
        },
    ),
    Fact(
        "pressure-appeal",
        "positions",
        {
            "type": "AppealMade",
            "data": {
                "addressee": "the international community",
                "speaker": ZELENSKYY,
                "subject": "sustained international pressure on Russia, particularly through"
                " economic sanctions",
            },
            "occurred": ADDRESS_OR_SUNDAY,
            "attributed_to": ZELENSKYY,
            "modality": "reported",
            "sources": source(
                "The Ukrainian leader called for sustained international pressure on Russia,"
                " particularly through economic sanctions, to help secure peace."
            ),
        },
    ),
]

#: Every fact, each stream's creating event first.
FACTS: list[Fact] = TALKS_FACTS + DELEGATION_FACTS + POSITION_FACTS


def holds_first_release_demo(service: TimelineService) -> bool:
    """True if the store holds the seed demo as the first release recorded it."""
    return service.target(demo_id(f"event:{FIRST_RELEASE_MARK}")) is not None


def load_demo(service: TimelineService) -> int:
    """Record every fact of the seed article not yet recorded; returns how many were new.

    A store holding the first release's demo keeps it as it is (see the module's docstring).
    """
    if holds_first_release_demo(service):
        return 0
    new = 0
    for fact in FACTS:
        event_id = demo_id(f"event:{fact.key}")
        if service.target(event_id) is not None:
            continue
        body = {**fact.body, "event_id": str(event_id), "recorded_by": "negotiation-timeline demo"}
        key = Idempotency(f"demo:seed:{fact.key}", f"demo:seed:{fact.key}:v2")
        if service.stream_kind(str(STREAMS[fact.kind])) is None:
            result = service.create(
                fact.kind,
                new_event(fact.kind, CreateIn.model_validate(body)),
                stream_id=STREAMS[fact.kind],
                idempotency=key,
            )
        else:
            event = new_event(fact.kind, EventIn.model_validate(body))
            result = service.append(fact.kind, STREAMS[fact.kind], [event], idempotency=key)
        new += 0 if result.replayed else 1
    return new
