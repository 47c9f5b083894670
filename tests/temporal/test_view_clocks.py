"""Every view read takes both clocks: `at` (what had happened) and `as_of` (what was known)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from application.demo import TALKS_ID
from tests.temporal.support import (
    CORRECTIONS,
    FAR_FUTURE,
    FAR_FUTURE_DAY,
    get_list,
    head,
    instant,
    just_before,
    load_the_demo,
    stream_events,
)

T = str(TALKS_ID)
VIEWS = ["/talks", "/timeline", f"/talks/{T}/timeline", f"/talks/{T}/positions",
         f"/talks/{T}/delegations", "/statements"]  # fmt: skip
CLOCKS = [{"at": FAR_FUTURE_DAY}, {"at": FAR_FUTURE}, {"as_of": FAR_FUTURE},
          {"at": FAR_FUTURE_DAY, "as_of": FAR_FUTURE}]  # fmt: skip


@pytest.fixture
def demo(client: TestClient) -> TestClient:
    load_the_demo(client)
    return client


def before_the_demo(client: TestClient) -> str:
    return just_before(stream_events(client, "talks", T)[0]["recorded_at"])


def test_every_view_read_is_empty_as_of_before_anything_was_recorded(demo: TestClient) -> None:
    for path in VIEWS:
        assert get_list(demo, path, min_position=head(demo)), path  # the live view has entries
        assert get_list(demo, path, as_of=before_the_demo(demo)) == [], path


@pytest.mark.parametrize("at", ["2025-05-31", "2025-05-31T12:00:00+03:00"])
def test_every_view_read_takes_a_moment(demo: TestClient, at: str) -> None:
    for path in VIEWS:
        then = get_list(demo, path, at=at)
        assert then != get_list(demo, path, min_position=head(demo)), path
        assert get_list(demo, path, at=at, as_of=FAR_FUTURE) == then, path


def test_no_delegation_had_been_announced_on_31_may(demo: TestClient) -> None:
    assert get_list(demo, f"/talks/{T}/delegations", at="2025-05-31") == []
    entries = get_list(demo, f"/talks/{T}/timeline", at="2025-05-31")
    assert "DelegationAnnounced" not in {e["type"] for e in entries}
    assert "PositionTaken" not in {e["type"] for e in entries}  # known by 30-31 May facts only


def test_umerov_heads_the_delegation_on_1_june(demo: TestClient) -> None:
    (delegation,) = get_list(demo, f"/talks/{T}/delegations", at="2025-06-01")
    assert delegation["party"] == "Ukraine"
    assert delegation["head"] == {"name": "Rustem Umerov", "title": "Defense Minister"}
    assert [h["change"] for h in delegation["history"]][:2] == ["status", "head named"]


def test_the_timeline_at_a_moment_holds_what_had_happened_by_then(demo: TestClient) -> None:
    moment = instant("2025-05-30T23:59:59.999999+00:00")
    entries = get_list(demo, "/timeline", at="2025-05-30")
    assert entries
    for entry in entries:
        if entry["type"] in CORRECTIONS:
            continue  # corrections are about the record, not the world: kept to be applied
        assert (
            entry["occurred"]["precision"] == "unknown"
            # Open at its start ("until 1 June"): it counts at every moment (README, the at rule).
            or entry["occurred"]["value"].startswith("../")
            or instant(entry["occurred"]["value"][:10] + "T00:00:00+00:00") <= moment
        )
    assert {e["type"] for e in entries} >= {"MediatorConsulted", "TalksProposed"}


def test_the_timeline_as_of_before_the_demo_is_empty(demo: TestClient) -> None:
    assert get_list(demo, "/timeline", as_of=before_the_demo(demo)) == []
    assert get_list(demo, "/timeline", as_of=before_the_demo(demo), at="2025-06-01") == []


@pytest.mark.parametrize("clocks", CLOCKS, ids="+".join)
def test_a_view_in_the_far_future_is_the_live_view(
    demo: TestClient, clocks: dict[str, str]
) -> None:
    for path in VIEWS[1:]:  # /talks: below
        assert get_list(demo, path, **clocks) == get_list(demo, path, min_position=head(demo)), path


@pytest.mark.parametrize("clocks", [CLOCKS[0], CLOCKS[2]], ids="+".join)
def test_the_talks_overview_in_the_far_future_is_the_live_one(
    demo: TestClient, clocks: dict[str, str]
) -> None:
    assert get_list(demo, "/talks", **clocks) == get_list(demo, "/talks", min_position=head(demo))


def test_the_talks_overview_in_the_far_future_has_the_live_state(demo: TestClient) -> None:
    live = get_list(demo, "/talks", min_position=head(demo))
    for clocks in CLOCKS:
        then = get_list(demo, "/talks", **clocks)
        assert [{**t, "last_change": None} for t in then] == [
            {**t, "last_change": None} for t in live
        ]
