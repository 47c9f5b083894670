"""Recording from the page (issue 16): the key for the session, a form generated from the
catalogue, problems beside their field, and a correction started from a timeline entry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest
from helpers import TOKENS, issue_key

from application.demo import TALKS_ID
from store.settings import Settings

if TYPE_CHECKING:
    from conftest import Tab  # tests/browser/conftest.py

pytestmark = pytest.mark.slow

TALKS_PAGE = f"/talks/{TALKS_ID}"


def enter_key(page: Any, key: str) -> None:
    page.get_by_label("API key (kept for this browser session only)").fill(key)
    page.get_by_role("button", name="Use key").click()


def test_a_reader_key_sees_no_forms(tab: Tab, settings: Settings) -> None:
    page = tab.page
    tab.goto(TALKS_PAGE)
    assert not page.locator("#event-form").is_visible()  # no key yet
    enter_key(page, issue_key(settings, "reader", "a reader"))
    page.locator("#key-status").filter(has_text="reading only").wait_for()
    assert not page.locator("#event-form").is_visible()
    assert page.locator(".entry-actions").count() == 0
    enter_key(page, "nt_not_a_key")
    page.locator("#key-status").filter(has_text="not valid").wait_for()


def record_round(page: Any, city: str, number: str) -> None:
    page.get_by_label("Event type").select_option("RoundScheduled")
    page.locator('[data-pointer="/data/number"] input').fill(number)
    page.locator('[data-pointer="/data/city"] input').fill(city)
    page.get_by_label("Date (EDTF or RFC 3339)").fill("2025-06-10")
    page.locator('[data-pointer="/sources/0/outlet"] input').fill("Test Wire")
    page.locator('[data-pointer="/sources/0/quote"] textarea').fill(f"the third round, in {city}")
    page.get_by_role("button", name="Record", exact=True).click()


def test_record_refuse_and_correct_from_the_page(tab: Tab) -> None:
    page = tab.page
    tab.goto(TALKS_PAGE)
    enter_key(page, TOKENS[tab.base_url])  # an admin's key: it may record
    page.locator("#event-form").wait_for()
    # The key is kept for the session only, never as a cookie.
    assert page.evaluate("sessionStorage.getItem('nt-api-key')") == TOKENS[tab.base_url]
    assert page.context.cookies() == []

    # A refused field: the round's number is no number the server takes.
    record_round(page, "Geneva", "")
    problem = page.locator('[data-pointer="/data/number"] .problem')
    problem.wait_for()
    assert problem.inner_text().strip() != ""
    assert page.locator("#record-status").inner_text().startswith("Not recorded")
    assert page.locator('[data-pointer="/data/number"] input').get_attribute("aria-invalid") == (
        "true"
    )

    # Recorded: it appears on the timeline live (the page follows the stream).
    record_round(page, "Geneva", "3")
    page.locator("#record-status").filter(has_text="Recorded: RoundScheduled").wait_for()
    geneva = page.locator("#panel .entry[data-type=RoundScheduled]").filter(has_text="Geneva")
    geneva.wait_for()
    target = (geneva.get_attribute("id") or "").removeprefix("event-")

    # Corrected from its entry: the entry shows the new city, the correction says what it became.
    geneva.get_by_role("button", name="Correct").click()
    assert page.locator('[data-pointer="/data/corrects"] input').input_value() == target
    page.locator('[data-pointer="/data/fields"] textarea').fill('{"city": "Vienna"}')
    page.locator('[data-pointer="/data/reason"] input').fill("the venue moved")
    page.locator('[data-pointer="/sources/0/quote"] textarea').fill("moved to Vienna")
    page.get_by_role("button", name="Record", exact=True).click()
    page.locator("#record-status").filter(has_text="Recorded: EventCorrected").wait_for()
    corrected = page.locator(f"#panel #event-{target}")
    corrected.filter(has_text="Vienna").wait_for()
    assert corrected.locator(".badge.corrected").count() == 1
    correction = page.locator("#panel .entry[data-type=EventCorrected]").filter(
        has_text="the venue moved"
    )
    assert "city “Vienna”" in correction.locator(".changes").inner_text()
    # Both values: replayed on the record clock to before the correction, it was Geneva.
    page.get_by_label("When it was recorded").check()
    page.locator("#replay-slider").focus()
    page.keyboard.press("ArrowLeft")
    page.locator("#state-heading").filter(has_text="State as of").wait_for()
    page.locator(f"#panel #event-{target}").filter(has_text="Geneva").wait_for()
