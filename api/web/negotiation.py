"""Content negotiation: a browser asking for a page, or a client asking for JSON."""

from __future__ import annotations

from fastapi import Request


def wants_html(request: Request) -> bool:
    """True when the client's first preference is HTML (a browser), not JSON."""
    first = request.headers.get("accept", "").split(",")[0].strip().lower()
    return first.startswith("text/html")
