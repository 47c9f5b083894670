"""The seed demo: one sourced event per fact of the Türkiye Today article of 1 June 2025, with
the modality the article gives it, dates as reported and as corrected, and the article's own
error noted (the expected answers are read from the article and ../shared/seed/README.md)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

import pytest

from application.demo import (
    DELEGATION_ID,
    FACTS,
    POSITION_ID,
    STREAMS,
    TALKS_ID,
    article_text,
    demo_id,
    load_demo,
)
from application.service import TimelineService
from tests.evolution.stored_v1 import load_into, stored_lines

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

ARTICLE = {
    "url": "https://www.turkiyetoday.com/nation/zelenskyy-announces-istanbul-talks-with-russia"
    "-amid-skepticism-about-progress-3202257",
    "outlet": "Türkiye Today",
    "published_at": "2025-06-01",
}


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


def test_every_event_cites_the_turkiye_today_article_of_the_first_of_june(
    loaded: list[dict[str, Any]],
) -> None:
    cited = {(s["url"], s["outlet"], s["published_at"]) for e in loaded for s in e["sources"]}

    assert cited == {(ARTICLE["url"], ARTICLE["outlet"], ARTICLE["published_at"])}


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


# The modality the article gives each fact

MODALITIES = {
    # "announced Sunday that a high-level delegation will travel": the announcement happened
    "delegation-announced": "asserted",
    # "will travel to Istanbul on Monday for talks": a plan
    "round-scheduled": "planned",
    "delegation-travels": "planned",
    # "Umerov will lead the Ukrainian delegation": a plan
    "head-named": "planned",
    # "are also expected to participate, according to ... Keith Kellogg"
    "third-parties-expected": "expected",
    # "Türkiye has positioned itself as a mediator ... hosting previous rounds": told of the past
    "turkiye-mediates": "reported",
    "turkiye-hosted": "reported",
    # "The Ukrainian president said he had discussed ...": his report of the call
    "erdogan-consulted": "reported",
    # his own words, quoted
    "russian-plans-unclear": "asserted",
    "sanctions-appeal": "asserted",
}


@pytest.mark.parametrize(("key", "modality"), MODALITIES.items(), ids=list(MODALITIES))
def test_each_fact_has_the_modality_the_article_gives_it(
    loaded: list[dict[str, Any]], key: str, modality: str
) -> None:
    assert event_of(loaded, key)["modality"] == modality


def test_the_expected_participants_rest_on_kelloggs_word(loaded) -> None:
    expected = event_of(loaded, "third-parties-expected")

    assert expected["attributed_to"] == "Keith Kellogg"
    assert expected["data"]["parties"] == ["United States", "Germany", "France", "United Kingdom"]
    assert expected["data"]["round_number"] == 2


def test_what_the_article_tells_of_the_past_counts_until_it_appeared(loaded) -> None:
    for key in ("turkiye-mediates", "turkiye-hosted", "third-parties-expected"):
        assert event_of(loaded, key)["occurred"]["value"] == "../2025-06-01", key


def test_umerov_was_named_head_in_sundays_announcement(loaded) -> None:
    occurred = event_of(loaded, "head-named")["occurred"]

    assert (occurred["value"], occurred["wording"]) == ("2025-06-01", "Sunday")


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
    assert event_of(loaded, "delegation-travels")["occurred"]["value"] == "2025-06-02"


def corrections_of(events: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    target = str(demo_id(f"event:{key}"))
    return [e for e in events if e["type"] == "EventCorrected" and e["data"]["corrects"] == target]


def test_the_call_with_erdogan_is_kept_as_reported_and_corrected_to_friday_the_30th(
    loaded,
) -> None:
    reported = event_of(loaded, "erdogan-consulted")["occurred"]
    (correction,) = corrections_of(loaded, "erdogan-consulted")
    corrected = correction["data"]["occurred"]

    # As the article dates it: the day before the Sunday it appeared.
    assert (reported["value"], reported["wording"]) == ("2025-05-31", "the previous day")
    # As it was: the day before the Saturday evening address that mentioned it.
    assert (corrected["value"], corrected["wording"]) == ("2025-05-30", "the previous day")
    assert corrected["anchor"] == "2025-05-31"
    assert date.fromisoformat(corrected["value"]).strftime("%A") == "Friday"


def test_the_skepticism_is_kept_as_the_lead_dates_it_and_corrected_to_saturday(loaded) -> None:
    reported = event_of(loaded, "skepticism-voiced")["occurred"]
    (correction,) = corrections_of(loaded, "skepticism-voiced")
    corrected = correction["data"]["occurred"]

    assert (reported["value"], reported["wording"]) == ("2025-06-01", "Sunday")
    assert corrected["value"] == "2025-05-31"
    assert date.fromisoformat(corrected["value"]).strftime("%A") == "Saturday"


def test_a_read_now_shows_the_skepticism_on_saturday_beside_the_sunday_reported(
    service: TimelineService, loaded
) -> None:
    (correction,) = corrections_of(loaded, "skepticism-voiced")
    before = datetime.fromisoformat(correction["recorded_at"]) - timedelta(microseconds=1)

    now = service.state("positions", POSITION_ID)
    then = service.state("positions", POSITION_ID, as_of=before)

    (seen,) = now["corrected_values"]
    assert seen["event_id"] == str(demo_id("event:skepticism-voiced"))
    assert (seen["reported"]["value"], seen["corrected"]["value"]) == ("2025-06-01", "2025-05-31")
    assert then.get("corrected_values", []) == []
    assert [a["kind"] for a in then["assessments"]] == ["skepticism"]


# The state the demo folds to


def test_the_demo_talks_has_its_round_two_in_istanbul_on_monday(
    service: TimelineService, loaded
) -> None:
    state = service.state("talks", TALKS_ID)

    assert state["title"] == "Russia–Ukraine direct talks, Istanbul"
    (round_two,) = state["rounds"]
    assert (round_two["number"], round_two["city"], round_two["status"]) == (
        2,
        "Istanbul",
        "scheduled",
    )
    assert (round_two["date"]["value"], round_two["date"]["wording"]) == ("2025-06-02", "Monday")


def test_the_turkish_capital_is_no_rival_venue(service: TimelineService, loaded) -> None:
    state = service.state("talks", TALKS_ID)

    assert "disputes" not in state
    assert {r["city"] for r in state["rounds"]} == {"Istanbul"}
    # Ankara appears only in the erratum that says why "the Turkish capital" is wrong.
    claims = [e for e in loaded if e["type"] != "SourceErrorNoted"]
    assert not [e["event_id"] for e in claims if "Ankara" in str(e["data"])]


def test_the_turkish_capital_is_an_erratum_on_kelloggs_sentence(
    service: TimelineService, loaded
) -> None:
    state = service.state("talks", TALKS_ID)

    # The article's own error, noted against the event whose quote holds the words.
    (erratum,) = state["errata"]
    assert erratum["event"] == str(demo_id("event:third-parties-expected"))
    assert erratum["source_index"] == 0
    assert "Turkish capital" in erratum["error"]
    # It changes no value: the round is in Istanbul, the four states are still expected.
    (round_two,) = state["rounds"]
    assert round_two["city"] == "Istanbul"
    assert len(round_two["expected"]) == 4


def test_the_round_expects_the_four_states_on_kelloggs_word(
    service: TimelineService, loaded
) -> None:
    (round_two,) = service.state("talks", TALKS_ID)["rounds"]

    assert [(e["actor"], e["according_to"]) for e in round_two["expected"]] == [
        ("United States", "Keith Kellogg"),
        ("Germany", "Keith Kellogg"),
        ("France", "Keith Kellogg"),
        ("United Kingdom", "Keith Kellogg"),
    ]
    assert round_two["participants"] == []  # the round has not been held


def test_turkiye_is_mediator_and_host_of_previous_rounds_both(
    service: TimelineService, loaded
) -> None:
    (turkiye,) = service.state("talks", TALKS_ID)["mediators"]

    assert turkiye["name"] == "Türkiye"
    assert turkiye["hosts"] is True
    assert [r["role"] for r in turkiye["roles"]] == ["mediator", "host of previous rounds"]


def test_the_demo_delegation_is_umerovs_planned_for_istanbul(
    service: TimelineService, loaded
) -> None:
    state = service.state("delegations", DELEGATION_ID)

    assert (state["party"], state["destination"]) == ("Ukraine", "Istanbul")
    assert state["head"] == {"name": "Rustem Umerov", "title": "Defense Minister"}


def test_the_demo_position_holds_each_statement_of_zelenskyy_as_its_own_fact(
    service: TimelineService, loaded
) -> None:
    state = service.state("positions", POSITION_ID)

    assert state["priorities"] == [
        "a complete and unconditional cease-fire",
        "the return of prisoners",
        "the return of abducted children",
    ]
    assert state["demands"] == ["Russia must agree to a serious peace and end the war"]
    assert [a["addressee"] for a in state["appeals"]] == [
        "United States",
        "the international community",
    ]
    # the claim of the address, its intent, and the daily contact
    assert len(state["statements"]) == 3
    assert [a["kind"] for a in state["assessments"]] == ["skepticism"]


# A store holding the first release's demo


def test_a_store_holding_the_first_releases_demo_is_left_as_it_is(
    service: TimelineService,
) -> None:
    load_into(service.app)
    talks = service.state("talks", TALKS_ID)
    log = service.log(0, 1000)

    assert load_demo(service) == 0
    assert service.log(0, 1000) == log
    assert service.state("talks", TALKS_ID) == talks
    assert len(log) == len(stored_lines())
