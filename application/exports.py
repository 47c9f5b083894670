"""Exports of one Talks and its family (its delegations and positions) in the field's formats.

The family is every stream whose index rows carry the Talks' id (``nt_event_index.talks_id``).
Events are read from the store itself, never from the views, so an export is always current.

**Facts as known.** TimelineJS, CSV and PLOVER show each event as now known: corrections
are applied (``domain.temporal.facts``) and the corrected event says so; **retracted events are
left out**, and so are the corrections and retractions themselves (they are not facts about the
negotiation). CloudEvents is the log: every event as it was recorded, corrections and
retractions included, with the marks of what became of it (so it can be imported again).

**TimelineJS** (``format=timelinejs``, ``application/json``): the JSON TimelineJS 3 loads as is,
``{"title", "events", "eras"}``.

- One slide per dated event. ``start_date`` has a ``year`` always, and ``month``, ``day``,
  ``hour``, ``minute`` only as far as the precision goes (minute: all five, on the wall clock of
  the value's own offset; day: year, month, day; month: year, month); an interval has a
  ``start_date`` and an ``end_date``, each as precise as written.
- ``display_date`` is human text with the source's own wording: ``"Sunday (1 June 2025)"``,
  ``"31 May 2025, 20:00 UTC+03:00"``, ``"June 2025"``; uncertain dates say so.
- ``text.headline`` is the event's headline; ``text.text`` is HTML: every verbatim quote
  (escaped) in a ``<blockquote>``, the attribution, the modality unless asserted, each
  correction (its reason, then what it changed: ``date reported ..., corrected to ...``), a
  dispute mark, and the sources (http and https URLs as links).
- ``group``: ``Talks``, ``Delegation: <party>`` or ``Position: <party>``; ``unique_id``: the
  event id.
- **Undated events** (precision ``unknown``) cannot be placed on a time axis: they are listed as
  background notes in the title slide's text, not in ``events``.
- A Talks none of whose facts has a date gets one slide, ``"No dated facts yet"``, on the day
  it was recorded (``display_date`` says so): TimelineJS refuses a timeline without events.
- ``eras``: one per round of the Talks' current state that has a date, in whole days: from its
  first day to the day after its last (a day, the days of an interval, or a whole month).
  TimelineJS compares an era's ends by day, and rejects an era whose end falls on its start's
  day (an end at 23:59 of a one-day round did).
- ``text.text`` links each source with a URL (``<a href>``), which TimelineJS keeps.

**CSV** (``format=csv``, ``text/csv``, a header row, RFC 4180 quoting, every text cell quoted
and every number bare): one row per event, by when it occurred (undated last). First **ACLED's
31 columns in ACLED's order** (``ACLED_COLUMNS``, ACLED Codebook 2023), blank where we have
nothing: ``event_id_cnty`` (our event id), ``event_date`` and ``time_precision`` by ACLED's
rules (``acled_date``: the day itself, 1; an uncertain day, or the middle day of a range of up
to a week, 2; the 15th of a month, or the middle of a longer range, 3; both blank when
unknown), ``year``, ``disorder_type`` and ``event_type`` (``Strategic developments``),
``sub_event_type`` (``Agreement`` for an agreement, else ``Other``: ACLED's own list),
``actor1``, ``actor2``, ``location`` (a round's city), ``source`` (the outlets, ``; ``-joined,
as ACLED names its sources), ``notes`` (headline, then each quote in double quotes, then each
correction's reason and what it changed, as TimelineJS says it) and ``timestamp`` (Unix
seconds of the row's latest change: its recording or latest correction). Then ours (``NT_COLUMNS``): ``event_id``, ``nt_event_type``
(our type), ``cameo_code``, ``precision``, ``occurred`` (the EDTF value), ``wording``,
``stream_kind``, ``stream_id``, ``actors`` (everyone the event names, ``; ``-joined),
``source_urls``, ``attributed_to``, ``modality``, ``corrected`` (``true``/``false``),
``corrected_by``, ``disputed`` (``true`` when the event is one of the claims of a standing
dispute), ``recorded_at``. Types: ``CSV_DTYPES`` (text, except ``year``, ``time_precision``,
``timestamp``): ``cameo_code`` is text, its leading zero kept. A text cell that a spreadsheet
would run as a formula (starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return)
is prefixed with ``'``.

**CSV before ACLED's layout** (``format=csv-v1``): the columns ``format=csv`` had before
(``CSV_V1_COLUMNS``), for readers written against them.

**CloudEvents 1.0** (``format=cloudevents``, ``application/x-ndjson``): one structured-mode
event per line, every event of the family in log order:
``specversion`` ``"1.0"``, ``id`` (the event id), ``source``
(``urn:negotiation-timeline:<kind>/<stream id>``), ``type``
(``org.negotiation-timeline.<TypeName>.v1``), ``subject`` (the stream id), ``time`` (the
**record** time, RFC 3339 in UTC), ``datacontenttype`` ``application/json``, and ``data``:
``{"occurred": {precision, value, wording, anchor, uncertain}, "envelope": {sources,
attributed_to, modality, recorded_by}, "data": {...the event's own data...}}`` as recorded, plus
``"corrected": {"occurred", "data"}`` (the values as now known) when corrections apply.
Extension attributes: ``streamkind``, ``streamversion``, ``position`` (the global log position),
``talksid``, ``cameocode`` (when the type has one), ``correctedby`` (comma-separated ids) and
``retractedby`` (when they apply). ``streamversion`` and ``position`` are strings: CloudEvents
integers are 32-bit. ``negotiation-timeline import`` reads these lines back.

**CloudEvents batch** (``format=cloudevents-batch``, or ``Accept:
application/cloudevents-batch+json``): the same events as one JSON array, CloudEvents' own batch
format (JSON Event Format 1.0, section 4).

**PLOVER** (``format=plover``, ``application/x-ndjson``): one record per line, by when it
occurred, with PLOVER's own field names and types (PLOVER manual 2.0, chapter "Data Fields";
tests/exports/schemas/plover.schema.json is written from it): ``id``, ``date`` (YYYY-MM-DD),
``time`` (for a minute, on the value's own offset), ``enddate``/``endtime`` (the end of an
interval; a month runs to its last day), ``actor`` and ``recipient`` (lists of entities
``{"code": ISO 3166-1 alpha-3 or UNO/EUR/IGO/NGO, "sector": "GOV", "entity_text"}``, code and
sector where known; a meeting's or an agreement's parties all as actor, as the manual codes
reciprocal events), ``event`` (a list of one PLOVER category, ``PLOVER`` below),
``quad_code``, ``mode`` (a list, or null), ``context`` (a list: ``diplomatic``, plus the
auxiliary ``future`` for planned and expected facts), ``event_text`` (the verbatim quotes),
``cite_info`` (the first source), ``coder``, ``comment`` (the headline; no ``coded_date``: the
facts as known do not depend on when they were recorded, so a re-imported store exports the
same lines); and ours beyond them: ``sources`` (every source as a
citeInfo), ``precision``, ``uncertain``, ``cameo``, ``original_type``, ``modality``,
``attributed_to``, ``corrected``, ``disputed``. PLOVER requires a date and a category and has
no OTHER: **undated facts, and types PLOVER has no category for** (statements, comments, a
delegation's make-up and travel), are left out.

**Clocks.** Every format takes the views' ``as_of`` (only the events recorded by then) and
``at`` (only the facts that may have happened by then, domain/temporal.py's rules; undated
facts always count). CloudEvents keeps, of each stream that had begun by then, its creating
event (the importer needs it), its corrections and retractions, and the events that may have
happened by then.
"""

