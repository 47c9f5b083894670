"""What a process of the service runs on, and the rebuilds it started, stopped on close."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from application.service import TimelineService
from projections.pg_listener import PgListener
from projections.projector import Projector, ViewFailedError
from projections.runner import Runner
from projections.temporal_views import TemporalViews
from store.application import TimelineApplication
from store.settings import Settings

log = logging.getLogger("negotiation_timeline.projections")


class RebuildStoppedError(Exception):
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
        self.temporal = TemporalViews(self.projector)
        self.rebuilds = Rebuilds(self.projector, self._rebuilt)

    def _rebuilt(self) -> None:
        """A rebuild ended: the live runner goes on from where the swap left the view."""
        if self.runner is not None:
            self.runner.wake()

    def close(self) -> None:
        """Stop rebuilds (before their swap) and following the log, then close the store."""
        self.rebuilds.close()
        if self.listener is not None:
            self.listener.stop()
        if self.runner is not None:
            self.runner.stop()
        self.application.close()
