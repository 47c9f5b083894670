"""One state on every clock: now, at a moment after every fact, and as of now agree.

Generated Talks streams mix rival claims (some recorded as disputed, some sharing a source),
corrections of fields and dates, retractions, and every date form (unknown, minute, day,
uncertain day, a day in a named time zone, month, interval, EDTF qualifiers, unspecified
digits, one of a set, open intervals). Reads go through the service's fold cache with checkpoints
every few facts, so that resuming from a checkpoint is exercised too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID, uuid4

from hypothesis import given, settings
from hypothesis import strategies as st

from application import folds
from application.folds import FoldCache
from domain import temporal
from domain.corrections import EventCorrected, EventRetracted
from domain.envelope import Envelope, Source
from domain.errors import DomainError
from domain.occurrence import Occurrence
from domain.talks import Talks

Event = Talks.Event
FIRST_DAY = date(2025, 5, 1)
AFTER_EVERYTHING = datetime(9000, 1, 1, tzinfo=UTC)
CITIES = ("Istanbul", "Ankara", "Geneva")
PROPERTIES = settings(max_examples=150, deadline=None)


FORMS = (
    "unknown",
    "minute",
    "day",
    "uncertain",
    "zoned day",
    "month",
    "interval",
    "qualified",
    "unspecified",
    "one of a set",
    "until",
    "from",
)


@st.composite
def occurrences(draw: st.DrawFn) -> Occurrence:
    """A date in any of the forms the store keeps."""
    form = draw(st.sampled_from(FORMS))
    day = FIRST_DAY + timedelta(days=draw(st.integers(0, 45)))
    text = day.isoformat()
    later = (day + timedelta(days=draw(st.integers(1, 5)))).isoformat()
    if form == "unknown":
        return Occurrence(precision="unknown")
    if form == "minute":
        hour = draw(st.integers(0, 23))
        return Occurrence(precision="minute", value=f"{text}T{hour:02d}:30+03:00")
    if form in ("day", "uncertain"):
        return Occurrence(precision="day", value=text, uncertain=form == "uncertain")
    if form == "zoned day":
        zone = draw(st.sampled_from(("Europe/Moscow", "America/New_York")))
        return Occurrence(precision="day", value=text, tz=zone)
    if form == "month":
        return Occurrence(precision="month", value=text[:7])
    if form == "interval":
        return Occurrence(precision="interval", value=f"{text}/{later}")
    if form == "qualified":
        return Occurrence(precision="edtf", value=text + draw(st.sampled_from("?~%")))
    if form == "unspecified":
        return Occurrence(precision="edtf", value=f"{text[:7]}-XX")
    if form == "one of a set":
        return Occurrence(precision="edtf", value=f"[{text},{later}]")
    if form == "until":
        return Occurrence(precision="interval", value=f"../{text}")
    return Occurrence(precision="interval", value=f"{text}/..")


def claim_data(kind: str, draw: st.DrawFn) -> dict[str, Any]:
    number = draw(st.integers(1, 2))
    if kind == "RoundScheduled":
        return {"number": number, "city": draw(st.sampled_from(CITIES))}
    if kind == "RoundHeld":
        return {"number": number, "city": draw(st.none() | st.sampled_from(CITIES))}
    if kind == "AgreementReached":
        return {
            "title": "Prisoner exchange",
            "parties": ["A", "B"],
            "terms": draw(st.sampled_from(("all for all", "1000 for 1000"))),
        }
    if kind == "MediatorRoleAssumed":
        return {"mediator": draw(st.sampled_from(("Türkiye", "Vatican"))), "role": f"role {number}"}
    if kind == "MediatorConsulted":
        return {"party": "A", "mediator": "Türkiye", "participants": [f"Person {number}"]}
    return {"reason": f"reason {number}"}  # TalksSuspended, TalksResumed


KINDS = (
    "RoundScheduled",
    "RoundHeld",
    "AgreementReached",
    "MediatorRoleAssumed",
    "MediatorConsulted",
    "TalksSuspended",
    "TalksResumed",
    "EventCorrected",
    "EventRetracted",
)


@st.composite
def families(draw: st.DrawFn) -> list[Event]:
    """A Talks stream as the write model accepts it: facts it refuses are left out."""
    talks = Talks.open(
        Talks.TalksProposed,
        stream_id=uuid4(),
        event_id=uuid4(),
        envelope=Envelope(occurred=draw(occurrences()), sources=(Source(url="urn:s:0"),)),
        title="Generated talks",
        parties=["A", "B"],
    )
    facts: list[tuple[UUID, str]] = []
    for index in range(1, draw(st.integers(1, 16)) + 1):
        kind = draw(st.sampled_from(KINDS))
        shared = facts and draw(st.booleans()) and draw(st.booleans())
        source = Source(url=f"urn:s:{index - 1 if shared else index}")
        envelope = Envelope(
            occurred=draw(occurrences()),
            sources=(source,),
            modality=draw(st.sampled_from(("asserted", "reported", "disputed"))),
        )
        if kind in ("EventCorrected", "EventRetracted"):
            if not facts:
                continue
            target, target_kind = draw(st.sampled_from(facts))
            if kind == "EventRetracted":
                data: dict[str, Any] = {"retracts": target, "reason": "wrong"}
            else:
                fields = None
                if target_kind in ("RoundScheduled", "RoundHeld") and draw(st.booleans()):
                    fields = {"city": draw(st.sampled_from(CITIES))}
                occurred = draw(st.none() | occurrences()) if fields else draw(occurrences())
                data = {
                    "corrects": target,
                    "reason": "fixed",
                    "fields": fields,
                    "occurred": occurred,
                }
            event_class: type[Event] = (
                EventCorrected if kind == "EventCorrected" else EventRetracted
            )
        else:
            data = claim_data(kind, draw)
            event_class = getattr(Talks, kind)
        event_id = uuid4()
        try:
            talks.record(event_class, event_id=event_id, envelope=envelope, **data)
        except DomainError:
            continue
        if kind not in ("EventCorrected", "EventRetracted"):
            facts.append((event_id, kind))
    return list(talks.collect_events())  # type: ignore[arg-type]


def through_the_cache(events: list[Event], at: datetime | None = None) -> Any:
    """The state a read gives, from a fold cache with a checkpoint every three facts."""
    return FoldCache(every=3).fold(events[0].originator_id, events, at)


@PROPERTIES
@given(families())
def test_now_at_a_moment_after_every_fact_and_as_of_now_are_one_state(events: list[Event]) -> None:
    now = through_the_cache(events)

    assert now == through_the_cache(events, AFTER_EVERYTHING)
    assert now == temporal.fold(events)
    assert now == temporal.fold(events, at=AFTER_EVERYTHING)


@PROPERTIES
@given(families())
def test_as_of_each_record_time_the_reads_now_and_after_every_fact_agree(
    events: list[Event],
) -> None:
    cache = FoldCache(every=2)
    stream = events[0].originator_id
    for known in range(1, len(events) + 1):
        recorded = events[:known]  # what a read as of the known-th record time folds
        state = cache.fold(stream, recorded, None)
        assert state == cache.fold(stream, recorded, AFTER_EVERYTHING)
        assert state == temporal.fold(recorded)


@PROPERTIES
@given(families(), st.integers(-3, 50 * 24))
def test_a_read_at_any_moment_resumes_from_checkpoints_to_the_plain_fold(
    events: list[Event], hours: int
) -> None:
    moment = datetime(2025, 5, 1, tzinfo=UTC) + timedelta(hours=hours)

    assert through_the_cache(events, moment) == temporal.fold(events, at=moment)


@PROPERTIES
@given(families())
def test_a_read_that_keeps_no_index_gives_the_same_state_and_keeps_none(
    events: list[Event],
) -> None:
    cache = FoldCache(every=2)
    stream = events[0].originator_id
    for known in range(1, len(events) + 1):
        assert cache.fold(stream, events[:known], None, keep=False) == temporal.fold(events[:known])
    assert not any(cache._has(stream, known) for known in range(1, len(events) + 1))
    kept = cache.fold(stream, events, None)  # the current version: kept, and then served
    assert cache._has(stream, len(events))
    assert cache.fold(stream, events, None, keep=False) == kept


def plainly_between(
    events: list[Event], start: datetime, end: datetime
) -> tuple[Any, list[tuple[str, Any]]]:
    """The fold at ``end`` from its first fact, by the domain's own steps: the state before the
    first fact that did not count at ``start`` (None if none came before it; with no such fact,
    the state of all), and each such fact's id with the state after it."""
    earlier = {str(f.event.event_id) for f in temporal.select(events, at=start)}
    chosen = temporal.select(events, at=end)
    state: dict[str, Any] = {}
    before: Any = None
    found: list[tuple[str, Any]] = []
    for position, (fact, since) in enumerate(
        zip(chosen, temporal.suppressions(chosen), strict=True)
    ):
        if str(fact.event.event_id) not in earlier and not found and position:
            before = temporal.public(state)
        temporal.step(state, fact, skip=since is not None)
        if str(fact.event.event_id) not in earlier:
            found.append((str(fact.event.event_id), temporal.public(state)))
    if chosen and not found:  # none between: the state of every fact counted
        before = temporal.public(state)
    return before, found


