"""The views over HTTP: read-your-writes with min_position, 503 when behind, status and rebuilds."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem
from support import UNKNOWN, VIEWS, body

from api.app import create_app
from store.settings import Settings

FAR_BEYOND = 10**12
REBUILD_TIMEOUT = 10.0


def post(client: TestClient, path: str, json: dict[str, Any]) -> dict[str, Any]:
    response = client.post(path, json=json)
    assert response.status_code == 201, response.text
    answer: dict[str, Any] = response.json()
    return answer


def talks(client: TestClient) -> str:
    data = {"title": "HTTP talks", "parties": ["Ukraine", "Russia"]}
    return str(post(client, "/talks", body("TalksProposed", data, occurred=UNKNOWN))["stream_id"])


def read(client: TestClient, path: str, min_position: int) -> list[dict[str, Any]]:
    response = client.get(path, params={"min_position": min_position})
    assert response.status_code == 200, response.text
    rows: list[dict[str, Any]] = response.json()
    return rows


def test_each_view_answers_with_the_callers_own_write_at_once(client: TestClient) -> None:
    created = post(client, "/talks", body("TalksProposed", {"title": "Mine", "parties": ["A"]}))
    talks_id = created["stream_id"]
    assert [t["id"] for t in read(client, "/talks", created["position"])] == [talks_id]
    entries = read(client, f"/talks/{talks_id}/timeline", created["position"])
    assert [e["position"] for e in entries] == [created["position"]]

    data = {"talks_id": talks_id, "party": "A", "head": {"name": "Head A"}}
    delegation = post(client, "/delegations", body("DelegationAnnounced", data))
    [found] = read(client, f"/talks/{talks_id}/delegations", delegation["position"])
    assert found["head"]["name"] == "Head A"

    position = post(
        client, "/positions", body("PositionTaken", {"talks_id": talks_id, "party": "A"})
    )
    said = body(
        "PrioritiesStated", {"priorities": ["peace"], "speaker": "Envoy A"}, quotes=("peace first",)
    )
    stated = post(client, f"/positions/{position['stream_id']}/events", said)
    [found] = read(client, f"/talks/{talks_id}/positions", stated["position"])
    assert found["priorities"] == ["peace"]
    assert [s["quote"] for s in read(client, "/statements", stated["position"])] == ["peace first"]
    assert [e["position"] for e in read(client, "/timeline", stated["position"])][-1] == stated[
        "position"
    ]


@pytest.fixture
def impatient(settings: Settings, admin_token: str) -> Iterator[TestClient]:
    """The app, waiting at most 0.3 s for a view to reach a min_position."""
    quick = settings.model_copy(update={"read_wait_seconds": 0.3})
    headers = {"Authorization": f"Bearer {admin_token}"}
    with TestClient(create_app(quick), raise_server_exceptions=False, headers=headers) as client:
        yield client


@pytest.mark.parametrize(
    "path",
    [
        "/talks",
        "/timeline",
        "/statements",
        "{talks}/timeline",
        "{talks}/positions",
        "{talks}/delegations",
    ],
)
def test_a_min_position_beyond_the_head_is_refused_at_once(
    impatient: TestClient, path: str
) -> None:
    path = path.format(talks=f"/talks/{talks(impatient)}")
    response = impatient.get(path, params={"min_position": FAR_BEYOND})
    problem = assert_problem(response, 409, parameter="min_position", slug="position-unknown")
    assert str(FAR_BEYOND) in problem["detail"]


def test_the_projections_list_every_view_with_its_position_lag_and_state(
    client: TestClient,
) -> None:
    talks_id = talks(client)
    head = post(
        client, f"/talks/{talks_id}/events", body("MediatorRoleAssumed", {"mediator": "X"})
    )["position"]
    for path in ("/talks", f"/talks/{talks_id}/timeline", "/statements"):
        read(client, path, head)
    read(client, f"/talks/{talks_id}/positions", head)
    read(client, f"/talks/{talks_id}/delegations", head)

    response = client.get("/projections")
    assert response.status_code == 200
    statuses = response.json()
    assert [s["name"] for s in statuses] == list(VIEWS)
    for status in statuses:
        assert {"position", "head", "lag_events", "lag_seconds", "state", "last_error"} <= set(
            status
        )
        assert (status["position"], status["head"], status["lag_events"]) == (head, head, 0)
        assert (status["lag_seconds"], status["state"], status["last_error"]) == (
            0,
            "running",
            None,
        )


def wait_for_rebuilt(client: TestClient, name: str) -> dict[str, Any]:
    deadline = time.monotonic() + REBUILD_TIMEOUT
    while time.monotonic() < deadline:
        [status] = [s for s in client.get("/projections").json() if s["name"] == name]
        if status["state"] == "running" and status["last_error"] is None:
            return status
        time.sleep(0.05)
    pytest.fail(f"{name} was not rebuilt within {REBUILD_TIMEOUT} s")


def test_a_rebuild_over_http_returns_to_running_with_the_same_checksum(client: TestClient) -> None:
    talks_id = talks(client)
    for n in range(30):
        last = post(
            client, f"/talks/{talks_id}/events", body("MediatorRoleAssumed", {"mediator": f"M{n}"})
        )
    read(client, "/timeline", last["position"])
    before = client.get("/projections/timeline/checksum").json()
    assert before["position"] == last["position"]
    # A mark only a finished rebuild clears, so that the poll below cannot end too early.
    database = client.app.state.components.application.database  # type: ignore[attr-defined]
    with database.transaction() as tx:
        tx.execute("UPDATE nt_projection_tracking SET last_error = 'old' WHERE view = 'timeline'")

    response = client.post("/projections/timeline/rebuild")
    assert response.status_code == 202
    assert response.json()["name"] == "timeline"
    status = wait_for_rebuilt(client, "timeline")
    assert (status["position"], status["rebuild_position"]) == (last["position"], None)
    assert client.get("/projections/timeline/checksum").json() == before
    assert len(read(client, f"/talks/{talks_id}/timeline", last["position"])) == 31


def test_an_unknown_view_is_a_404_problem(client: TestClient) -> None:
    assert (
        "no-such-view"
        in assert_problem(client.get("/projections/no-such-view/checksum"), 404)["detail"]
    )
    assert_problem(client.post("/projections/no-such-view/rebuild"), 404)


@pytest.mark.parametrize("view", ["timeline", "positions", "delegations"])
def test_the_views_of_an_unknown_talks_are_a_404_problem(client: TestClient, view: str) -> None:
    talks_id = talks(client)
    delegation = post(
        client, "/delegations", body("DelegationAnnounced", {"talks_id": talks_id, "party": "A"})
    )
    for unknown in (uuid.uuid4(), delegation["stream_id"]):  # no stream, or no Talks
        assert_problem(client.get(f"/talks/{unknown}/{view}"), 404)
    assert client.get(f"/talks/{talks_id}/{view}").status_code == 200