from __future__ import annotations

import csv
import functools
import html
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from urllib.parse import urlsplit
from uuid import UUID

from application.dates import display_date, human_point, point
from application.errors import NotFoundError
from application.service import TimelineService
from domain import temporal
from domain.base import NegotiationAggregate
from domain.corrected_values import OCCURRED, fact_changes
from domain.corrections import EventCorrected, SourceErrorNoted
from domain.envelope import Source
from domain.occurrence import Occurrence
from domain.quantities import Quantity
from domain.values import as_dict
from store.serialize import cameo_of, iso

Format = Literal["timelinejs", "csv", "csv-v1", "cloudevents", "cloudevents-batch", "plover"]
FORMATS: tuple[Format, ...] = (
    "timelinejs", "csv", "csv-v1", "cloudevents", "cloudevents-batch", "plover",
)  # fmt: skip
#: CloudEvents' JSON batch format (CloudEvents JSON Event Format 1.0, section 4).
CLOUDEVENTS_BATCH = "application/cloudevents-batch+json"
#: Media type and file extension of each format.
MEDIA_TYPES: dict[Format, str] = {
    "timelinejs": "application/json",
    "csv": "text/csv; charset=utf-8; header=present",
    "csv-v1": "text/csv; charset=utf-8; header=present",
    "cloudevents": "application/x-ndjson",
    "cloudevents-batch": CLOUDEVENTS_BATCH,
    "plover": "application/x-ndjson",
}
EXTENSIONS: dict[Format, str] = {
    "timelinejs": "timelinejs.json",
    "csv": "csv",
    "csv-v1": "v1.csv",
    "cloudevents": "cloudevents.jsonl",
    "cloudevents-batch": "cloudevents.json",
    "plover": "plover.jsonl",
}

CLOUDEVENTS_TYPE_PREFIX = "org.negotiation-timeline."
CLOUDEVENTS_TYPE_SUFFIX = ".v1"
CLOUDEVENTS_SOURCE_PREFIX = "urn:negotiation-timeline:"

GROUPS = {"talks": "Talks", "delegations": "Delegation", "positions": "Position"}
#: ACLED's time_precision codes, as the CSV before ACLED's layout gave them (csv-v1).
ACLED_PRECISION = {
    "minute": "1",
    "day": "1",
    "interval": "2",
    "edtf": "2",
    "month": "3",
    "unknown": "",
}
#: ACLED's 31 columns in ACLED's order (ACLED Codebook, 2023 onwards: after the March 2023
#: column changes, which removed event_id_no_cnty, data_id and iso3 and added disorder_type,
#: civilian_targeting and tags).
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type",
    "sub_event_type", "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2",
    "interaction", "civilian_targeting", "iso", "region", "country", "admin1", "admin2",
    "admin3", "location", "latitude", "longitude", "geo_precision", "source", "source_scale",
    "notes", "fatalities", "tags", "timestamp",
)  # fmt: skip
#: Our columns after ACLED's.
NT_COLUMNS = (
    "event_id", "nt_event_type", "cameo_code", "precision", "occurred", "wording",
    "stream_kind", "stream_id", "actors", "source_urls", "attributed_to", "modality",
    "corrected", "corrected_by", "disputed", "recorded_at",
)  # fmt: skip
CSV_COLUMNS = ACLED_COLUMNS + NT_COLUMNS
#: How to read each column (pandas: ``read_csv(path, dtype=CSV_DTYPES)``): text, except
#: ACLED's year, time_precision and timestamp, which are integers (blank when unknown).
CSV_DTYPES: dict[str, str] = {
    column: "Int64" if column in ("year", "time_precision", "timestamp") else "string"
    for column in CSV_COLUMNS
}
#: ACLED's disorder type and event type of every negotiation event.
ACLED_DISORDER = "Strategic developments"
#: ACLED's sub-event types where one fits; every other event is Strategic developments/Other.
ACLED_SUB_EVENT = {"AgreementReached": "Agreement"}

#: The CSV's columns before ACLED's layout (``format=csv-v1``).
CSV_V1_COLUMNS = (
    "event_id", "event_date", "year", "time_precision", "precision", "occurred", "wording",
    "event_type", "cameo_code", "stream_kind", "stream_id", "actor1", "actor2", "actors",
    "notes", "source", "attributed_to", "modality", "corrected", "corrected_by", "disputed",
    "recorded_at",
)  # fmt: skip

#: PLOVER's event categories and their quad codes (PLOVER manual 2.0, "Quad categories in
#: PLOVER": 1 verbal and 2 material cooperation, 3 verbal and 4 material conflict). The coding
#: an analyst gives an event is checked against the same list (domain/coding.py).
PLOVER_QUADS = {
    "AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1,
    "COOPERATE": 2, "AID": 2, "RETREAT": 2,
    "REQUEST": 3, "ACCUSE": 3, "REJECT": 3, "SANCTION": 3, "THREATEN": 3,
    "PROTEST": 4, "MOBILIZE": 4, "COERCE": 4, "ASSAULT": 4,
}  # fmt: skip
PLOVER_CATEGORIES = frozenset(PLOVER_QUADS)
#: The codebook the PLOVER records follow.
PLOVER_CODEBOOK = "PLOVER 2.0 (openeventdata/PLOVER, PLOVER_MANUAL)"

