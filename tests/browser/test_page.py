"""The web page in a real browser: the demo Talks, its replay slider on both clocks, live updates,
accessibility basics, small and wide screens, and nothing loaded from elsewhere."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from helpers import authorized, event_body

from application.demo import DELEGATION_ID, FACTS, POSITION_ID, TALKS_ID, demo_id

try:
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
except ImportError:  # the browser fixture skips every test (or, with NT_REQUIRE_BROWSER=1, fails)
    PlaywrightTimeoutError = AssertionError  # type: ignore[assignment,misc]

if TYPE_CHECKING:
    from conftest import Tab  # tests/browser/conftest.py

SEPARATE_WORKER = "separate-worker"  # the server fixture's parameter (tests/browser/conftest.py)

pytestmark = pytest.mark.slow

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
TALKS_PAGE = f"/talks/{TALKS_ID}"
TITLE = "Russia–Ukraine direct talks, Istanbul"
#: The days the seed demo's facts happened: the call (Friday), the address (Saturday), the
#: article (Sunday), the trip (Monday).
OCCURRED_MARKS = ["2025-05-30", "2025-05-31", "2025-06-01", "2025-06-02"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def event_id(key: str) -> str:
    """The fixed id of a demo event, by its fact's key."""
    return str(demo_id(f"event:{key}"))


def entry(page: Any, key: str) -> Any:
    """The timeline entry of a demo event."""
    return page.locator(f"#panel .timeline #event-{event_id(key)}")


def state_heading(page: Any, text: str) -> None:
    """Wait (bounded) until the panel shown is the one for this point."""
    page.locator("#state-heading").filter(has_text=text).wait_for()


def press_until(page: Any, key: str, wanted: str, most: int = 40) -> None:
    """Press a key on the focused slider until its output reads ``wanted``."""
    output = page.locator("#replay-value")
    for _ in range(most):
        if output.text_content() == wanted:
            return
        page.keyboard.press(key)
    assert output.text_content() == wanted


def wait_for_stream(tab: Tab) -> None:
    """Open the demo page and wait until its live stream is connected (its start is fixed)."""
    with tab.page.expect_response(lambda r: "/events/stream" in r.url) as got:
        tab.goto(TALKS_PAGE)
    assert got.value.status == 200


def assert_only_the_server(tab: Tab) -> None:
    """The page asked nothing of any host but the server under test."""
    assert tab.requests, "no request recorded"
    assert tab.foreign_requests() == [], f"requests beyond {tab.base_url}"


def test_index_and_demo_page_show_the_talks(tab: Tab) -> None:
    page = tab.page
    tab.goto("/")
    assert page.locator("h1").inner_text() == "Talks"
    link = page.get_by_role("link", name=TITLE)
    assert link.get_attribute("href") == TALKS_PAGE
    link.click()
    page.wait_for_url(tab.base_url + TALKS_PAGE)

    assert page.title() == f"{TITLE} · Negotiation Timeline"
    assert page.locator("h1").inner_text() == TITLE
    state = page.locator("#panel .state")
    assert "State now" in state.locator("#state-heading").inner_text()
    delegation = state.locator(".delegation")
    assert delegation.count() == 1
    assert "Ukraine" in delegation.inner_text()
    assert delegation.locator(".head").inner_text() == "Rustem Umerov"

    entries = page.locator("#panel .timeline .entry")
    assert entries.count() >= len(FACTS)
    for fact in FACTS:
        assert entry(page, fact.key).count() == 1, f"no timeline entry for {fact.key}"
    # The call with Erdogan was re-dated: corrected, with a link to its correction.
    erdogan = entry(page, "erdogan-consulted")
    assert erdogan.locator(".badge.corrected").inner_text() == "corrected"
    correction = erdogan.locator("a", has_text="see correction").get_attribute("href")
    assert correction == f"#event-{event_id('erdogan-call-date-corrected')}"
    # "The Turkish capital" is the article's error: an erratum beside Kellogg's sentence.
    expected = entry(page, "third-parties-expected")
    assert expected.locator(".badge.erratum").inner_text() == "source erred"
    assert "Turkish capital" in expected.inner_text()
    assert page.locator("#panel .badge.disputed").count() == 0
    assert_only_the_server(tab)


