"""a. Single-event appends over HTTP: 16 clients, each appending to its own Talks.

Each round runs, side by side: the service under the 16-client load generator (a process of its
own), the library alone saving one event per transaction in this process (one thread, its own
tables beside the same kind of database), and a bare FastAPI endpoint that does nothing under
the same load generator. The ratio is taken per round, then the median over the rounds.
"""

from __future__ import annotations

from typing import Any

from bench import common
from bench.common import Result

CLIENTS = 16
#: The issue's target (issue 14): at least the library's own get-and-save loop in the same run.
TARGET_RATIO = 1.0
TARGET_P99_MS = 50.0


def _appends(
    server: common.Server, token: str, sizes: dict[str, Any], prefix: str
) -> common.LoadSpec:
    """The load: each of the 16 clients appends one event at a time to a Talks of its own
    (opened here)."""
    with common.client(server, token) as http:
        streams = common.create_talks(http, CLIENTS, prefix)
    return common.LoadSpec(
        server.url,
        [
            {"method": "POST", "path": f"/talks/{stream}/events", "json": common.mediator_body(n)}
            for n, stream in enumerate(streams)
        ],
        headers={"Authorization": f"Bearer {token}"},
        duration=sizes["append_seconds"],
    )


def run(
    target: common.Target,
    server: common.Server,
    bare: common.Server,
    token: str,
    sizes: dict[str, Any],
) -> list[Result]:
    ours_spec = _appends(server, token, sizes, "appends")
    bare_spec = common.LoadSpec(
        bare.url,
        [
            {"method": "POST", "path": "/noop", "json": common.mediator_body(n)}
            for n in range(CLIENTS)
        ],
        duration=sizes["bare_seconds"],
    )
    ours, library, bares, ratios, settled = [], [], [], [], []
    for _ in range(sizes["rounds"]):
        ours.append(common.run_load(ours_spec))
        settled.append(round(common.settle(server), 2))
        library.append(
            common.library_save_rate(
                target, 1, seconds=sizes["library_seconds"], max_events=100_000
            )["events_per_s"]
        )
        bares.append(common.run_load(bare_spec))
        ratios.append(ours[-1]["rate"] / min(library[-1], bares[-1]["rate"]))
    rate = common.median([r["rate"] for r in ours])
    p50 = common.median([r["p50_ms"] for r in ours])
    p99 = common.median([r["p99_ms"] for r in ours])
    library_rate = common.median(library)
    bare_rate = common.median([r["rate"] for r in bares])
    bare_p99 = common.median([r["p99_ms"] for r in bares])
    ratio = common.median(ratios)
    by_library = common.median([r["rate"] / lib for r, lib in zip(ours, library, strict=True)])
    detail = {
        "rounds": [
            {
                k: r[k]
                for k in ("rate", "p50_ms", "p99_ms", "max_ms", "statuses", "loadgen_cpu_share")
            }
            for r in ours
        ],
        "first_error": next((r["first_error"] for r in ours if r["first_error"]), None),
        "seconds_per_round": sizes["append_seconds"],
        "projection_catch_up_after_round_s": settled,
    }
    return [
        Result("appends", f"HTTP appends/s, {CLIENTS} clients", rate, "appends/s", detail=detail),
        Result("appends", "HTTP append p50", p50, "ms"),
        Result(
            "appends", "HTTP append p99", p99, "ms", f"<= {TARGET_P99_MS:g}",
            common.at_most(p99, TARGET_P99_MS),
        ),
        Result(
            "appends", "library, 1 event per save (1 thread)", library_rate, "events/s",
            detail={"rounds": [round(x) for x in library]},
        ),
        Result(
            "appends", f"bare FastAPI no-op, {CLIENTS} clients", bare_rate, "requests/s",
            detail={
                "p99_ms": bare_p99,
                "rounds": [{k: r[k] for k in ("rate", "p50_ms", "p99_ms", "loadgen_cpu_share")} for r in bares],
            },
        ),
        Result("appends", "bare FastAPI no-op p99", bare_p99, "ms"),
        Result(
            "appends", "ours ÷ min(library, bare FastAPI)", ratio, "ratio",
            f">= {TARGET_RATIO}", common.at_least(ratio, TARGET_RATIO),
            {"per_round": [round(x, 3) for x in ratios]},
        ),
        Result(
            "appends", "ours ÷ library (the issue's ratio)", by_library, "ratio",
            f">= {TARGET_RATIO}", common.at_least(by_library, TARGET_RATIO),
        ),
    ]  # fmt: skip


def run_follower_process(
    target: common.Target, token: str, sizes: dict[str, Any], library_rate: float | None
) -> list[Result]:
    """The same load on a server whose follower is a process of its own (NT_FOLLOWER=process:
    ``serve`` starts the worker and wakes it on each append): the views' work then takes none
    of the server's interpreter."""
    with common.service_server(target, "appends-follower-process", NT_FOLLOWER="process") as server:
        spec = _appends(server, token, sizes, "follower-process")
        ours = [common.run_load(spec) for _ in range(sizes["rounds"])]
    rate = common.median([r["rate"] for r in ours])
    p99 = common.median([r["p99_ms"] for r in ours])
    found = [
        Result(
            "appends",
            f"HTTP appends/s, {CLIENTS} clients, NT_FOLLOWER=process",
            rate,
            "appends/s",
            detail={
                "rounds": [
                    {k: r[k] for k in ("rate", "p50_ms", "p99_ms", "max_ms", "statuses")}
                    for r in ours
                ]
            },
        ),
        Result(
            "appends",
            "same, p99",
            p99,
            "ms",
            f"<= {TARGET_P99_MS:g}",
            common.at_most(p99, TARGET_P99_MS),
        ),
    ]
    if library_rate:
        ratio = rate / library_rate
        found.append(
            Result(
                "appends",
                "same ÷ library (the library's figure above)",
                ratio,
                "ratio",
                f">= {TARGET_RATIO}",
                common.at_least(ratio, TARGET_RATIO),
            )
        )
    return found  # fmt: skip
