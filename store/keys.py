"""API keys: stored hashed, each with a role (reader < editor < admin), revocable.

A key reads ``nt_<id>_<secret>``. Only a SHA-256 of the secret is stored: the secret is 256
random bits, so a fast hash is enough (as for other high-entropy tokens), and the id finds the
row without scanning. Comparisons take constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from store.serialize import iso
from store.sql import Database

Role = Literal["reader", "editor", "admin"]
ROLES: tuple[Role, ...] = ("reader", "editor", "admin")


def allows(role: str, needed: Role) -> bool:
    """True if ``role`` is at least ``needed`` (admin > editor > reader)."""
    return role in ROLES and ROLES.index(role) >= ROLES.index(needed)


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class ApiKey:
    """A key as stored: never its secret."""

    id: str
    name: str
    role: str
    created_at: str
    revoked_at: str | None = None

    @property
    def principal(self) -> str:
        """How appended events name the key's holder."""
        return f"{self.name} ({self.id})" if self.name else self.id


class KeyStore:
    """Creates, checks, lists and revokes API keys in the service's database."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, role: Role, name: str = "") -> tuple[ApiKey, str]:
        """A new key and its token; the token is shown once and never stored."""
        if role not in ROLES:
            msg = f"role must be one of {', '.join(ROLES)}"
            raise ValueError(msg)
        key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
        key = ApiKey(key_id, name, role, iso(datetime.now(UTC)))
        with self.db.transaction() as tx:
            tx.execute(
                "INSERT INTO nt_api_keys (id, name, role, secret_sha256, created_at)"
                " VALUES (?,?,?,?,?)",
                (key.id, key.name, key.role, _digest(secret), key.created_at),
            )
        return key, f"nt_{key_id}_{secret}"

    def check(self, token: str) -> ApiKey | None:
        """The live key a token belongs to, or None (unknown, malformed or revoked)."""
        prefix, _, rest = token.partition("_")
        key_id, _, secret = rest.partition("_")
        if prefix != "nt" or not key_id or not secret:
            return None
        rows = self.db.query(
            "SELECT id, name, role, secret_sha256, created_at, revoked_at FROM nt_api_keys"
            " WHERE id = ?",
            (key_id,),
        )
        if not rows or rows[0]["revoked_at"] is not None:
            return None
        if not hmac.compare_digest(rows[0]["secret_sha256"], _digest(secret)):
            return None
        return ApiKey(rows[0]["id"], rows[0]["name"], rows[0]["role"], rows[0]["created_at"])

    def list(self) -> list[ApiKey]:
        """Every key, revoked ones included, oldest first."""
        return [
            ApiKey(r["id"], r["name"], r["role"], r["created_at"], r["revoked_at"])
            for r in self.db.query(
                "SELECT id, name, role, created_at, revoked_at FROM nt_api_keys"
                " ORDER BY created_at, id"
            )
        ]

    def revoke(self, key_id: str) -> bool:
        """Revoke a key; False if there is no live key with that id."""
        with self.db.transaction() as tx:
            changed = tx.update(
                "UPDATE nt_api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                (iso(datetime.now(UTC)), key_id),
            )
        return changed == 1

    def any_live(self) -> bool:
        """True once at least one key can be used."""
        return bool(self.db.query("SELECT 1 AS one FROM nt_api_keys WHERE revoked_at IS NULL"))