def test_slider_replays_on_both_clocks_with_the_keyboard(tab: Tab) -> None:
    page = tab.page
    tab.goto(TALKS_PAGE)
    slider = page.locator("#replay-slider")
    output = page.locator("#replay-value")
    state = page.locator("#panel .state")
    assert output.text_content() == "now"
    assert slider.get_attribute("max") == str(len(OCCURRED_MARKS))

    # When it happened: back to Saturday 31 May, before the delegation was announced (Sunday).
    slider.focus()
    press_until(page, "ArrowLeft", "2025-05-31")
    state_heading(page, "State at 2025-05-31")
    assert "Umerov" not in state.inner_text()
    assert state.locator(".delegation").count() == 0
    assert entry(page, "delegation-announced").count() == 0
    assert page.locator("#panel [data-type=DelegationAnnounced]").count() == 0
    assert entry(page, "skepticism-voiced").count() == 1  # the Saturday address was there
    # The call with Erdogan, re-dated to Friday, was there; its Sunday correction was not (yet).
    assert entry(page, "erdogan-consulted").count() == 1
    assert entry(page, "erdogan-call-date-corrected").count() == 0

    page.keyboard.press("End")
    assert output.text_content() == "now"
    state_heading(page, "State now")
    assert state.locator(".delegation .head").inner_text() == "Rustem Umerov"
    assert entry(page, "delegation-announced").count() == 1

    # When it was recorded: one mark per recorded event, the first being TalksProposed alone.
    page.get_by_label("When it was recorded").check()
    marks: list[str] = json.loads(
        page.locator("[data-marks-recorded]").get_attribute("data-marks-recorded") or "[]"
    )
    assert len(marks) == len(FACTS)
    assert slider.get_attribute("max") == str(len(marks))
    assert output.text_content() == "now"
    slider.focus()
    page.keyboard.press("Home")
    first = marks[0].replace("T", " ").replace("Z", " UTC")
    assert output.text_content() == first
    state_heading(page, "State as of")
    assert page.locator("#panel .timeline .entry").count() == 1
    assert entry(page, "talks-framed").count() == 1
    assert "Umerov" not in state.inner_text()

    # As recorded just before the erratum: Kellogg's sentence stands unmarked; then marked.
    log = httpx.get(tab.base_url + "/events", params={"limit": 100}, timeout=10).json()["events"]
    recorded = {e["event_id"]: e["recorded_at"] for e in log}
    noted_at = marks.index(recorded[event_id("turkish-capital-erratum")])
    press_until(page, "ArrowRight", marks[noted_at - 1].replace("T", " ").replace("Z", " UTC"))
    expected = entry(page, "third-parties-expected")
    expected.wait_for()
    assert expected.locator(".badge.erratum").count() == 0
    assert entry(page, "turkish-capital-erratum").count() == 0
    press_until(page, "ArrowRight", marks[noted_at].replace("T", " ").replace("Z", " UTC"))
    entry(page, "third-parties-expected").locator(".badge.erratum").wait_for()
    assert entry(page, "turkish-capital-erratum").count() == 1

    page.keyboard.press("End")
    assert output.text_content() == "now"
    state_heading(page, "State now")
    assert entry(page, "third-parties-expected").locator(".badge.erratum").count() == 1
    assert page.locator("#panel .badge.disputed").count() == 0
    assert_only_the_server(tab)


def append(tab: Tab, kind: str, stream_id: object, body: dict[str, Any]) -> int:
    """Append an event through the API, as an admin of the server under test; its position."""
    response = httpx.post(
        f"{tab.base_url}/{kind}/{stream_id}/events",
        json=body,
        headers=authorized(tab.base_url),
        timeout=10,
    )
    assert response.status_code == 201, response.text
    position: int = response.json()["position"]
    return position


ARRIVED = event_body(
    "DelegationArrived", {"city": "Istanbul"}, occurred={"precision": "day", "value": "2025-06-03"}
)
STATEMENT = event_body(
    "StatementMade",
    {"speaker": "Volodymyr Zelenskyy", "subject": "a browser test"},
    occurred={"precision": "day", "value": "2025-06-03"},
)


