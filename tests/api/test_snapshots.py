"""Snapshots: taken from the saved aggregate when a save crosses a multiple of the interval."""

from __future__ import annotations

from uuid import UUID

from fastapi.testclient import TestClient
from helpers import mediator_role, talks_body

from store.application import TimelineApplication

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
