"""Exports of one Talks and its family (its delegations and positions) in the field's formats.

The family is every stream whose index rows carry the Talks' id (``nt_event_index.talks_id``).
Events are read from the store itself, never from the views, so an export is always current.

**Facts as now known.** TimelineJS, CSV and PLOVER show each event as now known: corrections
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
  (escaped) in a ``<blockquote>``, the attribution, the modality unless asserted, the reason of
  each correction, a dispute mark, and the sources (http and https URLs as links).
- ``group``: ``Talks``, ``Delegation: <party>`` or ``Position: <party>``; ``unique_id``: the
  event id.
- **Undated events** (precision ``unknown``) cannot be placed on a time axis: they are listed as
  background notes in the title slide's text, not in ``events``.
- ``eras``: one per round of the Talks' current state that has a date, from the start of its
  first day to the end (23:59) of its last: a day, the days of an interval, or a whole month.

**CSV** (``format=csv``, ``text/csv``, a header row, RFC 4180 quoting): one row per event, by
when it occurred (undated last). ACLED-like columns: ``event_id``, ``event_date`` (ISO date: the
day for minute and day precision, on the value's own wall clock; the first day of an interval or
a month; empty when unknown), ``year``, ``time_precision`` (ACLED's codes: 1 for minute and day,
2 for an interval, 3 for a month, empty when unknown), our own ``precision``, ``occurred`` (the
EDTF value), ``wording``, ``event_type`` (our type), ``cameo_code``, ``stream_kind``,
``stream_id``, ``actor1``, ``actor2``, ``actors`` (everyone the event names, ``; ``-joined),
``notes`` (headline, then each quote in double quotes, then each correction's reason),
``source`` (URLs or outlets, ``; ``-joined), ``attributed_to``, ``modality``, ``corrected``
(``true``/``false``), ``corrected_by``, ``disputed`` (``true`` when the event is one of the claims
of a standing dispute), ``recorded_at``. A text cell that a spreadsheet would run as a formula
(starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) is prefixed with ``'``.

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

**PLOVER** (``format=plover``, ``application/x-ndjson``): one record per event, by when it
occurred: ``event_id``, ``event_date`` (as in the CSV), ``precision``, ``event_type`` (the PLOVER
category, from ``PLOVER`` below), ``mode``, ``context`` (a list: ``diplomatic``, plus
``future`` for planned and expected facts), ``actor1`` and ``actor2`` (``{"name", "country"
(ISO 3166-1 alpha-3 where known), "sector" ("GOV" for a state, "IGO" for an international
organisation)}`` or null), ``source`` (a list of URLs or outlets), ``cameo`` (the original
code), ``original_type``, ``comment`` (the headline), ``corrected``, ``disputed``.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Literal
from uuid import UUID

from domain import temporal
from domain.base import NegotiationAggregate
from domain.corrections import EventCorrected
from domain.envelope import Source
from domain.occurrence import Occurrence
from domain.values import as_dict
from store.serialize import cameo_of, iso
from store.service import NotFoundError, TimelineService

Format = Literal["timelinejs", "csv", "cloudevents", "plover"]
FORMATS: tuple[Format, ...] = ("timelinejs", "csv", "cloudevents", "plover")
#: Media type and file extension of each format.
MEDIA_TYPES: dict[Format, str] = {
    "timelinejs": "application/json",
    "csv": "text/csv; charset=utf-8; header=present",
    "cloudevents": "application/x-ndjson",
    "plover": "application/x-ndjson",
}
EXTENSIONS: dict[Format, str] = {
    "timelinejs": "timelinejs.json",
    "csv": "csv",
    "cloudevents": "cloudevents.jsonl",
    "plover": "plover.jsonl",
}

CLOUDEVENTS_TYPE_PREFIX = "org.negotiation-timeline."
CLOUDEVENTS_TYPE_SUFFIX = ".v1"
CLOUDEVENTS_SOURCE_PREFIX = "urn:negotiation-timeline:"

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")  # fmt: skip
GROUPS = {"talks": "Talks", "delegations": "Delegation", "positions": "Position"}
#: ACLED's time_precision codes.
ACLED_PRECISION = {
    "minute": "1",
    "day": "1",
    "interval": "2",
    "edtf": "2",
    "month": "3",
    "unknown": "",
}

CSV_COLUMNS = (
    "event_id", "event_date", "year", "time_precision", "precision", "occurred", "wording",
    "event_type", "cameo_code", "stream_kind", "stream_id", "actor1", "actor2", "actors",
    "notes", "source", "attributed_to", "modality", "corrected", "corrected_by", "disputed",
    "recorded_at",
)  # fmt: skip

#: PLOVER's event categories (manual 0.7b1), and OTHER where none fits.

#: Every event type's PLOVER category and mode, with the reason (CAMEO codes as in
#: openeventdata/PLOVER CAMEO2PLOVER-2021). PLOVER drops CAMEO's comment (01) and appeal (02)
#: roots: those types are OTHER. Corrections and retractions are applied, never exported.
PLOVER: dict[str, tuple[str, str | None, str]] = {
    "TalksProposed": ("AGREE", None, "CAMEO 036: express intent to meet or negotiate"),
    "RoundScheduled": ("AGREE", None, "CAMEO 036: express intent to meet or negotiate"),
    "RoundHeld": ("CONSULT", None, "CAMEO 046: engage in negotiation; mode third-party when a"
                  " mediator hosts the talks"),
    "RoundPostponed": ("OTHER", None, "neither a refusal to meet nor a new intent"),
    "RoundCancelled": ("REJECT", "meet", "as CAMEO 125: reject proposal to meet"),
    "ThirdPartiesExpected": ("AGREE", None, "CAMEO 036 in a future context: expected to take"
                             " part"),
    "MediatorRoleAssumed": ("AGREE", None, "CAMEO 039: express intent to mediate"),
    "MediatorConsulted": ("CONSULT", None, "CAMEO 041: discuss by telephone; mode phone when"
                          " the channel is remote"),
    "AgreementReached": ("SUPPORT", None, "CAMEO 057: sign formal agreement"),
    "DocumentExchanged": ("CONSULT", None, "as CAMEO 046: part of negotiating"),
    "TalksSuspended": ("SANCTION", "withdraw", "as CAMEO 164: halt negotiations"),
    "TalksResumed": ("CONSULT", None, "CAMEO 046: engage in negotiation"),
    "TalksConcluded": ("OTHER", None, "the outcome decides; no category in general"),
    "DelegationAnnounced": ("AGREE", None, "CAMEO 036: express intent to meet or negotiate"),
    "DelegationHeadNamed": ("OTHER", None, "a delegation's make-up: no category"),
    "DelegationHeadChanged": ("OTHER", None, "a delegation's make-up: no category"),
    "DelegationMemberAdded": ("OTHER", None, "a delegation's make-up: no category"),
    "DelegationMemberRemoved": ("OTHER", None, "a delegation's make-up: no category"),
    "DelegationDeparted": ("OTHER", None, "travel: CAMEO has no code for it"),
    "DelegationArrived": ("CONSULT", "visit", "CAMEO 042: make a visit"),
    "DelegationLeft": ("OTHER", None, "travel: CAMEO has no code for it"),
    "DelegationWithdrawn": ("SANCTION", "withdraw", "as CAMEO 164/166: halt negotiations,"
                            " withdraw"),
    "PositionTaken": ("OTHER", None, "CAMEO 010 statement: dropped by PLOVER"),
    "PrioritiesStated": ("DEMAND", None, "what a party insists on heading into talks"),
    "PriorityDropped": ("CONCEDE", None, "a verbal concession"),
    "DemandMade": ("DEMAND", None, "CAMEO 100: demand"),
    "DemandDropped": ("CONCEDE", None, "a verbal concession"),
    "ProposalMade": ("AGREE", None, "an offer: willingness to cooperate"),
    "ProposalRejected": ("REJECT", None, "CAMEO 120: reject"),
    "AppealMade": ("OTHER", None, "CAMEO 020 appeal: dropped by PLOVER"),
    "SkepticismVoiced": ("ACCUSE", "disapprove", "CAMEO 012, read as disapproval of the other"
                         " side's seriousness"),
    "OptimismVoiced": ("OTHER", None, "CAMEO 013 comment: dropped by PLOVER"),
    "StatementMade": ("OTHER", None, "CAMEO 010 statement: dropped by PLOVER"),
    "EventCorrected": ("OTHER", None, "applied to the event it corrects, not exported"),
    "EventRetracted": ("OTHER", None, "its target is left out, not exported"),
    "ActorRegistered": ("OTHER", None, "who an actor is: identity, not an event of the talks"),
    "ActorAliasAdded": ("OTHER", None, "another name of an actor: identity"),
    "RoleAssumed": ("OTHER", None, "a person's title: identity over time"),
    "RoleEnded": ("OTHER", None, "a person's title: identity over time"),
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
#: International organisations: no country, sector IGO.
IGOS = frozenset({
    "european union", "eu", "united nations", "un", "nato", "osce", "african union",
    "council of europe", "international committee of the red cross", "icrc",
})  # fmt: skip

#: Talks-level types whose own fields name their actors (others name the Talks' parties).
_TALKS_ROLES: dict[str, tuple[str, ...]] = {
    "TalksProposed": ("proposed_by", "parties"),
    "MediatorRoleAssumed": ("mediator",),
    "MediatorConsulted": ("party", "mediator"),
    "DocumentExchanged": ("from_party", "to_party"),
    "AgreementReached": ("parties",),
    "ThirdPartiesExpected": ("parties",),
}
#: Fields naming the other side of a delegation's or a position's event.
_COUNTERPARTS = ("addressee", "proposed_by", "to_party", "mediator")
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
        """A fact of the negotiation still standing: neither retracted nor a correction."""
        return not self.fact.is_correction and self.fact.retracted_by is None

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

    def shown(self) -> list[Item]:
        """The standing facts, by when they occurred (undated last), then by log position."""
        return sorted((i for i in self.items if i.shown), key=_occurrence_order)


def _occurrence_order(item: Item) -> tuple[int, datetime, int]:
    start, _ = item.event.envelope.occurred.bounds()
    return (0, start, item.position) if start else (1, datetime.min, item.position)


def load_family(service: TimelineService, talks_id: UUID) -> Family:
    """The Talks and every delegation and position of it, from the store; NotFoundError if none."""
    if service.stream_kind(str(talks_id)) != "talks":
        raise NotFoundError(f"no talks with id {talks_id}")
    rows = service.db.query(
        "SELECT stream_id, kind, version, position FROM nt_event_index"
        " WHERE talks_id = ? ORDER BY position",
        (str(talks_id),),
    )
    streams: dict[str, tuple[str, int]] = {}
    positions: dict[tuple[str, int], int] = {}
    for row in rows:
        stream_id, version = row["stream_id"], int(row["version"])
        streams[stream_id] = (row["kind"], max(version, streams.get(stream_id, ("", 0))[1]))
        positions[(stream_id, version)] = int(row["position"])
    items: list[Item] = []
    talks: dict[str, Any] = {}
    corrections: dict[str, EventCorrected] = {}
    for stream_id, (kind, upto) in streams.items():
        events = service.events_of(UUID(stream_id), upto)
        state = temporal.fold(events) or {}
        if kind == "talks":
            talks = state
        disputed = {
            claim["event_id"]
            for dispute in state.get("disputes", [])
            for claim in dispute["claims"]
        }
        party = state.get("party") if kind != "talks" else None
        for fact in temporal.facts(events):
            if isinstance(fact.event, EventCorrected):
                corrections[str(fact.event.event_id)] = fact.event
            position = positions[(stream_id, fact.event.originator_version)]
            event_id = str(fact.event.event_id)
            items.append(Item(fact, kind, stream_id, position, party, event_id in disputed))
    items.sort(key=lambda item: item.position)
    return Family(str(talks_id), talks, items, corrections)


# Dates


def _point(text: str) -> date | datetime:
    """One end of a value: a day, or a date-time on its own offset's wall clock."""
    return datetime.fromisoformat(text) if "T" in text else date.fromisoformat(text)


