"""GET /talks/{id}/export in each format, on the demo and on a family with every date precision."""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any
from uuid import UUID

import pytest
from export_support import (
    DELEGATION,
    POSITION,
    TALKS,
    TRICKY_QUOTE,
    build_family,
    lines,
)
from export_support import record as record_event
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.dates import display_date
from application.demo import DELEGATION_ID, POSITION_ID, TALKS_ID, load_demo
from application.exports import (
    CSV_COLUMNS,
    PLOVER,
    PLOVER_CATEGORIES,
    plover_entity,
)
from application.service import TimelineService
from domain import temporal
from domain.catalogue import EVENT_TYPES
from domain.occurrence import Occurrence

RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")
CLOUDEVENTS_CORE = {"specversion", "id", "source", "type", "subject", "time", "datacontenttype",
                    "dataschema", "data", "data_base64"}  # fmt: skip
DEMO_STREAMS = (TALKS_ID, DELEGATION_ID, POSITION_ID)
FAMILY_STREAMS = (TALKS, DELEGATION, POSITION)
#: What a TimelineJS date may hold at each precision.
ALLOWED_PARTS = {
    "minute": {"year", "month", "day", "hour", "minute"},
    "day": {"year", "month", "day"},
    "month": {"year", "month"},
}


@pytest.fixture
def demo(service: TimelineService, client: TestClient) -> TestClient:
    """The app over a store with the demo loaded."""
    assert load_demo(service) > 0
    return client


@pytest.fixture
def family(service: TimelineService, client: TestClient) -> dict[str, str]:
    """The test family (every precision, a correction, a retraction, a dispute) in the store."""
    return build_family(service)


def export(client: TestClient, talks_id: UUID, fmt: str) -> Any:
    response = client.get(f"/talks/{talks_id}/export", params={"format": fmt})
    assert response.status_code == 200, response.text
    return response


def standing_facts(service: TimelineService, streams: tuple[UUID, ...]) -> list[temporal.Fact]:
    """The facts an export shows: neither corrections nor retracted."""
    found = []
    for stream in streams:
        for fact in temporal.facts(service.events_of(stream)):
            # An erratum is a note on its target's row or slide, not a fact of its own.
            erratum = fact.event.type_name() == "SourceErrorNoted"
            if not fact.is_correction and not erratum and fact.retracted_by is None:
                found.append(fact)
    return found


# The route


@pytest.mark.parametrize(
    ("fmt", "media_type", "extension"),
    [
        ("timelinejs", "application/json", "timelinejs.json"),
        ("csv", "text/csv", "csv"),
        ("csv-v1", "text/csv", "v1.csv"),
        ("cloudevents", "application/x-ndjson", "cloudevents.jsonl"),
        ("cloudevents-batch", "application/cloudevents-batch+json", "cloudevents.json"),
        ("plover", "application/x-ndjson", "plover.jsonl"),
    ],
)
def test_every_format_is_an_attachment_named_after_the_talks(
    demo: TestClient, fmt: str, media_type: str, extension: str
) -> None:
    response = export(demo, TALKS_ID, fmt)

    assert response.headers["content-type"].split(";")[0] == media_type
    assert response.headers["content-disposition"] == (
        f'attachment; filename="talks-{TALKS_ID}.{extension}"'
    )


def test_an_unknown_talks_is_a_404_problem(demo: TestClient) -> None:
    response = demo.get(f"/talks/{UUID(int=7)}/export", params={"format": "csv"})

    assert_problem(response, 404, slug="not-found")


def test_a_delegation_id_is_no_talks(demo: TestClient) -> None:
    response = demo.get(f"/talks/{DELEGATION_ID}/export", params={"format": "csv"})

    assert_problem(response, 404, slug="not-found")


def test_an_unknown_format_is_a_422_problem_naming_the_parameter(demo: TestClient) -> None:
    response = demo.get(f"/talks/{TALKS_ID}/export", params={"format": "xlsx"})

    assert_problem(response, 422, parameter="format")


