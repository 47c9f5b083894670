"""f. Reads under load: GET /talks/{id}/timeline?limit=50 one at a time from this process, idle
and then while 8 clients of the load generator append to Talks of their own.
"""

from __future__ import annotations

import time
from typing import Any

from bench import common
from bench.common import Result

APPENDERS = 8
TARGET_P99_MS = 50.0


def read_for(
    server: common.Server, path: str, seconds: float, cap: int
) -> tuple[list[float], dict[int, int]]:
    latencies, statuses = [], {}
    with common.client(server) as http:
        deadline = time.monotonic() + seconds
        while len(latencies) < cap and time.monotonic() < deadline:
            begin = time.perf_counter()
            response = http.get(path, params={"limit": 50})
            latencies.append(time.perf_counter() - begin)
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    return latencies, statuses


def run(server: common.Server, token: str, talks: str, sizes: dict[str, Any]) -> list[Result]:
    path = f"/talks/{talks}/timeline"
    with common.client(server, token) as http:
        streams = common.create_talks(http, APPENDERS, "appenders")
    idle, _ = read_for(server, path, sizes["rul_seconds"] / 4, sizes["rul_reads"] // 4)
    spec = common.LoadSpec(
        server.url,
        [
            {"method": "POST", "path": f"/talks/{s}/events", "json": common.mediator_body(n)}
            for n, s in enumerate(streams)
        ],
        headers={"Authorization": f"Bearer {token}"},
        duration=sizes["rul_seconds"],
        warmup=0.5,
    )
    with common.background_load(spec) as finish:
        time.sleep(0.7)  # the generator's start and warm-up
        loaded, statuses = read_for(server, path, sizes["rul_seconds"] - 0.5, sizes["rul_reads"])
        load = finish()
    figures, idle_figures = common.summary_ms(loaded), common.summary_ms(idle)
    detail = {
        **figures,
        "statuses": statuses,
        "appends_per_s_meanwhile": round(load["rate"], 1),
        "append_p99_ms_meanwhile": load["p99_ms"],
        "idle_p50_ms": idle_figures["p50_ms"],
        "idle_p99_ms": idle_figures["p99_ms"],
    }
    return [
        Result(
            "reads under load", f"timeline p99, {APPENDERS} appending", figures["p99_ms"], "ms",
            f"<= {TARGET_P99_MS:g}", common.at_most(figures["p99_ms"], TARGET_P99_MS), detail,
        ),
        Result("reads under load", "timeline p99, idle", idle_figures["p99_ms"], "ms"),
    ]  # fmt: skip
