"""Operations: health, readiness, projections, keys."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from api.responses.values import Closed

Role = Literal["reader", "editor", "admin"]


class Health(Closed):
    """The process is alive."""

    status: Literal["ok"]


class Readiness(Closed):
    """The database answers and every view is within the lag bound."""

    status: Literal["ready"]
    head: int
    max_lag_events: int


class ProjectionStatus(Closed):
    """Where a view stands against the head of the log."""

    name: str
    description: str
    position: int
    head: int
    lag_events: int
    lag_seconds: float
    state: str = Field(description="running, rebuilding or failed")
    last_error: str | None
    rebuild_position: int | None


class RebuildStarted(Closed):
    """A rebuild has started; follow it at ``status``."""

    name: str
    state: Literal["rebuilding"]
    status: str


class Checksum(Closed):
    """A digest of a view at its position."""

    name: str
    position: int
    checksum: str


class KeyOut(Closed):
    """An API key as stored (never its secret)."""

    id: str
    name: str
    role: Role
    created_at: str
    revoked_at: str | None


class CreatedKey(KeyOut):
    """A new key, with its token: shown in this answer only."""

    token: str = Field(description="Authorization: Bearer <token>; of the form nt_<id>_<secret>")
