"""Run every benchmark, print the figures with their targets, write bench/results/latest.json.

    python bench/run.py [--backend sqlite|postgres|both] [--quick | --full]

These are not tests: a missed target is reported (MISS) and the exit status is still 0.
The default sizes fit the whole run, both backends, in about five minutes on two cores; where
they are smaller than the issue's, the output says so. ``--full`` uses the issue's sizes
throughout (much longer); ``--quick`` is a smoke run.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import signal
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from rich.console import Console  # noqa: E402
from rich.table import Table  # noqa: E402

from bench import (  # noqa: E402
    appends,
    bulk,
    common,
    memory,
    read_your_writes,
    reads_under_load,
    rebuild,
    time_travel,
    time_travel_memory,
)
from bench.common import Result  # noqa: E402

RESULTS = REPO / "bench" / "results"
BUDGET_SECONDS = 300

#: The issue's sizes.
FULL: dict[str, Any] = {
    "import_events": 200_000,
    "synthetic_import_events": 100_000,
    "import_per_stream": 5_000,
    "long_stream_events": 10_000,
    "library_seconds": 3.0,
    "rebuild_events": 200_000,
    "rounds": 3,
    "append_seconds": 8.0,
    "bare_seconds": 8.0,
    "http_batch_seconds": 8.0,
    "time_travel_reads": 200,
    "time_travel_seconds": 30.0,
    "diff_seconds": 60.0,
    "diff_timeout_seconds": 60.0,
    "ryw_samples": 200,
    "ryw_seconds": 20.0,
    "rul_seconds": 8.0,
    "rul_reads": 1000,
    "memory_events": 1_000_000,
    "memory_per_stream": 1_000,
    "memory_stream_reads": 300,
    "memory_read_seconds": 30.0,
    "time_travel_memory_seconds": 30.0,
}
#: What fits both backends in about five minutes on two cores; reductions are printed.
DEFAULT: dict[str, Any] = FULL | {
    "import_events": 50_000,
    "synthetic_import_events": 20_000,
    "library_seconds": 1.5,
    "rebuild_events": 20_000,
    "bare_seconds": 4.0,
    "http_batch_seconds": 4.0,
    "time_travel_seconds": 6.0,
    "diff_seconds": 15.0,
    "diff_timeout_seconds": 20.0,
    "ryw_samples": 100,
    "ryw_seconds": 5.0,
    "rul_seconds": 6.0,
    "memory_events": 200_000,
    "memory_stream_reads": 100,
    "memory_read_seconds": 10.0,
    "time_travel_memory_seconds": 10.0,
}
QUICK: dict[str, Any] = DEFAULT | {
    "import_events": 12_000,
    "synthetic_import_events": 4_000,
    "import_per_stream": 2_000,
    "library_seconds": 1.0,
    "rebuild_events": 2_000,
    "rounds": 1,
    "append_seconds": 3.0,
    "bare_seconds": 2.0,
    "http_batch_seconds": 2.0,
    "time_travel_reads": 100,
    "time_travel_seconds": 3.0,
    "diff_seconds": 5.0,
    "diff_timeout_seconds": 5.0,
    "ryw_samples": 50,
    "ryw_seconds": 3.0,
    "rul_seconds": 3.0,
    "memory_events": 100_000,
    "memory_stream_reads": 50,
    "memory_read_seconds": 5.0,
    "time_travel_memory_seconds": 4.0,
}
WHY_REDUCED = {
    "import_events": "the realistic import runs at 1,000-3,000 events/s here: 200,000 events "
    "would take one to three minutes per backend",
    "synthetic_import_events": "a second line for comparison with earlier runs; time budget",
    "rebuild_events": "filling the store with the realistic log and rebuilding runs at "
    "500-3,000 events/s here: 200,000 events would take minutes per backend",
    "memory_events": "filling 1,000,000 events takes 40-50 s per backend here; RSS is "
    "reported for the count used, nothing extrapolated",
}


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_at_start": os.getloadavg(),
    }


def terminate(signum: int, _frame: FrameType | None) -> None:
    """SIGTERM: unwind, so every server is stopped and every database dropped."""
    raise SystemExit(128 + signum)


class Run:
    """Results and the time each part took."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.results: list[tuple[str, Result]] = []
        self.parts: list[dict[str, Any]] = []
        self.errors: list[dict[str, str]] = []

    @contextmanager
    def part(self, backend: str, name: str) -> Iterator[Callable[[list[Result]], None]]:
        """Time one part; its results are added through the callable; errors are reported."""
        started = time.perf_counter()
        load = os.getloadavg()[0]
        self.console.print(
            f"[bold]{backend}[/bold] · {name} … [dim](load average {load:.2f})[/dim]"
        )

        def add(found: list[Result]) -> None:
            self.results.extend((backend, r) for r in found)
            for r in found:
                self.console.print(f"    {r.metric}: {fmt(r.value)} {r.unit} {status(r)}")

        try:
            yield add
        except Exception as error:  # a broken part is reported; the others still run
            self.errors.append(
                {
                    "backend": backend,
                    "part": name,
                    "error": repr(error),
                    "trace": traceback.format_exc(),
                }
            )
            self.console.print(f"[red]    {name} failed:[/red] {error!r}")
        seconds = time.perf_counter() - started
        self.parts.append(
            {"backend": backend, "part": name, "seconds": round(seconds, 1), "loadavg_1m": load}
        )
        self.console.print(f"    [dim]{seconds:.1f} s[/dim]")

    @contextmanager
    def guard(self, backend: str, section: str) -> Iterator[None]:
        """Errors outside a part (a store that cannot be made, a server that will not start)."""
        try:
            yield
        except Exception as error:
            self.errors.append(
                {
                    "backend": backend,
                    "part": section,
                    "error": repr(error),
                    "trace": traceback.format_exc(),
                }
            )
            self.console.print(f"[red]    {section} failed:[/red] {error!r}")


