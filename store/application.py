"""The eventsourcing application: the event store, snapshots and the notification log."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from domain.delegation import Delegation
from domain.position import Position
from domain.talks import Talks
from store import transcodings
from store.sql import Database, Dialect


class TimelineApplication(Application[UUID]):
    """Talks, delegations and positions in one store with one global log."""

    name = "NegotiationTimeline"
    log_section_size = 10_000
    snapshotting_intervals: ClassVar[dict[type[Any], int]] = {
        Talks: 100,
        Delegation: 100,
        Position: 100,
    }

    def __init__(self, env: dict[str, str] | None = None) -> None:
        super().__init__(env)
        dialect: Dialect = "postgres" if "postgres" in type(self.factory).__module__ else "sqlite"
        datastore = getattr(self.factory, "datastore")  # noqa: B009 (SQLite and PostgreSQL factories)
        self.database = Database(datastore, dialect)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcodings.register(transcoder)