#: Every event type's PLOVER category and mode, with the reason (CAMEO codes as in
#: openeventdata/PLOVER CAMEO2PLOVER-2021 and the manual's "CAMEO to PLOVER translation").
#: None where PLOVER has no category: PLOVER drops CAMEO's statements (01) and comments, and
#: has no category for a delegation's make-up or travel; such events are left out of the
#: PLOVER export (it has no OTHER category). Corrections and retractions are applied, never
#: exported.
PLOVER: dict[str, tuple[str | None, str | None, str]] = {
    "TalksProposed": ("AGREE", None, "CAMEO 036: express intent to meet or negotiate"),
    "RoundScheduled": ("AGREE", None, "CAMEO 036: express intent to meet or negotiate"),
    "RoundHeld": ("CONSULT", None, "CAMEO 046: engage in negotiation; mode third-party when a"
                  " mediator hosts the talks"),
    "RoundPostponed": (None, None, "neither a refusal to meet nor a new intent"),
    "RoundCancelled": ("REJECT", "meet", "the manual: cancellations of meetings are REJECT"),
    "ThirdPartiesExpected": ("AGREE", None, "CAMEO 036 in a future context: expected to take"
                             " part"),
    "MediatorRoleAssumed": ("AGREE", None, "CAMEO 039: express intent to mediate"),
    "MediatorConsulted": ("CONSULT", None, "CAMEO 041: discuss by telephone; mode phone when"
                          " the channel is remote"),
    "AgreementReached": ("SUPPORT", None, "CAMEO 057: sign formal agreement"),
    "DocumentExchanged": ("CONSULT", None, "as CAMEO 046: part of negotiating"),
    "ContactHeld": ("CONSULT", None, "CAMEO 040: consult; mode phone when the channel is"
                    " remote (041)"),
    "AgreementImplemented": ("RETREAT", "release", "CAMEO 084: return, release (CAMEO2PLOVER"
                             "-2021: RETREAT; 0841 release persons)"),
    "TalksSuspended": ("SANCTION", "withdraw", "as CAMEO 164: halt negotiations"),
    "TalksResumed": ("CONSULT", None, "CAMEO 046: engage in negotiation"),
    "TalksConcluded": (None, None, "the outcome decides; no category in general"),
    "DelegationAnnounced": ("AGREE", None, "CAMEO 036: express intent to meet or negotiate"),
    "DelegationHeadNamed": (None, None, "a delegation's make-up: no category"),
    "DelegationHeadChanged": (None, None, "a delegation's make-up: no category"),
    "DelegationMemberAdded": (None, None, "a delegation's make-up: no category"),
    "DelegationMemberRemoved": (None, None, "a delegation's make-up: no category"),
    "DelegationDeparted": (None, None, "travel: CAMEO has no code for it"),
    "DelegationArrived": ("CONSULT", "visit", "CAMEO 042: make a visit"),
    "DelegationLeft": (None, None, "travel: CAMEO has no code for it"),
    "DelegationWithdrawn": ("SANCTION", "withdraw", "as CAMEO 164/166: halt negotiations,"
                            " withdraw"),
    "PositionTaken": (None, None, "CAMEO 010 statement: dropped by PLOVER"),
    "PrioritiesStated": ("REQUEST", None, "what a party insists on heading into talks"),
    "PriorityDropped": ("CONCEDE", None, "a verbal concession"),
    "DemandMade": ("REQUEST", None, "CAMEO 100: demand (PLOVER's REQUEST: requests, demands"
                   " and orders)"),
    "DemandDropped": ("CONCEDE", None, "the manual: withdrawing a demand is CONCEDE"),
    "ProposalMade": ("AGREE", None, "an offer: willingness to cooperate"),
    "ProposalRejected": ("REJECT", None, "CAMEO 120: reject"),
    "AppealMade": ("REQUEST", None, "an appeal asks something of its addressee: PLOVER's"
                   " REQUEST covers all requests"),
    "SkepticismVoiced": ("ACCUSE", "disapprove", "CAMEO 012, read as disapproval of the other"
                         " side's seriousness"),
    "OptimismVoiced": (None, None, "CAMEO 013 comment: dropped by PLOVER"),
    "StatementMade": (None, None, "CAMEO 010 statement: dropped by PLOVER"),
    "ClaimMade": (None, None, "CAMEO 010 statement: dropped by PLOVER"),
    "IntentStated": ("AGREE", None, "CAMEO 030: express intent to cooperate (PLOVER's AGREE"
                     " takes CAMEO's intents)"),
    "EventCorrected": (None, None, "applied to the event it corrects, not exported"),
    "EventRetracted": (None, None, "its target is left out, not exported"),
    "SourceErrorNoted": (None, None, "an erratum on a source: noted beside its event, not an"
                         " event of the talks"),
    "ActorRegistered": (None, None, "who an actor is: identity, not an event of the talks"),
    "ActorAliasAdded": (None, None, "another name of an actor: identity"),
    "RoleAssumed": (None, None, "a person's title: identity over time"),
    "RoleEnded": (None, None, "a person's title: identity over time"),
}  # fmt: skip

#: ISO 3166-1 alpha-3 codes of states that take part in or mediate negotiations, by name.
COUNTRIES = {
    "ukraine": "UKR", "russia": "RUS", "russian federation": "RUS", "türkiye": "TUR",
    "turkiye": "TUR", "turkey": "TUR", "united states": "USA", "united states of america": "USA",
    "us": "USA", "u.s.": "USA", "usa": "USA", "germany": "DEU", "france": "FRA",
    "united kingdom": "GBR", "uk": "GBR", "britain": "GBR", "great britain": "GBR",
    "poland": "POL", "italy": "ITA", "spain": "ESP", "netherlands": "NLD", "belgium": "BEL",
    "austria": "AUT", "switzerland": "CHE", "vatican": "VAT", "holy see": "VAT",
    "norway": "NOR", "sweden": "SWE", "finland": "FIN", "denmark": "DNK", "estonia": "EST",
    "latvia": "LVA", "lithuania": "LTU", "hungary": "HUN", "slovakia": "SVK", "romania": "ROU",
    "moldova": "MDA", "belarus": "BLR", "georgia": "GEO", "armenia": "ARM", "azerbaijan": "AZE",
    "kazakhstan": "KAZ", "china": "CHN", "india": "IND", "japan": "JPN", "brazil": "BRA",
    "south africa": "ZAF", "canada": "CAN", "saudi arabia": "SAU", "qatar": "QAT",
    "united arab emirates": "ARE", "uae": "ARE", "oman": "OMN", "egypt": "EGY", "israel": "ISR",
    "palestine": "PSE", "jordan": "JOR", "lebanon": "LBN", "syria": "SYR", "iran": "IRN",
    "iraq": "IRQ",
}  # fmt: skip
#: PLOVER's codes of international non-state entities (manual, "International Non-state actor
#: names"): the UN and the EU by name, any other IGO as IGO, NGOs as NGO.
PLOVER_NONSTATE = {
    "united nations": "UNO", "un": "UNO", "european union": "EUR", "eu": "EUR",
    "international committee of the red cross": "NGO", "icrc": "NGO",
} | dict.fromkeys(("nato", "osce", "african union", "council of europe"), "IGO")  # fmt: skip

