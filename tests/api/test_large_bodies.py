"""Bodies written straight to JSON (api/responses/large.py) are what their route's model says:
every key the model names, nothing it does not, each value of its type."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from api.responses.large import SLICE, chunks, dumps
from api.responses.views import TalksDiff
from tests.temporal.support import random_family, record_points


@pytest.mark.parametrize("seed", [4, 5])
def test_diffs_on_both_axes_are_what_the_diff_model_describes(
    client: TestClient, seed: int
) -> None:
    talks, streams = random_family(client, seed)
    points = record_points(client, streams)
    asked = [
        {"from": "2025-05-20", "to": "2025-06-25", "axis": "occurred"},
        {"from": points[0], "to": points[-1], "axis": "recorded"},
    ]
    for params in asked:
        response = client.get(f"/talks/{talks}/diff", params=params)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        body = response.json()
        assert body["changes"], params
        model = TalksDiff.model_validate(body)  # closed: an unknown key fails
        assert model.model_dump(by_alias=True, mode="json") == body


def test_a_value_orjson_refuses_is_written_all_the_same() -> None:
    assert dumps({"count": 2**70, "name": "Türkiye"}) == (
        '{"count":1180591620717411303424,"name":"Türkiye"}'.encode()
    )
    assert dumps({"count": 3}) == b'{"count":3}'


@pytest.mark.parametrize("items", [0, 1, SLICE - 1, SLICE, SLICE + 1, 2 * SLICE + 7])
def test_a_streamed_body_is_the_json_text_of_the_whole(items: int) -> None:
    body = {"talks_id": "t", "changes": [{"path": f"/rounds/{i}", "events": ["e"]} for i in range(items)],
            "count": 2**70, "corrections": [], "nested": {"a": [1, 2]}}  # fmt: skip
    text = b"".join(chunks(body))
    assert json.loads(text) == body
    assert text == json.dumps(body, separators=(",", ":")).encode()
