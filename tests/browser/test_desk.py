"""The desk (issue 16) in a real browser: the index's paging and search, the labels, the export
buttons, the page without JavaScript, search and filters, and axe-core's accessibility check."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import NAMESPACE_URL, uuid5

import pytest
from helpers import run_cli, running_server

from application.demo import TALKS_ID
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


def test_the_index_pages_through_1500_talks(browser: Any, crowded: str) -> None:
    context = browser.new_context()
    context.set_default_timeout(30_000)
    page = context.new_page()
    try:
        seen: set[str] = set()
        # The views catch up with 1,500 imported Talks: wait (bounded) until all are counted.
        total = MANY + 1
        for _ in range(60):
            page.goto(crowded + "/", wait_until="domcontentloaded")
            if page.locator("#talks-count").inner_text().endswith(f"of {total}"):
                break
            page.wait_for_timeout(500)
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
