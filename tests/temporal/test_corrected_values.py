"""Reads now show, beside each corrected value, what was reported (``corrected_values``).

The story: on 3 June a wire reports that the first round will be held in Istanbul on 10 June.
Two days later the outlet corrects itself: the round is on 12 June, and the announcement was
made on 4 June, not 3 June. A read now shows 12 June and, beside it, the 10 June first reported.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from tests.temporal.support import (
    UNKNOWN,
    append,
    body,
    correction,
    create,
    day,
    fact,
    get_list,
    just_before,
    new_talks,
    recorded_at,
    state,
    stream_events,
)

REASON = "the outlet corrected the date of the round and of the announcement"


def the_day(value: Any) -> Any:
    """The EDTF value of an occurrence (None stays None)."""
    return value["value"] if isinstance(value, dict) else value


def shown(entries: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """Each entry as (path, field, reported, corrected, by), dates by their day."""
    return {
        (e["path"], e["field"], the_day(e["reported"]), the_day(e["corrected"]), e["by"])
        for e in entries
    }


def round_moved(client: TestClient) -> tuple[str, str, str]:
    """The story's Talks, its round and the correction."""
    talks = new_talks(client)
    data = {"number": 1, "city": "Istanbul", "date": day("2025-06-10")}
    round_id = fact(client, "talks", talks, "RoundScheduled", data, occurred=day("2025-06-03"))
    fix = append(
        client,
        "talks",
        talks,
        correction(
            round_id, fields={"date": day("2025-06-12")}, occurred=day("2025-06-04"), reason=REASON
        ),
    )
    return talks, round_id, fix


def test_a_read_now_shows_the_corrected_date_and_the_reported_one(client: TestClient) -> None:
    talks, round_id, fix = round_moved(client)
    now = state(client, "talks", talks)
    assert now["rounds"][0]["date"]["value"] == "2025-06-12"
    assert shown(now["corrected_values"]) == {
        ("/rounds/0/date", "/data/date", "2025-06-10", "2025-06-12", fix),
        # the day the round was announced is no value of the state, but it was corrected too
        (None, "/occurred", "2025-06-03", "2025-06-04", fix),
    }
    assert {e["event_id"] for e in now["corrected_values"]} == {round_id}
    assert {e["reason"] for e in now["corrected_values"]} == {REASON}
    (fix_event,) = [e for e in stream_events(client, "talks", talks) if e["event_id"] == fix]
    assert all(e["sources"] == fix_event["sources"] for e in now["corrected_values"])


def test_as_of_before_the_correction_nothing_is_corrected(client: TestClient) -> None:
    talks, _, fix = round_moved(client)
    when = recorded_at(client, "talks", talks, fix)
    before = state(client, "talks", talks, as_of=just_before(when))
    assert before["rounds"][0]["date"]["value"] == "2025-06-10"
    assert "corrected_values" not in before
    after = state(client, "talks", talks, as_of=when)
    assert after["corrected_values"] == state(client, "talks", talks)["corrected_values"]


def test_at_a_moment_the_corrected_values_show_too(client: TestClient) -> None:
    talks, _, fix = round_moved(client)
    at = state(client, "talks", talks, at="2025-06-05")
    assert ("/rounds/0/date", "/data/date", "2025-06-10", "2025-06-12", fix) in shown(
        at["corrected_values"]
    )
    # As corrected, the round was announced on 4 June (reported: 3 June): on 3 June it had not
    # been announced, and the facts of that moment hold no corrected value.
    then = state(client, "talks", talks, at="2025-06-03T12:00:00Z")
    assert then["rounds"] == []
    assert "corrected_values" not in then


def test_the_timeline_entry_shows_what_was_reported(client: TestClient) -> None:
    talks, round_id, fix = round_moved(client)
    (entry,) = [
        e for e in get_list(client, f"/talks/{talks}/timeline") if e["event_id"] == round_id
    ]
    assert entry["data"]["date"]["value"] == "2025-06-12"
    assert entry["occurred"]["value"] == "2025-06-04"
    assert shown(entry["corrected_values"]) == {
        ("/data/date", "/data/date", "2025-06-10", "2025-06-12", fix),
        ("/occurred", "/occurred", "2025-06-03", "2025-06-04", fix),
    }
    others = [e for e in get_list(client, "/timeline") if e["event_id"] != round_id]
    assert all(e["corrected_values"] == [] for e in others)
    before = just_before(recorded_at(client, "talks", talks, fix))
    (then,) = [
        e
        for e in get_list(client, f"/talks/{talks}/timeline", as_of=before)
        if e["event_id"] == round_id
    ]
    assert then["corrected_values"] == []


