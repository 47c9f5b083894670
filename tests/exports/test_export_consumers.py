"""Each export read by what its users read it with: PLOVER's manual (as a JSON Schema), ACLED's
codebook columns, the official CloudEvents SDK (both forms), and the views' clocks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any
from uuid import UUID

import jsonschema
import pytest
from cloudevents.core.formats.json import JSONFormat
from export_support import TALKS, build_family, lines
from export_support import record as record_event
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.demo import TALKS_ID, load_demo
from application.exports import acled_date
from application.importer import import_file
from application.service import TimelineService
from domain.occurrence import Occurrence

SCHEMAS = Path(__file__).resolve().parent / "schemas"
#: ACLED's columns in ACLED's order, from ACLED's codebook (2023 onwards).
ACLED = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
]  # fmt: skip
#: ACLED's sub-event types of Strategic developments.
ACLED_STRATEGIC = {
    "Agreement", "Arrests", "Change to group/activity", "Disrupted weapons use",
    "Headquarters or base established", "Looting/property destruction",
    "Non-violent transfer of territory", "Other",
}  # fmt: skip


@pytest.fixture
def both(service: TimelineService, client: TestClient) -> dict[str, str]:
    """The demo and the test family (every precision, a correction, a retraction, a dispute),
    with an agreement in the family."""
    load_demo(service)
    ids = build_family(service)
    ids["agreement"] = record_event(
        service, "talks", TALKS,
        {"type": "AgreementReached",
         "data": {"title": "Prisoner exchange", "parties": ["Ukraine", "Russia"]},
         "occurred": {"precision": "day", "value": "2025-05-17"}},
    )  # fmt: skip
    return ids


def export(client: TestClient, talks_id: UUID, fmt: str, **params: str) -> Any:
    response = client.get(f"/talks/{talks_id}/export", params={"format": fmt, **params})
    assert response.status_code == 200, response.text
    return response


# PLOVER


@pytest.fixture(scope="module")
def plover_schema() -> jsonschema.Draft202012Validator:
    schema = json.loads((SCHEMAS / "plover.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


@pytest.mark.parametrize("talks_id", [TALKS_ID, TALKS])
def test_every_plover_line_validates_against_the_manuals_schema(
    both: dict[str, str],
    client: TestClient,
    plover_schema: jsonschema.Draft202012Validator,
    talks_id: UUID,
) -> None:
    records = lines(export(client, talks_id, "plover").text)

    assert len(records) >= 5
    for record in records:
        errors = [f"{e.json_path}: {e.message}" for e in plover_schema.iter_errors(record)]
        assert errors == [], record["id"]


@pytest.mark.parametrize(
    "broken",
    [
        {"id": 7},  # a string
        {"event": ["DEMAND"]},  # no longer a category
        {"event": ["OTHER"]},  # never one
        {"event": "CONSULT"},  # a list in PLOVER
        {"actor": {"code": "USA"}},  # a list in PLOVER
        {"date": None},
        {"event": ["CONSULT"], "mode": ["withdraw"]},  # not a CONSULT mode
        {"event": ["CONSULT"], "quad_code": 3},  # CONSULT is verbal cooperation
    ],
)
def test_the_plover_schema_refuses_what_the_manual_does_not_allow(
    plover_schema: jsonschema.Draft202012Validator, broken: dict[str, Any]
) -> None:
    record = {"id": "x", "date": "2016-07-24", "actor": [{"code": "USA"}], "event": ["CONSULT"]}
    assert plover_schema.is_valid(record)  # the manual's simplest record

    record = {key: value for key, value in record.items() if key not in {"event"} | set(broken)}
    record |= broken
    if "event" not in record:
        record["event"] = ["CONSULT"]

    assert not plover_schema.is_valid(record)


# ACLED-style CSV


def test_the_csv_has_acleds_columns_in_acleds_order_then_ours(
    both: dict[str, str], client: TestClient
) -> None:
    header = next(csv.reader(io.StringIO(export(client, TALKS_ID, "csv").text)))

    assert header[: len(ACLED)] == ACLED
    assert {"event_id", "nt_event_type", "cameo_code", "precision"} <= set(header[len(ACLED) :])
    assert len(header) == len(set(header))


def test_the_csv_uses_acleds_event_types_and_keeps_ours_apart(
    both: dict[str, str], client: TestClient
) -> None:
    rows = {
        r["event_id"]: r for r in csv.DictReader(io.StringIO(export(client, TALKS, "csv").text))
    }

    agreement = rows[both["agreement"]]
    assert (agreement["disorder_type"], agreement["event_type"], agreement["sub_event_type"]) == (
        "Strategic developments",
        "Strategic developments",
        "Agreement",
    )
    assert agreement["nt_event_type"] == "AgreementReached"
    assert agreement["event_id_cnty"] == both["agreement"]
    for row in rows.values():
        assert row["event_type"] == "Strategic developments"
        assert row["sub_event_type"] in ACLED_STRATEGIC
    held = rows[both["round1-held"]]
    assert held["source"] == "Test Wire"  # ACLED's source: the outlet
    assert held["fatalities"] == held["iso"] == held["inter1"] == ""  # nothing we know


def test_the_csv_keeps_cameo_codes_as_quoted_text(both: dict[str, str], client: TestClient) -> None:
    text = export(client, TALKS_ID, "csv").text
    reader = csv.reader(io.StringIO(text), quoting=csv.QUOTE_NONNUMERIC)  # bare cells: numbers
    header = [str(cell) for cell in next(reader)]
    rows = [dict(zip(header, row, strict=True)) for row in reader]

    consulted = next(row for row in rows if row["nt_event_type"] == "MediatorConsulted")
    assert consulted["cameo_code"] == "041"
    assert consulted["year"] == 2025.0
    assert consulted["time_precision"] == 1.0
    assert isinstance(consulted["timestamp"], float)


@pytest.mark.parametrize(
    ("occurred", "expected"),
    [
        (Occurrence("day", "2025-06-01"), ("2025-06-01", 1)),
        (Occurrence("minute", "2025-05-31T23:30-04:00"), ("2025-05-31", 1)),  # its own day
        (Occurrence("day", "2025-06-01", uncertain=True), ("2025-06-01", 2)),
        (Occurrence("interval", "2025-05-23/2025-05-25"), ("2025-05-24", 2)),  # a weekend
        (Occurrence("interval", "2025-05-19/2025-05-25"), ("2025-05-22", 2)),  # a week
        (Occurrence("interval", "2025-05-01/2025-05-20"), ("2025-05-10", 3)),  # longer
        (Occurrence("month", "2025-07"), ("2025-07-15", 3)),
        (Occurrence("unknown"), ("", None)),
    ],
)
def test_acled_dates_and_time_precision(
    occurred: Occurrence, expected: tuple[str, int | None]
) -> None:
    assert acled_date(occurred) == expected


def test_the_csv_before_acleds_layout_stays_as_csv_v1(
    both: dict[str, str], client: TestClient
) -> None:
    rows = list(csv.DictReader(io.StringIO(export(client, TALKS_ID, "csv-v1").text)))

    assert list(rows[0])[:4] == ["event_id", "event_date", "year", "time_precision"]
    assert {row["event_type"] for row in rows} >= {"MediatorConsulted", "DelegationAnnounced"}


# CloudEvents, read by the official SDK


def test_the_sdk_reads_every_cloudevents_line(
    both: dict[str, str], client: TestClient, service: TimelineService
) -> None:
    raw = export(client, TALKS, "cloudevents").text.splitlines()

    events = [JSONFormat().read(None, line) for line in raw]

    assert [event.get_id() for event in events] == [json.loads(line)["id"] for line in raw]
    demand = next(event for event in events if event.get_id() == both["demand"])
    assert demand.get_specversion() == "1.0"
    assert demand.get_type() == "org.negotiation-timeline.DemandMade.v1"
    assert demand.get_extension("correctedby") == both["demand-corrected"]
    data = demand.get_data()
    assert isinstance(data, dict)
    assert data["data"]["demand"] == "a ceasefire"


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"format": "cloudevents-batch"}, {}),
        ({}, {"Accept": "application/cloudevents-batch+json"}),
        ({"format": "cloudevents"}, {"Accept": "application/cloudevents-batch+json"}),
    ],
)
def test_the_sdk_reads_the_batch_by_format_or_accept(
    both: dict[str, str], client: TestClient, params: dict[str, str], headers: dict[str, str]
) -> None:
    lined = export(client, TALKS, "cloudevents").text.splitlines()
    response = client.get(f"/talks/{TALKS}/export", params=params, headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/cloudevents-batch+json"
    batch = response.json()
    assert isinstance(batch, list)  # the batch format: one JSON array of structured events
    events = [JSONFormat().read(None, json.dumps(element)) for element in batch]
    assert [event.get_id() for event in events] == [json.loads(line)["id"] for line in lined]
    assert events[0].get_extension("talksid") == str(TALKS)


def test_the_importer_reads_the_batch_back(
    both: dict[str, str], client: TestClient, service: TimelineService, tmp_path: Path
) -> None:
    path = tmp_path / "talks.cloudevents.json"
    path.write_bytes(export(client, TALKS, "cloudevents-batch").content)

    report = import_file(service, path)  # into the store it came from: all present already

    assert report.errors == []
    assert report.read == len(json.loads(path.read_text()))
    assert report.appended == 0


# Clocks


def recorded_at(client: TestClient, kind: str, stream: UUID, event_id: str) -> str:
    events = client.get(f"/{kind}/{stream}/events").json()
    return next(e["recorded_at"] for e in events if e["event_id"] == event_id)


@pytest.mark.parametrize("fmt", ["timelinejs", "csv", "csv-v1", "plover", "cloudevents"])
def test_every_export_reads_as_of_a_record_time(
    both: dict[str, str], client: TestClient, fmt: str
) -> None:
    before_correction = recorded_at(client, "talks", TALKS, both["consulted"])

    now = export(client, TALKS, fmt).text
    then = export(client, TALKS, fmt, as_of=before_correction).text

    # The delegation and position were recorded after the consultation: not known then.
    assert both["delegation"] in now
    assert both["delegation"] not in then
    assert both["demand"] not in then
    assert both["proposed"] in then


def test_as_of_shows_a_fact_before_its_correction(both: dict[str, str], client: TestClient) -> None:
    before = recorded_at(client, "positions", UUID("7a1c0000-0000-4000-8000-000000000003"),
                         both["demand"])  # fmt: skip

    rows = {r["event_id"]: r for r in csv.DictReader(
        io.StringIO(export(client, TALKS, "csv", as_of=before).text))}  # fmt: skip

    demand = rows[both["demand"]]
    assert (demand["corrected"], demand["occurred"]) == ("false", "2025-05-15")
    assert "a full and unconditional ceasefire" not in demand["notes"]


@pytest.mark.parametrize("fmt", ["timelinejs", "csv", "plover"])
def test_every_export_reads_at_a_valid_time(
    both: dict[str, str], client: TestClient, fmt: str
) -> None:
    text = export(client, TALKS, fmt, at="2025-05-12").text

    assert both["proposed"] in text  # 1 May
    assert both["round1-scheduled"] in text  # 10 May
    assert both["round1-held"] not in text  # 16 May: not yet
    assert both["agreement"] not in text  # 17 May: not yet


def test_the_timelinejs_export_at_a_time_keeps_undated_facts_in_the_title(
    both: dict[str, str], client: TestClient
) -> None:
    document = export(client, TALKS, "timelinejs", at="2025-05-12").json()

    assert "Türkiye acts as mediator" in document["title"]["text"]["text"]  # undated: counts


def test_cloudevents_at_a_time_keep_each_streams_creation(
    both: dict[str, str], client: TestClient
) -> None:
    ids = [e["id"] for e in lines(export(client, TALKS, "cloudevents", at="2025-05-12").text)]

    assert both["proposed"] in ids
    assert both["delegation"] in ids  # announced 11 May
    assert both["round1-held"] not in ids
    assert both["position"] in ids  # 10 May


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"as_of": "2000-01-01T00:00:00Z"}, 404),  # not yet recorded
        ({"as_of": "2025-05-12"}, 422),  # a record time needs a time and offset
        ({"at": "yesterday"}, 422),
    ],
)
def test_clocks_out_of_range_or_malformed_are_problems(
    both: dict[str, str], client: TestClient, params: dict[str, str], problem: int
) -> None:
    response = client.get(f"/talks/{TALKS}/export", params={"format": "csv", **params})

    if problem == 404:
        assert_problem(response, 404, slug="not-found")
    else:
        assert_problem(response, 422, parameter=next(iter(params)))


def test_a_talks_none_of_whose_facts_had_happened_is_a_404(
    service: TimelineService, client: TestClient
) -> None:
    talks = UUID(int=99)
    record_event(
        service, "talks", talks,
        {"type": "TalksProposed", "data": {"title": "T", "parties": ["Ukraine", "Russia"]},
         "occurred": {"precision": "day", "value": "2025-06-01"}},
        creates=True,
    )  # fmt: skip

    response = client.get(f"/talks/{talks}/export", params={"at": "2025-05-31"})

    assert_problem(response, 404, slug="not-found")
    assert export(client, talks, "csv", at="2025-06-01").status_code == 200