#: Talks-level types whose own fields name their actors (others name the Talks' parties).
_TALKS_ROLES: dict[str, tuple[str, ...]] = {
    "TalksProposed": ("proposed_by", "parties"),
    "MediatorRoleAssumed": ("mediator",),
    "MediatorConsulted": ("party", "mediator"),
    "DocumentExchanged": ("from_party", "to_party"),
    "AgreementReached": ("parties",),
    "ThirdPartiesExpected": ("parties",),
    "ContactHeld": ("initiated_by", "parties"),
}
#: Fields naming the other side of a delegation's or a position's event.
_COUNTERPARTS = ("addressee", "addressees", "proposed_by", "to_party", "mediator")
#: Types whose actors act together, not on each other: no actor2.
_SINGLE_ACTOR = frozenset({"ThirdPartiesExpected", "MediatorRoleAssumed"})
_REMOTE_CHANNELS = ("phone", "call", "video", "remote", "online")
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# The family, as now known


@dataclass(frozen=True)
class Item:
    """One event of the family as now known, with where it sits."""

    fact: temporal.Fact
    kind: str
    stream_id: str
    position: int
    party: str | None
    disputed: bool

    @property
    def event(self) -> NegotiationAggregate.Event:
        """The event with its corrections applied."""
        return self.fact.event

    @property
    def shown(self) -> bool:
        """A fact of the negotiation still standing: neither retracted nor a correction, and
        (read ``at`` a moment) one that may have happened by then."""
        fact = self.fact
        return (
            not fact.is_correction
            and not isinstance(fact.event, SourceErrorNoted)  # noted beside its event
            and fact.retracted_by is None
            and not fact.identity_only
        )

    @property
    def group(self) -> str:
        """The TimelineJS group: Talks, Delegation: <party> or Position: <party>."""
        label = GROUPS[self.kind]
        return label if self.kind == "talks" or not self.party else f"{label}: {self.party}"


@dataclass(frozen=True)
class Family:
    """A Talks with its delegations and positions: their events in log order."""

    talks_id: str
    talks: dict[str, Any]
    items: list[Item]
    corrections: dict[str, EventCorrected] = field(default_factory=dict)
    #: The standing errata noted on each event, by the event's id.
    errata: dict[str, list[SourceErrorNoted]] = field(default_factory=dict)
    #: The names of the Actors its participants name by id (an id shown as its actor's name).
    actor_names: dict[str, str] = field(default_factory=dict)

    @functools.cached_property
    def by_id(self) -> dict[str, Item]:
        """Every item by its event's id."""
        return {str(item.event.event_id): item for item in self.items}

    def shown(self) -> list[Item]:
        """The standing facts, by when they occurred (undated last), then by log position."""
        return sorted((i for i in self.items if i.shown), key=_occurrence_order)


def _occurrence_order(item: Item) -> tuple[int, datetime, int]:
    start, _ = item.event.envelope.occurred.bounds()
    return (0, start, item.position) if start else (1, datetime.min, item.position)


def load_family(
    service: TimelineService,
    talks_id: UUID,
    *,
    as_of: datetime | None = None,
    at: datetime | None = None,
) -> Family:
    """The Talks and every delegation and position of it, from the store, on both clocks.

    ``as_of``: from the events recorded by then (what was known); ``at``: the facts that may
    have happened by then (domain/temporal.py's rules, as the views read them). NotFoundError
    if there is no such Talks, or none yet on those clocks.
    """
    if service.stream_kind(str(talks_id)) != "talks":
        raise NotFoundError(f"no talks with id {talks_id}")
    recorded_by = iso(as_of) if as_of is not None else None
    rows = service.index.family(str(talks_id), recorded_by=recorded_by)
    streams: dict[str, tuple[str, int]] = {}
    positions: dict[tuple[str, int], int] = {}
    for row in rows:
        stream_id, version = row["stream_id"], int(row["version"])
        streams[stream_id] = (row["kind"], max(version, streams.get(stream_id, ("", 0))[1]))
        positions[(stream_id, version)] = int(row["position"])
    if str(talks_id) not in streams:
        when = iso(as_of) if as_of else "now"
        raise NotFoundError(f"talks {talks_id} was not yet recorded at {when}")
    items: list[Item] = []
    talks: dict[str, Any] | None = None
    corrections: dict[str, EventCorrected] = {}
    errata: dict[str, list[SourceErrorNoted]] = {}
    for stream_id, (kind, upto) in streams.items():
        events = service.events_of(UUID(stream_id), upto)
        chosen = temporal.facts(events) if at is None else temporal.select(events, at=at)
        if not chosen:
            continue  # nothing of this stream had happened by ``at``
        state = temporal.fold(events, at=at) or {}
        if kind == "talks":
            talks = state
        disputed = {
            claim["event_id"]
            for dispute in state.get("disputes", [])
            for claim in dispute["claims"]
        }
        party = state.get("party") if kind != "talks" else None
        for fact in chosen:
            if isinstance(fact.event, EventCorrected):
                corrections[str(fact.event.event_id)] = fact.event
            if isinstance(fact.event, SourceErrorNoted) and fact.retracted_by is None:
                errata.setdefault(str(fact.event.event), []).append(fact.event)
            position = positions[(stream_id, fact.event.originator_version)]
            event_id = str(fact.event.event_id)
            items.append(Item(fact, kind, stream_id, position, party, event_id in disputed))
    if talks is None:
        when = iso(at) if at else "now"
        raise NotFoundError(f"nothing of talks {talks_id} had happened by {when}")
    items.sort(key=lambda item: item.position)
    return Family(
        str(talks_id),
        talks,
        items,
        corrections,
        errata=errata,
        actor_names=_actor_names(service, items),
    )


def _actor_names(service: TimelineService, items: list[Item]) -> dict[str, str]:
    """The canonical names of the registered Actors the family's participants name by id."""
    found: dict[str, str] = {}
    for item in items:
        for participant in getattr(item.event, "participants", None) or []:
            actor = getattr(participant, "actor", None)
            if not isinstance(actor, str) or actor in found:
                continue
            try:
                stream_id = UUID(actor)
            except ValueError:
                continue
            if service.stream_kind(str(stream_id)) == "actors":
                found[actor] = str(service.state("actors", stream_id).get("name") or actor)
    return found


# Dates


def _date_parts(moment: date | datetime) -> dict[str, int]:
    parts = {"year": moment.year, "month": moment.month, "day": moment.day}
    if isinstance(moment, datetime):
        parts |= {"hour": moment.hour, "minute": moment.minute}
    return parts


