"""Talks: rounds, suspension, conclusion, expectations and agreements."""

import pytest
from given import an_envelope, example, fact, given, opened, then, then_refused, when

from domain.catalogue import EVENT_TYPES
from domain.errors import ClosedStreamError, DuplicateFactError, InvalidEventError
from domain.talks import PAX_STAGES, Talks

PROPOSED = fact(
    Talks.TalksProposed, title="Istanbul talks", parties=["Ukraine", "Russia"], proposed_by="Russia"
)


def scheduled(number: int, city: str = "Istanbul"):
    return fact(Talks.RoundScheduled, an_envelope(modality="planned"), number=number, city=city)


def held(number: int):
    return fact(Talks.RoundHeld, number=number)


def test_proposing_talks_opens_a_stream_with_status_proposed():
    talks = opened(Talks, PROPOSED)

    then(
        talks.collect_events(),
        Talks.TalksProposed,
        title="Istanbul talks",
        parties=["Ukraine", "Russia"],
        proposed_by="Russia",
    )
    assert talks.state["status"] == "proposed"
    assert talks.state["rounds"] == []
    assert talks.version == 1


def test_talks_cannot_be_proposed_again_on_the_same_stream():
    talks = given(Talks, PROPOSED)

    then_refused(talks, PROPOSED, DuplicateFactError, "/type")


def test_talks_cannot_be_opened_with_an_event_that_does_not_create_them():
    with pytest.raises(InvalidEventError) as caught:
        opened(Talks, held(1))

    assert caught.value.pointer == "/type"


def test_scheduling_a_round_makes_the_round_and_the_talks_scheduled():
    talks = given(Talks, PROPOSED)

    then(when(talks, scheduled(1)), Talks.RoundScheduled, number=1, city="Istanbul")
    assert talks.state["status"] == "scheduled"
    assert [(r["number"], r["status"]) for r in talks.state["rounds"]] == [(1, "scheduled")]


def test_a_round_cannot_be_scheduled_twice():
    talks = given(Talks, PROPOSED, scheduled(1))

    then_refused(talks, scheduled(1, "Geneva"), DuplicateFactError, "/data/number")


def test_holding_a_round_makes_the_talks_active():
    talks = given(Talks, PROPOSED, scheduled(1))

    then(when(talks, held(1)), Talks.RoundHeld, number=1)
    assert talks.state["status"] == "active"
    assert talks.state["rounds"][0]["status"] == "held"
    assert talks.state["rounds"][0]["city"] == "Istanbul"


def test_a_round_cannot_be_held_twice():
    talks = given(Talks, PROPOSED, scheduled(1), held(1))

    then_refused(talks, held(1), DuplicateFactError, "/data/number")


def test_a_cancelled_round_cannot_be_held():
    talks = given(Talks, PROPOSED, scheduled(1), fact(Talks.RoundCancelled, number=1))

    then_refused(talks, held(1), InvalidEventError, "/data/number")


def test_postponing_a_round_moves_its_date():
    talks = given(Talks, PROPOSED, scheduled(3))
    new_date = {"precision": "month", "value": "2025-08"}

    when(talks, example(Talks.RoundPostponed))

    (round_3,) = talks.state["rounds"]
    assert round_3["status"] == "postponed"
    assert {key: round_3["date"][key] for key in new_date} == new_date


def test_postponing_an_unknown_round_is_refused():
    talks = given(Talks, PROPOSED, scheduled(1))

    then_refused(talks, fact(Talks.RoundPostponed, number=2), InvalidEventError, "/data/number")


def test_cancelling_a_held_round_is_refused():
    talks = given(Talks, PROPOSED, scheduled(1), held(1))

    then_refused(talks, fact(Talks.RoundCancelled, number=1), InvalidEventError, "/data/number")


def test_suspended_talks_resume_as_active():
    talks = given(Talks, PROPOSED, scheduled(1), held(1))

    when(talks, fact(Talks.TalksSuspended, reason="a party walked out"))
    assert talks.state["status"] == "suspended"
    then(when(talks, fact(Talks.TalksResumed)), Talks.TalksResumed)
    assert talks.state["status"] == "active"


def test_suspended_talks_cannot_be_suspended_again():
    talks = given(Talks, PROPOSED, fact(Talks.TalksSuspended))

    then_refused(talks, fact(Talks.TalksSuspended), DuplicateFactError, "/type")


def test_talks_that_are_not_suspended_cannot_resume():
    talks = given(Talks, PROPOSED, scheduled(1), held(1))

    then_refused(talks, fact(Talks.TalksResumed), InvalidEventError, "/type")


@pytest.mark.parametrize(
    "event_class",
    [t.event_class for t in EVENT_TYPES.values() if t.kind == "talks"],
    ids=lambda cls: cls.__name__,
)
def test_concluded_talks_refuse_every_further_event(event_class):
    talks = given(Talks, PROPOSED, fact(Talks.TalksConcluded, outcome="agreement signed"))
    assert talks.state["outcome"] == "agreement signed"

    then_refused(talks, example(event_class), ClosedStreamError, "/type")


def test_third_parties_expected_keep_who_said_so_as_according_to():
    talks = given(Talks, PROPOSED, scheduled(2))
    said_by_kremlin = an_envelope(attributed_to="Kremlin", modality="expected")

    when(
        talks,
        fact(
            Talks.ThirdPartiesExpected, said_by_kremlin, parties=["United States"], round_number=2
        ),
    )

    assert talks.state["expected_participants"] == [
        {"party": "United States", "round": 2, "role": None, "according_to": "Kremlin"}
    ]


def test_expecting_no_third_party_is_refused():
    talks = given(Talks, PROPOSED)

    then_refused(
        talks, fact(Talks.ThirdPartiesExpected, parties=[]), InvalidEventError, "/data/parties"
    )


@pytest.mark.parametrize("stage", PAX_STAGES)
def test_an_agreement_at_a_pax_stage_is_recorded(stage):
    talks = given(Talks, PROPOSED)

    when(talks, fact(Talks.AgreementReached, title="POW swap", parties=["A", "B"], stage=stage))

    assert [(a["title"], a["stage"]) for a in talks.state["agreements"]] == [("POW swap", stage)]


def test_an_agreement_at_a_stage_that_is_not_a_pax_stage_is_refused():
    talks = given(Talks, PROPOSED)
    agreement = fact(Talks.AgreementReached, title="POW swap", parties=["A", "B"], stage="final")

    then_refused(talks, agreement, InvalidEventError, "/data/stage")


def test_a_round_held_before_it_was_scheduled_folds_without_error():
    talks = given(Talks, PROPOSED)
    scheduled_event = when(talks, scheduled(1))[0]
    held_event = when(talks, held(1))[0]
    state: dict = {}

    held_event.apply_to(state)
    assert state["status"] == "active"
    assert [(r["number"], r["status"]) for r in state["rounds"]] == [(1, "held")]
    scheduled_event.apply_to(state)
    assert [r["number"] for r in state["rounds"]] == [1]


def test_the_talks_state_is_the_fold_of_its_events():
    talks = opened(Talks, PROPOSED)
    events = talks.collect_events()
    for command in (scheduled(1), held(1), scheduled(2), fact(Talks.RoundCancelled, number=2)):
        events += when(talks, command)
    state: dict = {}

    for event in events:
        event.apply_to(state)

    assert state == talks.state
    assert [(r["number"], r["status"]) for r in state["rounds"]] == [(1, "held"), (2, "cancelled")]
