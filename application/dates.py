"""Occurrence dates for people, in words: the page's form and the exports' form, in one place."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from domain.occurrence import Occurrence

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip


def point(text: str) -> date | datetime:
    """One end of a value: a day, or a date-time on its own offset's wall clock."""
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def human_point(moment: date | datetime) -> str:
    text = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if isinstance(moment, datetime):
        offset = moment.utcoffset() or timedelta(0)
        zone = "UTC"
        if offset:
            sign = "+" if offset > timedelta(0) else "-"
            minutes = abs(offset) // timedelta(minutes=1)
            zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        text += f", {moment:%H:%M} {zone}"
    return text


def human_date(occurred: Occurrence) -> str:
    """The resolved date in words: "1 June 2025", "June 2025", "23 May 2025 – 25 May 2025"."""
    value = occurred.value
    if occurred.precision == "unknown" or value is None:
        return "date unknown"
    if not occurred.is_plain:
        return f"{value} (EDTF: {_human_days(occurred)})"
    if occurred.precision == "month":
        year, month = value.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    if occurred.precision == "interval":
        start, _, end = value.partition("/")
        return f"{human_point(point(start))} – {human_point(point(end))}"
    return human_point(point(value))


def _human_days(occurred: Occurrence) -> str:
    """The days an EDTF value may mean: "until 1 June 2025", "1 June 2025 – 30 June 2025"."""
    first, last = occurred.days()
    if first is None or last is None:
        bound = first or last
        side = "until" if first is None else "from"
        return "date unknown" if bound is None else f"{side} {human_point(bound)}"
    if first == last:
        return human_point(first)
    return f"{human_point(first)} – {human_point(last)}"


def display_date(occurred: Occurrence) -> str:
    """Human text with the source's own wording: "Sunday (1 June 2025)"."""
    text = human_date(occurred)
    if occurred.uncertain:
        text += ", uncertain"
    return f"{occurred.wording} ({text})" if occurred.wording else text


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


def qualifiers(value: str) -> str:
    """What an EDTF value's qualifiers say, in words ("" for none): "uncertain", "approximate",
    "uncertain and approximate", "day not given", "one of these days"."""
    words = []
    if "%" in value or ("?" in value and "~" in value):
        words.append("uncertain and approximate")
    elif "?" in value:
        words.append("uncertain")
    elif "~" in value:
        words.append("approximate")
    if "X" in value:
        words.append(_unspecified(value))
    if value.startswith("["):
        words.append("one of these days")
    return ", ".join(words)


def _unspecified(value: str) -> str:
    """Which part of a date its unspecified digits (``X``) leave out."""
    parts = value.strip("[]").split("/")[0].split(",")[0].split("-")
    if len(parts) >= 2 and "X" in parts[1]:
        return "month not given"
    if len(parts) == 3 and "X" in parts[2]:
        return "day not given"
    return "year not fully given"


def page_date(occurred: dict[str, Any] | None) -> str:
    """An occurrence (as a state or a view holds it) for the page: "Sunday 1 June 2025 — “Sunday”"."""
    if not occurred or occurred.get("precision") == "unknown" or not occurred.get("value"):
        text = "date unknown"
    elif not Occurrence(**occurred).is_plain:  # in words: "until ...", "... (approximate)"
        words = qualifiers(occurred["value"])
        text = _days(Occurrence(**occurred)) + (f" ({words})" if words else "")
        text += f" [EDTF {occurred['value']}]"
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


def slider_mark(occurred: dict[str, Any] | None) -> str | None:
    """The date a slider stops at for this occurrence (None if undated)."""
    if not occurred or not occurred.get("value"):
        return None
    value: str = occurred["value"]
    if not Occurrence(**occurred).is_plain:
        first, last = Occurrence(**occurred).days()
        found = first or last
        return None if found is None else found.isoformat()
    return value.partition("/")[0][:10] if occurred["precision"] != "month" else value + "-01"