def test_exports_are_open_to_readers_without_a_key(
    service: TimelineService, anonymous: TestClient
) -> None:
    load_demo(service)

    assert anonymous.get(f"/talks/{TALKS_ID}/export", params={"format": "csv"}).status_code == 200


def test_the_default_format_is_timelinejs(demo: TestClient) -> None:
    response = demo.get(f"/talks/{TALKS_ID}/export")

    assert response.status_code == 200
    assert set(response.json()) == {"title", "events", "eras"}


# TimelineJS


def test_timelinejs_has_a_title_slides_and_eras(demo: TestClient) -> None:
    document = export(demo, TALKS_ID, "timelinejs").json()

    assert document["title"]["text"]["headline"] == "Russia–Ukraine direct talks, Istanbul"
    for slide in document["events"]:
        assert isinstance(slide["start_date"]["year"], int)
        assert set(slide["text"]) == {"headline", "text"}
        assert slide["text"]["headline"]
        assert slide["display_date"]
        assert slide["group"]
    assert len({slide["unique_id"] for slide in document["events"]}) == len(document["events"])


def test_timelinejs_has_one_slide_per_dated_fact(
    demo: TestClient, service: TimelineService
) -> None:
    document = export(demo, TALKS_ID, "timelinejs").json()
    facts = standing_facts(service, DEMO_STREAMS)
    dated = {str(f.event.event_id) for f in facts if f.event.envelope.occurred.value is not None}

    assert {slide["unique_id"] for slide in document["events"]} == dated


def test_timelinejs_groups_by_aggregate_and_party(demo: TestClient) -> None:
    document = export(demo, TALKS_ID, "timelinejs").json()

    assert {slide["group"] for slide in document["events"]} == {
        "Talks",
        "Delegation: Ukraine",
        "Position: Ukraine",
    }


def test_timelinejs_display_date_keeps_the_sources_wording(demo: TestClient) -> None:
    document = export(demo, TALKS_ID, "timelinejs").json()
    by_headline = {slide["text"]["headline"]: slide for slide in document["events"]}

    announced = by_headline["Ukraine delegation announced"]
    assert announced["display_date"] == "Sunday (1 June 2025)"
    assert announced["start_date"] == {"year": 2025, "month": 6, "day": 1}


def test_timelinejs_shows_the_corrected_date_and_says_it_was_corrected(demo: TestClient) -> None:
    document = export(demo, TALKS_ID, "timelinejs").json()
    call = next(
        s for s in document["events"] if s["text"]["headline"].startswith("Ukraine consulted")
    )

    assert call["start_date"] == {"year": 2025, "month": 5, "day": 30}
    assert call["display_date"] == "the previous day (30 May 2025)"
    assert "Corrected:" in call["text"]["text"]


def test_timelinejs_has_one_era_per_dated_round(demo: TestClient) -> None:
    document = export(demo, TALKS_ID, "timelinejs").json()

    assert document["eras"] == [
        {
            "start_date": {"year": 2025, "month": 6, "day": 2},
            "end_date": {"year": 2025, "month": 6, "day": 3},  # TimelineJS needs another day
            "text": {"headline": "Round 2, Istanbul", "text": "scheduled: Monday (2 June 2025)"},
        }
    ]


def test_timelinejs_dates_go_no_further_than_their_precision(
    family: dict[str, str], client: TestClient, service: TimelineService
) -> None:
    document = export(client, TALKS, "timelinejs").json()
    occurred = {
        str(f.event.event_id): f.event.envelope.occurred
        for f in standing_facts(service, FAMILY_STREAMS)
    }
    precisions = set()

    for slide in document["events"]:
        precision = occurred[slide["unique_id"]].precision
        precisions.add(precision)
        if precision == "interval":
            assert set(slide["start_date"]) <= ALLOWED_PARTS["minute"]
            assert "end_date" in slide
        else:
            assert set(slide["start_date"]) == ALLOWED_PARTS[precision]
            assert "end_date" not in slide
    assert precisions == {"minute", "day", "month", "interval"}


