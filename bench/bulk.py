"""b. Bulk import: the batch append endpoint over HTTP, and an import of a JSON-lines file.

The file is the realistic workload (bench/workload.py: interleaved Talks families, corrections,
every date form); the old synthetic shape (one stream after another, one event type) follows as
a second line, into the same store.

The file holds one event per line: ``{"kind", "stream_id", ...the POST body}``, each stream
opening with its creating event (the format of application/importer.py). If ``negotiation-timeline
import`` exists it is run on the file (a process, timed from start to exit, and checked to have
stored every event); otherwise the in-process equivalent is measured: each
line parsed through application.event_input.new_event, then TimelineService.create and
TimelineService.append with batches of up to 500 events of one stream.
Both are compared with the library alone saving 100 events per save.
"""

from __future__ import annotations

import json
import subprocess
import time
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from bench import common, workload
from bench.common import Result

IMPORT_BATCH = 500
HTTP_BATCH = 500
HTTP_CLIENTS = 4
TARGET_RATE = 50_000
TARGET_SHARE = 0.8
MEDIATORS = ("Türkiye", "Vatican", "Qatar", "Saudi Arabia", "Switzerland")
EPOCH = date(2020, 1, 1)
DAYS = 2000


@dataclass
class ImportFile:
    """The generated file and what is in it."""

    path: Path
    events: int
    streams: list[str]
    long_stream: str


def occurred_day(index: int) -> str:
    """Dates spread over ~5.5 years, not in order, so valid-time reads select varied subsets."""
    return (EPOCH + timedelta(days=(index * 7919) % DAYS)).isoformat()


def line_event(index: int) -> dict[str, Any]:
    mediator = MEDIATORS[index % len(MEDIATORS)]
    body = common.event_body(
        "MediatorRoleAssumed",
        {"mediator": mediator, "role": "offered to host", "hosts": index % 2 == 0},
        day=occurred_day(index),
    )
    body["sources"] = [
        {"outlet": "Bench Wire", "quote": f"{mediator} said it would host round {index}."}
    ]
    body["attributed_to"] = mediator
    return body


def write_import_file(
    path: Path, total: int, long_stream_events: int, per_stream: int
) -> ImportFile:
    """``total`` events: one Talks of ``long_stream_events``, the rest in Talks of ``per_stream``."""
    sizes = [long_stream_events]
    remaining = total - long_stream_events
    while remaining > 0:
        sizes.append(min(per_stream, remaining))
        remaining -= sizes[-1]
    streams = []
    index = 0
    with path.open("w") as out:
        for number, size in enumerate(sizes):
            stream_id = str(uuid4())
            streams.append(stream_id)
            opening = common.talks_body(f"Imported talks {number}")
            out.write(json.dumps({"kind": "talks", "stream_id": stream_id, **opening}) + "\n")
            for _ in range(size - 1):
                out.write(
                    json.dumps({"kind": "talks", "stream_id": stream_id, **line_event(index)})
                    + "\n"
                )
                index += 1
    return ImportFile(path, total, streams, streams[0])


