"""Who is rebuilding views, across processes: a lock that the operating system or PostgreSQL
releases by itself when its holder dies (SIGKILL included).

A rebuild holds it shared; a process that starts to follow the log tries it exclusively, without
waiting: if it gets it, no rebuild runs anywhere, so a view left ``rebuilding`` was interrupted
by a crash and can be cleaned up. SQLite: ``flock`` on a file beside the database. PostgreSQL:
an advisory lock on a connection of its own.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg

from store.settings import Settings

#: The advisory lock's key (any fixed 64-bit number; "ntrebuild" in ASCII).
ADVISORY_KEY = 0x6E74726562756C64


class RebuildLock:
    """The rebuild lock of one store."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings

    @contextmanager
    def rebuilding(self) -> Iterator[None]:
        """Held (shared with other rebuilds) for the whole of a rebuild."""
        path = self.settings.sqlite_path()
        if path is not None:
            with _lock_file(path).open("a") as handle:
                fcntl.flock(handle, fcntl.LOCK_SH)
                yield
            return
        with psycopg.connect(self.settings.postgres_conninfo(), autocommit=True) as conn:
            conn.execute("SELECT pg_advisory_lock_shared(%s)", (ADVISORY_KEY,))
            yield

    @contextmanager
    def nobody_rebuilding(self) -> Iterator[bool]:
        """True (and held) if no rebuild runs anywhere now; False at once otherwise."""
        path = self.settings.sqlite_path()
        if path is not None:
            with _lock_file(path).open("a") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    yield False
                    return
                yield True
            return
        with psycopg.connect(self.settings.postgres_conninfo(), autocommit=True) as conn:
            row = conn.execute("SELECT pg_try_advisory_lock(%s)", (ADVISORY_KEY,)).fetchone()
            yield bool(row and row[0])


def _lock_file(database: Path) -> Path:
    return database.with_name(database.name + ".rebuild-lock")