@PROPERTIES
@given(families(), st.integers(-3, 50 * 24), st.integers(0, 50 * 24))
def test_the_facts_between_two_moments_resume_from_checkpoints_to_the_plain_fold(
    events: list[Event], hours: int, longer: int
) -> None:
    start = datetime(2025, 5, 1, tzinfo=UTC) + timedelta(hours=hours)
    end = start + timedelta(hours=longer)
    walk = FoldCache(every=2).between(events[0].originator_id, events, start, end)

    expected_before, expected = plainly_between(events, start, end)
    assert walk.previous == expected_before
    assert [(str(fact.event.event_id), state) for fact, state in walk.steps] == expected
    assert walk.at_start == temporal.fold(events, at=start)
    assert walk.at_end == temporal.fold(events, at=end)
    # Every fact that counts at ``end`` and not at ``start`` is among them, and no other.
    at_start = {str(f.event.event_id) for f in temporal.select(events, at=start)}
    at_end = {str(f.event.event_id) for f in temporal.select(events, at=end)}
    assert {event_id for event_id, _ in expected} == at_end - at_start


def test_a_claim_outranked_by_one_between_the_moments_is_left_out_before_them_too() -> None:
    """The agreement's terms recorded first stand, though dated after the rival's: in the fold
    at the later moment the rival is left out from the start, so the walk cannot resume from a
    checkpoint that applied it."""
    talks = Talks.open(
        Talks.TalksProposed, stream_id=uuid4(), event_id=uuid4(),
        envelope=Envelope(occurred=Occurrence(precision="unknown"), sources=(Source(url="urn:0"),)),
        title="Talks", parties=["A", "B"],
    )  # fmt: skip

    def record(kind: type[Event], day: str, source: str, **data: Any) -> None:
        envelope = Envelope(occurred=Occurrence(precision="day", value=day),
                            sources=(Source(url=source),))  # fmt: skip
        talks.record(kind, event_id=uuid4(), envelope=envelope, **data)

    agreement = {"title": "Prisoner exchange", "parties": ["A", "B"]}
    record(Talks.AgreementReached, "2025-06-10", "urn:1", terms="all for all", **agreement)
    for day in ("2025-05-02", "2025-05-03", "2025-05-04"):
        record(Talks.MediatorConsulted, day, f"urn:{day}", party="A", mediator="Türkiye",
               participants=[f"Person {day}"])  # fmt: skip
    record(Talks.AgreementReached, "2025-05-01", "urn:2", terms="1000 for 1000", **agreement)
    events: list[Event] = list(talks.collect_events())  # type: ignore[arg-type]
    start, end = datetime(2025, 5, 5, tzinfo=UTC), datetime(2025, 6, 11, tzinfo=UTC)

    walk = FoldCache(every=2).between(events[0].originator_id, events, start, end)

    steps = [(str(f.event.event_id), state) for f, state in walk.steps]
    assert (walk.previous, steps) == plainly_between(events, start, end)
    assert walk.previous is not None
    assert not walk.previous.get("agreements")  # the rival's terms never stood in that fold
    assert walk.at_start is not None  # though they stood in the read at the first moment
    assert walk.at_start["agreements"][0]["terms"] == "1000 for 1000"
    assert [f.event.type_name() for f, _ in walk.steps] == ["AgreementReached"]


