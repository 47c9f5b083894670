"""The catalogue: stable topics, descriptions, CAMEO codes, and examples that really record."""

import re
from uuid import UUID, uuid4

import pytest
from eventsourcing.utils import get_topic, resolve_topic
from given import build_data

from domain.base import EXAMPLE_IDS
from domain.catalogue import AGGREGATES, EVENT_TYPES, creation_type, event_type
from domain.envelope import Envelope, Source
from domain.errors import InvalidEventError
from domain.occurrence import Occurrence

TYPES = list(EVENT_TYPES.values())
KINDS = list(AGGREGATES)


def each_type(test):
    return pytest.mark.parametrize("entry", TYPES, ids=[t.name for t in TYPES])(test)


def example_stream(kind: str):
    """The example stream of ``kind``: its creating example, then every other one in order."""
    events = []
    aggregate = None
    # Corrections and retractions (kind "any") are appended to the example Talks.
    for entry in (t for t in TYPES if t.kind == kind or (kind == "talks" and t.kind == "any")):
        body = entry.example_body()
        envelope = Envelope(
            occurred=Occurrence.build(**body["occurred"]),
            sources=tuple(Source(**source) for source in body["sources"]),
            modality=body["modality"],
        )
        data = build_data(entry.event_class, body["data"])
        if entry.creates:
            aggregate = AGGREGATES[kind].open(
                entry.event_class,
                stream_id=UUID(body["id"]),
                event_id=uuid4(),
                envelope=envelope,
                **data,
            )
        else:
            assert aggregate is not None, f"{entry.name} comes before the {kind} stream opens"
            aggregate.record(entry.event_class, event_id=uuid4(), envelope=envelope, **data)
        events.extend(aggregate.collect_events())
    return aggregate, events


def test_the_catalogue_lists_every_event_type_of_every_aggregate():
    assert {kind: sum(t.kind == kind for t in TYPES) for kind in KINDS} == {
        "talks": 15,  # issue 13: ContactHeld, AgreementImplemented
        "delegations": 9,
        "positions": 11,
        "actors": 4,
    }


@each_type
def test_every_event_type_has_its_own_explicit_topic(entry):
    cls = entry.event_class

    assert "TOPIC" in vars(cls)
    assert cls.TOPIC.startswith("negotiation-timeline/")
    assert cls.__module__ not in cls.TOPIC
    assert "domain" not in cls.TOPIC
    assert get_topic(cls) == cls.TOPIC
    assert resolve_topic(cls.TOPIC) is cls


def test_topics_are_unique_across_event_types_and_aggregates():
    classes = [t.event_class for t in TYPES] + list(AGGREGATES.values())
    topics = [cls.TOPIC for cls in classes]

    assert len(set(topics)) == len(topics)
    assert all("TOPIC" in vars(cls) for cls in AGGREGATES.values())


@each_type
def test_every_event_type_describes_itself_in_one_line(entry):
    assert entry.description
    assert entry.description == entry.event_class.__doc__.strip().splitlines()[0]
    assert not entry.description.startswith(f"{entry.name}(")


@each_type
def test_every_cameo_code_is_absent_or_three_to_four_digits_with_leading_zeros(entry):
    assert entry.cameo is None or re.fullmatch(r"[0-9]{3,4}", entry.cameo)


def test_cameo_codes_keep_their_leading_zero():
    assert EVENT_TYPES["TalksProposed"].cameo == "036"
    assert EVENT_TYPES["PositionTaken"].cameo == "010"


@each_type
def test_every_example_body_rests_on_a_source_with_a_known_modality(entry):
    body = entry.example_body()

    assert body["type"] == entry.name
    assert set(body["data"]) <= set(entry.event_class.data_fields())
    assert ("id" in body) == entry.creates
    assert body["sources"][0]["url"] or body["sources"][0]["outlet"]
    kind = "talks" if entry.kind == "any" else entry.kind
    assert entry.example_path() == (
        f"/{kind}" if entry.creates else f"/{kind}/{EXAMPLE_IDS[kind]}/events"
    )


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_stream_has_exactly_one_creating_event(kind):
    creating = [t.name for t in TYPES if t.kind == kind and t.creates]

    assert creating == [creation_type(kind).name]
    assert TYPES[[t.kind for t in TYPES].index(kind)].creates


@pytest.mark.parametrize("kind", KINDS)
def test_the_examples_recorded_in_catalogue_order_build_a_valid_stream(kind):
    aggregate, events = example_stream(kind)
    examples = [t for t in TYPES if t.kind == kind or (kind == "talks" and t.kind == "any")]

    assert str(aggregate.id) == EXAMPLE_IDS[kind]
    assert aggregate.version == len(examples)
    assert [type(event) for event in events] == [t.event_class for t in examples]
    for event, entry in zip(events, examples, strict=True):
        expected = build_data(entry.event_class, entry.example_body()["data"])
        assert {key: getattr(event, key) for key in expected} == expected
        assert event.envelope.modality == entry.event_class.EXAMPLE_MODALITY


@pytest.mark.parametrize("kind", KINDS)
def test_the_example_stream_state_is_the_pure_fold_of_its_events(kind):
    aggregate, events = example_stream(kind)
    state: dict = {}

    for event in events:
        event.apply_to(state)

    assert state == aggregate.state


@pytest.mark.parametrize("kind", KINDS)
def test_every_example_event_folds_into_any_state_in_reverse_order(kind):
    _, events = example_stream(kind)
    for event in events:
        event.apply_to({})
    state: dict = {}

    for event in reversed(events):
        event.apply_to(state)

    assert state


@each_type
def test_every_example_has_a_headline(entry):
    _, events = example_stream("talks" if entry.kind == "any" else entry.kind)
    (event,) = (e for e in events if type(e) is entry.event_class)

    assert event.headline()
    assert "{" not in event.headline()


def test_an_event_type_is_found_only_under_its_own_kind():
    assert event_type("RoundHeld", "talks").event_class.__name__ == "RoundHeld"

    for name, kind in (("RoundHeld", "delegations"), ("NoSuchEvent", None)):
        with pytest.raises(InvalidEventError) as caught:
            event_type(name, kind)
        assert caught.value.pointer == "/type"
