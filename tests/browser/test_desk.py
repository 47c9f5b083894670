"""The desk (issue 16) in a real browser: the index's paging and search, the labels, the export
buttons, the page without JavaScript, search and filters, and axe-core's accessibility check."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, uuid5

import httpx
import pytest
from helpers import authorized, event_body, run_cli, running_server

from application.demo import POSITION_ID, TALKS_ID, demo_id
from application.exports import FORMATS
from store.settings import Settings

if TYPE_CHECKING:
    from conftest import Tab  # tests/browser/conftest.py

pytestmark = pytest.mark.slow

TALKS_PAGE = f"/talks/{TALKS_ID}"
TITLE = "Russia–Ukraine direct talks, Istanbul"
MANY = 1500
PAGE_SIZE = 50  # the index's page, as the paging promises: every Talks reachable


def many_talks_file(path: Path, count: int) -> Path:
    """A JSON-lines import of ``count`` Talks, each proposed on its own day of 2024."""
    lines = []
    for n in range(count):
        lines.append(
            {
                "kind": "talks",
                "stream_id": str(uuid5(NAMESPACE_URL, f"nt-test:many-talks:{n}")),
                "type": "TalksProposed",
                "data": {"title": f"Paging talks {n:04d}", "parties": ["Alpha", "Beta"]},
                "occurred": {"precision": "day", "value": "2024-01-01"},
                "sources": [{"outlet": "Test Wire", "quote": "proposed"}],
            }
        )
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def crowded(settings: Settings, tmp_path: Path) -> Iterator[str]:
    """A server over 1,500 imported Talks, then the demo loaded last (so the newest)."""
    imported = run_cli("import", str(many_talks_file(tmp_path / "many.jsonl", MANY)),
                       settings=settings, timeout=300)  # fmt: skip
    assert imported.returncode == 0, imported.stdout + imported.stderr
    demo = run_cli("load-demo", settings=settings, timeout=120)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    with running_server(settings) as base_url:
        yield base_url


def views_caught_up(base_url: str, seconds: float = 120) -> None:
    """Wait (bounded) until every view has applied the 1,500 imported Talks and the demo."""
    deadline = time.monotonic() + seconds
    while True:
        views = httpx.get(base_url + "/projections", timeout=10).raise_for_status().json()
        behind = {v["name"]: v["lag_events"] for v in views if v["lag_events"] or v["head"] == 0}
        if not behind:
            return
        assert time.monotonic() < deadline, f"views still behind the log: {behind}"
        time.sleep(0.2)


def test_the_index_pages_through_1500_talks(browser: Any, crowded: str) -> None:
    context = browser.new_context()
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        seen: set[str] = set()
        total = MANY + 2  # and the two demo Talks (the seed and the second set)
        views_caught_up(crowded)
        page.goto(crowded + "/", wait_until="domcontentloaded")
        assert page.locator("#talks-count").inner_text() == f"Talks 1–{PAGE_SIZE} of {total}"
        assert page.get_by_role("link", name=TITLE).count() == 1  # the newest: first page
        pages = -(-total // PAGE_SIZE)
        number = 1
        while True:
            titles = page.locator(".card h2 a").all_inner_texts()
            assert len(titles) == (PAGE_SIZE if number < pages else total - PAGE_SIZE * (pages - 1))
            assert not seen.intersection(titles), f"page {number} repeats titles"
            seen.update(titles)
            assert page.locator(".pages span").inner_text() == f"Page {number} of {pages}"
            following = page.get_by_role("link", name="Next page")
            if number == pages:
                assert following.count() == 0
                break
            following.click()
            number += 1
            page.wait_for_url(f"{crowded}/?page={number}")
        assert len(seen) == total  # nothing silently cut
        assert {f"Paging talks {n:04d}" for n in range(MANY)} <= seen

        # Search by title: a form submit, the words kept in the URL.
        page.get_by_label("Search the talks by title").fill("talks 1499")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url(f"{crowded}/?q=talks+1499")
        assert page.locator(".card h2 a").all_inner_texts() == ["Paging talks 1499"]
        assert page.locator("#talks-count").inner_text() == "Talks 1–1 of 1 matching “talks 1499”"
    finally:
        context.close()


def test_past_rounds_are_not_announced_as_next(tab: Tab) -> None:
    # The demo's second round was scheduled for 2 June 2025: long past, never recorded as held.
    tab.goto("/")
    card = tab.page.locator(".card").filter(has_text=TITLE)
    assert card.count() == 1
    assert "Next: round" not in card.inner_text()


def demo_event(key: str) -> str:
    return str(demo_id(f"event:{key}"))


def test_a_retraction_links_its_target_as_retracted(tab: Tab) -> None:
    target = demo_event("coordination-stated")
    body = event_body("EventRetracted", {"retracts": target, "reason": "a browser test"})
    response = httpx.post(f"{tab.base_url}/positions/{POSITION_ID}/events", json=body,
                          headers=authorized(tab.base_url), timeout=10)  # fmt: skip
    assert response.status_code == 201, response.text
    retraction = response.json()["events"][0]["event_id"]
    views = httpx.get(f"{tab.base_url}/talks/{TALKS_ID}/timeline", timeout=10,
                      params={"min_position": response.json()["position"]})  # fmt: skip
    assert views.status_code == 200, views.text  # the views hold it: the page shows it
    tab.goto(TALKS_PAGE)
    entry = tab.page.locator(f"#event-{retraction}")
    entry.wait_for()
    link = entry.get_by_role("link", name="retracted event")
    assert link.get_attribute("href") == f"#event-{target}"
    assert entry.get_by_role("link", name="corrected event").count() == 0
    # A correction still links its target as the corrected event.
    correction = tab.page.locator(f"#event-{demo_event('erdogan-call-date-corrected')}")
    assert correction.get_by_role("link", name="corrected event").count() == 1


def test_without_javascript_the_page_says_what_needs_it(browser: Any, server: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(server + TALKS_PAGE, wait_until="domcontentloaded")
        notice = page.locator("#needs-js")
        assert "Replay and live updates need JavaScript" in notice.inner_text()
        assert not page.locator("#replay").is_visible()  # controls that would do nothing
        assert not page.locator("#live").is_visible()
        # Reading works: the timeline is there, server-rendered.
        assert page.locator(f"#event-{demo_event('delegation-announced')}").is_visible()
        # Search by form submit: an actor by another spelling, in other letters' case.
        page.locator(".tools summary").click()
        page.get_by_label("Actor").fill("ZELENSKY")
        page.get_by_label("Kind").select_option("positions")
        page.get_by_role("button", name="Search").click()
        page.wait_for_url("**/search?**")
        assert "actor=ZELENSKY" in page.url
        assert "kind=positions" in page.url
        results = page.locator(".results .entry")
        assert results.count() >= 3
        for text in results.locator(".meta").all_inner_texts():
            assert "positions" in text
            assert "Volodymyr Zelenskyy" in text
        assert page.locator(f"#event-{demo_event('skepticism-voiced')}").count() == 1
        assert page.locator(f"#event-{demo_event('third-parties-expected')}").count() == 0
        # The filters survive in the form, and the URL alone shows the same view again.
        assert page.get_by_label("Actor").input_value() == "ZELENSKY"
        again = context.new_page()
        again.goto(page.url, wait_until="domcontentloaded")
        assert again.locator(".results .entry").count() == results.count()
    finally:
        context.close()


def test_search_words_and_a_refused_filter(tab: Tab) -> None:
    page = tab.page
    tab.goto(f"{TALKS_PAGE}/search?q=erdogan")
    assert page.locator(f"#event-{demo_event('erdogan-consulted')}").count() == 1
    assert page.get_by_label("Words").input_value() == "erdogan"
    response = httpx.get(f"{tab.base_url}{TALKS_PAGE}/search", params={"from": "June"}, timeout=10)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["parameter"] == "from"


def test_export_buttons_download_what_the_api_answers(tab: Tab) -> None:
    page = tab.page
    tab.goto(TALKS_PAGE)
    page.locator(".tools summary").click()
    links = page.locator("a[data-format]")
    assert links.count() == len(FORMATS)

    def downloaded(format_: str) -> tuple[str, bytes]:
        link = page.locator(f"a[data-format='{format_}']")
        href = link.get_attribute("href") or ""
        with page.expect_download() as got:
            link.click()
        path = got.value.path()
        assert path is not None
        return href, Path(path).read_bytes()

    for format_ in FORMATS:
        href, data = downloaded(format_)
        api = httpx.get(tab.base_url + href, timeout=20)
        assert api.status_code == 200, href
        assert data == api.content, format_
        assert "&at=" not in href
        assert "&as_of=" not in href

    # Replayed to Saturday 31 May: the buttons export at that day, as the API does.
    page.locator("#replay-slider").focus()
    for _ in range(3):  # now, then Monday 2 June, Sunday 1 June, Saturday 31 May
        page.keyboard.press("ArrowLeft")
    page.locator("#state-heading").filter(has_text="State at 2025-05-31").wait_for()
    assert page.locator("#export-point").inner_text() == "at 2025-05-31"
    href, data = downloaded("csv")
    assert href.endswith("format=csv&at=2025-05-31")
    saturday = httpx.get(tab.base_url + href, timeout=20).content
    now = httpx.get(tab.base_url + f"/talks/{TALKS_ID}/export?format=csv", timeout=20).content
    assert data == saturday
    assert saturday != now  # the delegation was announced on Sunday