def fmt(value: float) -> str:
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if abs(value) < 1 else f"{value:.2f}"


def status(result: Result) -> str:
    return {True: "[green]PASS[/green]", False: "[red]MISS[/red]", None: ""}[result.passed]


def run_backend(run: Run, backend: str, sizes: dict[str, Any]) -> None:
    """Every benchmark on fresh stores of one backend."""
    # b. Import; the imported store holds the long Talks the time-travel reads use.
    library_rate = None
    with run.guard(backend, "import store"), common.fresh_store(backend) as store:
        source = None
        with run.part(backend, "bulk import") as add:
            found, source = bulk.run_import(store, sizes)
            add(found)
            library_rate = next(r.value for r in found if r.metric.startswith("library"))
        if source is not None:
            with run.part(backend, "time travel") as add:
                info = time_travel.prepare(store, source.long_stream)
                with common.service_server(
                    store, "time-travel", NT_RUN_PROJECTIONS="false"
                ) as server:
                    add(time_travel.run(server, info, sizes))
                    add(time_travel.run_diffs(server, info, sizes))  # last: it may time out

    # c. Rebuild; then a server on that store for a, e, f and the HTTP half of b.
    with run.guard(backend, "service store"), common.fresh_store(backend) as store:
        talks = None
        with run.part(backend, "rebuild") as add:
            source = bulk.realistic_file(store.workdir / "rebuild.jsonl", sizes["rebuild_events"])
            bulk.import_realistic_in_process(store, source)
            talks = source.long_stream
            add(rebuild.run(store))
        if talks is not None:
            with run.part(backend, "time travel on views") as add:
                info = time_travel.prepare(store, talks)
                with common.service_server(store, "view-time-travel") as server:
                    common.settle(server)
                    add(time_travel.run_views(server, info, sizes))
            with run.part(backend, "time travel memory") as add:
                seconds = sizes["time_travel_memory_seconds"]
                add(time_travel_memory.run(store, seconds))
                add(time_travel_memory.run(store, seconds, across_all=True))
        if talks is not None:
            token = store.token()
            found_appends: list[Result] = []
            with common.service_server(store) as server, common.bare_server(store.workdir) as bare:
                with run.part(backend, "appends") as add:
                    found_appends = appends.run(store, server, bare, token, sizes)
                    add(found_appends)
                common.settle(server)
                with run.part(backend, "read your writes") as add:
                    add(read_your_writes.run(server, token, sizes))
                with run.part(backend, "reads under load") as add:
                    add(reads_under_load.run(server, token, talks, sizes))
                common.settle(server)
                with run.part(backend, "bulk over HTTP") as add:
                    add(bulk.run_http(server, token, sizes, library_rate))
            with run.part(backend, "appends, follower in a process") as add:
                library = next((r.value for r in found_appends if r.metric.startswith("library")),
                               None)  # fmt: skip
                add(appends.run_follower_process(store, token, sizes, library))

    # g. Memory, on a store of its own.
    with run.part(backend, "memory") as add, common.fresh_store(backend) as store:
        add(memory.run(store, sizes))


