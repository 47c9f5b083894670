"""Timeline and statement rows with, beside each corrected value, what was reported.

The views keep facts as now known (corrections applied, ``corrected_by`` naming them); the
values first reported are in the log. For the few rows a correction touched, this reads the
corrected event and its corrections from the log and lists what they changed
(domain/corrected_values.py has the rule). A read as of a time lists only the corrections its
row names, those recorded by then.
"""

from __future__ import annotations

from collections.abc import Mapping

from application.service import TimelineService
from domain.corrected_values import OCCURRED, fact_changes
from domain.corrections import EventCorrected
from store.sql import Row

#: Where a statement row holds what its event's fields say (the rest it does not show).
STATEMENT_PATHS = {OCCURRED: OCCURRED, "/data/speaker": "/speaker", "/data/channel": "/channel"}


def with_corrected_values(
    service: TimelineService, rows: list[Row], paths: Mapping[str, str] | None = None
) -> list[Row]:
    """The rows, each with ``corrected_values`` (empty unless a correction changed a value).

    ``paths`` maps a field's pointer into the event to its pointer into the row; without it the
    row holds ``data`` and ``occurred`` as the event does.
    """
    wanted = [
        i
        for row in rows
        if row.get("corrected_by")
        for i in [row["event_id"], *row["corrected_by"]]
    ]
    events = service.events_by_id(list(dict.fromkeys(wanted))) if wanted else {}
    for row in rows:
        row["corrected_values"] = []
        if not row.get("corrected_by"):
            continue
        original = events.get(row["event_id"])
        fixes = [
            fix for i in row["corrected_by"] if isinstance(fix := events.get(i), EventCorrected)
        ]
        if original is None or not fixes:
            continue
        changes = fact_changes(original, fixes)
        if paths is not None:
            changes = [{**c, "path": paths.get(c["field"])} for c in changes]
        row["corrected_values"] = changes
    return rows
