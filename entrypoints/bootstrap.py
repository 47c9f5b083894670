"""The one place where the store, the service and the projections are put together."""

from __future__ import annotations

import logging
import time

import psycopg
from eventsourcing.persistence import PersistenceError

from application.components import Components
from application.service import TimelineService
from projections.pg_listener import PgListener
from projections.projector import Projector
from projections.registry import all_views
from projections.runner import Runner
from store import migrations
from store.application import TimelineApplication
from store.rebuild_lock import RebuildLock
from store.schema import VIEWS_CHANGED_IN
from store.settings import Settings

log = logging.getLogger("negotiation_timeline.projections")


class DatabaseUnavailableError(Exception):
    """The database did not answer within the configured time."""


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
    service = TimelineService(application, group_commit=settings.group_commit)
    projector.stream_events = service.cache.events
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
