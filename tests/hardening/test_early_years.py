"""Dates before the year 1000 are accepted and always written with four-digit years (RFC 3339)."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any

from fastapi.testclient import TestClient
from helpers import event_body, talks_body

#: Any date or time text that starts with a year of fewer than four digits.
SHORT_YEAR = re.compile(r'"(\d{1,3})-\d{2}-\d{2}')
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def _early_talks(client: TestClient) -> str:
    body = talks_body(occurred={"precision": "day", "value": "0999-06-01"})
    created = client.post("/talks", json=body)
    assert created.status_code == 201, created.text
    talks_id = str(created.json()["stream_id"])
    held = event_body("MediatorRoleAssumed", {"mediator": "Byzantium"},
                      occurred={"precision": "minute", "value": "0001-01-02T10:00:00+03:00"})  # fmt: skip
    appended = client.post(f"/talks/{talks_id}/events", json=held)
    assert appended.status_code == 201, appended.text
    return talks_id


def _texts(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _texts(item)]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    return []


def test_every_answer_writes_early_years_with_four_digits(client: TestClient) -> None:
    talks_id = _early_talks(client)
    head = client.get("/events").json()["events"][-1]["position"]
    answers = [
        client.get(f"/talks/{talks_id}/events"),
        client.get(f"/talks/{talks_id}", params={"at": "0999-12-31"}),
        client.get(f"/talks/{talks_id}/timeline", params={"min_position": head}),
        client.get(
            "/timeline", params={"from": "0001-01-01", "to": "0999-12-31", "min_position": head}
        ),
        client.get(f"/talks/{talks_id}/diff", params={"from": "0500-01-01", "to": "0999-12-31"}),
        client.get(f"/talks/{talks_id}/export", params={"format": "timelinejs"}),
    ]
    for answer in answers:
        assert answer.status_code == 200, answer.text
        assert not SHORT_YEAR.search(answer.text), answer.text
    diff = answers[4].json()
    assert diff["from"] == "0500-01-01T23:59:59.999999Z"
    assert diff["to"] == "0999-12-31T23:59:59.999999Z"
    timeline = answers[2].json()
    assert len(timeline) == 2
    times = [t for t in _texts(timeline) if re.match(r"^\d+-\d{2}-\d{2}T", t)]
    assert times
    assert all(RFC3339.match(t) for t in times), times


def test_the_cloudevents_and_csv_exports_keep_four_digit_years(client: TestClient) -> None:
    talks_id = _early_talks(client)
    lines = client.get(f"/talks/{talks_id}/export", params={"format": "cloudevents"}).text
    for line in lines.splitlines():
        assert RFC3339.match(json.loads(line)["time"])
        assert not SHORT_YEAR.search(line), line
    rows = list(csv.DictReader(io.StringIO(
        client.get(f"/talks/{talks_id}/export", params={"format": "csv"}).text)))  # fmt: skip
    assert {row["event_date"][:4] for row in rows} <= {"0999", "0001"}
