"""Talks for the TimelineJS check, one per shape of dates, each with the slides it must render.

A case records its events through the service as the API would and says, from its own story,
how many slides TimelineJS must show (the title slide and one per dated standing fact) and how
many eras (one per dated round). Adding a set is one entry in CASES.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from application.demo import TALKS_ID, load_demo
from application.event_input import CreateIn, EventIn, new_event
from application.service import TimelineService

TALKS = UUID("7a1c0000-0000-4000-8000-0000000000a1")
SOURCE = {"outlet": "Test Wire", "url": "https://example.org/report"}


def record(service: TimelineService, body: dict[str, Any], *, creates: bool = False) -> str:
    """Record one API body on the case's Talks; returns the event id."""
    body = {"sources": [SOURCE]} | body
    if creates:
        result = service.create(
            "talks", new_event("talks", CreateIn.model_validate(body)), stream_id=TALKS
        )
    else:
        event = new_event("talks", EventIn.model_validate(body))
        result = service.append("talks", TALKS, [event])
    return result.events[-1].event_id


def day(value: str) -> dict[str, str]:
    return {"precision": "day", "value": value}


def proposed(service: TimelineService, occurred: dict[str, Any] | None = None) -> str:
    return record(
        service,
        {"type": "TalksProposed", "data": {"title": "Case talks", "parties": ["Ukraine", "Russia"]},
         "occurred": occurred or day("2025-05-01")},
        creates=True,
    )  # fmt: skip


def round_scheduled(service: TimelineService, number: int, date: dict[str, Any] | None) -> str:
    data: dict[str, Any] = {"number": number, "city": "Istanbul"}
    if date:
        data["date"] = date
    return record(
        service,
        {"type": "RoundScheduled", "data": data, "occurred": day("2025-05-02"),
         "modality": "planned"},
    )  # fmt: skip


def round_held(service: TimelineService, number: int, occurred: dict[str, Any]) -> str:
    return record(service, {"type": "RoundHeld", "data": {"number": number}, "occurred": occurred})


def statement(service: TimelineService, occurred: dict[str, Any]) -> str:
    return record(
        service,
        {"type": "MediatorConsulted",
         "data": {"party": "Ukraine", "mediator": "Türkiye", "participants": ["A", "B"],
                  "channel": "phone"},
         "occurred": occurred},
    )  # fmt: skip


def demo(service: TimelineService) -> UUID:
    """The demo: 12 dated facts and one scheduled one-day round (the issue's 13 slides)."""
    load_demo(service)
    return TALKS_ID


def one_day_round(service: TimelineService) -> UUID:
    """A round scheduled for one day and held that day: 3 facts, 1 era."""
    proposed(service)
    round_scheduled(service, 1, day("2025-05-16"))
    round_held(service, 1, day("2025-05-16"))
    return TALKS


def multi_day_round(service: TimelineService) -> UUID:
    """A round over three days, held over them: 3 facts, 1 era."""
    proposed(service)
    round_scheduled(service, 1, {"precision": "interval", "value": "2025-05-16/2025-05-18"})
    round_held(service, 1, {"precision": "interval", "value": "2025-05-16/2025-05-18"})
    return TALKS


def undated(service: TimelineService) -> UUID:
    """A round scheduled (a dated fact) for no date yet, and two undated facts: 2 dated facts,
    no era."""
    proposed(service)
    round_scheduled(service, 1, None)
    statement(service, {"precision": "unknown"})
    record(
        service,
        {"type": "MediatorRoleAssumed", "data": {"mediator": "Türkiye"},
         "occurred": {"precision": "unknown", "wording": "at some point"}},
    )  # fmt: skip
    return TALKS


def nothing_dated(service: TimelineService) -> UUID:
    """Every fact undated, the Talks' own creation too: no fact to place, so one slide says so
    (TimelineJS refuses a timeline without events)."""
    proposed(service, {"precision": "unknown"})
    statement(service, {"precision": "unknown"})
    return TALKS


def intervals_and_minutes(service: TimelineService) -> UUID:
    """Intervals of days and of hours within one day, minutes on two offsets: 5 facts, 1 era."""
    proposed(service, {"precision": "minute", "value": "2025-05-01T09:15+03:00"})
    round_scheduled(
        service,
        1,
        {"precision": "interval", "value": "2025-05-16T10:00+03:00/2025-05-16T12:30+03:00"},
    )
    round_held(
        service,
        1,
        {"precision": "interval", "value": "2025-05-16T10:00+03:00/2025-05-16T12:30+03:00"},
    )
    statement(service, {"precision": "minute", "value": "2025-05-17T23:45-04:00"})
    statement(service, {"precision": "interval", "value": "2025-05-20/2025-05-27"})
    return TALKS


def months(service: TimelineService) -> UUID:
    """Rounds in a month (one in December, its era ending in January) and facts in months: 5
    facts, 2 eras."""
    proposed(service, {"precision": "month", "value": "2025-04"})
    round_scheduled(service, 1, {"precision": "month", "value": "2025-07"})
    round_scheduled(service, 2, {"precision": "month", "value": "2025-12"})
    statement(service, {"precision": "month", "value": "2025-06"})
    statement(service, {"precision": "day", "value": "2025-06-03", "uncertain": True})
    return TALKS


def corrections_and_retractions(service: TimelineService) -> UUID:
    """A round's date corrected, a fact's date corrected, one fact retracted: 4 standing dated
    facts (the corrections and the retraction are no slides), 1 era."""
    proposed(service)
    scheduled = round_scheduled(service, 1, day("2025-05-16"))
    held = round_held(service, 1, day("2025-05-16"))
    wrong = statement(service, day("2025-05-10"))
    record(
        service,
        {"type": "EventCorrected",
         "data": {"corrects": scheduled, "reason": "the round was moved",
                  "fields": {"date": day("2025-05-17")}},
         "occurred": day("2025-05-12")},
    )  # fmt: skip
    record(
        service,
        {"type": "EventCorrected",
         "data": {"corrects": held, "reason": "held a day later", "occurred": day("2025-05-17")},
         "occurred": day("2025-05-18")},
    )  # fmt: skip
    record(
        service,
        {"type": "EventRetracted", "data": {"retracts": wrong, "reason": "no such call"},
         "occurred": day("2025-05-19")},
    )  # fmt: skip
    statement(service, day("2025-05-20"))
    return TALKS


@dataclass(frozen=True)
class Case:
    """A Talks to build, and what TimelineJS must render of it."""

    build: Callable[[TimelineService], UUID]
    slides: int  # the title slide included
    eras: int


#: Every case by name; one entry per set.
CASES: dict[str, Case] = {
    # One slide per fact of the seed demo but its two corrections and its erratum (notes on
    # the slides they concern): 21 facts, 18 slides.
    "demo": Case(demo, slides=18, eras=1),
    "one-day round": Case(one_day_round, slides=4, eras=1),
    "multi-day round": Case(multi_day_round, slides=4, eras=1),
    "undated round and facts": Case(undated, slides=3, eras=0),
    "nothing dated": Case(nothing_dated, slides=2, eras=0),
    "intervals and minutes": Case(intervals_and_minutes, slides=6, eras=1),
    "months": Case(months, slides=6, eras=2),
    "corrections and retractions": Case(corrections_and_retractions, slides=5, eras=1),
}
