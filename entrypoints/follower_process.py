"""``serve`` with its follower in a process of its own (``NT_FOLLOWER=process``).

In one process the follower projects each append into the views under the same interpreter lock
as the requests: with 16 clients appending on two cores it took about a third of the server. Here
``serve`` starts ``negotiation-timeline worker`` as its child, and the API follows no log itself.

- **Woken on append.** The server writes a byte to the child's stdin after each append (never
  waiting: a full pipe means the child has a wake-up pending already), so a read with
  ``min_position`` waits about as long as in one process. API processes of ``--workers N`` and
  other processes are seen by the child as the worker sees them: LISTEN/NOTIFY on PostgreSQL,
  polling every ``NT_POLL_INTERVAL`` on SQLite.
- **Supervised.** A child that exits while the server runs is started again, a second later.
- **Never left behind.** The child stops when its stdin closes: when the server stops, and when
  it dies (the kernel closes the pipe of a killed process too).
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading

log = logging.getLogger("negotiation_timeline.follower")
#: Seconds before a child that exited is started again.
RESTART_AFTER = 1.0
#: Seconds the child has to stop once its stdin is closed, before it is killed.
STOP_TIMEOUT = 15.0


def worker_command() -> list[str]:
    """The child's command: this interpreter running the CLI's ``worker``, woken on stdin."""
    return [
        sys.executable,
        "-c",
        "from entrypoints.cli import main; main()",
        "worker",
        "--wake-on-stdin",
    ]


class FollowerProcess:
    """The ``worker`` child of a server: started, woken, restarted and stopped from here."""

    def __init__(self) -> None:
        self.command = worker_command()
        self._child: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._supervisor: threading.Thread | None = None

    @property
    def pid(self) -> int | None:
        child = self._child
        return None if child is None else child.pid

    def start(self) -> None:
        """Start the child, and the thread that restarts it should it exit."""
        self._spawn()
        self._supervisor = threading.Thread(target=self._supervise, name="follower", daemon=True)
        self._supervisor.start()

    def wake(self, *_: object) -> None:
        """An append was stored: tell the child (an ``on_append`` callback; never blocks)."""
        child = self._child
        if child is None or child.stdin is None:
            return
        # A full pipe: a wake-up is pending already. A closed one: the child is gone (and will
        # be started again).
        with contextlib.suppress(OSError, ValueError):
            os.write(child.stdin.fileno(), b".")

    def stop(self) -> None:
        """Stop the child: close its stdin, wait for it, kill it past the bound."""
        self._stopping.set()
        with self._lock:
            child, self._child = self._child, None
        if child is not None:
            _close(child)
        if self._supervisor is not None:
            self._supervisor.join(timeout=STOP_TIMEOUT)

    def _spawn(self) -> None:
        # A session of its own: Ctrl-C at the terminal reaches the server alone, which then
        # stops the child (by closing its stdin) once it has stopped serving.
        child = subprocess.Popen(  # noqa: S603 (our own CLI)
            self.command, stdin=subprocess.PIPE, start_new_session=True
        )
        assert child.stdin is not None
        os.set_blocking(child.stdin.fileno(), False)
        with self._lock:
            if self._stopping.is_set():  # stopped meanwhile: this child is not wanted
                _close(child)
                return
            self._child = child

    def _supervise(self) -> None:
        while not self._stopping.is_set():
            child = self._child
            if child is None:
                return
            code = child.wait()
            if self._stopping.is_set():
                return
            log.error("the follower process exited (code %s); starting it again", code)
            if child.stdin is not None:
                child.stdin.close()
            if self._stopping.wait(RESTART_AFTER):
                return
            self._spawn()


def _close(child: subprocess.Popen[bytes]) -> None:
    if child.stdin is not None:
        with contextlib.suppress(OSError):
            child.stdin.close()
    try:
        child.wait(timeout=STOP_TIMEOUT)
    except subprocess.TimeoutExpired:
        child.kill()
        child.wait()
