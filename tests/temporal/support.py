"""Shared helpers of the temporal tests: bodies with distinct sources, appends, reads on both clocks.

Imported as ``tests.temporal.support`` (tests/projections has a ``support`` module of its own).
"""

from __future__ import annotations

import itertools
import random
import time
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient

from application.demo import STREAMS, demo_id, load_demo

Streams = list[tuple[str, str]]
CORRECTIONS = ("EventCorrected", "EventRetracted")
UNKNOWN: dict[str, Any] = {"precision": "unknown"}
FAR_FUTURE_DAY = "9000-01-01"
FAR_FUTURE = "9000-01-01T12:00:00Z"
_numbers = itertools.count(1)


def day(value: str) -> dict[str, Any]:
    """A day-precise occurrence."""
    return {"precision": "day", "value": value}


def minute(value: str) -> dict[str, Any]:
    """A minute-precise occurrence (an RFC 3339 time with its offset)."""
    return {"precision": "minute", "value": value}


def a_source(url: str | None = None, quote: str | None = None) -> dict[str, Any]:
    """A source no other event shares unless its url and quote are given."""
    number = next(_numbers)
    return {
        "url": url or f"https://example.org/news/{number}",
        "quote": quote or f"verbatim quote {number}",
    }


def body(
    event_type: str,
    data: dict[str, Any] | None = None,
    *,
    occurred: dict[str, Any] | None = None,
    sources: list[dict[str, Any]] | None = None,
    **envelope: Any,
) -> dict[str, Any]:
    """A request body, dated 2 June 2025 and with a source of its own unless told otherwise."""
    return {
        "type": event_type,
        "data": data or {},
        "occurred": occurred or day("2025-06-02"),
        "sources": sources or [a_source()],
        **envelope,
    }


def correction(
    target: str,
    *,
    fields: dict[str, Any] | None = None,
    occurred: dict[str, Any] | None = None,
    reason: str = "the first report was wrong",
) -> dict[str, Any]:
    """An EventCorrected body for ``target``."""
    data: dict[str, Any] = {"corrects": target, "reason": reason}
    if fields is not None:
        data["fields"] = fields
    if occurred is not None:
        data["occurred"] = occurred
    return body("EventCorrected", data)


def retraction(target: str, reason: str = "it never happened") -> dict[str, Any]:
    """An EventRetracted body for ``target``."""
    return body("EventRetracted", {"retracts": target, "reason": reason})


def create(client: TestClient, kind: str, request: dict[str, Any]) -> str:
    """Open a stream; its id."""
    response = client.post(f"/{kind}", json=request)
    assert response.status_code == 201, response.text
    return str(response.json()["stream_id"])


def new_talks(client: TestClient, occurred: dict[str, Any] | None = None) -> str:
    """A new Talks (proposed on 1 June 2025 unless told otherwise); its id."""
    data = {"title": "Test talks", "parties": ["Ukraine", "Russia"]}
    return create(
        client, "talks", body("TalksProposed", data, occurred=occurred or day("2025-06-01"))
    )


def append(client: TestClient, kind: str, stream_id: str, request: dict[str, Any]) -> str:
    """Append one event; its event id.

    After a correction or retraction, waits until every view has re-projected the family, so
    that what follows meets views that know it.
    """
    response = client.post(f"/{kind}/{stream_id}/events", json=request)
    assert response.status_code == 201, response.text
    if request["type"] in CORRECTIONS:
        settle(client)
    return str(response.json()["events"][0]["event_id"])


def settle(client: TestClient, timeout: float = 15.0) -> None:
    """Wait until every view has applied the whole log (or has failed)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        views = client.get("/projections").json()
        if all(v["position"] >= head(client) or v["state"] == "failed" for v in views):
            return
        time.sleep(0.02)
    raise AssertionError(f"the views did not catch up within {timeout} s: {views}")


def state(client: TestClient, kind: str, stream_id: str, **params: str) -> dict[str, Any]:
    """A stream's state on the clocks asked (200 expected)."""
    response = client.get(f"/{kind}/{stream_id}", params=params)
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