def _date_parts(moment: date | datetime) -> dict[str, int]:
    parts = {"year": moment.year, "month": moment.month, "day": moment.day}
    if isinstance(moment, datetime):
        parts |= {"hour": moment.hour, "minute": moment.minute}
    return parts


def _human_point(moment: date | datetime) -> str:
    text = f"{moment.day} {MONTHS[moment.month - 1]} {moment.year}"
    if isinstance(moment, datetime):
        offset = moment.utcoffset() or timedelta(0)
        zone = "UTC"
        if offset:
            sign = "+" if offset > timedelta(0) else "-"
            minutes = abs(offset) // timedelta(minutes=1)
            zone = f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
        text += f", {moment:%H:%M} {zone}"
    return text


def human_date(occurred: Occurrence) -> str:
    """The resolved date in words: "1 June 2025", "June 2025", "23 May 2025 – 25 May 2025"."""
    value = occurred.value
    if occurred.precision == "unknown" or value is None:
        return "date unknown"
    if not occurred.is_plain:
        return f"{value} (EDTF: {_human_days(occurred)})"
    if occurred.precision == "month":
        year, month = value.split("-")
        return f"{MONTHS[int(month) - 1]} {year}"
    if occurred.precision == "interval":
        start, _, end = value.partition("/")
        return f"{_human_point(_point(start))} – {_human_point(_point(end))}"
    return _human_point(_point(value))