def event_date(occurred: Occurrence) -> str:
    """The ISO date of an export row: the day, or the first day of an interval or month."""
    value = occurred.value
    if occurred.precision == "unknown" or value is None:
        return ""
    if not occurred.is_plain:
        first, _ = occurred.days()
        return "" if first is None else first.isoformat()
    if occurred.precision == "month":
        return f"{value}-01"
    return value.partition("/")[0][:10]


def timelinejs_dates(occurred: Occurrence) -> dict[str, dict[str, int]] | None:
    """start_date (and end_date for an interval), only as precise as the value; None if undated."""
    value = occurred.value
    if occurred.precision == "unknown" or value is None:
        return None
    if not occurred.is_plain:
        first, last = occurred.days()
        if first is None and last is None:
            return None
        dates = {"start_date": _date_parts(first or last)}  # type: ignore[arg-type]
        if last is not None and last != first:
            dates["end_date"] = _date_parts(last)
        return dates
    if occurred.precision == "month":
        year, month = value.split("-")
        return {"start_date": {"year": int(year), "month": int(month)}}
    if occurred.precision == "interval":
        start, _, end = value.partition("/")
        return {
            "start_date": _date_parts(point(start)),
            "end_date": _date_parts(point(end)),
        }
    moment = point(value)
    parts = _date_parts(moment)
    if occurred.precision == "day":
        parts = {key: parts[key] for key in ("year", "month", "day")}
    return {"start_date": parts}


def _day_span(first: date, last: date) -> tuple[dict[str, int], dict[str, int]]:
    # Whole days, the end at the start of the day after: TimelineJS compares an era's ends by
    # year, month and day only and drops an end on its start's day, then rejects the era.
    return _date_parts(first), _date_parts(last + timedelta(days=1))


def era_span(occurred: Occurrence) -> tuple[dict[str, int], dict[str, int]] | None:
    """From the start of the first day to the start of the day after the last; None if undated."""
    value = occurred.value
    if occurred.precision == "unknown" or value is None:
        return None
    if not occurred.is_plain:
        first_day, last_day = occurred.days()
        if first_day is None or last_day is None:
            return None  # an open end spans no era
        return _day_span(first_day, last_day)
    if occurred.precision == "month":
        first = date.fromisoformat(f"{value}-01")
        following = (first + timedelta(days=32)).replace(day=1)
        return _day_span(first, following - timedelta(days=1))
    start_text, _, end_text = value.partition("/")
    start, end = point(start_text), point(end_text or start_text)
    first = start.date() if isinstance(start, datetime) else start
    return _day_span(first, end.date() if isinstance(end, datetime) else end)


# Actors and sources


def _names(values: list[Any]) -> list[str]:
    names: list[str] = []
    for value in values:
        for name in value if isinstance(value, list) else [value]:
            text = name.get("name") if isinstance(name, dict) else name
            if isinstance(text, str) and text and text not in names:
                names.append(text)
    return names


def roles(item: Item, talks_parties: list[str]) -> list[str]:
    """Who acts and on or with whom: the acting side first (a party, a mediator, a sender)."""
    data = item.event.data()
    if item.kind != "talks":
        return _names([item.party, *(data.get(role) for role in _COUNTERPARTS)])
    fields = _TALKS_ROLES.get(item.event.type_name())
    if fields is None:
        return _names([talks_parties])
    return _names([data.get(role) for role in fields])


def actors_of(item: Item, talks_parties: list[str]) -> list[str]:
    """Everyone the event names, its acting sides first."""
    return _names([roles(item, talks_parties), item.event.actors()])


def actor_pair(item: Item, talks_parties: list[str]) -> tuple[str | None, str | None]:
    """actor1 (who acts) and actor2 (on or with whom), where the event names them."""
    sides = roles(item, talks_parties)
    first = sides[0] if sides else None
    if item.event.type_name() in _SINGLE_ACTOR or len(sides) < 2:
        return first, None
    return first, sides[1]


def _normal(name: str) -> str:
    text = " ".join(name.casefold().split())
    return text.removeprefix("the ")


def source_names(sources: tuple[Source, ...]) -> list[str]:
    """Each source once, as its URL, or its outlet where it has no URL."""
    return list(dict.fromkeys(source.url or source.outlet or "" for source in sources))


def _source_html(source: Source) -> str:
    label = html.escape(source.outlet or source.url or "")
    if source.url and source.url.startswith(("http://", "https://")):
        label = f'<a href="{html.escape(source.url, quote=True)}">{label}</a>'
    if source.published_at:
        label += f", {html.escape(source.published_at[:10])}"
    return label


def _reasons(item: Item, family: Family) -> list[str]:
    """Each correction of the item: its reason, then what it changed, reported -> corrected
    (dates included, in words), as every format that notes corrections says it."""
    fixes = [family.corrections[fix] for fix in item.fact.corrected_by if fix in family.corrections]
    changes = fact_changes(item.fact.original, fixes)
    found = []
    for fix in fixes:
        told = [
            f"{_field_name(c['field'])} reported {_told(c['reported'])},"
            f" corrected to {_told(c['corrected'])}"
            for c in changes
            if c["by"] == str(fix.event_id)
        ]
        found.append(fix.reason + (f" ({'; '.join(told)})" if told else ""))
    return found


def _errata(item: Item, family: Family) -> list[str]:
    """Each source error noted on the item, in words: which source, which field, what."""
    found = []
    sources = item.event.envelope.sources
    for erratum in family.errata.get(str(item.event.event_id), []):
        index = erratum.source_index
        source = sources[index] if index is not None and 0 <= index < len(sources) else None
        where = f" ({source.outlet or source.url})" if source is not None else ""
        about = f" on the {erratum.field.replace('_', ' ')}" if erratum.field else ""
        found.append(f"source{where} erred{about}: {erratum.error}")
    return found


def _reply(item: Item, family: Family) -> list[str]:
    """What the item answers, in words (its headline), if it answers an event of the family."""
    replied = item.event.envelope.in_reply_to
    target = family.by_id.get(replied) if replied else None
    return [] if target is None else [target.fact.headline]


def _field_name(pointer: str) -> str:
    return "date" if pointer == OCCURRED else pointer.removeprefix("/data/").replace("_", " ")


def _told(value: Any) -> str:
    """A reported or corrected value in words: a date as ``display_date`` gives it."""
    if isinstance(value, dict) and "precision" in value:
        return display_date(Occurrence(**value))
    if isinstance(value, dict):
        return str(value.get("name") or value)
    if isinstance(value, list):
        return "; ".join(_told(item) for item in value)
    return "nothing" if value is None else f"“{value}”"


# TimelineJS