def test_timelinejs_intervals_and_minutes(family: dict[str, str], client: TestClient) -> None:
    slides = {s["unique_id"]: s for s in export(client, TALKS, "timelinejs").json()["events"]}

    held = slides[family["round1-held"]]
    assert held["start_date"] == {"year": 2025, "month": 5, "day": 16}
    assert held["end_date"] == {"year": 2025, "month": 5, "day": 17}
    scheduled = slides[family["round1-scheduled"]]
    assert scheduled["start_date"] == {
        "year": 2025,
        "month": 5,
        "day": 10,
        "hour": 14,
        "minute": 30,
    }
    assert scheduled["display_date"] == "10 May 2025, 14:30 UTC+03:00"
    assert slides[family["round2-scheduled"]]["start_date"] == {"year": 2025, "month": 6}


def test_timelinejs_eras_span_a_rounds_interval_or_month(
    family: dict[str, str], client: TestClient
) -> None:
    eras = export(client, TALKS, "timelinejs").json()["eras"]

    assert [(e["text"]["headline"], e["start_date"], e["end_date"]) for e in eras] == [
        ("Round 1, Istanbul", {"year": 2025, "month": 5, "day": 16},
         {"year": 2025, "month": 5, "day": 18}),
        ("Round 2, Geneva", {"year": 2025, "month": 7, "day": 1},
         {"year": 2025, "month": 8, "day": 1}),
    ]  # fmt: skip


def test_timelinejs_puts_undated_facts_in_the_title_and_leaves_retracted_ones_out(
    family: dict[str, str], client: TestClient
) -> None:
    document = export(client, TALKS, "timelinejs").json()
    ids = {slide["unique_id"] for slide in document["events"]}
    text = json.dumps(document, ensure_ascii=False)

    assert family["mediator"] not in ids
    assert "Background (date unknown)" in document["title"]["text"]["text"]
    assert "Türkiye acts as mediator" in document["title"]["text"]["text"]
    assert family["document"] not in ids
    assert "Memorandum" not in text
    assert family["retraction"] not in ids
    assert family["demand-corrected"] not in ids


def test_timelinejs_escapes_quotes_and_links_sources(
    family: dict[str, str], client: TestClient
) -> None:
    slides = {s["unique_id"]: s for s in export(client, TALKS, "timelinejs").json()["events"]}

    held = slides[family["round1-held"]]["text"]["text"]
    assert "<blockquote>He said &quot;no, never&quot;,\nthen &lt;b&gt;left&lt;/b&gt;" in held
    assert "<b>left</b>" not in held
    proposed = slides[family["proposed"]]["text"]["text"]
    assert '<a href="https://example.org/a">Test Wire</a>' in proposed


def test_timelinejs_marks_disputes(family: dict[str, str], client: TestClient) -> None:
    slides = {s["unique_id"]: s for s in export(client, TALKS, "timelinejs").json()["events"]}

    assert "Disputed" in slides[family["head-a"]]["text"]["text"]
    assert "Disputed" in slides[family["head-b"]]["text"]["text"]
    assert "Disputed" not in slides[family["member"]]["text"]["text"]


# CSV


def read_csv(client: TestClient, talks_id: UUID) -> tuple[list[str], list[dict[str, str]]]:
    reader = csv.DictReader(io.StringIO(export(client, talks_id, "csv").text))
    rows = list(reader)
    return list(reader.fieldnames or []), rows


def test_csv_has_a_header_and_one_row_per_standing_fact(
    demo: TestClient, service: TimelineService
) -> None:
    header, rows = read_csv(demo, TALKS_ID)
    facts = standing_facts(service, DEMO_STREAMS)

    assert header == list(CSV_COLUMNS)
    for column in ("event_id", "event_date", "time_precision", "event_type", "actor1",
                   "actor2", "cameo_code", "notes", "source", "attributed_to", "modality",
                   "corrected", "disputed"):  # fmt: skip
        assert column in header
    assert sorted(row["event_id"] for row in rows) == sorted(str(f.event.event_id) for f in facts)