def _human_days(occurred: Occurrence) -> str:
    """The days an EDTF value may mean: "until 1 June 2025", "1 June 2025 – 30 June 2025"."""
    first, last = occurred.days()
    if first is None or last is None:
        bound = first or last
        side = "until" if first is None else "from"
        return "date unknown" if bound is None else f"{side} {_human_point(bound)}"
    if first == last:
        return _human_point(first)
    return f"{_human_point(first)} – {_human_point(last)}"


def display_date(occurred: Occurrence) -> str:
    """Human text with the source's own wording: "Sunday (1 June 2025)"."""
    text = human_date(occurred)
    if occurred.uncertain:
        text += ", uncertain"
    return f"{occurred.wording} ({text})" if occurred.wording else text


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
            "start_date": _date_parts(_point(start)),
            "end_date": _date_parts(_point(end)),
        }
    moment = _point(value)
    parts = _date_parts(moment)
    if occurred.precision == "day":
        parts = {key: parts[key] for key in ("year", "month", "day")}
    return {"start_date": parts}


def _day_span(first: date, last: date) -> tuple[dict[str, int], dict[str, int]]:
    return _date_parts(first), {**_date_parts(last), "hour": 23, "minute": 59}


def era_span(occurred: Occurrence) -> tuple[dict[str, int], dict[str, int]] | None:
    """From the start of the first day to the end of the last day of a date; None if undated."""
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
    if occurred.precision == "interval":
        start_text, _, end_text = value.partition("/")
        start, end = _point(start_text), _point(end_text)
        first = start.date() if isinstance(start, datetime) else start
        if isinstance(end, datetime):
            return _date_parts(first), _date_parts(end)
        return _day_span(first, end)
    moment = _point(value)
    day = moment.date() if isinstance(moment, datetime) else moment
    return _day_span(day, day)


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


