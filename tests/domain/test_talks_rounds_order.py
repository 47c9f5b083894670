"""A Talks' rounds are listed in number order, one per number, whatever order the fold takes
the facts that mention them in (facts are folded by occurrence, and reported in any order)."""

from __future__ import annotations

from typing import Any

from given import fact, given, when
from hypothesis import given as for_all
from hypothesis import settings
from hypothesis import strategies as st

from domain.talks import Talks

PROPOSED = fact(Talks.TalksProposed, title="Istanbul talks", parties=["Ukraine", "Russia"])
NUMBERS = st.lists(st.integers(1, 40), min_size=1, max_size=12, unique=True)


def mentions(numbers: list[int]) -> list[Any]:
    """For each round: scheduled, held, and a third party expected at it (in record order)."""
    talks = given(Talks, PROPOSED)
    events = []
    for number in numbers:
        events += when(talks, fact(Talks.RoundScheduled, number=number, city="Istanbul"))
        events += when(talks, fact(Talks.RoundHeld, number=number))
        events += when(
            talks,
            fact(Talks.ThirdPartiesExpected, parties=[f"Observer {number}"], round_number=number),
        )
    return events


@settings(max_examples=60, deadline=None)
@for_all(NUMBERS, st.randoms(use_true_random=False))
def test_rounds_are_in_number_order_whatever_order_their_facts_come_in(
    numbers: list[int], rng: Any
) -> None:
    events = mentions(numbers)
    rng.shuffle(events)
    state: dict[str, Any] = {}
    for event in events:
        event.apply_to(state)
    rounds = state["rounds"]
    assert [r["number"] for r in rounds] == sorted(numbers)
    # Each round's facts reached that round and no other, before or after it was mentioned.
    for item in rounds:
        assert [e["actor"] for e in item["expected"]] == [f"Observer {item['number']}"]
        assert item["city"] == "Istanbul"