def reported_details(data: dict[str, Any], names: dict[str, str] | None = None) -> list[str]:
    """Who took part (an Actor's id as its name) and the durations an event reports, as
    sentences (slides, notes)."""
    found = []
    names = names or {}
    participants = data.get("participants") or []
    if participants and isinstance(participants[0], dict):  # MediatorConsulted's are names
        people = ", ".join(
            f"{names.get(p['actor'], p['actor'])} ({p['role']})" for p in participants
        )
        found.append(f"Took part: {people}.")
    if isinstance(data.get("duration"), dict):
        found.append(f"Duration: {Quantity(**data['duration']).text()}.")
    return found


def _slide_html(item: Item, family: Family) -> str:
    envelope = item.event.envelope
    parts = [f"<blockquote>{html.escape(quote)}</blockquote>" for quote in envelope.quotes]
    details = reported_details(item.event.data(), family.actor_names)
    parts.extend(f"<p>{html.escape(text)}</p>" for text in details)
    if envelope.attributed_to:
        parts.append(f"<p>According to {html.escape(envelope.attributed_to)}.</p>")
    if envelope.modality != "asserted" and not (item.disputed and envelope.modality == "disputed"):
        parts.append(f"<p><em>{html.escape(envelope.modality.capitalize())}.</em></p>")
    parts.extend(f"<p>Corrected: {html.escape(reason)}</p>" for reason in _reasons(item, family))
    parts.extend(f"<p>Erratum: {html.escape(note)}</p>" for note in _errata(item, family))
    parts.extend(f"<p>In reply to: {html.escape(text)}</p>" for text in _reply(item, family))
    if item.disputed:
        parts.append("<p><em>Disputed: another source reports otherwise.</em></p>")
    sources = "; ".join(dict.fromkeys(_source_html(source) for source in envelope.sources))
    parts.append(f"<p>Sources: {sources}</p>")
    return "".join(parts)


def _title_html(family: Family, background: list[Item]) -> str:
    talks = family.talks
    parts = []
    if talks.get("description"):
        parts.append(f"<p>{html.escape(talks['description'])}</p>")
    if talks.get("parties"):
        parts.append(f"<p>Parties: {html.escape(', '.join(talks['parties']))}.</p>")
    mediators = [m["name"] for m in talks.get("mediators", [])]
    if mediators:
        parts.append(f"<p>Mediators: {html.escape(', '.join(mediators))}.</p>")
    if background:
        notes = "".join(
            f"<li><strong>{html.escape(item.event.headline())}</strong>{_slide_html(item, family)}</li>"
            for item in background
        )
        parts.append(f"<h3>Background (date unknown)</h3><ul>{notes}</ul>")
    parts.append(
        "<p><small>Facts as now known: corrections applied, retracted events left out.</small></p>"
    )
    return "".join(parts)


def _eras(talks: dict[str, Any]) -> list[dict[str, Any]]:
    eras = []
    for round_ in talks.get("rounds", []):
        if not round_.get("date"):
            continue
        span = era_span(Occurrence(**round_["date"]))
        if span is None:
            continue
        headline = f"Round {round_['number']}"
        if round_.get("city") or round_.get("country"):
            headline += f", {round_.get('city') or round_['country']}"
        text = f"{round_['status']}: {display_date(Occurrence(**round_['date']))}"
        eras.append(
            {
                "start_date": span[0],
                "end_date": span[1],
                "text": {"headline": headline, "text": html.escape(text)},
            }
        )
    return eras


def _nothing_dated(family: Family) -> dict[str, Any]:
    """The one slide of a Talks none of whose facts has a date: TimelineJS refuses a timeline
    without events. It stands on the day the Talks was recorded, and says so."""
    recorded = family.items[0].fact.original.timestamp
    return {
        "start_date": _date_parts(recorded.date()),
        "display_date": f"date unknown (recorded {human_point(recorded.date())})",
        "text": {
            "headline": "No dated facts yet",
            "text": "<p>None of these facts has a date yet: they are listed on the title slide."
            "</p>",
        },
        "group": GROUPS["talks"],
        "unique_id": f"undated-{family.talks_id}",
    }


def timelinejs(family: Family) -> dict[str, Any]:
    """The TimelineJS 3 document: a title slide, one slide per dated fact, one era per round."""
    slides: list[dict[str, Any]] = []
    background: list[Item] = []
    for item in sorted((i for i in family.items if i.shown), key=_occurrence_order):
        occurred = item.event.envelope.occurred
        dates = timelinejs_dates(occurred)
        if dates is None:
            background.append(item)
            continue
        slides.append(
            {
                **dates,
                "display_date": display_date(occurred),
                "text": {"headline": item.event.headline(), "text": _slide_html(item, family)},
                "group": item.group,
                "unique_id": str(item.event.event_id),
            }
        )
    if not slides and family.items:
        slides.append(_nothing_dated(family))
    title = family.talks.get("title") or "Talks"
    return {
        "title": {"text": {"headline": title, "text": _title_html(family, background)}},
        "events": slides,
        "eras": _eras(family.talks),
    }


# CSV


def _cell(value: str | None) -> str:
    text = value or ""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _notes(item: Item, family: Family) -> str:
    parts = [item.event.headline(), *reported_details(item.event.data(), family.actor_names)]
    parts.extend(f'"{quote}"' for quote in item.event.envelope.quotes)
    parts.extend(f"Corrected: {reason}" for reason in _reasons(item, family))
    parts.extend(f"Erratum: {note}" for note in _errata(item, family))
    parts.extend(f"In reply to: {text}." for text in _reply(item, family))
    return " ".join(parts)


def csv_v1_rows(family: Family) -> list[dict[str, str]]:
    """One row per standing fact, by when it occurred, in the columns before ACLED's."""
    parties = list(family.talks.get("parties", []))
    rows = []
    for item in family.shown():
        event = item.event
        envelope = event.envelope
        occurred = envelope.occurred
        actor1, actor2 = actor_pair(item, parties)
        day = event_date(occurred)
        rows.append(
            {
                "event_id": str(event.event_id),
                "event_date": day,
                "year": day[:4],
                "time_precision": ACLED_PRECISION[occurred.precision],
                "precision": occurred.precision,
                "occurred": occurred.value or "",
                "wording": _cell(occurred.wording),
                "event_type": event.type_name(),
                "cameo_code": cameo_of(event) or "",
                "stream_kind": item.kind,
                "stream_id": item.stream_id,
                "actor1": _cell(actor1),
                "actor2": _cell(actor2),
                "actors": _cell("; ".join(actors_of(item, parties))),
                "notes": _cell(_notes(item, family)),
                "source": _cell("; ".join(source_names(envelope.sources))),
                "attributed_to": _cell(envelope.attributed_to),
                "modality": envelope.modality,
                "corrected": "true" if item.fact.corrected_by else "false",
                "corrected_by": "; ".join(item.fact.corrected_by),
                "disputed": "true" if item.disputed else "false",
                "recorded_at": iso(event.timestamp),
            }
        )
    return rows