def test_csv_keeps_cameo_codes_as_text_and_types_as_ours(demo: TestClient) -> None:
    _, rows = read_csv(demo, TALKS_ID)
    by_type = {row["nt_event_type"]: row for row in rows}

    assert by_type["MediatorConsulted"]["cameo_code"] == "041"
    assert by_type["MediatorConsulted"]["actor1"] == "Ukraine"
    assert by_type["MediatorConsulted"]["actor2"] == "Türkiye"
    assert by_type["MediatorConsulted"]["corrected"] == "true"
    assert by_type["DemandMade"]["actor2"] == "Russia"


def test_csv_dates_and_precisions(family: dict[str, str], client: TestClient) -> None:
    _, rows = read_csv(client, TALKS)
    by_id = {row["event_id"]: row for row in rows}

    expected = {  # ACLED: the day (1); a range's middle day (2); a month's 15th (3)
        "round1-scheduled": ("2025-05-10", "1", "minute"),
        "proposed": ("2025-05-01", "1", "day"),
        "round1-held": ("2025-05-16", "2", "interval"),  # 16-17 May: the first of two days
        "round2-scheduled": ("2025-06-15", "3", "month"),
        "mediator": ("", "", "unknown"),
    }
    for name, (event_date, time_precision, precision) in expected.items():
        row = by_id[family[name]]
        assert (row["event_date"], row["time_precision"], row["precision"]) == (
            event_date,
            time_precision,
            precision,
        ), name
    assert [row["precision"] for row in rows][-1] == "unknown"


def test_csv_quotes_round_trip(family: dict[str, str], client: TestClient) -> None:
    _, rows = read_csv(client, TALKS)
    held = next(row for row in rows if row["event_id"] == family["round1-held"])

    assert held["notes"] == f'Round 1 held "{TRICKY_QUOTE}"'


def test_csv_marks_corrections_and_disputes_and_leaves_retracted_out(
    family: dict[str, str], client: TestClient
) -> None:
    _, rows = read_csv(client, TALKS)
    by_id = {row["event_id"]: row for row in rows}

    assert family["document"] not in by_id
    assert family["retraction"] not in by_id
    assert family["demand-corrected"] not in by_id
    demand = by_id[family["demand"]]
    assert (demand["corrected"], demand["corrected_by"]) == ("true", family["demand-corrected"])
    assert demand["event_date"] == "2025-05-14"  # the corrected date
    assert "a full and unconditional ceasefire" in demand["notes"]
    assert "Corrected: misquoted" in demand["notes"]
    assert by_id[family["head-a"]]["disputed"] == "true"
    assert by_id[family["head-b"]]["disputed"] == "true"
    assert by_id[family["member"]]["disputed"] == "false"


# CloudEvents


def test_cloudevents_lines_have_the_required_attributes(
    demo: TestClient, service: TimelineService
) -> None:
    events = lines(export(demo, TALKS_ID, "cloudevents").text)

    assert len(events) == sum(len(service.events_of(stream)) for stream in DEMO_STREAMS)
    for event in events:
        assert event["specversion"] == "1.0"
        assert event["id"]
        assert re.fullmatch(r"urn:negotiation-timeline:(talks|delegations|positions)/[0-9a-f-]{36}",
                            event["source"])  # fmt: skip
        assert re.fullmatch(r"org\.negotiation-timeline\.[A-Za-z]+\.v1", event["type"])
        assert event["subject"] == event["source"].rsplit("/", 1)[1]
        assert event["datacontenttype"] == "application/json"
        assert set(event["data"]) >= {"occurred", "envelope", "data"}


