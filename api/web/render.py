"""Server-rendered pages (Jinja2): the list of talks, a Talks page, and its replayable panel."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from domain.occurrence import Occurrence

HERE = Path(__file__).parent
STATIC = HERE / "static"


def _day(value: str) -> str:
    day = date.fromisoformat(value)
    return f"{day.strftime('%A')} {day.day} {day.strftime('%B %Y')}"


def _days(occurred: Occurrence) -> str:
    """The days an EDTF value may mean: "until Sunday 1 June 2025", "from ...", "... – ..."."""
    first, last = occurred.days()
    if first is None and last is not None:
        return f"until {_day(last.isoformat())}"
    if last is None and first is not None:
        return f"from {_day(first.isoformat())}"
    if first is not None and last is not None and first != last:
        return f"{_day(first.isoformat())} – {_day(last.isoformat())}"
    return _day(first.isoformat()) if first is not None else "date unknown"


def when(occurred: dict[str, Any] | None) -> str:
    """An occurrence for people: as precise as it is, with the source's own wording."""
    if not occurred or occurred.get("precision") == "unknown" or not occurred.get("value"):
        text = "date unknown"
    elif not Occurrence(**occurred).is_plain:
        text = f"{occurred['value']} ({_days(Occurrence(**occurred))})"
    elif occurred["precision"] == "minute":
        moment = datetime.fromisoformat(occurred["value"])
        text = f"{_day(moment.date().isoformat())}, {moment.strftime('%H:%M')} (UTC{moment.strftime('%z')[:3]}:{moment.strftime('%z')[3:]})"
    elif occurred["precision"] == "day":
        text = _day(occurred["value"])
    elif occurred["precision"] == "month":
        text = datetime.strptime(occurred["value"], "%Y-%m").strftime("%B %Y")
    else:
        start, _, end = occurred["value"].partition("/")
        text = f"{_day(start[:10])} – {_day(end[:10])}"
    if occurred and occurred.get("uncertain"):
        text += " (uncertain)"
    if occurred and occurred.get("wording"):
        text += f" — “{occurred['wording']}”"
    return text


def mark(occurred: dict[str, Any] | None) -> str | None:
    """The date a slider stops at for this occurrence (None if undated)."""
    if not occurred or not occurred.get("value"):
        return None
    value: str = occurred["value"]
    if not Occurrence(**occurred).is_plain:
        first, last = Occurrence(**occurred).days()
        found = first or last
        return None if found is None else found.isoformat()
    return value.partition("/")[0][:10] if occurred["precision"] != "month" else value + "-01"


@cache
def environment() -> Environment:
    """The template environment (autoescaped HTML)."""
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["when"] = when
    return env


def render(template: str, **context: Any) -> str:
    """A template rendered with its context."""
    return environment().get_template(template).render(**context)