def test_a_statement_with_a_corrected_speaker_shows_who_was_reported(client: TestClient) -> None:
    talks = new_talks(client)
    position = create(
        client, "positions", body("PositionTaken", {"talks_id": talks, "party": "Russia"})
    )
    data = {"speaker": "Sergei Lavrov", "subject": "the venue"}
    said = fact(client, "positions", position, "StatementMade", data)
    fix = append(
        client,
        "positions",
        position,
        correction(said, fields={"speaker": "Dmitry Peskov"}, reason="misattributed"),
    )
    (row,) = [s for s in get_list(client, "/statements", talks_id=talks) if s["event_id"] == said]
    assert row["speaker"] == "Dmitry Peskov"
    assert shown(row["corrected_values"]) == {
        ("/speaker", "/data/speaker", "Sergei Lavrov", "Dmitry Peskov", fix)
    }
    now = state(client, "positions", position)
    assert shown(now["corrected_values"]) == {
        ("/statements/0/speaker", "/data/speaker", "Sergei Lavrov", "Dmitry Peskov", fix)
    }


def test_two_corrections_of_one_value_show_the_first_report_and_the_last_correction(
    client: TestClient,
) -> None:
    talks = new_talks(client)
    round_id = fact(client, "talks", talks, "RoundScheduled", {"number": 1, "city": "Istanbul"})
    append(client, "talks", talks, correction(round_id, fields={"city": "Ankara"}))
    last = append(client, "talks", talks, correction(round_id, fields={"city": "Antalya"}))
    assert shown(state(client, "talks", talks)["corrected_values"]) == {
        ("/rounds/0/city", "/data/city", "Istanbul", "Antalya", last)
    }


def test_the_record_axis_diff_lists_a_corrected_date_from_and_to(client: TestClient) -> None:
    talks, round_id, fix = round_moved(client)
    when = recorded_at(client, "talks", talks, fix)
    response = client.get(
        f"/talks/{talks}/diff",
        params={"from": just_before(when), "to": when, "axis": "recorded"},
    )
    assert response.status_code == 200, response.text
    found = response.json()
    assert {
        (c["event_id"], c["field"], the_day(c["from"]), the_day(c["to"]), c["by"])
        for c in found["corrections"]
    } == {
        (round_id, "/occurred", "2025-06-03", "2025-06-04", fix),
        (round_id, "/data/date", "2025-06-10", "2025-06-12", fix),
    }
    changed = {c["path"]: (c["from"], c["to"]) for c in found["changes"]}
    assert changed["/rounds/0/date/value"] == ("2025-06-10", "2025-06-12")
    earlier = client.get(
        f"/talks/{talks}/diff",
        params={"from": "2025-01-01", "to": just_before(when), "axis": "recorded"},
    )
    assert earlier.json()["corrections"] == []


def test_a_date_that_reorders_a_list_lists_only_the_corrected_values(client: TestClient) -> None:
    talks = new_talks(client)
    memo = {"from_party": "Russia", "to_party": "Ukraine"}
    first = fact(client, "talks", talks, "DocumentExchanged", {"title": "Memo A", **memo},
                 occurred=day("2025-06-05"))  # fmt: skip
    fact(client, "talks", talks, "DocumentExchanged", {"title": "Memo B", **memo},
         occurred=day("2025-06-06"))  # fmt: skip
    fix = append(
        client,
        "talks",
        talks,
        correction(first, fields={"title": "Memo A, revised"}, occurred=day("2025-06-07")),
    )
    now = state(client, "talks", talks)
    assert [d["title"] for d in now["documents"]] == ["Memo B", "Memo A, revised"]
    # Memo B moved to the first place, but no correction changed it: it is not listed.
    assert shown(now["corrected_values"]) == {
        ("/documents/1/title", "/data/title", "Memo A", "Memo A, revised", fix),
        (None, "/occurred", "2025-06-05", "2025-06-07", fix),
    }


def test_a_delegation_head_whose_title_was_corrected(client: TestClient) -> None:
    talks = new_talks(client)
    delegation = create(
        client,
        "delegations",
        body("DelegationAnnounced", {"talks_id": talks, "party": "Russia"}),
    )
    named = {"head": {"name": "Vladimir Medinsky", "title": "Culture Minister"}}
    head = fact(client, "delegations", delegation, "DelegationHeadNamed", named)
    fixed = {"head": {"name": "Vladimir Medinsky", "title": "Presidential aide"}}
    fix = append(
        client, "delegations", delegation, correction(head, fields=fixed, reason="his title")
    )
    now = state(client, "delegations", delegation)
    reported, corrected = named["head"], fixed["head"]
    assert {
        (e["path"], e["field"], e["reported"]["title"], e["corrected"]["title"], e["by"])
        for e in now["corrected_values"]
    } == {
        ("/head", "/data/head", reported["title"], corrected["title"], fix),
        ("/heads/0", "/data/head", reported["title"], corrected["title"], fix),
    }


def test_an_actors_role_whose_start_was_corrected(client: TestClient) -> None:
    actor = create(
        client,
        "actors",
        body("ActorRegistered", {"kind": "person", "name": "Rustem Umerov"}, occurred=UNKNOWN),
    )
    data = {"title": "Defense Minister"}
    assumed = fact(client, "actors", actor, "RoleAssumed", data, occurred=day("2024-09-06"))
    fix = append(client, "actors", actor, correction(assumed, occurred=day("2024-09-05")))
    now = state(client, "actors", actor)
    assert now["roles"][0]["since"] == "2024-09-05"
    assert shown(now["corrected_values"]) == {
        ("/roles/0/since", "/occurred", "2024-09-06", "2024-09-05", fix)
    }
