"""GET /search over the demo: words through the full-text index, actors by any spelling, filters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from helpers import assert_problem

from application.demo import FACTS, TALKS_ID, demo_id, load_demo
from application.service import TimelineService


def event_id(key: str) -> str:
    return str(demo_id(f"event:{key}"))


@pytest.fixture
def demo(service: TimelineService, client: TestClient) -> TestClient:
    """The real app over the demo, its views caught up with it."""
    assert load_demo(service) == len(FACTS)
    return client


def found(client: TestClient, **params: Any) -> dict[str, Any]:
    params = {"min_position": len(FACTS), "limit": 100, **params}
    response = client.get("/search", params=params)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def keys(body: dict[str, Any]) -> set[str]:
    by_id = {event_id(f.key): f.key for f in FACTS}
    return {by_id[e["event_id"]] for e in body["entries"]}


def test_words_are_found_in_quotes_and_names_whatever_their_accents(demo: TestClient) -> None:
    # Zelenskyy spoke with "Recep Tayyip Erdoğan": typed without the accent, and in capitals.
    assert "erdogan-consulted" in keys(found(demo, q="ERDOGAN"))
    # A word of a verbatim quote, and the start of one (the box searches prefixes too).
    assert "priorities-stated" in keys(found(demo, q="unconditional cease"))
    assert "priorities-stated" in keys(found(demo, q="uncondit"))
    # Every word must match.
    assert keys(found(demo, q="Erdogan unconditional")) == set()


def test_search_box_syntax_is_text_never_an_error(demo: TestClient) -> None:
    for text in ('"NEAR(', "a OR", "*", "-", "(", "' ; DROP TABLE view_search"):
        body = found(demo, q=text)
        assert isinstance(body["entries"], list), text


def test_actor_by_alias_case_and_accents(demo: TestClient) -> None:
    # "Zelensky" is another spelling of Volodymyr Zelenskyy, whose evening address is a position.
    body = found(demo, actor="zelensky", kind="positions")
    assert {"skepticism-voiced", "coordination-stated", "sanctions-appeal"} <= keys(body)
    assert all("Volodymyr Zelenskyy" in e["actors"] for e in body["entries"])
    assert all(e["kind"] == "positions" for e in body["entries"])
    # Türkiye as "TURKIYE" and as "Turkey".
    assert "turkiye-mediates" in keys(found(demo, actor="TURKIYE"))
    assert "turkiye-mediates" in keys(found(demo, actor="Turkey"))
    assert found(demo, actor="Nobody Atall")["total"] == 0


def test_filters_by_modality_corrections_disputes_and_dates(demo: TestClient) -> None:
    # Kellogg's word on who would attend is the demo's one expected fact.
    assert keys(found(demo, modality="expected")) == {"third-parties-expected"}
    # Two facts were corrected: the dates of the call with Erdogan and of the skepticism.
    assert keys(found(demo, corrected="true")) == {"skepticism-voiced", "erdogan-consulted"}
    # The article's "Turkish capital" is no rival claim: nothing is disputed.
    assert found(demo, disputed="true")["total"] == 0
    assert found(demo, disputed="false")["total"] == len(FACTS)
    # The delegation was announced on Sunday 1 June; Saturday's address was on 31 May.
    june = keys(found(demo, **{"from": "2025-06-01", "to": "2025-06-01"}))
    assert "delegation-announced" in june
    assert "skepticism-voiced" not in june
    assert keys(found(demo, talks_id=str(TALKS_ID), modality="expected")) == {
        "third-parties-expected"
    }


def test_a_page_at_a_time_with_the_total(demo: TestClient) -> None:
    first = found(demo, limit=2)
    second = found(demo, limit=2, offset=2)
    assert first["total"] == second["total"] == len(FACTS)
    assert len(first["entries"]) == len(second["entries"]) == 2
    assert not keys(first) & keys(second)


def test_bad_input_is_a_problem_with_its_parameter(demo: TestClient) -> None:
    assert_problem(demo.get("/search", params={"modality": "certain"}), 422)
    assert_problem(demo.get("/search", params={"disputed": "perhaps"}), 422)
    assert_problem(demo.get("/search", params={"q": "x" * 201}), 422)
    assert_problem(
        demo.get("/search", params={"from": "2025-06-02", "to": "2025-06-01"}),
        422,
        parameter="from",
    )
    unknown = "00000000-0000-0000-0000-000000000000"
    assert_problem(demo.get("/search", params={"talks_id": unknown}), 404)
