"""Loading aggregates: snapshots taken from the saved aggregate, and the per-process cache."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient
from helpers import mediator_role, round_scheduled, talks_body

from api.routes.streams import new_event
from api.schemas import CreateIn, EventIn
from application.service import TimelineService
from store.application import TimelineApplication
from store.settings import Settings

INTERVAL = 100


def snapshot_versions(app: TimelineApplication, stream_id: str) -> list[int]:
    assert app.snapshots is not None
    return [s.originator_version for s in app.snapshots.get(UUID(stream_id))]


def test_a_batch_across_an_interval_leaves_one_snapshot_that_reads_like_a_full_replay(
    client: TestClient,
) -> None:
    app: TimelineApplication = client.app.state.service.app  # type: ignore[attr-defined]
    stream_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    mediators = [mediator_role(f"Mediator {n}") for n in range(2 * INTERVAL + 49)]
    for start in (0, 150):  # versions 2-151 (crosses 100), then 152-250 (crosses 200)
        batch = {"events": mediators[start : start + 150]}
        assert client.post(f"/talks/{stream_id}/events", json=batch).status_code == 201

    assert snapshot_versions(app, stream_id) == [151, 250]
    fresh = TimelineApplication(app.env)  # the same store, read without its snapshots
    try:
        replayed = fresh.events.get(UUID(stream_id))
        from_snapshot = app.repository.get(UUID(stream_id))
        state: dict[str, object] = {}
        for event in replayed:
            event.apply_to(state)  # type: ignore[attr-defined]
        assert from_snapshot.version == 250
        assert from_snapshot.state == state  # type: ignore[attr-defined]
        at_200 = app.repository.get(UUID(stream_id), version=200)
        assert at_200.version == 200
        assert len(at_200.state["mediators"]) < len(from_snapshot.state["mediators"])  # type: ignore[attr-defined]
    finally:
        fresh.close()


def test_a_cached_aggregate_is_brought_up_to_date_with_what_another_process_appended(
    settings: Settings,
) -> None:
    first = TimelineApplication(settings.eventsourcing_env())
    second = TimelineApplication(settings.eventsourcing_env())
    try:
        assert first.repository.cache is not None  # the cache is on: this is what is tested
        one, two = TimelineService(first), TimelineService(second)
        created = one.create("talks", new_event("talks", CreateIn.model_validate(talks_body())))
        stream_id = UUID(created.stream_id)
        for n in range(6):  # each service appends after the other: both caches go stale
            service = one if n % 2 == 0 else two
            body = EventIn.model_validate(mediator_role(f"Mediator {n}"))
            result = service.append("talks", stream_id, [new_event("talks", body)])
            assert result.version == n + 2
        for service in (one, two):
            state = service.state("talks", stream_id)
            assert [m["name"] for m in state["mediators"]] == [f"Mediator {n}" for n in range(6)]
    finally:
        first.close()
        second.close()


def test_a_batch_refused_midway_leaves_the_cached_aggregate_as_it_was(client: TestClient) -> None:
    stream_id = client.post("/talks", json=talks_body()).json()["stream_id"]
    warm = client.post(f"/talks/{stream_id}/events", json=mediator_role("Qatar"))
    assert warm.status_code == 201, warm.text  # the aggregate is in the cache now
    batch = [mediator_role("Vatican"), round_scheduled(2), round_scheduled(2, city="Ankara")]
    refused = client.post(f"/talks/{stream_id}/events", json={"events": batch})
    assert refused.status_code == 422, refused.text  # the third repeats round 2 undisputed

    appended = client.post(f"/talks/{stream_id}/events", json=mediator_role("Türkiye"))
    assert appended.status_code == 201, appended.text
    assert appended.json()["version"] == 3
    state = client.get(f"/talks/{stream_id}").json()
    assert [m["name"] for m in state["mediators"]] == ["Qatar", "Türkiye"]
    assert state["rounds"] == []
