"""SourceErrorNoted: an erratum on any stream; it changes nothing of the fact it is noted on."""

from uuid import uuid4

from given import fact, given, then, when

from domain.corrections import SourceErrorNoted
from domain.position import Position
from domain.talks import Talks

TARGET = uuid4()


def test_an_erratum_on_a_talks_is_listed_and_leaves_the_rounds_alone():
    talks = given(
        Talks,
        fact(Talks.TalksProposed, title="Istanbul talks", parties=["Ukraine", "Russia"]),
        fact(Talks.RoundScheduled, number=1, city="Istanbul"),
    )
    rounds = [dict(r) for r in talks.state["rounds"]]

    new = when(talks, fact(SourceErrorNoted, event=TARGET, error="gave Ankara", field="city"))

    then(new, SourceErrorNoted, event=str(TARGET), error="gave Ankara", field="city")
    assert talks.state["rounds"] == rounds
    assert talks.state["errata"] == [
        {
            "event": str(TARGET),
            "source_index": None,
            "field": "city",
            "error": "gave Ankara",
            "reason": None,
            "event_id": str(new[0].event_id),
        }
    ]


def test_an_erratum_is_accepted_on_a_position_too():
    position = given(Position, fact(Position.PositionTaken, talks_id=uuid4(), party="Russia"))

    new = when(position, fact(SourceErrorNoted, event=TARGET, error="misquoted", source_index=1))

    then(new, SourceErrorNoted, source_index=1)
    assert [e["error"] for e in position.state["errata"]] == ["misquoted"]
