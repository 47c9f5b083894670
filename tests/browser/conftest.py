"""Browser tests: Debian's Chromium, driven by Playwright, on a real server loaded with the demo.

Without Chromium or the playwright package these tests are skipped, with the reason; with
NT_REQUIRE_BROWSER=1 (set by .ci/run) they fail instead. Playwright never downloads a browser
here: it launches the system's Chromium (CHROMIUM).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from projections.projector import Projector
from projections.registry import all_views
from store.application import TimelineApplication
from store.settings import Settings

#: Debian's Chromium (NT_CHROMIUM names another build of it).
CHROMIUM = os.environ.get("NT_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REQUIRE_BROWSER = os.environ.get("NT_REQUIRE_BROWSER") == "1"
BROWSER_TESTS = Path(__file__).resolve().parent
#: Every wait of these tests is bounded by this (milliseconds).
TIMEOUT_MS = 10_000
TESTS = Path(__file__).resolve().parent.parent


def _unavailable(reason: str) -> None:
    """Skip, or with NT_REQUIRE_BROWSER=1 fail, for want of the browser."""
    if REQUIRE_BROWSER:
        pytest.fail(f"{reason} (NT_REQUIRE_BROWSER=1: browser tests must run)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Chromium, launched once per session; skips (in CI, fails) where it can't be had."""
    try:
        from playwright.sync_api import Error, sync_playwright
    except ImportError as error:
        _unavailable(f"the playwright package is not installed ({error}): pip install -e '.[dev]'")
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        _unavailable(f"Chromium not found at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        try:
            chromium = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, timeout=30_000
            )
        except Error as error:
            _unavailable(f"Chromium at {CHROMIUM} does not start: {error}")
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(autouse=True)
def _needs_browser(browser: Any) -> None:
    """Every test of this folder needs the browser: skip (or fail) them all without it."""


#: The server's deployment with the views kept by a separate worker (NT_RUN_PROJECTIONS=false),
#: which the test plays itself with ``catch_up_views``: ask for it with
#: ``@pytest.mark.parametrize("server", [SEPARATE_WORKER], indirect=True)``.
SEPARATE_WORKER = "separate-worker"


def _catch_up(settings: Settings) -> int:
    """What a worker does when woken: bring every view to the head of the log."""
    application = TimelineApplication(settings.eventsourcing_env())
    try:
        return Projector(application, all_views()).catch_up()
    finally:
        application.close()


@pytest.fixture
def catch_up_views(settings: Settings) -> Callable[[], int]:
    """Bring the views of the test's store to the head now, as a separate worker would."""
    return lambda: _catch_up(settings)


@pytest.fixture
def server(
    request: pytest.FixtureRequest, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A real ``negotiation-timeline serve`` that loaded the demo into its empty store.

    By default it keeps its views itself; with the SEPARATE_WORKER parameter it does not
    (NT_RUN_PROJECTIONS=false), and its views are brought to the head once, after the demo.
    """
    from helpers import running_server

    separate_worker = getattr(request, "param", None) == SEPARATE_WORKER
    if separate_worker:
        monkeypatch.setenv("NT_RUN_PROJECTIONS", "false")
    with running_server(settings, load_demo=True) as base_url:
        if separate_worker:
            assert _catch_up(settings) > 0, "the demo was not loaded"
        _wait_for_views(base_url)
        yield base_url


def _wait_for_views(base_url: str) -> None:
    """Wait (bounded) until every view has applied the whole log, the demo included.

    The server is up once its log answers; its views follow a moment later (on PostgreSQL
    often after the first page would have been served).
    """
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while True:
        views = httpx.get(base_url + "/projections", timeout=5).raise_for_status().json()
        behind = {v["name"]: v["lag_events"] for v in views if v["lag_events"] or v["head"] == 0}
        if not behind:
            return
        assert time.monotonic() < deadline, f"views still behind the log: {behind}"
        time.sleep(0.05)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The page and what reads our exports behave alike on either store: they run once, in the
    SQLite run (``sqlite_only``); the API tests hold the PostgreSQL store to the same answers."""
    for item in items:
        if BROWSER_TESTS in item.path.parents:
            item.add_marker(pytest.mark.sqlite_only)


@dataclass
class Tab:
    """A page in its own browser context, with every URL it requested."""

    page: Any
    base_url: str
    requests: list[str] = field(default_factory=list)

    def goto(self, path: str) -> Any:
        """Open a path of the server (the browser sends its usual Accept: text/html)."""
        response = self.page.goto(self.base_url + path, wait_until="domcontentloaded")
        assert response is not None
        assert response.status == 200, f"{path}: {response.status}"
        return response

    def foreign_requests(self) -> list[str]:
        """Requests that went anywhere but the server under test."""
        return [url for url in self.requests if not url.startswith(self.base_url + "/")]


@pytest.fixture
def tab(browser: Any, server: str) -> Iterator[Tab]:
    """A fresh context and page on the demo server; every wait bounded by TIMEOUT_MS."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    context.set_default_navigation_timeout(TIMEOUT_MS)
    page = context.new_page()
    opened = Tab(page, server)
    page.on("request", lambda request: opened.requests.append(request.url))
    try:
        yield opened
    finally:
        context.close()
