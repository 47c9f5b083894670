"""A Talks family with every date precision, a correction, a retraction and a dispute; and a
second, empty store to import into."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg

from api.routes.streams import new_event, with_corrected_fields
from api.schemas import CreateIn, EventIn
from application.demo import load_demo
from application.exports import Format, load_family, render
from application.service import TimelineService
from entrypoints.bootstrap import migrate
from store.application import TimelineApplication
from store.settings import Settings

TALKS = UUID("7a1c0000-0000-4000-8000-000000000001")
DELEGATION = UUID("7a1c0000-0000-4000-8000-000000000002")
POSITION = UUID("7a1c0000-0000-4000-8000-000000000003")
#: A quote with everything CSV and HTML must escape: double quotes, a comma, a newline, a tag.
TRICKY_QUOTE = 'He said "no, never",\nthen <b>left</b>; it\'s over & done'

# The same values as tests/conftest.py (imported by name, another conftest.py could shadow it).
BACKEND = os.environ.get("NT_TEST_BACKEND", "sqlite")
PG_ADMIN_URL = os.environ.get(
    "NT_TEST_PG_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
PG_DATABASE = os.environ.get("NT_TEST_PG_DATABASE", f"nt_test_{os.getpid()}")


def record(
    service: TimelineService,
    kind: str,
    stream_id: UUID,
    body: dict[str, Any],
    *,
    creates: bool = False,
) -> str:
    """Record one API body as the API would; returns the event id."""
    body = {"sources": [{"outlet": "Test Wire", "url": "https://example.org/a"}]} | body
    if creates:
        result = service.create(
            kind, new_event(kind, CreateIn.model_validate(body)), stream_id=stream_id
        )
    else:
        event = with_corrected_fields(service, new_event(kind, EventIn.model_validate(body)), "")
        result = service.append(kind, stream_id, [event])
    return result.events[-1].event_id


def day(value: str) -> dict[str, Any]:
    return {"precision": "day", "value": value}


def build_family(service: TimelineService) -> dict[str, str]:
    """The test family; returns the ids of its notable events by name."""
    ids: dict[str, str] = {}
    ids["proposed"] = record(
        service, "talks", TALKS,
        {"type": "TalksProposed", "data": {"title": "Test talks", "parties": ["Ukraine", "Russia"]},
         "occurred": day("2025-05-01")},
        creates=True,
    )  # fmt: skip
    ids["mediator"] = record(
        service, "talks", TALKS,
        {"type": "MediatorRoleAssumed", "data": {"mediator": "Türkiye", "hosts": True},
         "occurred": {"precision": "unknown"}},
    )  # fmt: skip
    ids["round1-scheduled"] = record(
        service, "talks", TALKS,
        {"type": "RoundScheduled",
         "data": {"number": 1, "city": "Istanbul",
                  "date": {"precision": "interval", "value": "2025-05-16/2025-05-17"}},
         "occurred": {"precision": "minute", "value": "2025-05-10T14:30+03:00"},
         "modality": "planned"},
    )  # fmt: skip
    ids["round2-scheduled"] = record(
        service, "talks", TALKS,
        {"type": "RoundScheduled",
         "data": {"number": 2, "city": "Geneva", "date": {"precision": "month", "value": "2025-07"}},
         "occurred": {"precision": "month", "value": "2025-06"}, "modality": "planned"},
    )  # fmt: skip
    ids["round1-held"] = record(
        service, "talks", TALKS,
        {"type": "RoundHeld", "data": {"number": 1, "duration_minutes": 90},
         "occurred": {"precision": "interval", "value": "2025-05-16/2025-05-17"},
         "sources": [{"outlet": "Test Wire", "quote": TRICKY_QUOTE}]},
    )  # fmt: skip
    ids["document"] = record(
        service, "talks", TALKS,
        {"type": "DocumentExchanged",
         "data": {"title": "Memorandum", "from_party": "Russia", "to_party": "Ukraine"},
         "occurred": day("2025-05-17")},
    )  # fmt: skip
    ids["retraction"] = record(
        service, "talks", TALKS,
        {"type": "EventRetracted",
         "data": {"retracts": ids["document"], "reason": "never handed over"},
         "occurred": day("2025-05-20")},
    )  # fmt: skip
    ids["consulted"] = record(
        service, "talks", TALKS,
        {"type": "MediatorConsulted",
         "data": {"party": "Ukraine", "mediator": "Türkiye", "participants": ["A", "B"],
                  "channel": "phone"},
         "occurred": {"precision": "day", "wording": "yesterday",
                      "anchor": "2025-05-12T09:00:00+03:00"}},
    )  # fmt: skip
    ids["delegation"] = record(
        service, "delegations", DELEGATION,
        {"type": "DelegationAnnounced",
         "data": {"talks_id": str(TALKS), "party": "Russia", "destination": "Istanbul"},
         "occurred": day("2025-05-11")},
        creates=True,
    )  # fmt: skip
    ids["head-a"] = record(
        service, "delegations", DELEGATION,
        {"type": "DelegationHeadNamed", "data": {"head": {"name": "Vladimir Medinsky"}},
         "occurred": day("2025-05-12"), "sources": [{"outlet": "Wire A"}]},
    )  # fmt: skip
    ids["head-b"] = record(
        service, "delegations", DELEGATION,
        {"type": "DelegationHeadNamed", "data": {"head": {"name": "Sergei Lavrov"}},
         "occurred": day("2025-05-12"), "sources": [{"outlet": "Wire B"}], "modality": "disputed"},
    )  # fmt: skip
    ids["member"] = record(
        service, "delegations", DELEGATION,
        {"type": "DelegationMemberAdded",
         "data": {"member": {"name": "Igor Kostyukov", "title": "Admiral"}},
         "occurred": day("2025-05-13")},
    )  # fmt: skip
    ids["member-corrected"] = record(
        service, "delegations", DELEGATION,
        {"type": "EventCorrected",
         "data": {"corrects": ids["member"], "reason": "his title",
                  "fields": {"member": {"name": "Igor Kostyukov", "title": "Head of the GRU"}}},
         "occurred": day("2025-05-14")},
    )  # fmt: skip
    ids["position"] = record(
        service, "positions", POSITION,
        {"type": "PositionTaken", "data": {"talks_id": str(TALKS), "party": "Ukraine"},
         "occurred": day("2025-05-10")},
        creates=True,
    )  # fmt: skip
    ids["demand"] = record(
        service, "positions", POSITION,
        {"type": "DemandMade", "data": {"demand": "a ceasefire", "addressee": "Russia"},
         "occurred": day("2025-05-15"), "attributed_to": "the foreign ministry"},
    )  # fmt: skip
    ids["demand-corrected"] = record(
        service, "positions", POSITION,
        {"type": "EventCorrected",
         "data": {"corrects": ids["demand"], "reason": "misquoted",
                  "fields": {"demand": "a full and unconditional ceasefire"},
                  "occurred": day("2025-05-14")},
         "occurred": day("2025-05-16")},
    )  # fmt: skip
    return ids


def export(service: TimelineService, talks_id: UUID, fmt: Format) -> str:
    """An export rendered straight from the store (no HTTP)."""
    return render(load_family(service, talks_id), fmt)


def lines(text: str) -> list[dict[str, Any]]:
    """JSON lines, parsed."""
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def loaded(service: TimelineService) -> dict[str, str]:
    """The demo and the test family in one store."""
    load_demo(service)
    return build_family(service)


@contextmanager
def fresh_store(settings: Settings, tmp_path: Path) -> Iterator[Settings]:
    """A second, empty store of the backend under test (another PostgreSQL database)."""
    if BACKEND != "postgres":
        yield Settings(data_dir=tmp_path / "fresh", load_demo_when_empty=False)
        return
    name = f"{PG_DATABASE}_fresh"
    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    fresh = Settings(data_dir=tmp_path / "fresh", database_url=url, load_demo_when_empty=False)
    migrate(fresh)
    try:
        yield fresh
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def service_on(settings: Settings) -> Iterator[TimelineService]:
    """A TimelineService on a store, closed afterwards."""
    application = TimelineApplication(settings.eventsourcing_env())
    try:
        yield TimelineService(application)
    finally:
        application.close()
