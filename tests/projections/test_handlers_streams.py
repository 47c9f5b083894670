"""Given events of positions and delegations (and the demo), the views answer with the right rows.

The Talks overview and the timeline are in test_handlers.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from support import append, body, count, opened, statements, stream, talks, timeline

from application.components import Components
from application.demo import FACTS, TALKS_ID, load_demo
from projections import queries
from store.settings import Settings


@pytest.fixture
def store(settings: Settings) -> Iterator[Components]:
    with opened(settings) as components:
        yield components


# Positions


def test_a_position_keeps_its_current_priorities_and_the_history_of_each_change(
    store: Components,
) -> None:
    service = store.service
    talks_id = talks(service)
    other_talks = talks(service)
    ukraine = stream(service, "positions", talks_id, "Ukraine")
    stream(service, "positions", other_talks, "Ukraine")
    russia = stream(service, "positions", talks_id, "Russia")
    append(
        service,
        "positions",
        ukraine,
        body("PrioritiesStated", {"priorities": ["ceasefire", "prisoners"]}),
        body("PriorityDropped", {"priority": "ceasefire"}),
        body("DemandMade", {"demand": "withdrawal"}),
    )
    dropped = append(service, "positions", ukraine, body("DemandDropped", {"demand": "withdrawal"}))
    restated = append(
        service, "positions", ukraine, body("PrioritiesStated", {"priorities": ["ceasefire"]})
    )
    store.projector.catch_up()

    found = queries.positions(store.application.database, talks_id)
    assert [(p["party"], p["stream_id"]) for p in found] == [
        ("Russia", russia),
        ("Ukraine", ukraine),
    ]
    position = found[1]
    assert position["priorities"] == ["prisoners", "ceasefire"]
    assert position["dropped_priorities"] == []
    assert (position["demands"], position["dropped_demands"]) == ([], ["withdrawal"])
    assert [(h["kind"], h["item"], h["change"]) for h in position["history"]] == [
        ("priority", "ceasefire", "added"),
        ("priority", "prisoners", "added"),
        ("priority", "ceasefire", "dropped"),
        ("demand", "withdrawal", "added"),
        ("demand", "withdrawal", "dropped"),
        ("priority", "ceasefire", "added"),
    ]
    assert [h["position"] for h in position["history"][-2:]] == [
        dropped.position,
        restated.position,
    ]
    assert found[0]["history"] == []


# Statements


@pytest.fixture
def quoted(store: Components) -> str:
    service = store.service
    talks_id = talks(service)
    position = stream(service, "positions", talks_id, "Ukraine")
    append(
        service,
        "positions",
        position,
        body(
            "StatementMade",
            {"speaker": "Volodymyr Zelenskyy", "channel": "video address"},
            quotes=("We want a Complete Cease-Fire", "a 100% guarantee"),
        ),
        body("SkepticismVoiced", {"speaker": "Dmitry Peskov"}, quotes=("a 1000 guarantee",)),
        body("AppealMade", {"addressee": "EU", "subject": "sanctions"}, quotes=("step_up",)),
        body("OptimismVoiced", {"speaker": "Hakan Fidan"}, quotes=("step-up",)),
        body(
            "PrioritiesStated",
            {"priorities": ["x"]},
            quotes=("we stand firm",),
            attributed_to="Andrii Yermak",
        ),
    )
    store.projector.catch_up()
    return position


def quotes(store: Components, **filters: str) -> list[str]:
    return [row["quote"] for row in statements(store.application.database, **filters)]


def test_every_quote_is_a_statement_with_its_speaker_and_channel(
    store: Components, quoted: str
) -> None:
    rows = statements(store.application.database)
    assert [(r["speaker"], r["quote"]) for r in rows] == [
        ("Volodymyr Zelenskyy", "We want a Complete Cease-Fire"),
        ("Volodymyr Zelenskyy", "a 100% guarantee"),
        ("Dmitry Peskov", "a 1000 guarantee"),
        (None, "step_up"),
        ("Hakan Fidan", "step-up"),
        ("Andrii Yermak", "we stand firm"),  # no speaker field: the attribution
    ]
    assert len(rows) == count(store.application.database, "view_statements")
    assert {r["channel"] for r in rows if r["speaker"] == "Volodymyr Zelenskyy"} == {
        "video address"
    }
    assert {r["stream_id"] for r in rows} == {quoted}


def test_statements_are_found_by_speaker_and_by_text_whatever_the_case(
    store: Components, quoted: str
) -> None:
    assert quotes(store, speaker="ZELENSKYY") == [
        "We want a Complete Cease-Fire",
        "a 100% guarantee",
    ]
    assert quotes(store, speaker="peskov") == ["a 1000 guarantee"]
    assert quotes(store, text="complete cease-FIRE") == ["We want a Complete Cease-Fire"]
    assert quotes(store, speaker="zelenskyy", text="guarantee") == ["a 100% guarantee"]
    assert quotes(store, speaker="nobody") == []


def test_percent_and_underscore_in_the_search_text_are_literal(
    store: Components, quoted: str
) -> None:
    assert quotes(store, text="100%") == ["a 100% guarantee"]
    assert quotes(store, text="%") == ["a 100% guarantee"]
    assert quotes(store, text="p_u") == ["step_up"]
    assert quotes(store, text="_") == ["step_up"]
    assert quotes(store, speaker="%") == []


def test_the_search_ignores_the_case_of_accented_letters_too(store: Components) -> None:
    position = stream(store.service, "positions", talks(store.service), "France")
    said = body("StatementMade", {"speaker": "Émile Dupont"}, quotes=("Talks at the Élysée",))
    append(store.service, "positions", position, said)
    store.projector.catch_up()
    assert quotes(store, speaker="Émile Dupont") == ["Talks at the Élysée"]
    assert quotes(store, text="élysée") == ["Talks at the Élysée"]


# Delegations


def test_a_delegation_keeps_its_head_the_heads_before_and_its_members_over_time(
    store: Components,
) -> None:
    service = store.service
    talks_id = talks(service)
    delegation = stream(service, "delegations", talks_id, "Ukraine", members=[{"name": "Anna"}])
    append(
        service,
        "delegations",
        delegation,
        body("DelegationHeadNamed", {"head": {"name": "Rustem Umerov", "title": "Minister"}}),
        body("DelegationMemberAdded", {"member": {"name": "Boris"}}),
        body("DelegationHeadChanged", {"head": {"name": "Andrii Sybiha"}}),
        body("DelegationMemberRemoved", {"name": "Anna"}),
        body("DelegationArrived", {"city": "Istanbul"}),
    )
    stream(service, "delegations", talks(service), "Ukraine")  # another Talks: not listed
    store.projector.catch_up()

    [found] = queries.delegations(store.application.database, talks_id)
    assert found["stream_id"] == delegation
    assert found["head"] == {"name": "Andrii Sybiha", "title": None}
    assert [h["name"] for h in found["heads"]] == ["Rustem Umerov", "Andrii Sybiha"]
    assert [m["name"] for m in found["members"]] == ["Boris"]
    assert (found["status"], found["location"]) == ("arrived", "Istanbul")
    assert [(h["change"], h["detail"]) for h in found["history"]] == [
        ("member added", {"name": "Anna", "title": None}),
        ("status", {"status": "announced", "city": None}),
        ("head named", {"name": "Rustem Umerov", "title": "Minister"}),
        ("member added", {"name": "Boris", "title": None}),
        ("head changed", {"name": "Andrii Sybiha", "title": None}),
        ("member removed", {"name": "Anna", "title": None}),
        ("status", {"status": "arrived", "city": "Istanbul"}),
    ]


# The demo


def test_the_demo_fills_every_view(store: Components) -> None:
    assert load_demo(store.service) == len(FACTS)
    store.projector.catch_up()
    db = store.application.database
    entries = timeline(db)
    assert len(entries) == len(FACTS) == store.service.head()
    assert sorted(e["position"] for e in entries) == list(range(1, len(FACTS) + 1))
    assert (entries[0]["type"], entries[0]["occurred"]["value"]) == (
        "MediatorConsulted",
        "2025-05-30",
    )
    # Open at its start ("until 1 June"), a fact sorts by its end: after every earlier day.
    values = [e["occurred"]["value"] or "" for e in entries]
    until = [i for i, v in enumerate(values) if v == "../2025-06-01"]
    earlier = [i for i, v in enumerate(values) if v[:10] in ("2025-05-30", "2025-05-31")]
    assert until
    assert earlier
    assert min(until) > max(earlier)
    assert len(statements(db)) == sum(len(f.body["sources"]) for f in FACTS)
    assert [s["speaker"] for s in statements(db, speaker="kellogg")] == [
        "Keith Kellogg"  # the article: "according to ... special envoy for Ukraine, Keith Kellogg"
    ]

    [overview] = queries.list_talks(db, None, None, queries.Page())
    assert (overview["id"], overview["parties"]) == (str(TALKS_ID), ["Ukraine", "Russia"])
    assert overview["last_change"]["position"] == len(FACTS)
    [position] = queries.positions(db, str(TALKS_ID))
    assert len(position["priorities"]) == 3
    [delegation] = queries.delegations(db, str(TALKS_ID))
    assert delegation["head"]["name"] == "Rustem Umerov"
