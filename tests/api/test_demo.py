"""The demo: one sourced event per fact of the seed article, with dates anchored correctly."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

import pytest

from application.demo import (
    EVENING_ADDRESS,
    FACTS,
    STREAMS,
    TALKS_ID,
    article_text,
    demo_id,
    load_demo,
)
from application.service import TimelineService

#: Sentence ends: ., ! or ? (perhaps closing a quotation), then a space and a capital or a quote.
SENTENCE_END = re.compile(r'(?:(?<=[.!?])|(?<=[.!?]["”]))\s+(?=["“A-Z])')
#: A sentence counts as quoted in part if it shares this many consecutive words with a quote.
SHARED_WORDS = 5


def sentences(text: str) -> list[str]:
    return [s.strip() for line in text.splitlines() for s in SENTENCE_END.split(line) if s.strip()]


def words(text: str) -> list[str]:
    return re.findall(r"\w+(?:['’]\w+)*", text.lower())


def shares_words(a: str, b: str, count: int) -> bool:
    def runs(items: list[str]) -> set[tuple[str, ...]]:
        return {tuple(items[i : i + count]) for i in range(len(items) - count + 1)}

    return bool(runs(words(a)) & runs(words(b)))


def quoted_in(sentence: str, quote: str) -> bool:
    """True if the quote is in the sentence, the sentence in the quote, or they share words."""
    core = sentence.strip('"“” ').rstrip('.,"”')
    return quote in sentence or core in quote or shares_words(sentence, quote, SHARED_WORDS)


def demo_events(service: TimelineService) -> list[dict[str, Any]]:
    return service.log(0, 1000)


def event_of(events: list[dict[str, Any]], key: str) -> dict[str, Any]:
    event_id = str(demo_id(f"event:{key}"))
    found = [e for e in events if e["event_id"] == event_id]
    assert len(found) == 1, f"{len(found)} events for fact {key}"
    return found[0]


@pytest.fixture
def loaded(service: TimelineService) -> list[dict[str, Any]]:
    """The demo loaded into an empty store; its events in log order."""
    assert load_demo(service) == len(FACTS)
    return demo_events(service)


# The helpers of this module


def test_sentences_are_split_at_their_ends_but_not_inside_abbreviations() -> None:
    text = 'He said: "We hope the U.S. side will act. It must." Then he left. "Yes," she said.'

    assert sentences(text) == [
        'He said: "We hope the U.S. side will act.',
        'It must."',
        "Then he left.",
        '"Yes," she said.',
    ]


def test_a_sentence_is_quoted_in_part_only_with_enough_words_in_common() -> None:
    assert quoted_in("So far, it looks bad,” he said.", "Well. So far, it looks bad")
    assert quoted_in("It is the return of prisoners now.", "the return of prisoners")
    assert not quoted_in("The Ukrainian leader voiced concerns.", "the Ukrainian leader called")


# The demo's events


def test_the_demo_holds_exactly_one_event_per_fact(loaded: list[dict[str, Any]]) -> None:
    assert len(loaded) == len(FACTS)
    assert sorted(e["event_id"] for e in loaded) == sorted(
        str(demo_id(f"event:{fact.key}")) for fact in FACTS
    )


@pytest.mark.parametrize("fact", FACTS, ids=[fact.key for fact in FACTS])
def test_each_fact_is_recorded_once_with_its_type_in_its_stream(
    loaded: list[dict[str, Any]], fact
) -> None:
    event = event_of(loaded, fact.key)

    assert event["type"] == fact.body["type"]
    assert event["kind"] == fact.kind
    assert event["stream_id"] == str(STREAMS[fact.kind])
    assert event["recorded_by"] == "negotiation-timeline demo"
    assert [s["quote"] for s in event["sources"]] == [s["quote"] for s in fact.body["sources"]]


def test_every_quote_of_every_demo_event_is_verbatim_in_the_article(
    loaded: list[dict[str, Any]],
) -> None:
    article = article_text()
    quotes = [(e["type"], s["quote"]) for e in loaded for s in e["sources"]]

    assert all(quote for _, quote in quotes), "a demo source without a quote"
    missing = [(kind, quote) for kind, quote in quotes if quote not in article]
    assert missing == []


ARTICLE_SENTENCES = sentences(article_text())


def test_the_article_is_split_into_its_sentences() -> None:
    assert len(ARTICLE_SENTENCES) >= len(article_text().splitlines())
    assert ARTICLE_SENTENCES[0].startswith("Ukrainian President Volodymyr Zelenskyy announced")


@pytest.mark.parametrize(
    "sentence",
    ARTICLE_SENTENCES,
    ids=[f"sentence-{i + 1}" for i in range(len(ARTICLE_SENTENCES))],
)
def test_every_sentence_of_the_article_is_quoted_by_a_demo_event(
    loaded: list[dict[str, Any]], sentence: str
) -> None:
    quotes = [s["quote"] for e in loaded for s in e["sources"]]

    assert any(quoted_in(sentence, quote) for quote in quotes), sentence


def test_loading_the_demo_twice_appends_nothing(
    service: TimelineService, loaded: list[dict[str, Any]]
) -> None:
    head = service.head()

    assert load_demo(service) == 0
    assert service.head() == head
    assert demo_events(service) == loaded


def test_the_demo_talks_has_its_title_and_its_round(service: TimelineService, loaded) -> None:
    state = service.state("talks", TALKS_ID)

    assert state["title"] == "Russia–Ukraine direct talks, Istanbul"
    assert [r["number"] for r in state["rounds"]] == [2]
    assert state["rounds"][0]["city"] == "Istanbul"


def test_the_demo_round_keeps_its_date_monday_the_second_of_june(
    service: TimelineService, loaded
) -> None:
    (round_two,) = service.state("talks", TALKS_ID)["rounds"]

    assert round_two["date"] is not None
    assert round_two["date"]["value"] == "2025-06-02"
    assert round_two["date"]["wording"] == "Monday"


# Dates anchored to when each statement was made


def test_the_delegation_was_announced_on_sunday_the_first_of_june(loaded) -> None:
    occurred = event_of(loaded, "delegation-announced")["occurred"]

    assert occurred["value"] == "2025-06-01"
    assert occurred["wording"] == "Sunday"
    assert occurred["precision"] == "day"
    assert date.fromisoformat(occurred["value"]).strftime("%A") == "Sunday"


def test_the_round_is_scheduled_for_monday_the_second_of_june(loaded) -> None:
    scheduled = event_of(loaded, "round-scheduled")

    assert scheduled["data"]["date"]["value"] == "2025-06-02"
    assert scheduled["data"]["date"]["wording"] == "Monday"
    assert date.fromisoformat(scheduled["data"]["date"]["value"]).strftime("%A") == "Monday"
    assert scheduled["occurred"]["value"] == "2025-06-01"


def effective_occurred(events: list[dict[str, Any]], key: str) -> dict[str, Any]:
    """When the fact happened, as its latest correction (if any) says."""
    event = event_of(events, key)
    dates = [
        e["data"]["occurred"]
        for e in events
        if e["type"] == "EventCorrected"
        and e["data"]["corrects"] == event["event_id"]
        and e["data"].get("occurred") is not None
    ]
    return dates[-1] if dates else event["occurred"]


def test_erdogan_was_consulted_the_day_before_the_saturday_evening_address(loaded) -> None:
    occurred = effective_occurred(loaded, "erdogan-consulted")

    assert occurred["value"] == "2025-05-30"
    assert occurred["wording"] == "the previous day"
    assert occurred["anchor"] == EVENING_ADDRESS
    anchor = datetime.fromisoformat(occurred["anchor"])
    assert anchor.strftime("%A") == "Saturday"
    assert anchor.hour >= 18  # an evening address
    assert anchor.date().isoformat() == "2025-05-31"


def test_skepticism_was_voiced_in_the_saturday_evening_address(loaded) -> None:
    occurred = event_of(loaded, "skepticism-voiced")["occurred"]

    assert occurred["value"] == "2025-05-31"
    assert occurred["precision"] == "day"