def test_an_appended_event_is_announced_live(tab: Tab) -> None:
    page = tab.page
    wait_for_stream(tab)
    live = page.locator("#live")
    assert live.get_attribute("role") == "status"
    append(tab, "delegations", DELEGATION_ID, ARRIVED)
    live.filter(has_text="New: DelegationArrived").wait_for()
    # 3 June is a new mark: the slider grows by one stop and stays at "now".
    assert page.locator("#replay-slider").get_attribute("max") == str(len(OCCURRED_MARKS) + 1)
    assert page.locator("#replay-value").text_content() == "now"
    assert_only_the_server(tab)


@pytest.mark.parametrize("server", [SEPARATE_WORKER], indirect=True)
def test_an_appended_event_appears_live_at_now(tab: Tab, catch_up_views: Callable[[], int]) -> None:
    page = tab.page
    wait_for_stream(tab)
    append(tab, "delegations", DELEGATION_ID, ARRIVED)  # no worker runs: the views lag
    page.locator("#live").filter(has_text="New: DelegationArrived").wait_for()
    page.wait_for_timeout(1000)  # the page asks for its panel while the worker is a second late
    assert catch_up_views() > 0
    new = page.locator("#panel .timeline [data-type=DelegationArrived]")
    new.filter(has_text="Delegation arrives in Istanbul").wait_for()
    assert "arrived" in page.locator("#panel .state .delegation").inner_text()
    assert_only_the_server(tab)


def test_an_event_appended_while_replaying_waits_for_now(tab: Tab) -> None:
    page = tab.page
    wait_for_stream(tab)
    page.locator("#replay-slider").focus()
    press_until(page, "ArrowLeft", "2025-05-31")
    state_heading(page, "State at 2025-05-31")
    position = append(tab, "positions", POSITION_ID, STATEMENT)
    page.locator("#live").filter(has_text="New: StatementMade (move the slider to now").wait_for()
    assert "a browser test" not in page.locator("#panel .timeline").inner_text()
    # Once the views hold it, back at "now" it is there.
    views = httpx.get(
        f"{tab.base_url}/talks/{TALKS_ID}/timeline",
        params={"min_position": position, "limit": 1000},
        timeout=10,
    )
    assert views.status_code == 200, views.text
    page.keyboard.press("End")
    state_heading(page, "State now")
    page.locator("#panel .timeline").filter(has_text="a browser test").wait_for()
    assert_only_the_server(tab)


def test_accessibility_basics(tab: Tab) -> None:
    page = tab.page
    for path in ("/", TALKS_PAGE):
        tab.goto(path)
        assert page.locator("h1").count() == 1, path
        unlabelled = page.evaluate(
            """() => [...document.querySelectorAll("input, select, textarea")]
                 .filter((el) => el.type !== "hidden" && el.labels.length === 0)
                 .map((el) => el.outerHTML)"""
        )
        assert unlabelled == [], path
    assert page.get_by_label("Replay to").get_attribute("id") == "replay-slider"
    assert page.locator("#live").get_attribute("role") == "status"

    slider = page.locator("#replay-slider")
    slider.focus()
    page.keyboard.press("ArrowLeft")
    assert slider.get_attribute("aria-valuetext") == OCCURRED_MARKS[-1]
    page.keyboard.press("End")
    assert slider.get_attribute("aria-valuetext") == "now"
    assert_only_the_server(tab)


def test_slider_has_aria_valuetext_before_it_moves(tab: Tab) -> None:
    tab.goto(TALKS_PAGE)
    assert tab.page.locator("#replay-slider").get_attribute("aria-valuetext") == "now"


def test_screenshots_and_no_horizontal_scroll(tab: Tab) -> None:
    page = tab.page
    ARTIFACTS.mkdir(exist_ok=True)
    shots = {}
    for width in (375, 1440):
        page.set_viewport_size({"width": width, "height": 900})
        tab.goto(TALKS_PAGE)
        page.locator("#panel .timeline .entry").first.wait_for()
        if width == 375:
            scroll_width = page.evaluate("document.documentElement.scrollWidth")
            assert scroll_width <= width + 1, f"horizontal scroll at {width} px: {scroll_width}"
        shots[width] = ARTIFACTS / f"talks-page-{width}.png"
        page.screenshot(path=str(shots[width]), full_page=True)
    for width, shot in shots.items():
        data = shot.read_bytes()
        assert data.startswith(PNG_MAGIC), shot
        assert len(data) > 10_000, f"{shot}: {len(data)} bytes"
        assert int.from_bytes(data[16:20], "big") == width  # the PNG's own width
    assert_only_the_server(tab)
