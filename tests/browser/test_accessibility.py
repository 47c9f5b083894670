"""axe-core (npm, installed by ``make js``) on the index, a Talks page and its search page:
no serious or critical violation, at a wide and a narrow width, JavaScript on and off."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import TOKENS

from application.demo import TALKS_ID

pytestmark = pytest.mark.slow

AXE = Path(__file__).resolve().parent / "js" / "node_modules" / "axe-core" / "axe.min.js"
PAGES = ("/", f"/talks/{TALKS_ID}", f"/talks/{TALKS_ID}/search?actor=Zelensky")
#: The impacts the issue forbids (axe-core also reports "moderate" and "minor").
FORBIDDEN = {"serious", "critical"}


def violations(page: Any) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it stands."""
    if not AXE.is_file():
        pytest.fail(f"axe-core is not installed at {AXE}: run `make js`", pytrace=False)
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    found: list[dict[str, Any]] = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ["violations"]})).violations
             .map((v) => ({id: v.id, impact: v.impact, help: v.help,
                           nodes: v.nodes.map((n) => n.target.join(" "))}))"""
    )
    return [v for v in found if v["impact"] in FORBIDDEN]


@pytest.mark.parametrize("width", [1440, 375])
@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_no_serious_or_critical_violations(
    browser: Any, server: str, width: int, javascript: bool
) -> None:
    # bypass_csp: axe-core is injected by the test, which a page's CSP rightly refuses.
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        for path in PAGES:
            if not javascript:
                # axe-core itself needs JavaScript: the page's own script is what is left out.
                page.route("**/static/talks.js", lambda route: route.abort())
            page.goto(server + path, wait_until="load")
            if "/search" not in path and path != "/":
                page.locator("#panel .timeline .entry").first.wait_for()
            if path != "/":
                page.locator(".tools summary").first.click()  # the forms, opened, checked too
            assert violations(page) == [], path
    finally:
        context.close()


def test_axe_core_finds_what_it_should(browser: Any) -> None:
    # The check itself can fail: an unlabelled field and an image without text are found.
    page = browser.new_page()
    try:
        page.set_content('<main><h1>x</h1><input type="text"><img src="data:,"></main>')
        assert {"label", "image-alt"} <= {v["id"] for v in violations(page)}
    finally:
        page.close()


def test_the_record_form_has_no_serious_or_critical_violations(browser: Any, server: str) -> None:
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto(server + f"/talks/{TALKS_ID}", wait_until="load")
        page.get_by_label("API key (kept for this browser session only)").fill(TOKENS[server])
        page.get_by_role("button", name="Use key").click()
        page.locator("#event-form").wait_for()
        page.locator("#panel .entry-actions").first.wait_for()
        assert violations(page) == []
        # A refused event: the problems shown beside their fields are checked too.
        page.get_by_role("button", name="Record", exact=True).click()
        page.locator("#event-form .problem").first.wait_for()
        assert violations(page) == []
    finally:
        context.close()
