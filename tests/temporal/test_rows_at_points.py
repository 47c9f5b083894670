"""Timeline and statements at any point on both clocks, read from their own tables, equal the
views projected from the events of that point; their disputes equal the domain's fold."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any
from uuid import UUID

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.components import Components
from domain import temporal
from domain.base import NegotiationAggregate
from projections import queries
from projections.queries import Page
from projections.rows_at import Point
from store.serialize import iso
from tests.temporal.support import (
    append,
    body,
    create,
    day,
    fact,
    instant,
    random_family,
    retraction,
    settle,
    stream_events,
)

EVERYTHING = Page(limit=10_000)
#: Moments of the valid-time clock: before, amid and after the generated dates; None: whenever.
MOMENTS = (None, "2025-05-20", "2025-06-03", "2025-06-12", "2025-07-01")
PROPERTIES = settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def components_of(client: TestClient) -> Components:
    found: Components = client.app.state.components  # type: ignore[attr-defined]
    return found


def with_more_fixes(client: TestClient, seed: int) -> str:
    """A random family (facts, a dispute, corrected dates, retractions), and then what it lacks:
    a corrected value, quotes, an erratum and its retraction, a corrected delegation party."""
    rng = random.Random(seed)
    talks_id, family = random_family(client, seed)
    delegation = family[1][1]
    arrived = fact(client, "delegations", delegation, "DelegationArrived", {"city": "Doha"},
                   occurred=day(f"2025-06-{rng.randint(1, 20):02d}"))  # fmt: skip
    append(client, "delegations", delegation, body(
        "EventCorrected", {"corrects": arrived, "reason": "wrong city", "fields": {"city": "Istanbul"}},
        occurred=day("2025-05-01"),  # before its stream began: shown only once the stream is
    ))  # fmt: skip
    # A stream that began later, its fact corrected by a report dated before it began: the
    # correction is shown only from when the stream exists.
    later = create(client, "delegations", body(
        "DelegationAnnounced", {"talks_id": talks_id, "party": "Russia"}, occurred=day("2025-06-10"),
    ))  # fmt: skip
    moved = fact(client, "delegations", later, "DelegationArrived", {"city": "Doha"},
                 occurred=day("2025-06-11"))  # fmt: skip
    append(client, "delegations", later, body(
        "EventCorrected", {"corrects": moved, "reason": "wrong city", "fields": {"city": "Ankara"}},
        occurred=day("2025-05-01"),
    ))  # fmt: skip
    kind, stream = rng.choice(family)
    events = [e for e in stream_events(client, kind, stream) if e["type"] not in temporal_fixes()]
    noted = rng.choice(events)["event_id"]
    erratum = append(client, kind, stream, body(
        "SourceErrorNoted", {"event": noted, "error": "the wire misnamed it"},
    ))  # fmt: skip
    if rng.random() < 0.5:
        append(client, kind, stream, retraction(erratum, "the wire was right"))
    if rng.random() < 0.5:
        created = stream_events(client, "delegations", delegation)[0]["event_id"]
        append(client, "delegations", delegation, body(
            "EventCorrected", {"corrects": created, "reason": "the other side's delegation",
                               "fields": {"party": "Russia"}},
        ))  # fmt: skip
    settle(client)
    return talks_id


def temporal_fixes() -> tuple[str, ...]:
    return ("EventCorrected", "EventRetracted", "SourceErrorNoted")


def folded_disputes(
    components: Components, talks_id: str, upto: int, at: datetime | None
) -> set[str]:
    """The event ids the domain's fold lists under disputes, over the family's streams."""
    rows = components.projector.index.family(talks_id, upto=upto)
    newest: dict[str, int] = {}
    for row in rows:
        newest[row["stream_id"]] = max(newest.get(row["stream_id"], 0), row["version"])
    found: set[str] = set()
    for stream_id, version in newest.items():
        events = [
            e
            for e in components.application.events.get(UUID(stream_id), lte=version)
            if isinstance(e, NegotiationAggregate.Event)
        ]
        state = temporal.fold(events, at=at)
        for dispute in (state or {}).get("disputes", []):
            found.update(claim["event_id"] for claim in dispute["claims"])
    return found


def moment(text: str | None) -> datetime | None:
    return None if text is None else instant(f"{text}T00:00:00Z")


@PROPERTIES
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_rows_at_every_point_equal_the_projection_of_that_point(
    client: TestClient, seed: int
) -> None:
    talks_id = with_more_fixes(client, seed)
    components = components_of(client)
    db = components.application.database
    temporal_views = components.temporal
    assert temporal_views is not None
    family = db.query(
        "SELECT position, recorded_at FROM nt_event_index WHERE talks_id = ? ORDER BY position",
        (talks_id,),
    )
    disputed_somewhere = False
    for row in family:
        upto, as_of = row["position"], instant(row["recorded_at"])
        for text in MOMENTS:
            at = moment(text)
            point = Point(upto, iso(at) if at else None)
            copy = temporal_views.database(talks_id, as_of=as_of, at=at)
            arguments: dict[str, Any] = {
                "talks_id": talks_id, "kind": None, "actor": None, "date_from": None, "date_to": None,
                "page": EVERYTHING,
            }  # fmt: skip
            rows = queries.timeline(db, **arguments, point=point)
            assert rows == queries.timeline(copy, **arguments), (upto, text)
            said = {"speaker": None, "text": None, "talks_id": talks_id, "page": EVERYTHING}
            assert queries.statements(db, **said, point=point) == queries.statements(
                copy, **said
            ), (upto, text)
            disputed = {r["event_id"] for r in rows if r["disputed"]}
            assert disputed == folded_disputes(components, talks_id, upto, at), (upto, text)
            disputed_somewhere = disputed_somewhere or bool(disputed)
    assert disputed_somewhere  # the family's rival claims of round 99 make a dispute
    # Pages at a point, of any size and offset, are the slices of the whole list.
    head = family[-1]["position"]
    for text in (None, "2025-06-03"):
        at = moment(text)
        point = Point(head, iso(at) if at else None)
        arguments = {"talks_id": talks_id, "kind": None, "actor": None, "date_from": None,
                     "date_to": None}  # fmt: skip
        whole = queries.timeline(db, **arguments, page=EVERYTHING, point=point)
        quotes = queries.statements(
            db, speaker=None, text=None, talks_id=talks_id, page=EVERYTHING, point=point
        )
        for size in (1, 3):
            for offset in range(0, len(whole) + 1, size):
                page = Page(limit=size, offset=offset)
                got = queries.timeline(db, **arguments, page=page, point=point)
                assert got == whole[offset : offset + size], (text, size, offset)
            for offset in range(0, len(quotes) + 1, size):
                page = Page(limit=size, offset=offset)
                got = queries.statements(
                    db, speaker=None, text=None, talks_id=talks_id, page=page, point=point
                )
                assert got == quotes[offset : offset + size], (text, size, offset)


def test_time_travel_reads_of_the_timeline_build_nothing(client: TestClient) -> None:
    talks_id = with_more_fixes(client, 7)
    temporal_views = components_of(client).temporal
    assert temporal_views is not None
    builds = temporal_views.builds
    for path in (f"/talks/{talks_id}/timeline", "/timeline", "/statements"):
        for params in ({"at": "2025-06-05T00:00:00Z"}, {"as_of": "2025-01-01T00:00:00Z"}):
            response = client.get(path, params=params)
            assert response.status_code == 200, response.text
    assert temporal_views.builds == builds
    before = client.get(f"/talks/{talks_id}/timeline", params={"as_of": "2025-01-01T00:00:00Z"})
    assert before.json() == []  # nothing of it was recorded in January 2025