def test_the_indexes_kept_hold_at_most_max_facts_facts_between_them() -> None:
    talks = Talks.open(
        Talks.TalksProposed, stream_id=uuid4(), event_id=uuid4(),
        envelope=Envelope(occurred=Occurrence(precision="unknown"), sources=(Source(outlet="W"),)),
        title="Talks", parties=["A", "B"],
    )  # fmt: skip
    for day in range(1, 6):
        envelope = Envelope(
            occurred=Occurrence(precision="day", value=f"2025-06-0{day}"),
            sources=(Source(outlet="W"),),
        )
        talks.record(
            Talks.RoundScheduled, event_id=uuid4(), envelope=envelope, number=day, city="Rome"
        )
    events: list[Event] = list(talks.collect_events())  # type: ignore[arg-type]
    stream = events[0].originator_id
    folds.MAX_FACTS, before = 4, folds.MAX_FACTS
    try:
        cache = FoldCache(every=2)
        for known in range(1, len(events) + 1):
            cache.fold(stream, events[:known], None)
    finally:
        folds.MAX_FACTS = before
    kept = [known for known in range(1, len(events) + 1) if cache._has(stream, known)]
    # An index of n events holds n facts; one larger than the bound counts as the bound.
    assert sum(min(known, 4) for known in kept) <= 4
    assert kept == [len(events)]  # the latest read stays; the six before it are gone


