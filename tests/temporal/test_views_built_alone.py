"""A read on another clock builds only the views it consults, from the streams they follow.

A view built alone, from only the streams of the kinds it follows (``View.kinds``), must hold
the very rows it holds when every view is built from the whole family beside it: at every
moment of the demos and as of every point of their recording, for one family and for all, and
whether the events come from the service's cache (with its facts memo) or from the store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from application import demo, demo_fonseca
from application.components import Components
from application.demo_sets import load_demos
from projections.temporal_views import TemporalViews
from store.sql import Database
from tests.temporal.support import settle

FAMILIES = [str(demo.TALKS_ID), str(demo_fonseca.TALKS_ID)]
#: Moments before, through and after the demos' events (May 2025 on; Fonseca's from 1992).
MOMENTS = [
    None,
    datetime(1992, 9, 11, tzinfo=UTC),
    datetime(2025, 5, 15, tzinfo=UTC),
    *(datetime(2025, 5, 30, tzinfo=UTC) + timedelta(days=d) for d in range(0, 20, 3)),
]


@pytest.fixture
def components(client: TestClient) -> Components:
    load_demos(client.app.state.service)  # type: ignore[attr-defined]
    settle(client)
    found: Components = client.app.state.components  # type: ignore[attr-defined]
    return found


def digest(components: Components, database: Database, name: str) -> list[list[Any]]:
    """The rows of the view's own tables, in key order (not its stream-context table, which
    records every stream the view was shown, followed or not: no read consults it)."""
    view = components.projector.views[name]
    found: list[list[Any]] = []
    for logical, (_, order) in sorted(view.tables.items()):
        rows = database.query(f"SELECT * FROM view_{logical} ORDER BY {order}")
        found.append([logical, *(dict(row) for row in rows)])
    return found


def recorded_points(components: Components) -> list[datetime | None]:
    """As of now, and as of a few record times spread over the demos' recording."""
    rows = components.application.database.query(
        "SELECT recorded_at FROM nt_event_index ORDER BY position"
    )
    times = [datetime.fromisoformat(r["recorded_at"].replace("Z", "+00:00")) for r in rows]
    return [None, *(times[i] for i in range(0, len(times), max(1, len(times) // 6)))]


def test_a_view_built_alone_holds_the_rows_it_holds_beside_every_view(
    components: Components,
) -> None:
    followed = [name for name, view in components.projector.views.items() if view.kinds]
    assert {"talks_overview", "positions", "delegations"} <= set(followed)
    together = TemporalViews(components.projector)  # every view, events read from the store
    alone = components.temporal  # the service's: its cache and memo, the views named only
    assert alone is not None
    compared = 0
    for as_of in recorded_points(components):
        for at in MOMENTS:
            for family in [*FAMILIES, None]:
                every = together.database(family, as_of=as_of, at=at)
                for name in followed:
                    own = alone.database(family, as_of=as_of, at=at, views=[name])
                    assert digest(components, own, name) == digest(components, every, name), (
                        name,
                        family,
                        as_of,
                        at,
                    )
                    compared += 1
    assert compared > 100


def test_a_view_built_alone_has_rows_and_no_other_view_is_built(components: Components) -> None:
    assert components.temporal is not None
    built = components.temporal.database(
        FAMILIES[0], as_of=None, at=MOMENTS[-1], views=["positions"]
    )

    assert built.query("SELECT COUNT(*) AS n FROM view_positions")[0]["n"] > 0
    assert built.query("SELECT COUNT(*) AS n FROM view_position_history")[0]["n"] > 0
    tables = {r["name"] for r in built.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert not any(name.startswith("view_timeline") for name in tables)


def test_an_unknown_view_is_refused(components: Components) -> None:
    assert components.temporal is not None
    with pytest.raises(KeyError):
        components.temporal.database(None, as_of=None, at=MOMENTS[-1], views=["nonesuch"])
