"""Position: priorities, demands, proposals and what the party says of the talks."""

from uuid import uuid4

from given import an_envelope, fact, given, opened, then, then_refused, when

from domain.errors import DuplicateFactError, InvalidEventError
from domain.position import Position

TAKEN = fact(Position.PositionTaken, talks_id=uuid4(), party="Russia", speaker="Dmitry Peskov")
TERRITORY = "recognition of new territorial realities"
NEUTRALITY = "Ukraine's neutrality"
WITHDRAWAL = "withdrawal of troops from four regions"
CEASEFIRE = "30-day ceasefire"


def stated(*priorities: str):
    return fact(Position.PrioritiesStated, priorities=list(priorities))


def demand_made(demand: str = WITHDRAWAL):
    return fact(Position.DemandMade, demand=demand, addressee="Ukraine")


def demand_dropped(demand: str = WITHDRAWAL):
    return fact(Position.DemandDropped, demand=demand)


def test_taking_a_position_starts_with_nothing_stated():
    position = opened(Position, TAKEN)

    then(position.collect_events(), Position.PositionTaken, party="Russia")
    assert position.state["priorities"] == []
    assert position.state["demands"] == []
    assert position.state["assessments"] == []


def test_a_position_cannot_be_taken_twice_on_one_stream():
    position = given(Position, TAKEN)

    then_refused(position, TAKEN, DuplicateFactError, "/type")


def test_stated_priorities_accumulate_without_duplicates():
    position = given(Position, TAKEN, stated(TERRITORY))

    then(when(position, stated(NEUTRALITY, TERRITORY, NEUTRALITY)), Position.PrioritiesStated)

    assert position.state["priorities"] == [TERRITORY, NEUTRALITY]


def test_stating_no_priority_is_refused():
    position = given(Position, TAKEN)

    then_refused(position, stated(), InvalidEventError, "/data/priorities")


def test_dropping_a_priority_moves_it_to_the_dropped_priorities():
    position = given(Position, TAKEN, stated(TERRITORY, NEUTRALITY))

    when(position, fact(Position.PriorityDropped, priority=TERRITORY, reason="for a ceasefire"))

    assert position.state["priorities"] == [NEUTRALITY]
    assert position.state["dropped_priorities"] == [TERRITORY]


def test_dropping_a_priority_that_is_not_current_is_refused():
    position = given(Position, TAKEN, stated(TERRITORY))

    then_refused(
        position,
        fact(Position.PriorityDropped, priority=NEUTRALITY),
        InvalidEventError,
        "/data/priority",
    )


def test_a_dropped_priority_cannot_be_dropped_again():
    position = given(
        Position, TAKEN, stated(TERRITORY), fact(Position.PriorityDropped, priority=TERRITORY)
    )

    then_refused(
        position,
        fact(Position.PriorityDropped, priority=TERRITORY),
        InvalidEventError,
        "/data/priority",
    )


def test_a_priority_stated_again_is_no_longer_dropped():
    position = given(
        Position, TAKEN, stated(TERRITORY), fact(Position.PriorityDropped, priority=TERRITORY)
    )

    when(position, stated(TERRITORY))

    assert position.state["priorities"] == [TERRITORY]
    assert position.state["dropped_priorities"] == []


def test_demands_made_are_current_once_each():
    position = given(Position, TAKEN, demand_made())

    then(when(position, demand_made()), Position.DemandMade, demand=WITHDRAWAL)
    assert position.state["demands"] == [WITHDRAWAL]


def test_a_dropped_demand_is_no_longer_current():
    position = given(Position, TAKEN, demand_made(), demand_made("neutrality"))

    when(position, demand_dropped())

    assert position.state["demands"] == ["neutrality"]
    assert position.state["dropped_demands"] == [WITHDRAWAL]


def test_dropping_a_demand_that_was_never_made_is_refused():
    position = given(Position, TAKEN, demand_made())

    then_refused(position, demand_dropped("neutrality"), InvalidEventError, "/data/demand")


def test_a_demand_made_again_is_no_longer_dropped():
    position = given(Position, TAKEN, demand_made(), demand_dropped())

    when(position, demand_made())

    assert position.state["demands"] == [WITHDRAWAL]
    assert position.state["dropped_demands"] == []


def test_a_proposal_made_is_on_the_table():
    position = given(Position, TAKEN)

    then(when(position, fact(Position.ProposalMade, title=CEASEFIRE)), Position.ProposalMade)

    assert [(p["title"], p["status"], p["by"]) for p in position.state["proposals"]] == [
        (CEASEFIRE, "made", "self")
    ]


