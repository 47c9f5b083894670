"""The envelope: every fact rests on a source and has a known modality."""

import pytest
from given import ON_2_JUNE, an_envelope, fact, given, opened, then_refused

from domain.coding import Coding, Plover
from domain.envelope import Envelope, Source
from domain.errors import InvalidEventError
from domain.talks import Talks

PROPOSED = fact(Talks.TalksProposed, title="Istanbul talks", parties=["Ukraine", "Russia"])


@pytest.mark.parametrize(
    ("envelope", "pointer"),
    [
        (Envelope(occurred=ON_2_JUNE), "/sources"),
        (Envelope(occurred=ON_2_JUNE, sources=(Source(quote="said"),)), "/sources/0"),
        (
            Envelope(occurred=ON_2_JUNE, sources=(Source(outlet="A"), Source(url=""))),
            "/sources/1",
        ),
        (
            Envelope(occurred=ON_2_JUNE, sources=(Source(outlet="A"),), coding=Coding(cameo="1x")),
            "/coding/cameo",
        ),
        (
            Envelope(
                occurred=ON_2_JUNE, sources=(Source(outlet="A"),), coding=Coding(plover=Plover("X"))
            ),
            "/coding/plover/category",
        ),
        (
            Envelope(
                occurred=ON_2_JUNE, sources=(Source(outlet="A", published_at="2025-06-02T10:00"),)
            ),
            "/sources/0/published_at",
        ),
        (
            Envelope(occurred=ON_2_JUNE, sources=(Source(outlet="A"),), modality="rumoured"),
            "/modality",
        ),
    ],
)
def test_a_fact_without_a_usable_source_or_with_an_unknown_modality_is_refused(envelope, pointer):
    talks = given(Talks, PROPOSED)

    then_refused(talks, fact(Talks.TalksSuspended, envelope), InvalidEventError, pointer)


def test_a_stream_cannot_be_opened_without_a_source():
    with pytest.raises(InvalidEventError) as caught:
        opened(
            Talks, fact(Talks.TalksProposed, Envelope(occurred=ON_2_JUNE), title="t", parties=[])
        )

    assert caught.value.pointer == "/sources"


def test_the_quotes_are_those_of_the_quoted_sources_in_order():
    envelope = Envelope(
        occurred=ON_2_JUNE,
        sources=(
            Source(outlet="A", quote="first"),
            Source(outlet="B"),
            Source(url="u", quote="last"),
        ),
    )

    assert envelope.quotes == ["first", "last"]
    assert an_envelope().quotes == []
