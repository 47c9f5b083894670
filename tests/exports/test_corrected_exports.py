"""Exports say what a correction changed, reported -> corrected, dates included, in one wording:
TimelineJS's slide text and the CSV's notes alike."""

from __future__ import annotations

import csv
import io
import json

from export_support import TALKS, build_family, export

from application.service import TimelineService

#: The test family's demand was first quoted as "a ceasefire", made on 15 May; the correction
#: ("misquoted") gives the full demand and the day before.
SAID = (
    "Corrected: misquoted (demand reported “a ceasefire”, corrected to “a full and unconditional"
    " ceasefire”; date reported 15 May 2025, corrected to 14 May 2025)"
)


def test_the_csv_notes_say_what_was_reported_and_what_is_corrected(
    service: TimelineService,
) -> None:
    ids = build_family(service)
    rows = {r["event_id"]: r for r in csv.DictReader(io.StringIO(export(service, TALKS, "csv")))}
    assert SAID in rows[ids["demand"]]["notes"]
    assert rows[ids["demand"]]["event_date"] == "2025-05-14"


def test_timelinejs_says_it_in_the_same_words(service: TimelineService) -> None:
    ids = build_family(service)
    slides = json.loads(export(service, TALKS, "timelinejs"))["events"]
    (demand,) = [s for s in slides if s["unique_id"] == ids["demand"]]
    assert f"<p>{SAID}</p>" in demand["text"]["text"]
    assert demand["start_date"] == {"year": 2025, "month": 5, "day": 14}
