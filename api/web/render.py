"""Server-rendered pages (Jinja2): the list of talks, a Talks page, and its replayable panel."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from application.dates import page_date

HERE = Path(__file__).parent
STATIC = HERE / "static"


@cache
def environment() -> Environment:
    """The template environment (autoescaped HTML)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = page_date
    return env


def render(template: str, **context: Any) -> str:
    """A template rendered with its context."""
    return environment().get_template(template).render(**context)