def csv_v1_text(family: Family) -> str:
    """The CSV before ACLED's layout, header first (RFC 4180: CRLF line ends, quotes doubled)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_V1_COLUMNS)
    writer.writeheader()
    writer.writerows(csv_v1_rows(family))
    return out.getvalue()


# ACLED-style CSV


def acled_date(occurred: Occurrence) -> tuple[str, int | None]:
    """ACLED's event_date and time_precision: the day itself (1); the middle day of a range of
    up to a week, or an uncertain day (2); the middle of a month or of a longer range (3)."""
    value = occurred.value
    if occurred.precision == "unknown" or value is None:
        return "", None
    if occurred.precision == "month":
        return f"{value}-15", 3
    if occurred.precision == "edtf" or ".." in value:
        # A qualified day, a set, unspecified digits or an open end: the middle of its bounds.
        start, end = occurred.bounds()
        if start is None or end is None:
            known = start or end
            return ("", None) if known is None else (known.date().isoformat(), 3)
        centre = start + (end - start) / 2
        return centre.date().isoformat(), 2 if (end - start).days < 7 else 3
    if occurred.precision == "interval":
        start_text, _, end_text = value.partition("/")
        first, last = _day_of(point(start_text)), _day_of(point(end_text))
        days = (last - first).days
        middle = first + timedelta(days=days // 2)
        return middle.isoformat(), 2 if days < 7 else 3
    return value[:10], 2 if occurred.uncertain else 1


def _day_of(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def _outlets(sources: tuple[Source, ...]) -> list[str]:
    """Each source once by its outlet, or the host of its URL where it names no outlet."""
    names = []
    for source in sources:
        name = source.outlet or urlsplit(source.url or "").hostname or source.url or ""
        if name and name not in names:
            names.append(name)
    return names


def _updated(item: Item, family: Family) -> int:
    """ACLED's timestamp: when the row last changed (its recording or latest correction), in
    Unix seconds."""
    times = [item.fact.original.timestamp]
    times.extend(family.corrections[fix].timestamp for fix in item.fact.corrected_by
                 if fix in family.corrections)  # fmt: skip
    return int(max(times).timestamp())


def csv_rows(family: Family) -> list[dict[str, str | int]]:
    """One row per standing fact, by when it occurred: ACLED's columns, then ours."""
    parties = list(family.talks.get("parties", []))
    rows: list[dict[str, str | int]] = []
    for item in family.shown():
        event = item.event
        envelope = event.envelope
        occurred = envelope.occurred
        actor1, actor2 = actor_pair(item, parties)
        day, precision = acled_date(occurred)
        data = event.data()
        row: dict[str, str | int] = dict.fromkeys(ACLED_COLUMNS, "")
        row.update({
            "event_id_cnty": str(event.event_id),
            "event_date": day,
            "year": int(day[:4]) if day else "",
            "time_precision": precision if precision is not None else "",
            "disorder_type": ACLED_DISORDER,
            "event_type": ACLED_DISORDER,
            "sub_event_type": ACLED_SUB_EVENT.get(event.type_name(), "Other"),
            "actor1": _cell(actor1),
            "actor2": _cell(actor2),
            "location": _cell(data.get("city") if isinstance(data.get("city"), str) else None),
            "source": _cell("; ".join(_outlets(envelope.sources))),
            "notes": _cell(_notes(item, family)),
            "timestamp": _updated(item, family),
            "event_id": str(event.event_id),
            "nt_event_type": event.type_name(),
            "cameo_code": cameo_of(event) or "",
            "precision": occurred.precision,
            "occurred": occurred.value or "",
            "wording": _cell(occurred.wording),
            "stream_kind": item.kind,
            "stream_id": item.stream_id,
            "actors": _cell("; ".join(actors_of(item, parties))),
            "source_urls": _cell("; ".join(s.url for s in envelope.sources if s.url)),
            "attributed_to": _cell(envelope.attributed_to),
            "modality": envelope.modality,
            "corrected": "true" if item.fact.corrected_by else "false",
            "corrected_by": "; ".join(item.fact.corrected_by),
            "disputed": "true" if item.disputed else "false",
            "recorded_at": iso(event.timestamp),
        })  # fmt: skip
        rows.append(row)
    return rows


