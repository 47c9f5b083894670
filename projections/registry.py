"""The views the service keeps, by name."""

from __future__ import annotations

from projections.delegations import Delegations
from projections.positions import Positions
from projections.search import Search
from projections.statements import Statements
from projections.talks_overview import TalksOverview
from projections.timeline import Timeline
from projections.view import View


def all_views() -> dict[str, View]:
    """A fresh instance of every view, by name, in a fixed order."""
    views: list[View] = [
        TalksOverview(),
        Timeline(),
        Positions(),
        Statements(),
        Delegations(),
        Search(),
    ]
    return {view.name: view for view in views}
