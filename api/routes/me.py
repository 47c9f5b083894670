"""Who the request's key is: the page asks, to show its forms to editors only."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends

from api.auth import require
from api.responses.operations import KeyOut
from application.access import ApiKey

router = APIRouter(tags=["keys"])


@router.get("/me", response_model=KeyOut)
def read_current_key(key: Annotated[ApiKey, Depends(require("reader"))]) -> dict[str, Any]:
    """The key this request carries (any role, never its secret): its name and role."""
    return asdict(key)
