"""e. Read-your-writes: from an append's response to its event in the timeline view.

Each append carries an earlier date than the one before, so that the newest event is the first
timeline entry; the read is GET /talks/{id}/timeline?min_position=<position>&limit=1, and the
answer must show the appended event.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

from bench import common
from bench.common import Result

TARGET_MS = 20.0


def run(server: common.Server, token: str, sizes: dict[str, Any]) -> list[Result]:
    with common.client(server, token) as http:
        (stream,) = common.create_talks(http, 1, "read-your-writes")
        latencies, appends, missing = [], [], 0
        deadline = time.monotonic() + sizes["ryw_seconds"]
        day = date(2025, 6, 1)
        while len(latencies) < sizes["ryw_samples"] and time.monotonic() < deadline:
            day -= timedelta(days=1)
            begin = time.perf_counter()
            response = http.post(
                f"/talks/{stream}/events", json=common.mediator_body(0, day.isoformat())
            )
            answered = time.perf_counter()
            response.raise_for_status()
            appended = response.json()
            read = http.get(
                f"/talks/{stream}/timeline",
                params={"min_position": appended["position"], "limit": 1},
            )
            seen = time.perf_counter()
            if read.status_code != 200 or read.json()[0]["position"] != appended["position"]:
                missing += 1
            appends.append(answered - begin)
            latencies.append(seen - answered)
    figures = common.summary_ms(latencies)
    append_figures = common.summary_ms(appends)
    return [
        Result(
            "read your writes", "append answered → in timeline, median", figures["p50_ms"],
            "ms", f"<= {TARGET_MS:g}", common.at_most(figures["p50_ms"], TARGET_MS),
            {**figures, "not_seen": missing, "append_p50_ms": append_figures["p50_ms"]},
        ),
        Result("read your writes", "append answered → in timeline, p99", figures["p99_ms"], "ms"),
    ]  # fmt: skip
