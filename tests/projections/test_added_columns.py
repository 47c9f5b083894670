"""A view table created by an older release gains the columns added since, on setup."""

from __future__ import annotations

from application.service import TimelineService
from projections.statements import Statements
from projections.timeline import Timeline
from projections.view import View

SUFFIX = "__older"


def test_older_timeline_and_statement_tables_gain_in_reply_to(service: TimelineService) -> None:
    db = service.index.db
    views: list[View] = [Timeline(), Statements()]
    with db.transaction() as tx:
        for view in views:
            for logical, (columns, _) in view.all_tables().items():
                older = columns.replace(" in_reply_to TEXT,", "").replace(", in_reply_to TEXT", "")
                assert "in_reply_to" not in older
                tx.execute(f"CREATE TABLE view_{logical}{SUFFIX} ({older})")
    with db.transaction() as tx:
        for view in views:
            view.create(tx, SUFFIX)
            view.create(tx, SUFFIX)  # twice: adds nothing the second time
    try:
        for logical in ("timeline", "statements"):
            assert db.query(f"SELECT in_reply_to FROM view_{logical}{SUFFIX}") == []
    finally:
        with db.transaction() as tx:
            for view in views:
                view.drop(tx, SUFFIX)