def cli_import_available() -> bool:
    try:
        done = subprocess.run(
            [common.CLI, "import", "--help"], capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def import_in_process(target: common.Target, source: ImportFile) -> float:
    """Parse and append the file through the service in this process; seconds taken."""
    from application.event_input import CreateIn, EventIn, new_event

    with target.components() as built:
        service = built.service
        started = time.perf_counter()
        pending: list[Any] = []
        current: str | None = None

        def flush() -> None:
            if pending:
                service.append("talks", UUID(current), pending)
                pending.clear()

        with source.path.open() as lines:
            for line in lines:
                record = json.loads(line)
                kind, stream_id = record.pop("kind"), record.pop("stream_id")
                if stream_id != current:
                    flush()
                    current = stream_id
                    body = CreateIn.model_validate(record)
                    service.create(kind, new_event(kind, body), stream_id=UUID(stream_id))
                    continue
                pending.append(new_event(kind, EventIn.model_validate(record)))
                if len(pending) >= IMPORT_BATCH:
                    flush()
            flush()
        return time.perf_counter() - started


def import_with_cli(target: common.Target, source: ImportFile) -> tuple[float | None, str]:
    """Run ``negotiation-timeline import FILE``: seconds from start to exit (None if it failed or
    did not store every event), and its last line of output."""
    with target.components() as built:
        before = built.service.head()
    started = time.perf_counter()
    done = subprocess.run(
        [common.CLI, "import", str(source.path)],
        env=common.process_env(target, COLUMNS="200"),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    seconds = time.perf_counter() - started
    said = (done.stdout + done.stderr).strip().splitlines()
    last = said[-1] if said else ""
    with target.components() as built:
        stored = built.service.head() - before
    if done.returncode != 0 or stored != source.events:
        return None, f"exit {done.returncode}, {stored} events stored: {last}"
    return seconds, last


def import_realistic_in_process(target: common.Target, source: ImportFile) -> float:
    """Import a realistic workload file through the importer in this process; seconds taken."""
    from application.importer import import_file

    with target.components() as built:
        started = time.perf_counter()
        report = import_file(built.service, source.path)
        seconds = time.perf_counter() - started
    if report.appended != source.events:
        msg = f"the workload did not import whole: {report.summary()}"
        raise RuntimeError(msg)
    return seconds


def realistic_file(path: Path, total: int, long_stream_events: int = 0) -> ImportFile:
    """A realistic workload (bench/workload.py) at ``total`` events."""
    found = workload.write(path, total, long_stream_events=long_stream_events)
    return ImportFile(found.path, found.events, found.streams, found.long_stream)


def _import_result(target: common.Target, source: ImportFile, shape: str) -> Result:
    count = f"{source.events:,} events, {shape}"
    label, seconds, said = f"import {count} (in-process; CLI import not yet available)", None, ""
    if cli_import_available():
        seconds, said = import_with_cli(target, source)
        label = f"import {count} (CLI process, start to exit)"
        if seconds is None:
            label = f"import {count} (in-process; the CLI import failed on this file)"
    if seconds is None:
        seconds = import_in_process(target, source)
    rate = source.events / seconds
    detail = {"events": source.events, "seconds": round(seconds, 3), "cli_said": said}
    return Result(
        "bulk", label, rate, "events/s", f">= {TARGET_RATE:,}",
        common.at_least(rate, TARGET_RATE), detail,
    )  # fmt: skip


def run_import(target: common.Target, sizes: dict[str, Any]) -> tuple[list[Result], ImportFile]:
    """Import the realistic workload (and the old synthetic shape, a second line); compare with
    the library's batched saves."""
    source = realistic_file(
        target.workdir / "import.jsonl", sizes["import_events"], sizes["long_stream_events"]
    )
    realistic = _import_result(target, source, "realistic")
    synthetic_source = write_import_file(
        target.workdir / "synthetic.jsonl",
        sizes["synthetic_import_events"],
        sizes["import_per_stream"],
        sizes["import_per_stream"],
    )
    synthetic = _import_result(target, synthetic_source, "synthetic")
    library = common.library_save_rate(
        target, 100, seconds=sizes["library_seconds"], max_events=sizes["import_events"]
    )
    share = realistic.value / library["events_per_s"]
    results = [
        realistic,
        synthetic,
        Result(
            "bulk", "library, 100 events per save", library["events_per_s"], "events/s",
            detail=library,
        ),
        Result(
            "bulk", "realistic import ÷ library batched", share, "ratio", f">= {TARGET_SHARE}",
            common.at_least(share, TARGET_SHARE),
        ),
    ]  # fmt: skip
    return results, source


def run_http(
    server: common.Server, token: str, sizes: dict[str, Any], library_rate: float | None
) -> list[Result]:
    """Batches of HTTP_BATCH events through POST /talks/{id}/events, HTTP_CLIENTS at a time."""
    with common.client(server, token) as http:
        streams = common.create_talks(http, HTTP_CLIENTS, "batch")
    clients = [
        {
            "method": "POST",
            "path": f"/talks/{stream}/events",
            "json": {"events": [line_event(n * HTTP_BATCH + i) for i in range(HTTP_BATCH)]},
        }
        for n, stream in enumerate(streams)
    ]
    load = common.run_load(
        common.LoadSpec(
            server.url,
            clients,
            headers={"Authorization": f"Bearer {token}"},
            duration=sizes["http_batch_seconds"],
            warmup=0.0,
            timeout=60.0,
        )
    )
    # Batches take long: count every answered batch, from the start to the last answer.
    rate = load["ok_total"] * HTTP_BATCH / max(load["elapsed_total_s"], 1e-9)
    detail = {
        k: load[k]
        for k in ("ok_total", "elapsed_total_s", "statuses", "p50_ms", "p99_ms", "first_error")
    }
    detail |= {
        "batch": HTTP_BATCH,
        "clients": HTTP_CLIENTS,
        "loadgen_cpu": load["loadgen_cpu_share"],
    }
    results = [
        Result(
            "bulk", f"HTTP batches of {HTTP_BATCH}", rate, "events/s", f">= {TARGET_RATE:,}",
            common.at_least(rate, TARGET_RATE), detail,
        )
    ]  # fmt: skip
    if library_rate:
        share = rate / library_rate
        results.append(
            Result(
                "bulk", "HTTP batches ÷ library batched", share, "ratio", f">= {TARGET_SHARE}",
                common.at_least(share, TARGET_SHARE),
            )
        )  # fmt: skip
    return results
