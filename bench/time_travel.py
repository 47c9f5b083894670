"""d. Time travel: state reads of a Talks with many events at random versions, random ``as_of``
(record time) and random ``at`` (valid time), over HTTP against the running server, one at a time;
then its diff between two random points on either axis.

The server runs on the imported store with NT_RUN_PROJECTIONS=false (state reads fold the stream;
they do not read the views). The first read on each clock is timed apart (first_read_ms).
"""

from __future__ import annotations

import random
import time
from datetime import datetime, timedelta
from typing import Any

import httpx

from bench import bulk, common
from bench.common import Result

TARGET_P99_MS = 10.0
TARGET_DIFF_P99_MS = 50.0


def prepare(target: common.Target, stream: str) -> dict[str, Any]:
    """What the random reads draw from: the stream's versions and its recording window."""
    with target.components() as built:
        row = built.application.database.query(
            "SELECT MAX(version) AS versions, MIN(recorded_at) AS first,"
            " MAX(recorded_at) AS last FROM nt_event_index WHERE stream_id = ?",
            (stream,),
        )[0]
    return {"stream": stream, **row}


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def run(server: common.Server, info: dict[str, Any], sizes: dict[str, Any]) -> list[Result]:
    rng = random.Random(42)
    first, last = parse(info["first"]), parse(info["last"])
    span = (last - first).total_seconds()

    def version() -> dict[str, Any]:
        return {"version": rng.randint(1, info["versions"])}

    def as_of() -> dict[str, Any]:
        moment = first + timedelta(seconds=rng.uniform(0, span))
        return {"as_of": _instant(moment)}

    def at() -> dict[str, Any]:
        return {"at": (bulk.EPOCH + timedelta(days=rng.randrange(bulk.DAYS))).isoformat()}

    results = []
    path = f"/talks/{info['stream']}"
    with common.client(server) as http:
        http.get(path).raise_for_status()  # the first read decodes the stream into the cache
        for clock, params in (("version", version), ("as_of", as_of), ("at", at)):
            label = f"GET ?{clock}= p99 ({info['versions']:,} events)"
            results += _timed(http, path, params, sizes, label)
    return results


def run_views(server: common.Server, info: dict[str, Any], sizes: dict[str, Any]) -> list[Result]:
    """View reads on either clock, ``as_of`` and ``at`` random times: a page of the long Talks'
    timeline and of every Talks' (answered from the views' own tables); the long Talks'
    positions and delegations, and the list of every Talks (each built for its clock from the
    streams its view follows; the list from the whole log)."""
    rng = random.Random(43)
    first, last = parse(info["first"]), parse(info["last"])
    span = (last - first).total_seconds()

    def as_of() -> dict[str, Any]:
        moment = first + timedelta(seconds=rng.uniform(0, span))
        return {"as_of": _instant(moment), "limit": 50}

    def at() -> dict[str, Any]:
        day = bulk.EPOCH + timedelta(days=rng.randrange(bulk.DAYS))
        return {"at": day.isoformat(), "limit": 50}

    results = []
    with common.client(server) as http:
        for path, what in ((f"/talks/{info['stream']}/timeline", "Talks timeline"),
                           ("/timeline", "timeline of every Talks"),
                           (f"/talks/{info['stream']}/positions", "Talks positions"),
                           (f"/talks/{info['stream']}/delegations", "Talks delegations"),
                           ("/talks", "list of every Talks")):  # fmt: skip
            for clock, params in (("as_of", as_of), ("at", at)):
                results += _timed(http, path, params, sizes, f"{what} ?{clock}= p99")
    return results


def run_diffs(server: common.Server, info: dict[str, Any], sizes: dict[str, Any]) -> list[Result]:
    """Diffs of the long Talks between two random points on each axis: two days of the world
    (``occurred``), two record times within its recording (``recorded``). A diff that takes
    longer than ``diff_timeout_seconds`` counts as that long (and the part stops there: the
    server is still computing it)."""
    rng = random.Random(44)
    first, last = parse(info["first"]), parse(info["last"])
    span = (last - first).total_seconds()

    def days() -> dict[str, Any]:
        start, end = sorted(rng.sample(range(bulk.DAYS), 2))
        begin = bulk.EPOCH + timedelta(days=start)
        return {"from": begin.isoformat(), "to": (bulk.EPOCH + timedelta(days=end)).isoformat()}

    def record_times() -> dict[str, Any]:
        start, end = sorted(rng.uniform(0, span) for _ in range(2))
        return {
            "axis": "recorded",
            "from": _instant(first + timedelta(seconds=start)),
            "to": _instant(first + timedelta(seconds=end)),
        }

    results = []
    path = f"/talks/{info['stream']}/diff"
    timeout = sizes["diff_timeout_seconds"]
    with httpx.Client(base_url=server.url, timeout=timeout) as http:
        for axis, params in (("occurred", days), ("recorded", record_times)):
            latencies, statuses, timed_out = [], {}, 0
            deadline = time.monotonic() + sizes["diff_seconds"]
            while len(latencies) < sizes["time_travel_reads"] and time.monotonic() < deadline:
                begin = time.perf_counter()
                try:
                    response = http.get(path, params=params())
                except httpx.TimeoutException:
                    latencies.append(timeout)
                    timed_out += 1
                    break
                latencies.append(time.perf_counter() - begin)
                statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            figures = common.summary_ms(latencies)
            label = f"Talks diff, two random points ?axis={axis} p99"
            detail = {
                **figures,
                "statuses": statuses,
                "timed_out": timed_out,
                "reads": len(latencies),
            }
            results += [
                Result(
                    "time travel", label, figures["p99_ms"], "ms", f"<= {TARGET_DIFF_P99_MS:g}",
                    common.at_most(figures["p99_ms"], TARGET_DIFF_P99_MS), detail,
                ),
                Result("time travel", label.replace(" p99", " p50"), figures["p50_ms"], "ms"),
                Result(
                    "time travel", f"Talks diff ?axis={axis}: reads past {timeout:g} s (counted at it)",
                    timed_out, "reads",
                ),
            ]  # fmt: skip
    return results


def _instant(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _timed(http: Any, path: str, params: Any, sizes: dict[str, Any], label: str) -> list[Result]:
    """Reads of one path on one clock, one at a time: p99 against the target, and p50."""
    # The first read on each clock (a fold's checkpoints, a cold page cache): timed apart.
    begin = time.perf_counter()
    http.get(path, params=params()).raise_for_status()
    first_ms = round((time.perf_counter() - begin) * 1000, 3)
    latencies, statuses = [], {}
    deadline = time.monotonic() + sizes["time_travel_seconds"]
    while len(latencies) < sizes["time_travel_reads"] and time.monotonic() < deadline:
        query = params()
        begin = time.perf_counter()
        response = http.get(path, params=query)
        latencies.append(time.perf_counter() - begin)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    figures = common.summary_ms(latencies)
    return [
        Result(
            "time travel", label, figures["p99_ms"], "ms", f"<= {TARGET_P99_MS:g}",
            common.at_most(figures["p99_ms"], TARGET_P99_MS),
            {**figures, "statuses": statuses, "first_read_ms": first_ms},
        ),
        Result("time travel", label.replace(" p99", " p50"), figures["p50_ms"], "ms"),
    ]  # fmt: skip