def stream_events(client: TestClient, kind: str, stream_id: str) -> list[dict[str, Any]]:
    """Every event of a stream, as GET /{kind}/{id}/events lists them."""
    response = client.get(f"/{kind}/{stream_id}/events")
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def recorded_at(client: TestClient, kind: str, stream_id: str, event_id: str) -> str:
    """When an event was recorded (RFC 3339, UTC)."""
    for event in stream_events(client, kind, stream_id):
        if event["event_id"] == event_id:
            return str(event["recorded_at"])
    raise AssertionError(f"no event {event_id} in {kind} {stream_id}")


def instant(text: str) -> datetime:
    """An RFC 3339 text as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def just_before(recorded: str) -> str:
    """One microsecond before a record time: what was known until just then."""
    return (instant(recorded) - timedelta(microseconds=1)).isoformat()


def head(client: TestClient) -> int:
    """The newest position of the log (for ``min_position``: the live views have caught up)."""
    position: int = client.app.state.service.head()  # type: ignore[attr-defined]
    return position


def load_the_demo(client: TestClient) -> None:
    """Record the demo through the app's own service; the views then catch up."""
    load_demo(client.app.state.service)  # type: ignore[attr-defined]
    settle(client)


def demo_recorded_at(client: TestClient, key: str, kind: str = "talks") -> str:
    """When a demo fact (by its key in application/demo.py) was recorded."""
    return recorded_at(client, kind, str(STREAMS[kind]), str(demo_id(f"event:{key}")))


def get_list(client: TestClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """A view read (200 expected)."""
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


def fact(
    client: TestClient, kind: str, stream: str, event_type: str, data: dict[str, Any], **kw: Any
) -> str:
    """Append one fact built by ``body``; its event id."""
    return append(client, kind, stream, body(event_type, data, **kw))


def random_family(client: TestClient, seed: int) -> tuple[str, Streams]:
    """A Talks with a delegation and a position: random facts and dates (none before the
    streams' creation), a dispute, then corrections of dates and retractions."""
    rng = random.Random(seed)

    def when() -> dict[str, Any]:
        return UNKNOWN if rng.random() < 0.15 else day(f"2025-06-{rng.randint(1, 20):02d}")

    def opened() -> dict[str, Any]:
        return rng.choice([UNKNOWN, day("2025-05-25")])

    talks = new_talks(client, occurred=opened())
    family = [("talks", talks)] + [
        (kind, create(client, kind, body(kind_type, {"talks_id": talks, "party": party}, occurred=opened())))
        for kind, kind_type, party in [("delegations", "DelegationAnnounced", "Ukraine"), ("positions", "PositionTaken", "Russia")]
    ]  # fmt: skip
    city = lambda: rng.choice(["Istanbul", "Doha"])  # noqa: E731
    facts = [
        (0, "MediatorRoleAssumed", lambda i: {"mediator": rng.choice(["Türkiye", "Vatican"]), "role": f"r{i}"}),
        (0, "RoundScheduled", lambda i: {"number": i, "city": city()}),
        (0, "DocumentExchanged", lambda i: {"title": f"Memo {i}", "from_party": "A", "to_party": "B"}),
        (0, "ThirdPartiesExpected", lambda i: {"parties": [f"Party {i}"]}),
        (1, "DelegationMemberAdded", lambda i: {"member": {"name": f"Member {i}"}}),
        (1, "DelegationArrived", lambda i: {"city": city()}),
        (2, "PrioritiesStated", lambda i: {"priorities": [f"priority {i}"]}),
        (2, "DemandMade", lambda i: {"demand": f"demand {i}"}),
    ]  # fmt: skip
    recorded = []
    for index in range(1, 15):
        which, name, data = rng.choice(facts)
        kind, stream = family[which]
        recorded.append(
            (kind, stream, fact(client, kind, stream, name, data(index), occurred=when()))
        )
    for city_name, modality in (("Istanbul", "planned"), ("Ankara", "disputed")):
        rival = {"number": 99, "city": city_name}
        fact(client, "talks", talks, "RoundScheduled", rival, occurred=when(), modality=modality)
    for kind, stream, event_id in rng.sample(recorded, 4):
        fix = retraction(event_id) if rng.random() < 0.3 else correction(event_id, occurred=when())
        append(client, kind, stream, fix)
    return talks, family


def record_points(client: TestClient, streams: Streams) -> list[str]:
    """Record times: before the first event, then between every fourth, then the last."""
    times = sorted(e["recorded_at"] for kind, s in streams for e in stream_events(client, kind, s))
    return [just_before(times[i]) for i in range(0, len(times), 4)] + [times[-1]]