def test_cloudevents_time_is_the_rfc3339_record_time(demo: TestClient) -> None:
    events = lines(export(demo, TALKS_ID, "cloudevents").text)
    recorded = {}
    for kind, stream in zip(("talks", "delegations", "positions"), DEMO_STREAMS, strict=True):
        for event in demo.get(f"/{kind}/{stream}/events").json():
            recorded[event["event_id"]] = event["recorded_at"]

    for event in events:
        assert RFC3339.match(event["time"]), event["time"]
        assert event["time"] == recorded[event["id"]]


def test_cloudevents_extension_names_are_lowercase_letters_and_digits(
    family: dict[str, str], client: TestClient
) -> None:
    events = lines(export(client, TALKS, "cloudevents").text)
    extensions = {name for event in events for name in event if name not in CLOUDEVENTS_CORE}

    assert extensions >= {"streamkind", "streamversion", "position", "talksid", "cameocode",
                          "correctedby", "retractedby"}  # fmt: skip
    for name in extensions:
        assert re.fullmatch(r"[a-z0-9]+", name), name
        assert len(name) <= 20


def test_cloudevents_are_the_log_as_recorded_with_marks(
    family: dict[str, str], client: TestClient
) -> None:
    events = {event["id"]: event for event in lines(export(client, TALKS, "cloudevents").text)}

    assert events[family["document"]]["retractedby"] == family["retraction"]
    demand = events[family["demand"]]
    assert demand["correctedby"] == family["demand-corrected"]
    assert demand["data"]["data"]["demand"] == "a ceasefire"
    assert demand["data"]["corrected"]["data"]["demand"] == "a full and unconditional ceasefire"
    assert demand["data"]["occurred"]["value"] == "2025-05-15"
    assert demand["data"]["envelope"]["attributed_to"] == "the foreign ministry"
    assert events[family["retraction"]]["type"] == "org.negotiation-timeline.EventRetracted.v1"
    positions = [int(event["position"]) for event in events.values()]
    assert positions == sorted(positions)


# PLOVER


def test_every_event_type_has_a_plover_category_or_none() -> None:
    assert set(PLOVER) == set(EVENT_TYPES)
    for name, (category, mode, reason) in PLOVER.items():
        assert category is None or category in PLOVER_CATEGORIES, name
        assert mode is None or re.fullmatch(r"[a-z-]+", mode)
        assert reason
    assert "DEMAND" not in PLOVER_CATEGORIES
    assert "OTHER" not in PLOVER_CATEGORIES
    assert PLOVER["DemandMade"][0] == "REQUEST"


def test_plover_records_map_types_and_actor_codes(demo: TestClient) -> None:
    records = lines(export(demo, TALKS_ID, "plover").text)
    by_type = {record["original_type"]: record for record in records}

    for record in records:
        assert record["event"] == [PLOVER[record["original_type"]][0]]
        assert set(record) >= {"id", "date", "actor", "event", "mode", "context"}
    consulted = by_type["MediatorConsulted"]
    assert (consulted["event"], consulted["mode"]) == (["CONSULT"], ["phone"])
    assert consulted["actor"] == [{"code": "UKR", "sector": "GOV", "entity_text": "Ukraine"}]
    assert consulted["recipient"] == [{"code": "TUR", "sector": "GOV", "entity_text": "Türkiye"}]
    assert consulted["cameo"] == "041"
    assert consulted["quad_code"] == 1
    assert by_type["DemandMade"]["recipient"][0]["code"] == "RUS"
    assert by_type["DemandMade"]["event"] == ["REQUEST"]
    appeals = [r for r in records if r["original_type"] == "AppealMade"]
    # the appeal to the United States; the other goes to "the international community", uncoded
    assert [r["recipient"][0].get("code") for r in appeals] == ["USA", None]
    assert by_type["ThirdPartiesExpected"]["context"] == ["diplomatic", "future"]