def table(run: Run, backends: list[str]) -> Table:
    grid = Table(title="Negotiation Timeline benchmarks", show_lines=False)
    for column in ("bench", "metric", *backends, "target"):
        grid.add_column(column, justify="right" if column in backends else "left")
    rows: dict[tuple[str, str], dict[str, Result]] = {}
    for backend, result in run.results:
        rows.setdefault((result.bench, result.metric), {})[backend] = result
    order = ["appends", "bulk", "rebuild", "time travel", "read your writes", "reads under load"]
    order += ["memory", "time travel memory"]
    ranked = sorted(rows.items(), key=lambda item: order.index(item[0][0]))
    for (bench, metric), by_backend in ranked:
        cells = []
        for backend in backends:
            r = by_backend.get(backend)
            cells.append(f"{fmt(r.value)} {r.unit} {status(r)}".strip() if r else "-")
        target = next(iter(by_backend.values())).target
        grid.add_row(bench, metric, *cells, target)
    return grid


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    sizing = parser.add_mutually_exclusive_group()
    sizing.add_argument("--quick", action="store_true", help="small sizes: a smoke run")
    sizing.add_argument("--full", action="store_true", help="the issue's sizes (long)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, terminate)
    console = Console(width=None if sys.stdout.isatty() else 150)
    mode = "quick" if args.quick else "full" if args.full else "default"
    sizes = {"quick": QUICK, "full": FULL, "default": DEFAULT}[mode]
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    if "postgres" in backends and not common.postgres_available():
        console.print("[yellow]PostgreSQL at 127.0.0.1:5432 is unreachable: skipped.[/yellow]")
        backends.remove("postgres")
    reduced = {
        key: {"used": sizes[key], "issue": FULL[key], "why": WHY_REDUCED.get(key, "time budget")}
        for key in FULL
        if sizes[key] != FULL[key]
    }
    info = machine()
    console.print(
        f"{info['nproc']} × {info['cpu_model']}, Python {info['python']}, load average "
        f"{info['loadavg_at_start'][0]:.2f}; mode {mode}; backends {', '.join(backends)}"
    )
    if reduced:
        console.print(
            f"[yellow]Sizes reduced from the issue's ({mode} mode):[/yellow] "
            + "; ".join(f"{k} {v['used']:,} (issue {v['issue']:,})" for k, v in reduced.items())
        )
    run = Run(console)
    started_at = datetime.now(UTC).isoformat()
    started = time.perf_counter()
    for backend in backends:
        run_backend(run, backend, sizes)
    total = time.perf_counter() - started
    info["loadavg_at_end"] = os.getloadavg()

    console.print(table(run, backends))
    parts = Table(title="Time per part (s)")
    parts.add_column("part")
    for backend in backends:
        parts.add_column(backend, justify="right")
    names = list(dict.fromkeys(p["part"] for p in run.parts))
    for name in names:
        parts.add_row(
            name,
            *[
                next(
                    (
                        f"{p['seconds']:.1f}"
                        for p in run.parts
                        if (p["part"], p["backend"]) == (name, b)
                    ),
                    "-",
                )
                for b in backends
            ],
        )
    console.print(parts)
    over = " [red](over the 5-minute budget)[/red]" if total > BUDGET_SECONDS else ""
    console.print(f"Total: {total:.0f} s{over}")
    console.print(
        f"Load average (1 min) at start {info['loadavg_at_start'][0]:.2f}, at end "
        f"{info['loadavg_at_end'][0]:.2f}, on {info['nproc']} cores: anything else running skews"
        " the figures (see each part's load average in the JSON)."
    )
    if reduced:
        console.print(
            f"[yellow]Sizes were reduced ({mode} mode); see 'reduced' in the JSON.[/yellow]"
        )
    for error in run.errors:
        console.print(f"[red]{error['backend']} {error['part']} failed:[/red] {error['error']}")

    RESULTS.mkdir(parents=True, exist_ok=True)
    document = {
        "started_at": started_at,
        "machine": info,
        "mode": mode,
        "backends": backends,
        "sizes": sizes,
        "reduced": reduced,
        "total_seconds": round(total, 1),
        "parts": run.parts,
        "results": [{"backend": b, **r.as_dict()} for b, r in run.results],
        "errors": run.errors,
    }
    out = RESULTS / "latest.json"
    out.write_text(json.dumps(document, indent=2, default=str))
    console.print(f"Written to {out.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
