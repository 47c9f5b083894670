"""The Talks page in a real browser shows what was reported beside what is corrected, each event's
own coding, and reported dates' qualifiers in words."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import httpx
import pytest
from helpers import authorized, event_body

from application.demo import POSITION_ID, TALKS_ID, demo_id

if TYPE_CHECKING:
    from conftest import Tab  # tests/browser/conftest.py

pytestmark = pytest.mark.slow

TALKS_PAGE = f"/talks/{TALKS_ID}"


def event_id(key: str) -> str:
    """The fixed id of a demo event, by its fact's key."""
    return str(demo_id(f"event:{key}"))


def append(tab: Tab, kind: str, stream_id: object, body: dict[str, Any]) -> str:
    """Append an event through the API, as an admin of the server under test; its event id.

    Waits until the views hold it (a read with ``min_position`` waits for them).
    """
    response = httpx.post(
        f"{tab.base_url}/{kind}/{stream_id}/events",
        json=body,
        headers=authorized(tab.base_url),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    appended = response.json()
    read = httpx.get(
        f"{tab.base_url}{TALKS_PAGE}/timeline",
        params={"min_position": appended["position"], "limit": 1},
        timeout=10,
    )
    assert read.status_code == 200, read.text
    found: str = appended["events"][0]["event_id"]
    return found


def test_the_demo_page_shows_what_was_reported_beside_the_correction(tab: Tab) -> None:
    page = tab.page
    tab.goto(TALKS_PAGE)
    # The call with Erdogan: "the previous day" was first read from the article's Sunday.
    call = page.locator(f"#panel .timeline #event-{event_id('erdogan-consulted')}")
    assert (
        call.locator(".reported")
        .inner_text()
        .startswith(
            "Date: reported Saturday 31 May 2025 — “the previous day”, corrected to Friday 30 May 2025"
        )
    )
    state = page.locator("#panel .state .corrected-values")
    # The Talks' state lists the one correction of its own stream: the call re-dated.
    assert "Date of “Ukraine consulted Türkiye (phone)”: reported Saturday 31 May 2025" in (
        state.inner_text()
    )
    assert "corrected to Friday 30 May 2025" in state.inner_text()
    link = state.get_by_role("link", name="“Ukraine consulted Türkiye (phone)”")
    assert link.get_attribute("href") == f"#event-{event_id('erdogan-consulted')}"


def test_a_moved_round_its_coding_and_qualified_dates_show_in_words(tab: Tab) -> None:
    page = tab.page
    scheduled = event_body(
        "RoundScheduled",
        {"number": 3, "city": "Geneva", "date": {"precision": "day", "value": "2025-06-16"}},
        occurred={"precision": "day", "value": "2025-06-02"},
    )
    round_id = append(tab, "talks", TALKS_ID, scheduled)
    correction = event_body(
        "EventCorrected",
        {
            "corrects": round_id,
            "fields": {"date": {"precision": "day", "value": "2025-06-18"}},
            "reason": "the host moved the round",
        },
    )
    append(tab, "talks", TALKS_ID, correction)
    coded = event_body(
        "StatementMade",
        {"speaker": "Dmitry Peskov", "subject": "a ceasefire first"},
        occurred={"precision": "edtf", "value": "2025-05-31~"},
        coding={
            "cameo": "1056",
            "scheme": "CAMEO 1.1b3",
            "plover": {"category": "REQUEST", "mode": "de-escalate"},
            "coded_by": "analyst A",
        },
    )
    coded_id = append(tab, "positions", POSITION_ID, coded)
    until = event_body(
        "StatementMade",
        {"speaker": "Dmitry Peskov", "subject": "no talks before June"},
        occurred={"precision": "edtf", "value": "../2025-06-01"},
    )
    until_id = append(tab, "positions", POSITION_ID, until)
    tab.goto(TALKS_PAGE)

    rounds = page.locator("#panel .state li", has_text="Round 3 in Geneva")
    assert "Wednesday 18 June 2025" in rounds.inner_text()
    assert rounds.locator(".reported").inner_text() == (
        "(date: reported Monday 16 June 2025, corrected to Wednesday 18 June 2025)"
    )
    entry = page.locator(f"#panel .timeline #event-{coded_id}")
    assert "Saturday 31 May 2025 (approximate)" in entry.locator(".when").inner_text()
    assert entry.locator(".coding").inner_text() == (
        " · coded CAMEO 1056 (CAMEO 1.1b3), PLOVER REQUEST, mode de-escalate, by analyst A"
    )
    assert "CAMEO 010" not in entry.locator(".meta").inner_text()  # the type's default
    open_start = page.locator(f"#panel .timeline #event-{until_id}")
    assert open_start.locator(".when").inner_text().startswith("until Sunday 1 June 2025")
