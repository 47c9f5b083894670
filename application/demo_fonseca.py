"""The second demo set: the Gulf of Fonseca fisheries talks, a fictional multi-round negotiation.

Its story is docs/demo-gulf-of-fonseca.md; its events are application/demo_data/
gulf-of-fonseca-talks.jsonl, in the importer's line format (application/importer.py), each with
a fixed event id ``demo_id("fonseca:event:<key>")``. It is imported strictly (every line checked
first, nothing appended if one is bad) and idempotently (an event already recorded is never
appended again), after the seed demo and its actors: it names the United States, which the seed
demo registers.
"""

from __future__ import annotations

from importlib import resources
from uuid import UUID

from application.demo import demo_id
from application.errors import ApplicationError
from application.importer import import_lines
from application.service import TimelineService

DATA_FILE = "gulf-of-fonseca-talks.jsonl"
PRINCIPAL = "demo:gulf-of-fonseca"

TALKS_ID = demo_id("fonseca:talks")
DELEGATIONS = {
    "Honduras": demo_id("fonseca:delegation-honduras"),
    "Nicaragua": demo_id("fonseca:delegation-nicaragua"),
}
POSITIONS = {
    "Honduras": demo_id("fonseca:position-honduras"),
    "Nicaragua": demo_id("fonseca:position-nicaragua"),
}


def event_id(key: str) -> UUID:
    """The fixed id of the set's event named ``key`` (docs/demo-gulf-of-fonseca.md)."""
    return demo_id(f"fonseca:event:{key}")


def actor_id(key: str) -> UUID:
    """The fixed id of the set's actor named ``key`` (``andrade``, ``oas``, ...)."""
    return demo_id(f"fonseca:actor:{key}")


def data_lines() -> list[str]:
    """The set's JSON lines, as shipped with the package."""
    text = resources.files("application").joinpath("demo_data", DATA_FILE).read_text("utf-8")
    return text.splitlines()


def load_fonseca(service: TimelineService) -> int:
    """Import the set's events not yet recorded; returns how many were new."""
    report = import_lines(service, data_lines(), principal=PRINCIPAL, strict=True)
    if report.errors:
        first = report.errors[0]
        msg = f"the demo set {DATA_FILE} has a bad line: {first}"
        raise ApplicationError(msg, pointer=first.pointer)
    return report.appended