@PROPERTIES
@given(families(), st.none() | st.integers(-3, 50 * 24))
def test_each_dispute_lists_its_claims_by_the_whole_listing_rule(
    events: list[Event], hours: int | None
) -> None:
    """The fold lists a subject's claims again at each new claim from the listing before it;
    the listing is still the rule's over all the subject's claims (``_listed``)."""
    moment = None if hours is None else datetime(2025, 5, 1, tzinfo=UTC) + timedelta(hours=hours)
    state = temporal.fold_facts(temporal.select(events, at=moment))
    if state is None:
        return
    disputes = {temporal._key(d["subject"]): d["claims"] for d in state.get("disputes", [])}
    for key, claims in state.get("_claims", {}).items():
        listed = [temporal._public_claim(c) for c in temporal._listed(claims)]
        assert disputes.get(key, []) == listed


def standing(events: list[Event]) -> list[temporal.Fact]:
    """The claims as now known (corrected, retracted ones left out)."""
    return [
        f
        for f in temporal.facts(events)
        if f.retracted_by is None and not f.is_correction and f.event.claim_subject()
    ]


def cities_claimed(claims: list[temporal.Fact], number: int, *, disputed: bool) -> set[str]:
    """The cities that claims about a round give, recorded as disputed or not."""
    return {
        city
        for f in claims
        if getattr(f.event, "number", None) == number
        and (f.event.envelope.modality == "disputed") == disputed
        and (city := getattr(f.event, "city", None)) is not None
    }


@PROPERTIES
@given(families(), st.none() | st.integers(0, 50))
def test_a_claim_recorded_as_disputed_never_becomes_the_value(
    events: list[Event], days: int | None
) -> None:
    moment = None if days is None else datetime(2025, 5, 1, tzinfo=UTC) + timedelta(days=days)
    state = through_the_cache(events, moment) or {}
    claims = standing(events)
    for round_ in state.get("rounds", []):
        asserted = cities_claimed(claims, round_["number"], disputed=False)
        only_disputed = cities_claimed(claims, round_["number"], disputed=True) - asserted
        assert round_["city"] not in only_disputed
    for agreement in state.get("agreements", []):
        assert any(
            f.event.envelope.modality != "disputed"
            and getattr(f.event, "terms", None) == agreement["terms"]
            for f in claims
        )


@PROPERTIES
@given(families(), st.none() | st.integers(0, 50))
def test_a_dispute_lists_the_first_recorded_standing_claim_first(
    events: list[Event], days: int | None
) -> None:
    moment = None if days is None else datetime(2025, 5, 1, tzinfo=UTC) + timedelta(days=days)
    state = through_the_cache(events, moment) or {}
    version = {str(e.event_id): e.originator_version for e in events}
    for dispute in state.get("disputes", []):
        ranks = [(c["modality"] == "disputed", version[c["event_id"]]) for c in dispute["claims"]]
        assert ranks == sorted(ranks)
