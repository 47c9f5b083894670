"""Bounds on what a request may hold: waits for a view (async, few) and expensive reads (few).

A wait for ``min_position`` never holds a request thread: it sleeps on the event loop, looking
at the views' positions now and then, and only ``max_read_waits`` wait at once. Reads that fold
or copy much of the log (time travel, diffs, exports) run at most ``max_expensive_reads`` at a
time. Beyond either bound the answer is 503 with Retry-After, at once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from application.components import Components
from application.errors import BusyError, PositionUnknownError, ViewBehindError

#: The longest pause between two looks at a view's position while waiting.
LONGEST_PAUSE = 0.05


class Gate:
    """At most ``limit`` holders at once; ``enter`` says whether this one got in."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.inside = 0
        self._lock = threading.Lock()

    def enter(self) -> bool:
        """Take a place if one is free."""
        with self._lock:
            if self.inside >= self.limit:
                return False
            self.inside += 1
            return True

    def leave(self) -> None:
        """Give the place back."""
        with self._lock:
            self.inside -= 1


def busy(what: str, limit: int) -> BusyError:
    """The 503 for a request beyond a bound."""
    return BusyError(f"{limit} {what} are in progress already; retry shortly")


@contextmanager
def expensive(request: Request) -> Iterator[None]:
    """Hold one of the few places for an expensive read, or raise 503."""
    gate: Gate = request.app.state.expensive_reads
    if not gate.enter():
        raise busy("expensive reads (time travel, diffs, exports)", gate.limit)
    try:
        yield
    finally:
        gate.leave()


def expensive_read(request: Request) -> Iterator[None]:
    """A dependency: the route is an expensive read."""
    with expensive(request):
        yield


async def wait_for_views(
    request: Request, components: Components, names: tuple[str, ...], position: int
) -> None:
    """Return once every named view has applied ``position``; a problem otherwise.

    A position beyond the head of the log is refused at once (409): waiting would not help.
    """
    head = await run_in_threadpool(components.projector.head)
    if position > head:
        msg = f"the log ends at position {head}, before position {position}"
        raise PositionUnknownError(msg, head)
    projector = components.projector
    behind = [n for n in names if await run_in_threadpool(projector.position, n) < position]
    if not behind:
        return
    gate: Gate = request.app.state.read_waits
    if not gate.enter():
        raise busy("reads waiting for a view", gate.limit)
    try:
        timeout = components.settings.read_wait_seconds
        deadline = time.monotonic() + timeout
        pause = 0.002
        for name in behind:
            while await run_in_threadpool(projector.position, name) < position:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    msg = f"{name} has not reached position {position} within {timeout:g} s"
                    raise ViewBehindError(msg)
                await asyncio.sleep(min(remaining, pause))
                pause = min(pause * 2, LONGEST_PAUSE)
    finally:
        gate.leave()
