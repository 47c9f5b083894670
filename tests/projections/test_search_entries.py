"""The full-text entries of the search view on SQLite: one per row, under its position, so that
a correction replaces a family's entries through the rows' index; an older release's entries
are kept when the view's tables are next set up."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import append, body, day, fresh_projector, opened, talks

from application.components import Components
from projections.queries import Page
from projections.search_queries import Filters, search
from store.settings import Settings

pytestmark = pytest.mark.sqlite_only  # PostgreSQL indexes the rows themselves (GIN)
#: After the correction: the round, as corrected, and the correction's own entry, in the
#: timeline's order (the round happened on 16 May, the correction was reported on 2 June).
ISTANBUL = ["Round 1 scheduled in Istanbul", "Correction: it was Istanbul"]


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


def found(store: Components, text: str) -> list[str]:
    rows, _ = search(store.application.database, Filters(text=text), Page(limit=100))
    return [row["headline"] for row in rows]


def scheduled(store: Components) -> tuple[str, str]:
    """A Talks with round 1 scheduled in Ankara, followed; the Talks and the round's event."""
    talks_id = talks(store.service)
    event_id = append(
        store.service, "talks", talks_id,
        body("RoundScheduled", {"number": 1, "city": "Ankara"}, occurred=day("2025-05-16")),
    ).events[0].event_id  # fmt: skip
    return talks_id, str(event_id)


def correct_to_istanbul(store: Components, talks_id: str, event_id: str) -> None:
    append(
        store.service, "talks", talks_id,
        body("EventCorrected", {"corrects": event_id, "reason": "it was Istanbul",
                                "fields": {"city": "Istanbul"}}),
    )  # fmt: skip


def test_each_entry_sits_under_its_rows_position(store: Components) -> None:
    scheduled(store)
    follower = fresh_projector(store)
    follower.catch_up()
    db = store.application.database
    entries = db.query("SELECT rowid, position FROM view_search_words ORDER BY rowid")
    rows = db.query("SELECT position FROM view_search ORDER BY position")
    assert [(e["rowid"], e["position"]) for e in entries] == [(r["position"],) * 2 for r in rows]


def test_a_correction_replaces_the_familys_entries(store: Components) -> None:
    talks_id, event_id = scheduled(store)
    other = talks(store.service, "Other talks")
    append(store.service, "talks", other,
           body("RoundScheduled", {"number": 1, "city": "Ankara"}))  # fmt: skip
    follower = fresh_projector(store)
    follower.catch_up()
    assert found(store, "Ankara") == ["Round 1 scheduled in Ankara"] * 2

    correct_to_istanbul(store, talks_id, event_id)
    follower.catch_up()
    # The corrected family's entry says Istanbul; the other family's entry is untouched.
    assert found(store, "Istanbul") == ISTANBUL
    assert found(store, "Ankara") == ["Round 1 scheduled in Ankara"]


def test_an_older_releases_entries_are_kept_under_their_positions(store: Components) -> None:
    """Entries as releases before 7 December 2026 wrote them (rowids of their own, in a table
    named ``_fts``) move to the new table when the view is set up, and a correction then
    replaces them as it replaces new ones."""
    talks_id, event_id = scheduled(store)
    follower = fresh_projector(store)
    follower.catch_up()
    db = store.application.database
    with db.transaction() as tx:
        tx.execute("DROP TABLE view_search_words")
        tx.execute(
            "CREATE VIRTUAL TABLE view_search_fts USING fts5("
            "document, position UNINDEXED, talks_id UNINDEXED, tokenize = 'unicode61')"
        )
        tx.execute(  # rowids 1, 2, ... whatever the positions
            "INSERT INTO view_search_fts (document, position, talks_id)"
            " SELECT document, position, talks_id FROM view_search ORDER BY position"
        )

    restarted = fresh_projector(store)  # setup() sets the live tables up again
    tables = {r["name"] for r in db.query("SELECT name FROM sqlite_master")}
    assert "view_search_fts" not in tables
    assert found(store, "Ankara") == ["Round 1 scheduled in Ankara"]

    correct_to_istanbul(store, talks_id, event_id)
    restarted.catch_up()
    assert found(store, "Ankara") == []
    assert found(store, "Istanbul") == ISTANBUL
