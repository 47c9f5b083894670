"""LISTEN/NOTIFY for followers on PostgreSQL: wake the runner as soon as another process appends.

The library NOTIFYs the events table's channel in every insert transaction. A notification can
be lost (a dropped connection, a restart), so the wait has a timeout, the connection is made
again after any error, and the runner's own poll catches up regardless: nothing can stall.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable

import psycopg

log = logging.getLogger("negotiation_timeline.projections")
CHANNEL = "stored_events"


class PgListener:
    """A thread that calls ``wake`` on each NOTIFY of the events channel."""

    def __init__(self, conninfo: str, wake: Callable[[], None], timeout: float = 1.0) -> None:
        self.conninfo, self.wake, self.timeout = conninfo, wake, timeout
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pg-listener", daemon=True)

    def start(self) -> None:
        """Start listening."""
        self._thread.start()

    def stop(self) -> None:
        """Stop now: a NOTIFY of our own ends the wait rather than its timeout."""
        self._stop.set()
        with (
            contextlib.suppress(psycopg.Error),
            psycopg.connect(self.conninfo, autocommit=True, connect_timeout=2) as conn,
        ):
            conn.execute(f"NOTIFY {CHANNEL}")
        self._thread.join(self.timeout * 3)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self.wake()  # catch up on whatever was appended while not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=self.timeout, stop_after=1):
                            self.wake()
            except psycopg.Error as error:
                log.warning("LISTEN connection lost (%s); listening again", error)
                self._stop.wait(self.timeout)