def plover_actor(name: str | None) -> dict[str, str | None] | None:
    """{name, country (ISO 3166-1 alpha-3 where known), sector (GOV, IGO or null)}."""
    if not name:
        return None
    key = _normal(name)
    if key in IGOS:
        return {"name": name, "country": None, "sector": "IGO"}
    country = COUNTRIES.get(key)
    return {"name": name, "country": country, "sector": "GOV" if country else None}


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
    return [
        family.corrections[fix].reason
        for fix in item.fact.corrected_by
        if fix in family.corrections
    ]


# TimelineJS


def _slide_html(item: Item, family: Family) -> str:
    envelope = item.event.envelope
    parts = [f"<blockquote>{html.escape(quote)}</blockquote>" for quote in envelope.quotes]
    if envelope.attributed_to:
        parts.append(f"<p>According to {html.escape(envelope.attributed_to)}.</p>")
    if envelope.modality != "asserted" and not (item.disputed and envelope.modality == "disputed"):
        parts.append(f"<p><em>{html.escape(envelope.modality.capitalize())}.</em></p>")
    parts.extend(f"<p>Corrected: {html.escape(reason)}</p>" for reason in _reasons(item, family))
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
        if round_.get("city"):
            headline += f", {round_['city']}"
        text = f"{round_['status']}: {display_date(Occurrence(**round_['date']))}"
        eras.append(
            {
                "start_date": span[0],
                "end_date": span[1],
                "text": {"headline": headline, "text": html.escape(text)},
            }
        )
    return eras


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
    parts = [item.event.headline()]
    parts.extend(f'"{quote}"' for quote in item.event.envelope.quotes)
    parts.extend(f"Corrected: {reason}" for reason in _reasons(item, family))
    return " ".join(parts)