def test_a_proposal_made_then_rejected_is_rejected():
    position = given(Position, TAKEN, fact(Position.ProposalMade, title=CEASEFIRE))

    when(position, fact(Position.ProposalRejected, title=CEASEFIRE, reason="withdrawn"))

    assert [(p["title"], p["status"]) for p in position.state["proposals"]] == [
        (CEASEFIRE, "rejected")
    ]


def test_rejecting_another_partys_proposal_records_it_as_theirs():
    position = given(Position, TAKEN)

    when(position, fact(Position.ProposalRejected, title="Summit", proposed_by="Ukraine"))

    assert [(p["title"], p["status"], p["by"]) for p in position.state["proposals"]] == [
        ("Summit", "rejected", "Ukraine")
    ]


def test_voiced_skepticism_keeps_the_verbatim_quotes_of_its_sources():
    position = given(Position, TAKEN)
    quoted = an_envelope("We do not expect a quick breakthrough.", "It will be long work.")

    (event,) = when(
        position,
        fact(Position.SkepticismVoiced, quoted, speaker="Dmitry Peskov", about="a breakthrough"),
    )

    assert position.state["assessments"] == [
        {
            "kind": "skepticism",
            "speaker": "Dmitry Peskov",
            "channel": None,
            "quotes": ["We do not expect a quick breakthrough.", "It will be long work."],
            "event_id": str(event.event_id),
            "about": "a breakthrough",
        }
    ]


def test_optimism_and_skepticism_are_both_assessments_in_order():
    position = given(
        Position,
        TAKEN,
        fact(Position.OptimismVoiced, speaker="Hakan Fidan"),
        fact(Position.SkepticismVoiced, speaker="Dmitry Peskov"),
    )

    assert [(a["kind"], a["speaker"]) for a in position.state["assessments"]] == [
        ("optimism", "Hakan Fidan"),
        ("skepticism", "Dmitry Peskov"),
    ]
    assert all(a["quotes"] == [] for a in position.state["assessments"])


def test_a_claim_is_kept_with_its_speaker_and_addressees():
    position = given(Position, TAKEN)

    new = when(
        position,
        fact(
            Position.ClaimMade,
            an_envelope("Kyiv has not answered"),
            claim="Kyiv has not answered the memorandum",
            about="the memorandum",
            speaker="Dmitry Peskov",
            addressees=["Ukraine", "Türkiye"],
        ),
    )

    then(new, Position.ClaimMade, claim="Kyiv has not answered the memorandum")
    (claim,) = position.state["claims"]
    assert claim["kind"] == "claim"
    assert claim["claim"] == "Kyiv has not answered the memorandum"
    assert claim["about"] == "the memorandum"
    assert claim["addressees"] == ["Ukraine", "Türkiye"]
    assert claim["quotes"] == ["Kyiv has not answered"]
    assert new[0].actors() == ["Dmitry Peskov", "Ukraine", "Türkiye"]


def test_a_claim_names_no_addressee_unless_told():
    position = given(Position, TAKEN)

    when(position, fact(Position.ClaimMade, claim="the front is stable"))

    assert position.state["claims"][0]["addressees"] == []


def test_an_intent_is_kept_with_its_conditions():
    position = given(Position, TAKEN)

    new = when(
        position,
        fact(
            Position.IntentStated,
            intent="send a delegation to Istanbul",
            speaker="Volodymyr Zelenskyy",
            conditions=["a memorandum beforehand", "a ceasefire"],
        ),
    )

    then(new, Position.IntentStated, conditions=["a memorandum beforehand", "a ceasefire"])
    (intent,) = position.state["intents"]
    assert (intent["kind"], intent["intent"], intent["speaker"]) == (
        "intent",
        "send a delegation to Istanbul",
        "Volodymyr Zelenskyy",
    )
    assert intent["conditions"] == ["a memorandum beforehand", "a ceasefire"]


def test_an_appeal_to_no_one_is_refused():
    position = given(Position, TAKEN)

    then_refused(
        position,
        fact(Position.AppealMade, subject="sanctions", addressees=[]),
        InvalidEventError,
        "/data/addressees",
    )


def test_an_appeal_lists_its_addressees_the_first_releases_one_first():
    position = given(Position, TAKEN)

    new = when(
        position,
        fact(
            Position.AppealMade,
            subject="sanctions",
            addressee="European Union",
            addressees=["United States", "European Union"],
        ),
    )

    then(new, Position.AppealMade, addressees=["United States", "European Union"])
    assert position.state["appeals"][0]["addressees"] == ["European Union", "United States"]
    assert new[0].headline() == "Appeal to European Union, United States: sanctions"
