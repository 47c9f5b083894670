"""Talks as reported (issue 13): who took part, who was expected, contacts without a mediator,
agreements carried out with counts, and the value objects they use."""

import pytest
from given import an_envelope, fact, given, then, then_refused, when

from domain.delegation import Delegation
from domain.errors import InvalidEventError
from domain.occurrence import Occurrence
from domain.participants import Participant
from domain.quantities import Quantity
from domain.talks import Talks

PROPOSED = fact(Talks.TalksProposed, title="Istanbul talks", parties=["Ukraine", "Russia"])
ON_16_MAY = Occurrence.build(precision="day", value="2025-05-16")
EXCHANGE = fact(
    Talks.AgreementReached, title="Exchange of prisoners", parties=["Ukraine", "Russia"]
)


def people(*pairs: tuple[str, str]) -> list[Participant]:
    return [Participant(actor, role) for actor, role in pairs]


def pows(value: int) -> list[Quantity]:
    return [Quantity(value=value, unit="prisoners of war")]


# Value objects


@pytest.mark.parametrize(
    ("quantity", "pointer"),
    [
        (Quantity(value=-1, unit="bodies"), "/q/value"),
        (Quantity(min=10, max=5, unit="bodies"), "/q/min"),
        (Quantity(min=10, unit="bodies"), "/q/max"),
        (Quantity(value=3, min=1, max=5, unit="bodies"), "/q/value"),
        (Quantity(unit="bodies"), "/q/value"),
        (Quantity(value=3, unit=" "), "/q/unit"),
    ],
)
def test_a_quantity_gives_one_non_negative_value_or_an_ordered_range_and_a_unit(quantity, pointer):
    with pytest.raises(InvalidEventError) as caught:
        quantity.check("/q")

    assert caught.value.pointer == pointer


def test_a_quantity_reads_as_reported():
    assert Quantity(value=390, unit="prisoners of war", approximate=True).text() == (
        "about 390 prisoners of war"
    )
    assert Quantity(min=1000, max=1200, unit="bodies").text() == "1000–1200 bodies"


def test_a_participant_has_a_role_of_the_list():
    with pytest.raises(InvalidEventError) as caught:
        Participant("Hakan Fidan", "referee").check("/p")

    assert caught.value.pointer == "/p/role"


# Rounds: scheduled where known, held on a day, with who took part and who was expected


def test_a_round_can_be_scheduled_in_a_country_when_the_city_is_unknown():
    talks = given(Talks, PROPOSED)

    then(when(talks, fact(Talks.RoundScheduled, number=1, country="Türkiye")),
         Talks.RoundScheduled, number=1, city=None, country="Türkiye")  # fmt: skip
    assert talks.state["rounds"][0]["country"] == "Türkiye"


def test_a_round_scheduled_nowhere_is_refused_at_the_city():
    then_refused(given(Talks, PROPOSED), fact(Talks.RoundScheduled, number=1),
                 InvalidEventError, "/data/city")  # fmt: skip


def test_a_held_round_keeps_the_day_it_was_held_beside_the_day_it_was_scheduled_for():
    scheduled = fact(
        Talks.RoundScheduled,
        an_envelope(modality="planned"),
        number=1,
        city="Istanbul",
        date=Occurrence.build(precision="day", value="2025-05-15"),
    )
    talks = given(Talks, PROPOSED, scheduled)

    when(talks, fact(Talks.RoundHeld, an_envelope(occurred=ON_16_MAY), number=1))

    (round_one,) = talks.state["rounds"]
    assert round_one["date"]["value"] == "2025-05-15"
    assert round_one["held_on"]["value"] == "2025-05-16"


def test_a_held_round_lists_who_took_part_beside_who_was_expected_and_on_whose_word():
    expected = fact(
        Talks.ThirdPartiesExpected,
        an_envelope(attributed_to="Keith Kellogg", modality="expected"),
        parties=["United States", "Germany"],
        round_number=1,
        role="observers",
    )
    talks = given(Talks, PROPOSED, expected)

    new = when(
        talks,
        fact(
            Talks.RoundHeld,
            number=1,
            participants=people(("Hakan Fidan", "chair"), ("United States", "observer")),
            duration=Quantity(value=90, unit="minutes"),
        ),
    )

    (round_one,) = talks.state["rounds"]
    assert [(p["actor"], p["role"]) for p in round_one["participants"]] == [
        ("Hakan Fidan", "chair"),
        ("United States", "observer"),
    ]
    assert {p["event_id"] for p in round_one["participants"]} == {str(new[0].event_id)}
    assert [(e["actor"], e["role"], e["according_to"]) for e in round_one["expected"]] == [
        ("United States", "observers", "Keith Kellogg"),
        ("Germany", "observers", "Keith Kellogg"),
    ]
    assert round_one["duration"]["value"] == 90


def test_participants_expected_before_the_round_is_mentioned_join_it_when_it_is():
    expected = fact(Talks.ThirdPartiesExpected, parties=["Vatican"], round_number=4)
    talks = given(Talks, PROPOSED, expected)

    when(talks, fact(Talks.RoundScheduled, number=4, city="Rome"))

    assert [e["actor"] for e in talks.state["rounds"][0]["expected"]] == ["Vatican"]


def test_a_bad_participant_or_duration_of_a_round_is_refused_at_its_member():
    talks = given(Talks, PROPOSED)

    then_refused(talks, fact(Talks.RoundHeld, number=1,
                             participants=people(("A", "chair"), ("B", "boss"))),
                 InvalidEventError, "/data/participants/1/role")  # fmt: skip
    then_refused(talks, fact(Talks.RoundHeld, number=1, duration=Quantity(value=-5, unit="min")),
                 InvalidEventError, "/data/duration/value")  # fmt: skip