def csv_rows(family: Family) -> list[dict[str, str]]:
    """One row per standing fact, by when it occurred."""
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


def csv_text(family: Family) -> str:
    """The CSV document, header first (RFC 4180: CRLF line ends, quotes doubled)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS)
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


# PLOVER


def plover_mode(item: Item, talks: dict[str, Any]) -> str | None:
    """The PLOVER mode: the type's own, or from the data (a call's channel, a hosted round)."""
    name = item.event.type_name()
    if name == "MediatorConsulted":
        channel = str(item.event.data().get("channel") or "").casefold()
        return "phone" if any(word in channel for word in _REMOTE_CHANNELS) else None
    if name == "RoundHeld":
        hosted = any(mediator.get("hosts") for mediator in talks.get("mediators", []))
        return "third-party" if hosted else None
    return PLOVER[name][1]


def plover_record(item: Item, family: Family) -> dict[str, Any]:
    """One standing fact as a PLOVER-style record."""
    event = item.event
    envelope = event.envelope
    actor1, actor2 = actor_pair(item, list(family.talks.get("parties", [])))
    context = ["diplomatic"]
    if envelope.modality in ("planned", "expected"):
        context.append("future")
    category, mode = PLOVER[event.type_name()][0], plover_mode(item, family.talks)
    coded = envelope.coding.plover if envelope.coding else None
    if coded is not None:  # the analyst's own coding of this event
        category, mode, context = coded.category, coded.mode, list(coded.context) or context
    return {
        "event_id": str(event.event_id),
        "event_date": event_date(envelope.occurred) or None,
        "precision": envelope.occurred.precision,
        "event_type": category,
        "mode": mode,
        "context": context,
        "actor1": plover_actor(actor1),
        "actor2": plover_actor(actor2),
        "source": source_names(envelope.sources),
        "cameo": cameo_of(event),
        "original_type": event.type_name(),
        "comment": event.headline(),
        "corrected": bool(item.fact.corrected_by),
        "disputed": item.disputed,
    }


def plover_text(family: Family) -> str:
    """One PLOVER record per line, by when the facts occurred."""
    return _lines(plover_record(item, family) for item in family.shown())


def render(family: Family, fmt: Format) -> str:
    """The family in one format, as text."""
    if fmt == "timelinejs":
        return json.dumps(timelinejs(family), ensure_ascii=False)
    if fmt == "csv":
        return csv_text(family)
    if fmt == "cloudevents":
        return cloudevents_text(family)
    return plover_text(family)
