"""Disputes: rival claims about one subject from sources that share nothing, until they agree."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from helpers import assert_problem

from application.demo import STREAMS
from tests.temporal.support import (
    a_source,
    append,
    body,
    correction,
    get_list,
    head,
    just_before,
    load_the_demo,
    new_talks,
    recorded_at,
    retraction,
    state,
)

ISTANBUL = a_source("https://example.org/istanbul", "the talks will be held in Istanbul")
ANKARA = a_source("https://example.org/ankara", "the delegation goes to the capital")
ROUND_2 = {"type": "RoundScheduled", "number": 2}


def scheduled(city: str, source: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    data = {"number": 2, "city": city, "date": {"precision": "day", "value": "2025-06-02"}}
    if city != "Istanbul":
        del data["date"]
    return body("RoundScheduled", data, sources=[source], **envelope)


def rival_claims(client: TestClient) -> tuple[str, str, str]:
    talks = new_talks(client)
    first = append(client, "talks", talks, scheduled("Istanbul", ISTANBUL))
    second = append(client, "talks", talks, scheduled("Ankara", ANKARA, modality="disputed"))
    return talks, first, second


def claim_of(dispute: dict[str, Any], event_id: str) -> dict[str, Any]:
    return next(claim for claim in dispute["claims"] if claim["event_id"] == event_id)


def test_the_first_claim_stays_and_both_are_listed_with_their_sources(client: TestClient) -> None:
    talks, first, second = rival_claims(client)
    found = state(client, "talks", talks)
    assert found["rounds"][0]["city"] == "Istanbul"
    assert found["rounds"][0]["date"]["value"] == "2025-06-02"
    (dispute,) = found["disputes"]
    assert dispute["subject"] == ROUND_2
    assert [claim["event_id"] for claim in dispute["claims"]] == [first, second]
    assert claim_of(dispute, first)["values"]["city"] == "Istanbul"
    assert claim_of(dispute, first)["sources"] == [
        {"source": ISTANBUL["url"], "quote": ISTANBUL["quote"]}
    ]
    assert claim_of(dispute, second)["values"]["city"] == "Ankara"
    assert claim_of(dispute, second)["modality"] == "disputed"
    assert claim_of(dispute, second)["sources"] == [
        {"source": ANKARA["url"], "quote": ANKARA["quote"]}
    ]


def test_a_rival_claim_not_marked_disputed_is_refused_as_a_duplicate(client: TestClient) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, scheduled("Istanbul", ISTANBUL))
    response = client.post(f"/talks/{talks}/events", json=scheduled("Ankara", ANKARA))
    assert_problem(response, 422, slug="duplicate-fact", pointer="/data/number")
    assert "disputes" not in state(client, "talks", talks)


def test_the_same_values_from_another_source_are_no_dispute_and_erase_nothing(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, scheduled("Istanbul", ISTANBUL))
    confirming = body("RoundScheduled", {"number": 2, "city": "Istanbul"}, modality="disputed")
    append(client, "talks", talks, confirming)
    found = state(client, "talks", talks)
    assert "disputes" not in found
    assert found["rounds"][0]["city"] == "Istanbul"
    assert found["rounds"][0]["date"]["value"] == "2025-06-02"  # the second left it out


def test_an_agreement_confirmed_without_its_terms_keeps_them(client: TestClient) -> None:
    talks = new_talks(client)
    agreement = {"title": "Prisoner exchange", "parties": ["Ukraine", "Russia"]}
    append(client, "talks", talks, body("AgreementReached", {**agreement, "terms": "all for all"}))
    append(client, "talks", talks, body("AgreementReached", agreement))
    found = state(client, "talks", talks)
    assert "disputes" not in found
    assert [a["terms"] for a in found["agreements"]] == ["all for all", "all for all"]


def test_rival_claims_sharing_a_source_are_no_dispute(client: TestClient) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, scheduled("Istanbul", ISTANBUL))
    append(client, "talks", talks, scheduled("Ankara", ISTANBUL, modality="disputed"))
    assert "disputes" not in state(client, "talks", talks)


def test_the_same_url_with_another_quote_is_another_source(client: TestClient) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, scheduled("Istanbul", ISTANBUL))
    other_quote = {**ISTANBUL, "quote": "or rather in the capital"}
    append(client, "talks", talks, scheduled("Ankara", other_quote, modality="disputed"))
    assert len(state(client, "talks", talks)["disputes"]) == 1


def test_the_timeline_marks_both_claims_disputed(client: TestClient) -> None:
    talks, first, second = rival_claims(client)
    entries = get_list(client, f"/talks/{talks}/timeline", min_position=head(client))
    disputed = {e["event_id"] for e in entries if e["disputed"]}
    assert disputed == {first, second}
    assert len(entries) == 3  # the TalksProposed entry is not disputed


def test_a_correction_that_makes_them_agree_settles_the_dispute_from_then_on(
    client: TestClient,
) -> None:
    talks, first, second = rival_claims(client)
    fix = append(client, "talks", talks, correction(second, fields={"city": "Istanbul"}))
    before = just_before(recorded_at(client, "talks", talks, fix))

    now = state(client, "talks", talks)
    assert "disputes" not in now
    assert now["rounds"][0]["city"] == "Istanbul"
    then = state(client, "talks", talks, as_of=before)
    assert [c["event_id"] for c in then["disputes"][0]["claims"]] == [first, second]

    entries = get_list(client, f"/talks/{talks}/timeline", min_position=head(client))
    assert not any(e["disputed"] for e in entries)
    entries = get_list(client, f"/talks/{talks}/timeline", as_of=before)
    assert {e["event_id"] for e in entries if e["disputed"]} == {first, second}


def test_a_retraction_of_the_rival_claim_settles_the_dispute(client: TestClient) -> None:
    talks, _, second = rival_claims(client)
    append(client, "talks", talks, retraction(second))
    found = state(client, "talks", talks)
    assert "disputes" not in found
    assert found["rounds"][0]["city"] == "Istanbul"


# The first release's demo venue, disputed then settled, is read from the fixture store in
# tests/evolution/test_stored_v1.py; today's seed demo records no rival venue.


def test_a_disputed_claim_dated_earlier_never_becomes_the_value(client: TestClient) -> None:
    talks = new_talks(client, occurred={"precision": "day", "value": "2025-05-01"})
    first = append(client, "talks", talks, scheduled("Istanbul", ISTANBUL))  # dated 2 June
    early = scheduled(
        "Ankara", ANKARA, modality="disputed", occurred={"precision": "day", "value": "2025-05-20"}
    )
    second = append(client, "talks", talks, early)

    for params in ({}, {"at": "9000-01-01"}):
        found = state(client, "talks", talks, **params)
        assert [r["city"] for r in found["rounds"]] == ["Istanbul"]
        assert [c["event_id"] for c in found["disputes"][0]["claims"]] == [first, second]
    # On 25 May only the disputed report had been made: it is shown as disputed, not as the round.
    then = state(client, "talks", talks, at="2025-05-25")
    assert then["rounds"] == []
    (dispute,) = then["disputes"]
    assert [c["event_id"] for c in dispute["claims"]] == [second]


def test_the_first_recorded_claim_stands_even_when_a_rival_is_dated_earlier(
    client: TestClient,
) -> None:
    talks = new_talks(client, occurred={"precision": "day", "value": "2025-05-01"})
    agreement = {"title": "Prisoner exchange", "parties": ["Ukraine", "Russia"]}
    first = append(
        client,
        "talks",
        talks,
        body(
            "AgreementReached",
            {**agreement, "terms": "all for all"},
            occurred={"precision": "day", "value": "2025-05-16"},
            sources=[ISTANBUL],
        ),
    )
    later = append(
        client,
        "talks",
        talks,
        body(
            "AgreementReached",
            {**agreement, "terms": "1000 for 1000"},
            occurred={"precision": "day", "value": "2025-05-10"},
            sources=[ANKARA],
        ),
    )

    for params in ({}, {"at": "2025-06-30"}):
        found = state(client, "talks", talks, **params)
        assert [a["terms"] for a in found["agreements"]] == ["all for all"]
        assert [c["event_id"] for c in found["disputes"][0]["claims"]] == [first, later]
    # On 12 May only the rival had been reported: it is all that was known to have happened.
    then = state(client, "talks", talks, at="2025-05-12")
    assert [a["terms"] for a in then["agreements"]] == ["1000 for 1000"]
    assert "disputes" not in then


def held(day_value: str, source: dict[str, Any], **envelope: Any) -> dict[str, Any]:
    occurred = {"precision": "day", "value": day_value}
    if len(day_value) == 7:
        occurred = {"precision": "month", "value": day_value}
    return body(
        "RoundHeld",
        {"number": 1, "city": "Istanbul"},
        occurred=occurred,
        sources=[source],
        **envelope,
    )


def test_two_reports_of_one_round_held_on_different_days_are_a_dispute_of_dates(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    first = append(client, "talks", talks, held("2025-06-02", ISTANBUL))
    second = append(client, "talks", talks, held("2025-06-03", ANKARA, modality="disputed"))

    (dispute,) = state(client, "talks", talks)["disputes"]
    assert dispute["subject"] == {"type": "RoundHeld", "number": 1}
    assert [c["event_id"] for c in dispute["claims"]] == [first, second]
    assert [c["occurred"]["value"] for c in dispute["claims"]] == ["2025-06-02", "2025-06-03"]


def test_a_round_held_on_a_day_of_the_month_another_report_gives_is_no_dispute(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, held("2025-06", ISTANBUL))
    append(client, "talks", talks, held("2025-06-02", ANKARA, modality="disputed"))

    assert "disputes" not in state(client, "talks", talks)


def test_a_correction_of_the_date_settles_a_dispute_of_dates(client: TestClient) -> None:
    talks = new_talks(client)
    append(client, "talks", talks, held("2025-06-02", ISTANBUL))
    second = append(client, "talks", talks, held("2025-06-03", ANKARA, modality="disputed"))
    append(
        client,
        "talks",
        talks,
        correction(second, occurred={"precision": "day", "value": "2025-06-02"}),
    )

    assert "disputes" not in state(client, "talks", talks)


def test_every_demo_stream_reads_the_same_now_after_every_fact_and_as_of_now(
    client: TestClient,
) -> None:
    load_the_demo(client)
    for kind, stream in STREAMS.items():
        now = state(client, kind, str(stream))
        assert state(client, kind, str(stream), at="9000-01-01") == now
        assert state(client, kind, str(stream), as_of="9000-01-01T00:00:00Z") == now
