"""PostgreSQL connections without JIT compilation.

PostgreSQL compiles a query to machine code when its estimated cost passes ``jit_above_cost``.
Our reads are short, page-sized queries, but a read at a point on views whose statistics are
missing or stale (views a follower has just filled: autovacuum may be off, or not yet come by) is
estimated at hundreds of thousands: a page of a Talks' timeline at ``?at=`` spent 500 ms
compiling and 0.2 ms running. So every connection of the service turns JIT off, as PostgreSQL's
documentation advises for short queries.
"""

from __future__ import annotations

from typing import Any

from eventsourcing.postgres import PostgresFactory

#: Settings of every connection the service opens (libpq's ``options``).
SESSION_OPTIONS = "-c jit=off"


class TimelinePostgresFactory(PostgresFactory):
    """The library's PostgreSQL factory; its pool's connections start with ``SESSION_OPTIONS``
    (PERSISTENCE_MODULE names this class)."""

    def __init__(self, env: Any) -> None:
        super().__init__(env)
        pool = self.datastore.pool  # not opened yet: no connection made with the old options
        kwargs = pool.kwargs
        assert isinstance(kwargs, dict)  # the library gives its connection arguments as a dict
        pool.kwargs = {**kwargs, "options": SESSION_OPTIONS}
