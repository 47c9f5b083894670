"""Security headers on every page, no inline script, Vary where content is negotiated, and API
documentation served from our own origin (it works offline)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from helpers import talks_body

HTML = {"Accept": "text/html"}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT_SOURCES = re.compile(r"<script[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)


@pytest.fixture
def pages(client: TestClient) -> list[str]:
    talks_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    return ["/", f"/talks/{talks_id}", f"/talks/{talks_id}/panel", "/docs", "/redoc"]


def _policy(header: str) -> dict[str, str]:
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in header.split(";")
        if part.strip()
    }


def test_every_html_page_has_the_security_headers_and_no_inline_script(
    client: TestClient, pages: list[str]
) -> None:
    for path in pages:
        page = client.get(path, headers=HTML)
        assert page.status_code == 200, path
        assert page.headers["content-type"].startswith("text/html"), path
        policy = _policy(page.headers["Content-Security-Policy"])
        assert policy["script-src"] == "'self'", path
        assert policy["frame-ancestors"] == "'none'", path
        assert policy["object-src"] == "'none'", path
        assert page.headers["X-Content-Type-Options"] == "nosniff", path
        assert page.headers["X-Frame-Options"] == "DENY", path
        assert page.headers["Referrer-Policy"] == "no-referrer", path
        assert not INLINE_SCRIPT.search(page.text), path
        assert not INLINE_HANDLER.search(page.text), path


def test_json_answers_and_errors_get_nosniff_and_the_policy_too(client: TestClient) -> None:
    for path in ("/talks", "/no-such-page", "/openapi.json"):
        answer = client.get(path)
        assert answer.headers["X-Content-Type-Options"] == "nosniff", path
        assert "frame-ancestors 'none'" in answer.headers["Content-Security-Policy"], path


def test_the_talks_address_varies_on_accept(client: TestClient) -> None:
    talks_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    as_html = client.get(f"/talks/{talks_id}", headers=HTML)
    as_json = client.get(f"/talks/{talks_id}", headers={"Accept": "application/json"})
    assert as_html.headers["content-type"].startswith("text/html")
    assert as_json.headers["content-type"].startswith("application/json")
    for answer in (as_html, as_json):
        assert "accept" in answer.headers["Vary"].lower()


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_the_api_documentation_loads_its_scripts_from_our_own_origin(
    client: TestClient, path: str
) -> None:
    page = client.get(path)
    sources = SCRIPT_SOURCES.findall(page.text)
    assert sources, page.text
    links = re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", page.text)
    for source in [*sources, *links]:
        assert source.startswith("/"), source
        assert not source.startswith("//"), source
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert len(asset.content) > 100, source
    scripts = [client.get(source).text for source in sources]
    if path == "/docs":
        assert any("SwaggerUIBundle" in script for script in scripts)
        assert any("/openapi.json" in script for script in scripts)
    else:
        assert 'spec-url="/openapi.json"' in page.text
