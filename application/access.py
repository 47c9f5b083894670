"""API keys and roles, as the entry points use them; stored hashed by store/keys.py."""

from __future__ import annotations

from store.keys import ROLES, ApiKey, KeyStore, Role, allows

__all__ = ["ROLES", "ApiKey", "KeyStore", "Role", "allows"]
