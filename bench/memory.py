"""g. Memory: the server's RSS (VmRSS) with many events stored, after a mix of reads.

The store is filled fast in this process before the server starts: one real event of each kind
is encoded by the application's own mapper, then cloned with fresh ids and versions. On SQLite the
clones go through the application recorder's ``insert_events`` with their index rows (the extras
a save writes), 10,000 events per transaction; on PostgreSQL through COPY, in one transaction.
The server runs with NT_RUN_PROJECTIONS=false: following a million unprojected events would take
it far longer than the run (see the rebuild figures); the views are empty, and the figure is the
API process serving reads.
"""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import astuple, replace
from datetime import UTC, datetime
from itertools import islice
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.persistence import StoredEvent

from bench import common
from bench.common import Result
from store.event_index import IndexRow
from store.serialize import iso

TARGET_MB = 200
BATCH = 10_000
COPY_CHUNK = 50_000


def templates(app: Any) -> tuple[StoredEvent, StoredEvent, str, str, str | None, str | None]:
    """A stored TalksProposed and MediatorRoleAssumed, their event ids and occurred bounds."""
    from application.event_input import CreateIn, EventIn, new_event
    from domain.talks import Talks

    opening = new_event("talks", CreateIn.model_validate(common.talks_body("Filled talks")))
    talks = Talks.open(
        opening.event_type.event_class,
        stream_id=uuid4(),
        event_id=opening.event_id,
        envelope=opening.envelope,
        **opening.data,
    )
    follow = new_event("talks", EventIn.model_validate(common.mediator_body(0)))
    talks.record(
        follow.event_type.event_class,
        event_id=follow.event_id,
        envelope=follow.envelope,
        **follow.data,
    )
    first, second = (app.mapper.to_stored_event(e) for e in talks.collect_events())
    start, end = follow.envelope.occurred.bounds()
    return (
        first,
        second,
        opening.event_id.hex,
        follow.event_id.hex,
        iso(start) if start else None,
        iso(end) if end else None,
    )


def clones(app: Any, events: int, per_stream: int) -> Iterator[tuple[StoredEvent, IndexRow]]:
    """``events`` stored events in Talks of ``per_stream`` events, with their index rows."""
    opening, follow, opening_hex, follow_hex, start, end = templates(app)
    recorded = iso(datetime.now(UTC))
    written = 0
    while written < events:
        stream = uuid4()
        for version in range(1, min(per_stream, events - written) + 1):
            event_id = uuid4()
            if version == 1:
                state = opening.state.replace(opening_hex.encode(), event_id.hex.encode())
                template, kind = opening, "TalksProposed"
            else:
                state = follow.state.replace(follow_hex.encode(), event_id.hex.encode())
                template, kind = follow, "MediatorRoleAssumed"
            stored = replace(
                template, originator_id=stream, originator_version=version, state=state
            )
            row = IndexRow(
                str(stream), "talks", version, str(event_id), kind, str(stream), recorded,
                start, end, None,
            )  # fmt: skip
            yield stored, row
            written += 1


def fill_with_saves(app: Any, events: int, per_stream: int) -> None:
    """SQLite: the application recorder's insert_events, BATCH events (and index rows) at a time."""
    stored: list[StoredEvent] = []
    rows: list[IndexRow] = []
    for event, row in clones(app, events, per_stream):
        stored.append(event)
        rows.append(row)
        if len(stored) >= BATCH:
            app.recorder.insert_events(stored, nt_extras={"index": rows})
            stored, rows = [], []
    if stored:
        app.recorder.insert_events(stored, nt_extras={"index": rows})