# Mediators: roles accumulate


def test_a_mediators_roles_accumulate_each_with_its_own_date_and_sources():
    first = fact(Talks.MediatorRoleAssumed, an_envelope("offers to host"), mediator="Türkiye",
                 role="host", hosts=True)  # fmt: skip
    talks = given(Talks, PROPOSED, first)

    when(talks, fact(Talks.MediatorRoleAssumed, an_envelope("mediates", occurred=ON_16_MAY),
                     mediator="Türkiye", role="mediator"))  # fmt: skip

    (turkiye,) = talks.state["mediators"]
    assert (turkiye["role"], turkiye["hosts"]) == ("mediator", True)
    assert [(r["role"], r["hosts"]) for r in turkiye["roles"]] == [
        ("host", True),
        ("mediator", False),
    ]
    assert [r["sources"][0]["quote"] for r in turkiye["roles"]] == ["offers to host", "mediates"]
    assert turkiye["roles"][1]["occurred"]["value"] == "2025-05-16"


# Agreements, their signatories, and their implementation in stages


def test_an_agreement_keeps_its_signatories():
    talks = given(Talks, PROPOSED)

    when(talks, fact(Talks.AgreementReached, title="Exchange", parties=["Ukraine", "Russia"],
                     participants=people(("Rustem Umerov", "signatory"))))  # fmt: skip

    assert [p["actor"] for p in talks.state["agreements"][0]["participants"]] == ["Rustem Umerov"]


def test_an_agreement_carried_out_in_stages_lists_each_stage_with_its_counts():
    talks = given(Talks, PROPOSED, EXCHANGE)

    new = when(talks, fact(Talks.AgreementImplemented, agreement="Exchange of prisoners",
                           stage="first stage", quantities=pows(390)))  # fmt: skip
    when(talks, fact(Talks.AgreementImplemented, agreement="Exchange of prisoners",
                     stage="second stage", quantities=pows(307)))  # fmt: skip

    then(new, Talks.AgreementImplemented, stage="first stage", quantities=pows(390))
    stages = talks.state["agreements"][0]["implementation"]
    assert [(s["stage"], s["quantities"][0]["value"]) for s in stages] == [
        ("first stage", 390),
        ("second stage", 307),
    ]
    assert stages[0]["event_id"] == str(new[0].event_id)


def test_an_agreement_carried_out_names_an_agreement_of_the_talks():
    then_refused(given(Talks, PROPOSED),
                 fact(Talks.AgreementImplemented, agreement="Nothing agreed", quantities=pows(1)),
                 InvalidEventError, "/data/agreement")  # fmt: skip


def test_an_impossible_count_is_refused_at_its_member():
    then_refused(given(Talks, PROPOSED, EXCHANGE),
                 fact(Talks.AgreementImplemented, agreement="Exchange of prisoners",
                      quantities=[*pows(1), Quantity(min=9, max=2, unit="bodies")]),
                 InvalidEventError, "/data/quantities/1/min")  # fmt: skip


# Contacts without a mediator


def test_a_contact_between_two_parties_is_listed_with_its_channel_and_duration():
    talks = given(Talks, PROPOSED)

    new = when(talks, fact(Talks.ContactHeld, parties=["Ukraine", "United States"],
                           channel="phone", duration=Quantity(value=40, unit="minutes")))  # fmt: skip

    (contact,) = talks.state["contacts"]
    assert (contact["channel"], contact["duration"]["value"]) == ("phone", 40)
    assert contact["event_id"] == str(new[0].event_id)
    assert new[0].CAMEO == "040"


@pytest.mark.parametrize(
    ("data", "pointer"),
    [
        ({"parties": ["Ukraine"], "channel": "phone"}, "/data/parties"),
        ({"parties": ["Ukraine", "Ukraine"], "channel": "phone"}, "/data/parties"),
        ({"parties": ["Ukraine", "Russia"], "channel": "pigeon"}, "/data/channel"),
    ],
)
def test_a_contact_is_held_between_two_parties_by_a_known_channel(data, pointer):
    then_refused(given(Talks, PROPOSED), fact(Talks.ContactHeld, **data),
                 InvalidEventError, pointer)  # fmt: skip


# Delegations tied to a round


def test_a_delegation_is_tied_to_the_rounds_it_is_announced_for_and_arrives_at():
    announced = fact(Delegation.DelegationAnnounced, talks_id="00000000-0000-4000-8000-000000000001",
                     party="Ukraine", round_number=1)  # fmt: skip
    delegation = given(Delegation, announced)

    then(when(delegation, fact(Delegation.DelegationArrived, city="Istanbul", round_number=2)),
         Delegation.DelegationArrived, city="Istanbul", round_number=2)  # fmt: skip

    assert delegation.state["rounds"] == [1, 2]
    assert delegation.state["movements"][-1] == {
        "status": "arrived",
        "city": "Istanbul",
        "round_number": 2,
    }


def test_an_agreement_carried_out_reads_with_its_stage_and_counts():
    event = when(given(Talks, PROPOSED, EXCHANGE),
                 fact(Talks.AgreementImplemented, agreement="Exchange of prisoners",
                      quantities=[Quantity(value=390, unit="prisoners of war", approximate=True),
                                  Quantity(min=5, max=8, unit="bodies")]))[0]  # fmt: skip

    assert event.headline() == (
        "Agreement carried out: Exchange of prisoners: about 390 prisoners of war, 5–8 bodies"
    )
