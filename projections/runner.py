"""The follower: a thread that keeps the views at the head, woken on append, polling as a fallback.

SQLite has no push subscription in the library, so the service wakes the runner in-process after
each append; a poll every ``poll_interval`` seconds catches appends from other processes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from projections.projector import Projector

log = logging.getLogger("negotiation_timeline.projections")


class Runner:
    """Runs a Projector in a background thread and lets readers wait for a position."""

    def __init__(self, projector: Projector, poll_interval: float = 1.0) -> None:
        self.projector = projector
        self.poll_interval = poll_interval
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._progress = threading.Condition()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start following the log (the views' tables exist: see ``migrate``)."""
        self.projector.resume_failed()
        self._thread = threading.Thread(target=self._loop, name="projection-runner", daemon=True)
        self._thread.start()

    def wake(self, *_: int) -> None:
        """Something was appended: look now rather than at the next poll."""
        self._wake.set()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the batch in hand."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                self.projector.catch_up()
            except Exception:  # a storage error: keep the thread alive, retry at the next poll
                log.exception("projection runner failed to catch up; retrying")
            with self._progress:
                self._progress.notify_all()
            # catch_up() stopped at the head; an append since then has set the wake already.
            self._wake.wait(self.poll_interval)

    def wait_until(self, done: Callable[[], bool], timeout: float) -> bool:
        """Wait, woken by each commit of this runner, until ``done()``; False on timeout."""
        deadline = time.monotonic() + timeout
        with self._progress:
            while not done():
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._wake.set()
                self._progress.wait(min(remaining, 0.05))
        return True


def wait_for(
    projector: Projector, runner: Runner | None, name: str, position: int, timeout: float
) -> bool:
    """Wait until the view has applied ``position``; False if ``timeout`` passed first.

    With a runner in this process the wait ends as soon as it commits; otherwise (a separate
    worker) the tracking row is read again every few milliseconds, backing off to 50 ms.
    """
    if runner is not None:
        return runner.wait_until(lambda: projector.position(name) >= position, timeout)
    deadline = time.monotonic() + timeout
    pause = 0.002
    while projector.position(name) < position:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return False
        time.sleep(min(remaining, pause))
        pause = min(pause * 2, 0.05)
    return True
