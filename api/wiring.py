"""The one place where the store, the service and the projections are put together."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import psycopg
from eventsourcing.persistence import PersistenceError

from projections.pg_listener import PgListener
from projections.projector import Projector, ViewFailedError
from projections.registry import all_views
from projections.runner import Runner
from projections.temporal_views import TemporalViews
from store import migrations
from store.application import TimelineApplication
from store.rebuild_lock import RebuildLock
from store.schema import VIEWS_CHANGED_IN
from store.service import TimelineService
from store.settings import Settings

log = logging.getLogger("negotiation_timeline.projections")


class DatabaseUnavailableError(Exception):
    """The database did not answer within the configured time."""


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


def open_store(settings: Settings, *, create_tables: bool) -> TimelineApplication:
    """Open the event store, retrying an unreachable database for a bounded time."""
    started = time.monotonic()
    deadline = started + settings.connect_timeout_seconds
    pause = 0.5
    while True:
        application: TimelineApplication | None = None
        try:
            application = TimelineApplication(
                settings.eventsourcing_env(create_tables=create_tables)
            )
            application.database.query("SELECT 1 AS ok")
        except (PersistenceError, psycopg.Error, OSError) as error:
            if application is not None:
                application.close()
            if time.monotonic() + pause > deadline:
                waited = time.monotonic() - started
                msg = (
                    f"cannot reach the database at {settings.display_url()} after"
                    f" {waited:.0f} s of retrying: {error}"
                )
                raise DatabaseUnavailableError(msg) from None
            time.sleep(pause)
            pause = min(pause * 2, 5.0)
        else:
            return application


def migrate(settings: Settings) -> tuple[int | None, int]:
    """Create or upgrade the whole schema (events, index, views); idempotent."""
    application = open_store(settings, create_tables=True)
    try:
        versions = migrations.migrate(application.database)
        upgrade_views(Projector(application, all_views()), versions[0])
        return versions
    finally:
        application.close()


def upgrade_views(projector: Projector, before: int | None) -> None:
    """Create the views; coming from a schema whose views differ, drop them first."""
    if before is not None and before < VIEWS_CHANGED_IN:
        projector.reset()
    projector.setup()


def build(settings: Settings, *, follow: bool) -> Components:
    """Open the store and check its schema; with ``follow``, keep the views up to date.

    The embedded SQLite store migrates itself; a PostgreSQL one must be migrated explicitly.
    """
    embedded = not settings.is_postgres()
    application = open_store(settings, create_tables=embedded)
    try:
        projector = Projector(application, all_views())
        if embedded:
            before, _ = migrations.migrate(application.database)
            upgrade_views(projector, before)
        migrations.check(application.database)
    except Exception:
        application.close()
        raise
    service = TimelineService(application)
    lock = RebuildLock(settings)
    projector.rebuild_guard = lock.rebuilding
    runner = listener = None
    if follow:
        with lock.nobody_rebuilding() as alone:
            if alone and (cleaned := projector.clean_interrupted_rebuilds()):
                log.warning("cleaned up the interrupted rebuilds of %s", ", ".join(cleaned))
        runner = Runner(projector, poll_interval=settings.poll_interval)
        service.on_append.append(runner.wake)
        runner.start()
        if settings.is_postgres():
            listener = PgListener(settings.postgres_conninfo(), runner.wake)
            listener.start()
    return Components(settings, application, service, projector, runner, listener)
