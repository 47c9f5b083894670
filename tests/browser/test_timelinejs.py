"""Our TimelineJS export in the real TimelineJS (npm's @knight-lab/timelinejs, pinned in
tests/browser/js/package-lock.json, installed by ``make js``) in Chromium: every slide renders,
no error message, for the demo and for Talks of every shape of dates."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import TIMEOUT_MS
from fastapi.testclient import TestClient
from timeline_cases import CASES, SOURCE

from application.service import TimelineService

JS = Path(__file__).resolve().parent / "js"
TIMELINE_JS = JS / "node_modules" / "@knight-lab" / "timelinejs" / "dist" / "js" / "timeline.js"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Say nothing per request."""


@pytest.fixture(scope="module")
def js_server() -> Iterator[str]:
    """tests/browser/js over HTTP (TimelineJS fetches its locale; file:// would refuse)."""
    if not TIMELINE_JS.is_file():
        pytest.fail(f"TimelineJS is not installed at {TIMELINE_JS}: run `make js`", pytrace=False)
    handler = functools.partial(_Quiet, directory=str(JS))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def rendered(browser: Any, base_url: str, document: dict[str, Any]) -> dict[str, Any]:
    """What TimelineJS made of a document: slides, eras, groups, messages, links, page errors."""
    context = browser.new_context(viewport={"width": 1200, "height": 800})
    context.set_default_timeout(TIMEOUT_MS)
    foreign: list[str] = []
    errors: list[str] = []

    def route(request_route: Any) -> None:
        if request_route.request.url.startswith(base_url + "/"):
            request_route.continue_()
        else:  # nothing from a CDN: the test runs offline, and must
            foreign.append(request_route.request.url)
            request_route.abort()

    context.route("**/*", route)
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(base_url + "/timeline.html", wait_until="load")
        page.evaluate("document => window.render(document)", document)
        page.wait_for_function(
            "() => window.timelineLoaded || document.querySelector('.tl-message-full')"
        )
        return {
            "loaded": page.evaluate("window.timelineLoaded"),
            "slides": page.locator(".tl-slide").count(),
            "eras": page.locator(".tl-timeera").count(),
            "groups": page.locator(".tl-timegroup").count(),
            "messages": [
                text.strip()
                for text in page.locator(".tl-message-full, .tl-message-content").all_inner_texts()
                if text.strip()
            ],
            "links": page.eval_on_selector_all(
                ".tl-slide a[href]", "links => links.map(link => link.href)"
            ),
            "foreign": foreign,
            "errors": errors,
        }
    finally:
        context.close()


@pytest.mark.parametrize("name", list(CASES))
def test_timelinejs_renders_every_slide_of_the_export(
    name: str, browser: Any, js_server: str, service: TimelineService, client: TestClient
) -> None:
    case = CASES[name]
    talks_id = case.build(service)
    response = client.get(f"/talks/{talks_id}/export", params={"format": "timelinejs"})
    assert response.status_code == 200, response.text

    found = rendered(browser, js_server, response.json())

    assert found["messages"] == []
    assert found["errors"] == []
    assert found["loaded"] is True
    assert found["slides"] == case.slides
    assert found["eras"] == case.eras
    assert found["foreign"] == []


def test_timelinejs_slides_link_their_sources(
    browser: Any, js_server: str, service: TimelineService, client: TestClient
) -> None:
    talks_id = CASES["one-day round"].build(service)
    document = client.get(f"/talks/{talks_id}/export", params={"format": "timelinejs"}).json()

    found = rendered(browser, js_server, document)

    assert found["links"].count(SOURCE["url"]) == 3  # one per slide of a fact


def test_the_demo_renders_in_three_groups(
    browser: Any, js_server: str, service: TimelineService, client: TestClient
) -> None:
    talks_id = CASES["demo"].build(service)
    document = client.get(f"/talks/{talks_id}/export", params={"format": "timelinejs"}).json()

    assert rendered(browser, js_server, document)["groups"] == 3
