"""SQLite connections where a queued writer does not hold up readers.

The library's pool (eventsourcing 9.5) queues every request, readers' and writers', through one
semaphore for fairness, and a writer waits for the writer lock while holding it. So while one
append commits and the next waits its turn, every read in the process waits too, though WAL
lets readers run beside the writer. Timeline reads under load, state reads, key checks and the
appends' own loads all queued that way.

Here a writer takes the writer lock before it joins the queue: writers still go one at a time
(SQLite allows no more), and readers are served while they wait.

Write transactions also begin with ``BEGIN IMMEDIATE``, taking SQLite's write lock first. The
library's plain ``BEGIN`` starts a read; a transaction that read (``CREATE TABLE IF NOT EXISTS``
on an existing table, a SELECT) and then writes fails at once with "database is locked" if
another process (serve, worker, a CLI command) wrote in between, since SQLite does not wait on a
stale snapshot. With IMMEDIATE it waits for the lock, up to the lock timeout, instead.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from eventsourcing.persistence import ConnectionUnavailableError, OperationalError
from eventsourcing.sqlite import (
    SQLiteConnection,
    SQLiteConnectionPool,
    SQLiteCursor,
    SQLiteFactory,
    SQLiteTransaction,
)


class ImmediateWriteTransaction(SQLiteTransaction):
    """The library's transaction, but a writing one takes the write lock as it begins."""

    def __enter__(self) -> SQLiteCursor:
        cursor = self.connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE" if self.commit else "BEGIN")
        except sqlite3.OperationalError as error:  # still locked after the lock timeout
            raise OperationalError(error) from error
        return cursor


class ImmediateWriteConnection(SQLiteConnection):
    """A connection whose write transactions begin IMMEDIATE."""

    @contextmanager
    def transaction(self, *, commit: bool) -> Iterator[SQLiteCursor]:
        with ImmediateWriteTransaction(self, commit=commit) as cursor, cursor:
            yield cursor


class ReadersBesideWritersPool(SQLiteConnectionPool):
    """The library's pool, but writers wait for each other outside the readers' queue, and
    write transactions begin IMMEDIATE."""

    def _create_connection(self) -> SQLiteConnection:
        # The library's own setup (WAL, row factory), re-wrapped. The dropped wrapper runs no
        # max-age timer: the factory below makes this pool without max_age.
        made = super()._create_connection()
        return ImmediateWriteConnection(made._sqlite_conn, self.max_age)

    def get_connection(
        self, timeout: float | None = None, *, is_writer: bool | None = None
    ) -> SQLiteConnection:
        if is_writer is not True or self._mutually_exclusive_read_write:
            return super().get_connection(timeout, is_writer=is_writer)
        timeout = self.pool_timeout if timeout is None else timeout
        if not self._writer_lock.acquire(timeout=timeout):
            msg = "Timed out waiting for return of writer"
            raise ConnectionUnavailableError(msg)
        try:
            connection = super().get_connection(timeout, is_writer=None)
        except BaseException:
            self._writer_lock.release()
            raise
        # As the library's own writer: put_connection() releases the writer lock.
        connection.is_writer = True
        self._num_writers += 1
        return connection


class TimelineSQLiteFactory(SQLiteFactory):
    """The library's SQLite factory with the pool above (PERSISTENCE_MODULE names this class)."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        library_pool = self.datastore.pool  # no connection made yet: tables come later
        self.datastore.pool = ReadersBesideWritersPool(
            db_name=library_pool.db_name,
            lock_timeout=library_pool.lock_timeout,
            pool_size=library_pool.pool_size,
            max_overflow=library_pool.max_overflow,
            pool_timeout=library_pool.pool_timeout,
            max_age=library_pool.max_age,
            pre_ping=library_pool.pre_ping,
        )
        library_pool.close()
