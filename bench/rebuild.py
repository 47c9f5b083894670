"""c. Projection rebuild: every view rebuilt from position 0 in one pass (Projector.rebuild_views).

Compared with the library alone reading and deserialising the whole log
(recorder.select_notifications + mapper.to_domain_event) on the same store.
"""

from __future__ import annotations

import time

from bench import common
from bench.common import Result

TARGET_RATE = 40_000
PAGE = 10_000


def library_read(target: common.Target) -> tuple[int, float]:
    """Events and seconds for the library to read and decode the whole log."""
    with target.components() as built:
        app = built.application
        started = time.perf_counter()
        count, after = 0, 0
        while notifications := app.recorder.select_notifications(
            start=after, limit=PAGE, inclusive_of_start=False
        ):
            for notification in notifications:
                app.mapper.to_domain_event(notification)
            count += len(notifications)
            after = notifications[-1].id
        return count, time.perf_counter() - started


def run(target: common.Target) -> list[Result]:
    with target.components() as built:
        projector = built.projector
        events = projector.head()
        names = list(projector.views)
        # What `negotiation-timeline rebuild` does: every view in one pass over the log.
        started = time.perf_counter()
        projector.rebuild_views(names)
        total = time.perf_counter() - started
    rate = events / total
    read_events, read_seconds = library_read(target)
    library_rate = read_events / read_seconds
    detail = {"events": events, "views": names, "seconds": round(total, 3)}
    return [
        Result(
            "rebuild", f"all {len(names)} views from {events:,} events, one pass", rate,
            "events/s",
            f">= {TARGET_RATE:,}", common.at_least(rate, TARGET_RATE), detail,
        ),
        Result(
            "rebuild", "library: read + deserialise the log", library_rate, "events/s",
            detail={"events": read_events, "seconds": round(read_seconds, 3)},
        ),
        Result("rebuild", "rebuild ÷ library read", rate / library_rate, "ratio"),
    ]  # fmt: skip