def test_plover_leaves_out_undated_facts_and_types_without_a_category(
    family: dict[str, str], client: TestClient
) -> None:
    records = {r["id"]: r for r in lines(export(client, TALKS, "plover").text)}

    assert family["mediator"] not in records  # undated: PLOVER requires a date
    assert family["head-a"] not in records  # a delegation's make-up: no PLOVER category
    assert family["position"] not in records  # a statement: dropped by PLOVER
    assert family["document"] not in records  # retracted
    assert records[family["round1-held"]]["mode"] == ["third-party"]  # Türkiye hosts
    assert records[family["round1-held"]]["actor"] == [
        {"code": "UKR", "sector": "GOV", "entity_text": "Ukraine"},
        {"code": "RUS", "sector": "GOV", "entity_text": "Russia"},
    ]
    assert "recipient" not in records[family["round1-held"]]


def test_plover_dates_intervals_months_and_minutes(
    family: dict[str, str], client: TestClient
) -> None:
    records = {r["id"]: r for r in lines(export(client, TALKS, "plover").text)}

    held = records[family["round1-held"]]
    assert (held["date"], held["enddate"]) == ("2025-05-16", "2025-05-17")
    month = records[family["round2-scheduled"]]
    assert (month["date"], month["enddate"]) == ("2025-06-01", "2025-06-30")
    minute = records[family["round1-scheduled"]]
    assert (minute["date"], minute["time"]) == ("2025-05-10", "14:30+03:00")
    assert "enddate" not in records[family["proposed"]]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Türkiye", {"code": "TUR", "sector": "GOV", "entity_text": "Türkiye"}),
        ("Turkey", {"code": "TUR", "sector": "GOV", "entity_text": "Turkey"}),
        (
            "the United Kingdom",
            {"code": "GBR", "sector": "GOV", "entity_text": "the United Kingdom"},
        ),
        ("Germany", {"code": "DEU", "sector": "GOV", "entity_text": "Germany"}),
        ("United Nations", {"code": "UNO", "entity_text": "United Nations"}),
        ("the European Union", {"code": "EUR", "entity_text": "the European Union"}),
        ("NATO", {"code": "IGO", "entity_text": "NATO"}),
        ("Volodymyr Zelenskyy", {"entity_text": "Volodymyr Zelenskyy"}),
    ],
)
def test_plover_entities(name: str, expected: dict[str, Any]) -> None:
    assert plover_entity(name) == expected


# Dates in words


@pytest.mark.parametrize(
    ("occurred", "text"),
    [
        (Occurrence("day", "2025-06-01", "Sunday"), "Sunday (1 June 2025)"),
        (Occurrence("day", "2025-06-01", uncertain=True), "1 June 2025, uncertain"),
        (Occurrence("month", "2025-07"), "July 2025"),
        (Occurrence("interval", "2025-05-23/2025-05-25"), "23 May 2025 – 25 May 2025"),
        (Occurrence("minute", "2025-05-31T20:00Z"), "31 May 2025, 20:00 UTC"),
        (Occurrence("minute", "2025-05-31T01:30-04:30"), "31 May 2025, 01:30 UTC-04:30"),
        (Occurrence("unknown"), "date unknown"),
    ],
)
def test_display_dates(occurred: Occurrence, text: str) -> None:
    assert display_date(occurred) == text


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_defused(
    service: TimelineService, client: TestClient
) -> None:
    talks = UUID(int=42)
    record_event(
        service, "talks", talks,
        {"type": "TalksProposed", "data": {"title": "T", "parties": ["=1+1", "Russia"]},
         "occurred": {"precision": "day", "value": "2025-06-01"},
         "attributed_to": '=HYPERLINK("https://evil.example")'},
        creates=True,
    )  # fmt: skip

    _, rows = read_csv(client, talks)

    assert rows[0]["attributed_to"] == '\'=HYPERLINK("https://evil.example")'
    assert rows[0]["actor1"] == "'=1+1"
    assert rows[0]["event_id"] == str(next(iter(service.events_of(talks))).event_id)
