"""Fixtures of the production tests (PostgreSQL shared by several processes)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from production_support import fresh_database


@pytest.fixture
def fresh_url(postgres_url: str) -> Iterator[str]:
    """A new, empty database ``nt_mp_<random>``, dropped after the test."""
    with fresh_database(postgres_url) as url:
        yield url
