"""The embedded store's connection pool: a writer waiting its turn does not hold up readers."""

from __future__ import annotations

import os
import threading

import pytest

from store.application import TimelineApplication
from store.settings import Settings
from store.sqlite_pool import ReadersBesideWritersPool

WAIT = 3.0


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.environ.get("NT_TEST_BACKEND") == "postgres", reason="SQLite's pool")
def test_a_read_is_answered_while_a_writer_waits_for_the_one_writing(settings: Settings) -> None:
    app = TimelineApplication(settings.eventsourcing_env())
    assert isinstance(app.database.datastore.pool, ReadersBesideWritersPool)
    writing, release = threading.Event(), threading.Event()
    waiting_done, read_done = threading.Event(), threading.Event()

    def write() -> None:
        with app.database.transaction() as tx:
            tx.execute("SELECT 1")
            writing.set()
            release.wait(WAIT * 3)

    def wait_to_write() -> None:
        with app.database.transaction() as tx:
            tx.execute("SELECT 1")
        waiting_done.set()

    def read() -> None:
        app.database.query("SELECT COUNT(*) AS n FROM nt_event_index")
        read_done.set()

    threads = [threading.Thread(target=write), threading.Thread(target=wait_to_write)]
    try:
        threads[0].start()
        assert writing.wait(WAIT)
        threads[1].start()
        threads[1].join(0.2)
        assert not waiting_done.is_set()  # the second writer waits for the first
        reader = threading.Thread(target=read)
        threads.append(reader)
        reader.start()
        # The library's pool kept this read waiting until both writers were done.
        assert read_done.wait(WAIT), "the read waited behind the queued writer"
        assert not waiting_done.is_set()
    finally:
        release.set()
        for thread in threads:
            thread.join(WAIT * 3)
        app.close()
    assert waiting_done.is_set()


@pytest.mark.sqlite_only
@pytest.mark.skipif(os.environ.get("NT_TEST_BACKEND") == "postgres", reason="SQLite's pool")
def test_a_write_that_reads_first_waits_for_another_process_writer(settings: Settings) -> None:
    # Two applications have two pools, as two processes (serve and worker, say) would.
    first = TimelineApplication(settings.eventsourcing_env())
    second = TimelineApplication(settings.eventsourcing_env())
    with first.database.transaction() as tx:
        tx.execute("CREATE TABLE counter (n INTEGER NOT NULL)")
        tx.execute("INSERT INTO counter (n) VALUES (0)")
    writing, release = threading.Event(), threading.Event()

    def other_process() -> None:
        with second.database.transaction() as tx:
            tx.execute("UPDATE counter SET n = n + 1")
            writing.set()
            release.wait(WAIT)

    other = threading.Thread(target=other_process)
    try:
        other.start()
        assert writing.wait(WAIT)
        threading.Timer(0.3, release.set).start()
        # With a plain BEGIN this read takes a snapshot, the other commits, and the write
        # below fails at once with "database is locked" (SQLite does not wait on a stale
        # snapshot). BEGIN IMMEDIATE waits for the other writer first.
        with first.database.transaction() as tx:
            (row,) = tx.execute("SELECT n FROM counter")
            tx.execute("UPDATE counter SET n = ?", (row["n"] + 1,))
        assert first.database.query("SELECT n FROM counter") == [{"n": 2}]
    finally:
        release.set()
        other.join(WAIT)
        first.close()
        second.close()
