"""What a process of the service runs on, and the rebuilds it started, stopped on close."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from eventsourcing.persistence import PersistenceError

from application.errors import (
    BusyError,
    NotFoundError,
    NotReadyError,
    RebuildRunningError,
    ShuttingDownError,
)
from application.service import TimelineService
from projections.pg_listener import PgListener
from projections.projector import Projector, ViewFailedError
from projections.runner import Runner
from projections.temporal_views import TemporalViews
from store.application import TimelineApplication
from store.settings import Settings

log = logging.getLogger("negotiation_timeline.projections")


class RebuildStoppedError(ShuttingDownError):
    """The process is closing: a rebuild stopped between two batches, before its swap."""


class Rebuilds:
    """Rebuilds started over HTTP, each in a thread of its own, stopped and joined on close.

    A rebuild builds into fresh tables and swaps them in when complete; one stopped between
    batches never swaps, so readers keep the live view as it was. Its half-built tables are
    dropped by the next rebuild. Closing waits for the batch in hand, then the store may close.
    """

    def __init__(self, projector: Projector, when_done: Callable[[], None]) -> None:
        self._projector, self._when_done = projector, when_done
        self._lock = threading.Lock()
        self._threads: dict[str, threading.Thread] = {}
        self._closing = threading.Event()

    def start(self, name: str) -> bool:
        """Start rebuilding a view; False if it is being rebuilt already.

        Raises RebuildStoppedError once closing has begun.
        """
        with self._lock:
            if self._closing.is_set():
                msg = "the service is shutting down"
                raise RebuildStoppedError(msg)
            if name in self._threads:
                return False
            thread = threading.Thread(
                target=self._run, args=(name,), name=f"rebuild-{name}", daemon=True
            )
            self._threads[name] = thread
            thread.start()
        return True

    def running(self) -> list[str]:
        """The views being rebuilt now."""
        with self._lock:
            return sorted(self._threads)

    def join(self, timeout: float | None = None) -> bool:
        """Wait until the rebuilds running now have ended; False if some still run after
        ``timeout`` seconds."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads.values())
        for thread in threads:
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in threads)

    def close(self) -> None:
        """Stop every rebuild after the batch in hand, before its swap, and wait for it."""
        self._closing.set()
        self.join()

    def _run(self, name: str) -> None:
        try:
            self._projector.rebuild(name, progress=self._check)
        except RebuildStoppedError:
            log.info("rebuild of %s stopped before its swap: the service is closing", name)
        except ViewFailedError:
            pass  # halted and reported by the projector's tracking row
        except Exception:
            log.exception("rebuild of %s failed", name)
        finally:
            with self._lock:
                self._threads.pop(name, None)
            self._when_done()

    def _check(self, _position: int, _head: int) -> None:
        """Called by the projector after each batch: stop here if the process is closing."""
        if self._closing.is_set():
            msg = "the service is closing"
            raise RebuildStoppedError(msg)


def time_travel_busy(limit: int) -> BusyError:
    """The 503 for a time-travel read that would start a build beyond the bound."""
    return BusyError(f"{limit} time-travel reads are being built already; retry shortly")


@dataclass
class Components:
    """Everything a process of the service runs on."""

    settings: Settings
    application: TimelineApplication
    service: TimelineService
    projector: Projector
    runner: Runner | None
    listener: PgListener | None = None
    temporal: TemporalViews | None = None
    rebuilds: Rebuilds = field(init=False)

    def __post_init__(self) -> None:
        self.temporal = TemporalViews(
            self.projector,
            busy=time_travel_busy,
            events=self.service.cache.events,
            memo=self.service.folds.facts,
        )
        self.rebuilds = Rebuilds(self.projector, self._rebuilt)

    def _rebuilt(self) -> None:
        """A rebuild ended: the live runner goes on from where the swap left the view."""
        if self.runner is not None:
            self.runner.wake()

    def readiness(self) -> dict[str, Any]:
        """The head and the lag bound if the database answers and every view is within the
        bound; NotReadyError otherwise."""
        bound = self.settings.ready_max_lag_events
        try:
            statuses = self.projector.statuses()
        except PersistenceError as error:
            msg = f"the database does not answer: {error}"
            raise NotReadyError(msg) from None
        behind = {
            s.name: s.lag_events for s in statuses if s.lag_events > bound or s.state == "failed"
        }
        if behind:
            msg = f"views behind by more than {bound} events or failed: {', '.join(behind)}"
            raise NotReadyError(msg, behind)
        return {
            "status": "ready",
            "head": statuses[0].head if statuses else 0,
            "max_lag_events": bound,
        }

    def view(self, name: str) -> str:
        """The name of one of the views; NotFoundError if there is no such view."""
        if name not in self.projector.views:
            msg = f"no view {name!r}; views: {', '.join(self.projector.views)}"
            raise NotFoundError(msg)
        return name

    def start_rebuild(self, name: str) -> None:
        """Rebuild a view in the background; RebuildRunningError if it is being rebuilt."""
        if not self.rebuilds.start(self.view(name)):
            msg = f"{name} is being rebuilt already"
            raise RebuildRunningError(msg)

    def close(self) -> None:
        """Stop rebuilds (before their swap) and following the log, then close the store."""
        self.rebuilds.close()
        if self.listener is not None:
            self.listener.stop()
        if self.runner is not None:
            self.runner.stop()
        self.service.close()
        self.application.close()
