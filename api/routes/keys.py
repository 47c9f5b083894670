"""Key management over HTTP (admin role): create, list, revoke."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from fastapi import APIRouter, Response

from api.auth import Admin
from api.deps import ComponentsDep
from api.responses.operations import CreatedKey, KeyOut
from application.access import KeyStore, Role
from application.errors import NotFoundError
from application.event_input import Strict

router = APIRouter(prefix="/keys", tags=["keys"])


class KeyIn(Strict):
    """A new key: its role and a name that says whose it is."""

    role: Role
    name: str = ""


@router.post("", status_code=201, response_model=CreatedKey)
def create_key(body: KeyIn, components: ComponentsDep, _admin: Admin) -> dict[str, Any]:
    """Create a key; its token is in this answer only, and is never stored."""
    key, token = KeyStore(components.application.database).create(body.role, body.name[:200])
    return {**asdict(key), "token": token}


@router.get("", response_model=list[KeyOut])
def list_keys(components: ComponentsDep, _admin: Admin) -> list[dict[str, Any]]:
    """Every key (never its secret), revoked ones included."""
    return [asdict(key) for key in KeyStore(components.application.database).list()]


@router.delete("/{key_id}", status_code=204)
def revoke_key(key_id: str, components: ComponentsDep, _admin: Admin) -> Response:
    """Revoke a key: it stops working at once."""
    if not KeyStore(components.application.database).revoke(key_id[:40]):
        raise NotFoundError(f"no live key {key_id!r}")
    return Response(status_code=204)