def csv_text(family: Family) -> str:
    """ACLED's layout, header first (RFC 4180: CRLF line ends, quotes doubled), every text cell
    quoted and every number bare, so that a reader can tell text ("041") from numbers."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, quoting=csv.QUOTE_NONNUMERIC)
    writer.writeheader()
    writer.writerows(csv_rows(family))
    return out.getvalue()


# CloudEvents


def cloudevents_type(type_name: str) -> str:
    """org.negotiation-timeline.<TypeName>.v1"""
    return f"{CLOUDEVENTS_TYPE_PREFIX}{type_name}{CLOUDEVENTS_TYPE_SUFFIX}"


def cloudevents_source(kind: str, stream_id: str) -> str:
    """urn:negotiation-timeline:<kind>/<stream id>"""
    return f"{CLOUDEVENTS_SOURCE_PREFIX}{kind}/{stream_id}"


def cloudevent(item: Item, talks_id: str) -> dict[str, Any]:
    """One event as recorded, as a structured-mode CloudEvent."""
    original = item.fact.original
    envelope = original.envelope
    data: dict[str, Any] = {
        "occurred": as_dict(envelope.occurred),
        "envelope": {
            "sources": [as_dict(source) for source in envelope.sources],
            "attributed_to": envelope.attributed_to,
            "modality": envelope.modality,
            "recorded_by": envelope.recorded_by,
            **({"coding": envelope.coding.as_json()} if envelope.coding else {}),
            **({"in_reply_to": envelope.in_reply_to} if envelope.in_reply_to else {}),
        },
        "data": original.data(),
    }
    if item.fact.corrected_by:
        data["corrected"] = {
            "occurred": as_dict(item.event.envelope.occurred),
            "data": item.event.data(),
        }
    found: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(original.event_id),
        "source": cloudevents_source(item.kind, item.stream_id),
        "type": cloudevents_type(original.type_name()),
        "subject": item.stream_id,
        "time": iso(original.timestamp),
        "datacontenttype": "application/json",
        "streamkind": item.kind,
        "streamversion": str(original.originator_version),
        "position": str(item.position),
        "talksid": talks_id,
    }
    cameo = cameo_of(original)
    if cameo:
        found["cameocode"] = cameo
    if item.fact.corrected_by:
        found["correctedby"] = ",".join(item.fact.corrected_by)
    if item.fact.retracted_by:
        found["retractedby"] = item.fact.retracted_by
    found["data"] = data
    return found


def _lines(records: Iterator[dict[str, Any]]) -> str:
    return "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records)


def cloudevents_text(family: Family) -> str:
    """Every event of the family, as recorded, one CloudEvent per line in log order."""
    return _lines(cloudevent(item, family.talks_id) for item in family.items)


def cloudevents_batch(family: Family) -> str:
    """The same CloudEvents as one JSON array (``application/cloudevents-batch+json``)."""
    return json.dumps(
        [cloudevent(item, family.talks_id) for item in family.items], ensure_ascii=False
    )


# PLOVER


def plover_mode(item: Item, talks: dict[str, Any]) -> str | None:
    """The PLOVER mode: the type's own, or from the data (a call's channel, a hosted round)."""
    name = item.event.type_name()
    if name in ("MediatorConsulted", "ContactHeld"):
        channel = str(item.event.data().get("channel") or "").casefold()
        return "phone" if any(word in channel for word in _REMOTE_CHANNELS) else None
    if name == "RoundHeld":
        hosted = any(mediator.get("hosts") for mediator in talks.get("mediators", []))
        return "third-party" if hosted else None
    return PLOVER[name][1]


def plover_entity(name: str) -> dict[str, str]:
    """A PLOVER entity object: ``code`` (ISO 3166-1 alpha-3, or PLOVER's UNO, EUR, IGO, NGO)
    and ``sector`` (GOV for a state) where known, and the name as ``entity_text``."""
    key = _normal(name)
    if key in PLOVER_NONSTATE:
        return {"code": PLOVER_NONSTATE[key], "entity_text": name}
    if key in COUNTRIES:
        return {"code": COUNTRIES[key], "sector": "GOV", "entity_text": name}
    return {"entity_text": name}


#: Talks-level types whose named sides act together (PLOVER codes them all as actor).
_TOGETHER = frozenset({"AgreementReached", "ThirdPartiesExpected", "ContactHeld"})


def plover_sides(item: Item, talks_parties: list[str]) -> tuple[list[str], list[str]]:
    """PLOVER's actor and recipient lists: a meeting's or an agreement's parties all act
    (the manual's reciprocal events); otherwise the acting side acts on the others."""
    sides = roles(item, talks_parties)
    name = item.event.type_name()
    if item.kind == "talks" and (name not in _TALKS_ROLES or name in _TOGETHER):
        return sides, []
    return sides[:1], sides[1:]


def _plover_time(moment: date | datetime) -> str | None:
    return moment.isoformat(timespec="minutes")[11:] if isinstance(moment, datetime) else None


def plover_dates(occurred: Occurrence) -> dict[str, str] | None:
    """``date`` (and ``time``), ``enddate`` (and ``endtime``) for a range; None if undated.

    A month runs from its first day to its last; a time is the value's own wall clock with its
    offset, so that date + "T" + time is an ISO 8601 date-time, as the manual asks.
    """
    value = occurred.value
    if occurred.precision == "unknown" or value is None:
        return None
    if occurred.precision == "month":
        first = date.fromisoformat(f"{value}-01")
        last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
        return {"date": first.isoformat(), "enddate": last.isoformat()}
    if occurred.precision == "edtf" or ".." in value:
        # A qualified day, a set, unspecified digits or an open end: the days its bounds span.
        low, high = occurred.bounds()
        until = high - timedelta(microseconds=1) if high else None
        days = {"date": low or until, "enddate": until}
        spans = {key: moment.date().isoformat() for key, moment in days.items() if moment}
        return spans or None
    start_text, _, end_text = value.partition("/")
    start = point(start_text)
    found: dict[str, str | None] = {"date": _day_of(start).isoformat(), "time": _plover_time(start)}
    if end_text:
        end = point(end_text)
        found |= {"enddate": _day_of(end).isoformat(), "endtime": _plover_time(end)}
    return {key: text for key, text in found.items() if text is not None}


def _cite_info(source: Source) -> dict[str, str]:
    found = {"url": source.url, "publication": source.outlet, "codebook": PLOVER_CODEBOOK}
    return {key: text for key, text in found.items() if text}


def plover_record(item: Item, family: Family) -> dict[str, Any] | None:
    """One standing fact as a PLOVER record; None where PLOVER has no category or no date."""
    event = item.event
    envelope = event.envelope
    category = PLOVER[event.type_name()][0]
    mode = plover_mode(item, family.talks)
    context = ["diplomatic"]
    coder = "negotiation-timeline"
    coding = envelope.coding
    if coding is not None and coding.plover is not None:  # the analyst's own coding stands
        category, mode = coding.plover.category, coding.plover.mode
        context = list(coding.plover.context) or context
        coder = coding.coded_by or coder
    dates = plover_dates(envelope.occurred)
    if category is None or dates is None:
        return None
    actors, recipients = plover_sides(item, list(family.talks.get("parties", [])))
    if envelope.modality in ("planned", "expected"):
        context.append("future")  # PLOVER's auxiliary mode, carried in context
    record: dict[str, Any] = {
        "id": str(event.event_id),
        **dates,
        "actor": [plover_entity(name) for name in actors],
    }
    if recipients:
        record["recipient"] = [plover_entity(name) for name in recipients]
    record |= {
        "event": [category],
        "quad_code": PLOVER_QUADS[category],
        "mode": [mode] if mode else None,
        "context": context,
        "event_text": list(envelope.quotes),
        "cite_info": _cite_info(envelope.sources[0]) if envelope.sources else None,
        "coder": coder,
        "comment": event.headline(),
        # Ours, beyond PLOVER's fields (the manual invites them):
        "sources": [_cite_info(source) for source in envelope.sources],
        "precision": envelope.occurred.precision,
        "uncertain": envelope.occurred.uncertain,
        "cameo": cameo_of(event),
        "original_type": event.type_name(),
        "modality": envelope.modality,
        "attributed_to": envelope.attributed_to,
        "corrected": bool(item.fact.corrected_by),
        "disputed": item.disputed,
    }
    return record


def plover_text(family: Family) -> str:
    """One PLOVER record per line, by when the facts occurred."""
    records = (plover_record(item, family) for item in family.shown())
    return _lines(record for record in records if record is not None)


def render(family: Family, fmt: Format) -> str:
    """The family in one format, as text."""
    if fmt == "timelinejs":
        return json.dumps(timelinejs(family), ensure_ascii=False)
    if fmt == "csv":
        return csv_text(family)
    if fmt == "csv-v1":
        return csv_v1_text(family)
    if fmt == "cloudevents":
        return cloudevents_text(family)
    if fmt == "cloudevents-batch":
        return cloudevents_batch(family)
    return plover_text(family)
