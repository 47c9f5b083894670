"""The HTTP load generator, run as a process of its own: ``python -m bench.loadgen SPEC.json``.

N clients (asyncio tasks sharing one httpx.AsyncClient with N connections) each send their own
request again and again, for a fixed duration and at most a fixed count; requests finished in
the warm-up are not counted. Prints one JSON object: rate, latencies, statuses.
Only 127.0.0.1 is allowed.
"""

from __future__ import annotations

import asyncio
import json
import math
import sys
import time
from typing import Any
from urllib.parse import urlsplit

import httpx


def percentile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


async def main(spec: dict[str, Any]) -> dict[str, Any]:
    if urlsplit(spec["base_url"]).hostname != "127.0.0.1":
        msg = "the load generator talks to 127.0.0.1 only"
        raise SystemExit(msg)
    clients: list[dict[str, Any]] = spec["clients"]
    warmup, duration = float(spec["warmup"]), float(spec["duration"])
    cap = int(spec["max_requests_per_client"])
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    first_error: list[str] = []
    count = {"measured": 0, "sent": 0, "ok_total": 0}
    last_end = [0.0]
    limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    headers = {"Content-Type": "application/json", **spec["headers"]}
    started = time.perf_counter()
    cpu_started = time.process_time()
    measure_from = started + warmup
    stop_at = measure_from + duration

    async def one_client(request: dict[str, Any]) -> None:
        # One AsyncClient (one connection) per client: a shared pool costs the generator more
        # CPU per request as the number of connections grows.
        method, path = request["method"], request["path"]
        content = json.dumps(request["json"]).encode() if "json" in request else None
        async with httpx.AsyncClient(
            base_url=spec["base_url"], headers=headers, limits=limits, timeout=spec["timeout"]
        ) as http:
            for _ in range(cap):
                begin = time.perf_counter()
                if begin >= stop_at:
                    return
                try:
                    response = await http.request(method, path, content=content)
                    status = str(response.status_code)
                    if response.status_code >= 400 and not first_error:
                        first_error.append(f"{status}: {response.text[:300]}")
                except httpx.HTTPError as error:
                    status = type(error).__name__
                    if not first_error:
                        first_error.append(repr(error))
                end = time.perf_counter()
                count["sent"] += 1
                last_end[0] = max(last_end[0], end)
                if status.isdigit() and int(status) < 400:
                    count["ok_total"] += 1
                if begin >= measure_from and end <= stop_at:
                    latencies.append(end - begin)
                    statuses[status] = statuses.get(status, 0) + 1
                    count["measured"] += 1

    await asyncio.gather(*(one_client(c) for c in clients))
    ok = sum(n for s, n in statuses.items() if s.isdigit() and int(s) < 400)
    window = min(duration, max(1e-9, time.perf_counter() - measure_from))
    return {
        "clients": len(clients),
        "duration_s": round(window, 3),
        "requests": count["measured"],
        "ok": ok,
        "sent_total": count["sent"],
        "statuses": statuses,
        "rate": ok / window,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 3),
        "p90_ms": round(percentile(latencies, 0.90) * 1000, 3),
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 3),
        "max_ms": round(max(latencies) * 1000, 3) if latencies else math.nan,
        "first_error": first_error[0] if first_error else None,
        # The whole run, warm-up and requests still in flight at the end included: for long
        # requests (batches), the throughput from the start to the last answer.
        "ok_total": count["ok_total"],
        "elapsed_total_s": round(max(last_end[0], started) - started, 3),
        # CPU the load generator itself used, as a share of one core over its run.
        "loadgen_cpu_share": round(
            (time.process_time() - cpu_started) / max(1e-9, time.perf_counter() - started), 3
        ),
    }


if __name__ == "__main__":
    with open(sys.argv[1]) as spec_file:
        spec = json.load(spec_file)
    result = asyncio.run(main(spec))
    json.dump(result, sys.stdout)
