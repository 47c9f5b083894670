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
    env.filters["shown"] = shown
    env.filters["pointer_words"] = pointer_words
    env.filters["under"] = under
    return env


def shown(value: Any) -> str:
    """A value as the page says it: a date in words, a person with their title, a list."""
    if value is None or value in ([], ""):
        return "nothing"
    if isinstance(value, dict) and "precision" in value:
        return page_date(value)
    if isinstance(value, dict) and "name" in value:
        return f"{value['name']} ({value['title']})" if value.get("title") else str(value["name"])
    if isinstance(value, list):
        return "; ".join(shown(item) for item in value)
    if isinstance(value, dict):
        return ", ".join(f"{key} {shown(item)}" for key, item in value.items() if item is not None)
    return str(value)


def pointer_words(pointer: str | None) -> str:
    """A JSON pointer in words: ``/rounds/0/date`` is "rounds › 1 › date", ``/occurred`` "date"."""
    if not pointer:
        return "value"
    if pointer == "/occurred":
        return "date"
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.strip("/").split("/")]
    if parts and parts[0] == "data":
        parts = parts[1:]
    words = [str(int(p) + 1) if p.isdigit() else p.replace("_", " ") for p in parts]
    return " › ".join(words)


def under(entries: list[dict[str, Any]] | None, prefix: str) -> list[dict[str, Any]]:
    """The corrected values shown at or below a JSON pointer (``/rounds/0``)."""
    return [e for e in entries or [] if e["path"] and (e["path"] + "/").startswith(prefix + "/")]


def render(template: str, **context: Any) -> str:
    """A template rendered with its context."""
    return environment().get_template(template).render(**context)
