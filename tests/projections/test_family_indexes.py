"""A correction reprojects its Talks family: every table of a view is then searched by Talks
through an index, never scanned (a scan per correction grows with the whole store)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import fresh_projector, opened

from application.components import Components
from projections.versioned import VersionedRows
from projections.view import LIVE, NEXT, Tables
from store.settings import Settings

pytestmark = pytest.mark.sqlite_only  # the plan's wording is SQLite's


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


def plan(store: Components, sql: str) -> str:
    rows = store.application.database.query(f"EXPLAIN QUERY PLAN {sql}", ("talks",))
    return " ".join(str(row["detail"]) for row in rows)


@pytest.mark.parametrize("suffix", [LIVE, NEXT])
def test_a_familys_rows_are_found_by_index_in_every_table(store: Components, suffix: str) -> None:
    projector = fresh_projector(store)
    with store.application.database.transaction() as tx:
        for view in projector.views.values():
            view.create(tx, suffix)  # the rebuild's tables too
    checked = 0
    for view in projector.views.values():
        if isinstance(view, VersionedRows):
            continue  # revised row by row, never deleted by Talks
        names = Tables(view.name, suffix)
        for logical in view.all_tables():
            found = plan(store, f"DELETE FROM {names[logical]} WHERE talks_id = ?")
            assert "SCAN" not in found, (names[logical], found)
            assert "USING" in found, (names[logical], found)
            checked += 1
    assert checked >= 8  # overview, positions (2), delegations (2), search, and their contexts
