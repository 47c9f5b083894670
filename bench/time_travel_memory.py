"""h. Time travel and memory: 16 readers asking distinct ``at`` times while /healthz is probed.

The server runs on a store holding the realistic workload (bench/workload.py). Sixteen client
threads each ask ``GET /talks/{id}/timeline?at=...`` of the largest Talks families, every request
at a moment no other asked; then the same with ``GET /timeline?at=`` (every Talks). The views
are rebuilt first, so the timeline answers from its own tables (projections/rows_at.py); before
that, each distinct moment was a private build of the views, for every Talks a pass over the
whole log. A reader told 503 (busy)
waits its Retry-After (at most a second) and asks again. Meanwhile one client probes /healthz
every 50 ms and the server's RSS is sampled every 100 ms. Figures: peak RSS and /healthz p99,
against the issue's targets.

    python -m bench.time_travel_memory [--backend sqlite|postgres] [--events 20000] [--seconds 15]
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from bench import bulk, common, rebuild
from bench.common import Result

READERS = 16
FAMILIES = 16
TARGET_RSS_MB = 300
TARGET_HEALTH_P99_MS = 100.0
HEALTH_EVERY = 0.05
RSS_EVERY = 0.1


def families(target: common.Target) -> tuple[list[str], datetime, datetime]:
    """The largest Talks families and the span of their occurred dates."""
    with target.components() as built:
        database = built.application.database
        rows = database.query(
            "SELECT talks_id, COUNT(*) AS events FROM nt_event_index GROUP BY talks_id"
            " ORDER BY events DESC, talks_id LIMIT ?",
            (FAMILIES,),
        )
        span = database.query(
            "SELECT MIN(occurred_start) AS first, MAX(occurred_start) AS last"
            " FROM nt_event_index WHERE occurred_start IS NOT NULL"
        )[0]
    first = datetime.fromisoformat(span["first"].replace("Z", "+00:00"))
    last = datetime.fromisoformat(span["last"].replace("Z", "+00:00"))
    return [row["talks_id"] for row in rows], first, last


def run(target: common.Target, seconds: float, *, across_all: bool = False) -> list[Result]:
    """The part, on a store already holding the workload: readers of one Talks' timeline each
    (``across_all``: of the timeline of every Talks, each build a pass over the whole log)."""
    talks, first, last = families(target)
    span = max(1.0, (last - first).total_seconds())
    token = target.token("reader")
    moments = iter(range(1, 10**9))  # each request a moment of its own
    moments_lock = threading.Lock()
    stop = threading.Event()
    reads: list[float] = []
    statuses: dict[int, int] = {}
    health: list[float] = []
    health_failures: list[str] = []
    rss: list[float] = []
    lock = threading.Lock()

    def moment(rng: random.Random) -> str:
        with moments_lock:
            n = next(moments)
        at = first + timedelta(seconds=rng.uniform(0, span), microseconds=n)
        return at.astimezone(UTC).isoformat()

    def reader(number: int) -> None:
        rng = random.Random(number)
        with common.client(server, token) as http:
            while not stop.is_set():
                path = "/timeline" if across_all else f"/talks/{rng.choice(talks)}/timeline"
                begin = time.perf_counter()
                try:
                    response = http.get(path, params={"at": moment(rng), "limit": 50})
                except httpx.HTTPError:
                    with lock:
                        statuses[0] = statuses.get(0, 0) + 1
                    continue
                took = time.perf_counter() - begin
                with lock:
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
                    if response.status_code == 200:
                        reads.append(took)
                if response.status_code == 503:
                    wait = float(response.headers.get("retry-after", "1"))
                    stop.wait(min(wait, 1.0))

    def prober() -> None:
        with httpx.Client(base_url=server.url, timeout=30.0) as http:
            while not stop.is_set():
                begin = time.perf_counter()
                try:
                    ok = http.get("/healthz").status_code == 200
                except httpx.HTTPError as error:
                    ok = False
                    health_failures.append(repr(error))
                health.append(time.perf_counter() - begin)
                if not ok:
                    health_failures.append("not 200")
                stop.wait(HEALTH_EVERY)

    def sampler() -> None:
        while not stop.is_set():
            rss.append(server.rss_mb())
            stop.wait(RSS_EVERY)

    with common.service_server(target, "time-travel-memory", NT_RUN_PROJECTIONS="false") as server:
        at_start = server.rss_mb()
        threads = [threading.Thread(target=reader, args=(n,)) for n in range(READERS)]
        threads += [threading.Thread(target=prober), threading.Thread(target=sampler)]
        for thread in threads:
            thread.start()
        stop.wait(seconds)
        stop.set()
        for thread in threads:
            thread.join(60)
        at_end = server.rss_mb()
    peak = max([at_start, at_end, *rss])
    asked = "/timeline?at=" if across_all else "/talks/{id}/timeline?at="
    health_ms = common.summary_ms(health)
    read_ms = common.summary_ms(reads) if reads else {}
    detail: dict[str, Any] = {
        "readers": READERS,
        "families": len(talks),
        "seconds": seconds,
        "rss_mb_at_start": round(at_start, 1),
        "rss_mb_at_end": round(at_end, 1),
        "rss_mb_each_second": [round(mb) for mb in rss[:: round(1 / RSS_EVERY)]],
        "statuses": statuses,
        "reads_answered_per_s": round(len(reads) / seconds, 1),
        "read_ms": read_ms,
        "healthz_ms": health_ms,
        "healthz_failures": health_failures[:5],
    }
    return [
        Result(
            "time travel memory", f"server RSS peak, {READERS} readers of {asked}, distinct times",
            round(peak, 1), "MB", f"<= {TARGET_RSS_MB}", common.at_most(peak, TARGET_RSS_MB),
            detail,
        ),
        Result(
            "time travel memory", f"/healthz p99 meanwhile ({asked})", health_ms["p99_ms"], "ms",
            f"<= {TARGET_HEALTH_P99_MS:g}",
            common.at_most(health_ms["p99_ms"], TARGET_HEALTH_P99_MS) and not health_failures,
        ),
        Result(
            "time travel memory", f"{asked} answered (200), p50",
            read_ms.get("p50_ms", float("nan")), "ms",
            detail={"answered_per_s": detail["reads_answered_per_s"], "statuses": statuses},
        ),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=common.BACKENDS, default="sqlite")
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--seconds", type=float, default=15.0)
    args = parser.parse_args()
    with common.fresh_store(args.backend) as store:
        source = bulk.realistic_file(store.workdir / "workload.jsonl", args.events)
        took = bulk.import_realistic_in_process(store, source)
        print(f"{args.backend}: imported {source.events:,} realistic events in {took:.1f} s")
        found = rebuild.run(store)  # the views at the head: time travel reads their tables
        found += run(store, args.seconds) + run(store, args.seconds, across_all=True)
        for result in found:
            verdict = {True: "PASS", False: "MISS", None: ""}[result.passed]
            print(f"  {result.metric}: {result.value:,.1f} {result.unit} {result.target} {verdict}")
            if result.detail:
                print(f"    {result.detail}")


if __name__ == "__main__":
    main()