def fill_with_copy(app: Any, events: int, per_stream: int) -> None:
    """PostgreSQL: COPY into the events table and the index, positions numbered from 1.

    (One insert of ~10,000 events through the recorder can hang in psycopg's pipeline sync.)
    """
    table = app.recorder.events_table_name
    produced = enumerate(clones(app, events, per_stream), 1)
    with app.recorder.datastore.transaction(commit=True) as cursor:
        while chunk := list(islice(produced, COPY_CHUNK)):
            with cursor.copy(
                f"COPY {table} (notification_id, originator_id, originator_version, topic, state)"
                " FROM STDIN"
            ) as copy:
                for position, (event, _) in chunk:
                    copy.write_row(
                        (position, event.originator_id, event.originator_version, event.topic,
                         event.state)
                    )  # fmt: skip
            with cursor.copy(
                "COPY nt_event_index (position, stream_id, kind, version, event_id, type,"
                " talks_id, recorded_at, occurred_start, occurred_end, principal, recorded_low)"
                " FROM STDIN"
            ) as copy:
                for position, (_, row) in chunk:  # one recording time: each row's own is its low
                    copy.write_row((position, *astuple(row), row.recorded_at))
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'notification_id'), %s)", (events,)
        )


def fill(target: common.Target, events: int, per_stream: int) -> tuple[list[str], float]:
    """Store ``events`` events in Talks of ``per_stream`` events each; their ids and seconds."""
    with target.components() as built:
        app = built.application
        if app.recorder.max_notification_id():
            msg = "fill needs an empty store"
            raise RuntimeError(msg)
        started = time.perf_counter()
        if target.backend == "postgres":
            fill_with_copy(app, events, per_stream)
        else:
            fill_with_saves(app, events, per_stream)
        seconds = time.perf_counter() - started
        streams = [
            row["stream_id"]
            for row in app.database.query(
                "SELECT stream_id FROM nt_event_index WHERE version = 1 ORDER BY position"
            )
        ]
        # The clones decode as real events of their streams, with the ids the index holds.
        check = UUID(streams[-1])
        decoded = [str(e.event_id) for e in app.events.get(check, lte=2)]  # type: ignore[attr-defined]
        indexed = app.database.query(
            "SELECT event_id FROM nt_event_index WHERE stream_id = ? AND version <= 2"
            " ORDER BY version",
            (str(check),),
        )
        if (
            decoded != [row["event_id"] for row in indexed]
            or app.recorder.max_notification_id() != events
        ):
            msg = f"filled events do not decode as indexed: {decoded} vs {indexed}"
            raise RuntimeError(msg)
    return streams, seconds


def run(target: common.Target, sizes: dict[str, Any]) -> list[Result]:
    events, per_stream = sizes["memory_events"], sizes["memory_per_stream"]
    streams, fill_seconds = fill(target, events, per_stream)
    rng = random.Random(7)
    stages: dict[str, float] = {}
    with common.service_server(target, "memory", NT_RUN_PROJECTIONS="false") as server:
        stages["after start"] = round(server.rss_mb(), 1)
        with common.client(server) as http:
            deadline = time.monotonic() + sizes["memory_read_seconds"]
            picked = rng.sample(streams, min(len(streams), sizes["memory_stream_reads"]))
            reads = 0
            for stream in picked:
                if time.monotonic() > deadline:
                    break
                http.get(f"/talks/{stream}").raise_for_status()
                http.get(f"/talks/{stream}", params={"version": per_stream // 2})
                reads += 2
            stages[f"after state reads of {len(picked)} streams"] = round(server.rss_mb(), 1)
            for _ in range(20):
                after = rng.randrange(0, events)
                http.get("/events", params={"after": after, "limit": 100}).raise_for_status()
                http.get(f"/talks/{rng.choice(streams)}/timeline", params={"limit": 50})
                http.get("/talks", params={"limit": 100})
                reads += 3
            stages["after log, timeline and list reads"] = round(server.rss_mb(), 1)
        final = server.rss_mb()
    detail = {
        "events": events,
        "streams": len(streams),
        "events_per_stream": per_stream,
        "fill_seconds": round(fill_seconds, 1),
        "fill_events_per_s": round(events / fill_seconds),
        "reads": reads,
        "rss_mb_by_stage": stages,
        "projections": "off (NT_RUN_PROJECTIONS=false)",
    }
    return [
        Result(
            "memory", f"server RSS, {events:,} events stored", final, "MB",
            f"<= {TARGET_MB}", common.at_most(final, TARGET_MB), detail,
        )
    ]  # fmt: skip
