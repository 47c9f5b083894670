"""A realistic workload: logs shaped like real reporting, reproducible from a seed.

Real reporting is many small families, not one long stream: each Talks has 10-100 events with
its delegations (one to three) and positions (one or two); 5-10% of the events are corrections
and retractions of earlier ones; some facts are disputed; every event cites one to three sources
with verbatim quotes; dates come in every form the API accepts (a minute, a day, a month, an
interval, unknown, words anchored to a publication, uncertain). Families are reported side by
side, so the lines of different streams interleave in the file, as an export of a busy desk does.

The file is JSON lines in the importer's own format (``negotiation-timeline import`` reads it):
the API's body plus ``kind`` and ``stream_id``, each event with its ``event_id``. Run as a script
to write one::

    python -m bench.workload --events 200000 --seed 14 out.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

SIZES = {"20k": 20_000, "200k": 200_000, "1m": 1_000_000}
DEFAULT_SEED = 14
#: Families reported at the same time: their lines interleave in the file.
OPEN_FAMILIES = 24
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)
PARTIES = ("Ukraine", "Russia", "Armenia", "Azerbaijan", "Israel", "Hamas", "Serbia", "Kosovo")
MEDIATORS = ("Türkiye", "Qatar", "Vatican", "Switzerland", "Saudi Arabia", "Norway", "Egypt")
CITIES = ("Istanbul", "Ankara", "Doha", "Geneva", "Riyadh", "Oslo", "Cairo", "Vienna")
OUTLETS = ("Reuters", "AP", "AFP", "Kyiv Independent", "Anadolu", "Al Jazeera", "BBC")
PEOPLE = ("Rustem Umerov", "Vladimir Medinsky", "Sergei Lavrov", "Andrii Yermak",
          "Igor Kostyukov", "Mikhail Galuzin", "Kyrylo Budanov", "Yuri Ushakov")  # fmt: skip
TOPICS = ("a ceasefire", "prisoner exchanges", "humanitarian corridors", "the return of children",
          "sanctions relief", "security guarantees", "the grain corridor")  # fmt: skip
STAGES = ("pre-negotiation", "ceasefire", "partial", "comprehensive", "implementation")
OPENINGS = frozenset({"TalksProposed", "DelegationAnnounced", "PositionTaken"})
CORRECTABLE = {
    "MediatorRoleAssumed": ("role", ("host of the next round", "facilitator", "guarantor")),
    "RoundScheduled": ("city", CITIES),
    "DocumentExchanged": ("kind", ("memorandum", "draft agreement", "list of demands")),
    "DemandMade": ("addressee", PARTIES),
    "StatementMade": ("subject", TOPICS),
    "DelegationArrived": ("city", CITIES),
}


@dataclass
class Workload:
    """A generated log: its file, how many events, the Talks ids, and what is in it."""

    path: Path
    events: int
    streams: list[str]
    long_stream: str
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class _Stream:
    kind: str
    id: str
    state: dict[str, Any] = field(default_factory=dict)
    #: (event id, type) of its plain events: what a correction or retraction may name.
    facts: list[tuple[str, str]] = field(default_factory=list)
    touched: set[str] = field(default_factory=set)


class _Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.counts: dict[str, int] = {}

    def uuid(self) -> str:
        return str(UUID(int=self.rng.getrandbits(128), version=4))

    def pick(self, choices: tuple[str, ...]) -> str:
        return choices[self.rng.randrange(len(choices))]

    # Envelope: dates in every form, sources with quotes, disputed facts

    def occurred(self, day: datetime) -> dict[str, Any]:
        form = self.rng.random()
        if form < 0.35:
            found: dict[str, Any] = {"precision": "day", "value": day.date().isoformat()}
        elif form < 0.50:
            minute = day + timedelta(minutes=self.rng.randrange(6 * 60, 22 * 60))
            found = {"precision": "minute", "value": minute.strftime("%Y-%m-%dT%H:%M:00+03:00")}
        elif form < 0.60:
            found = {"precision": "month", "value": day.strftime("%Y-%m")}
        elif form < 0.70:
            end = day + timedelta(days=self.rng.randrange(1, 5))
            found = {"precision": "interval", "value": f"{day.date()}/{end.date()}"}
        elif form < 0.80:
            found = {"precision": "unknown"}
        else:
            anchor = (day + timedelta(days=1, hours=12)).strftime("%Y-%m-%dT%H:%M:00+03:00")
            wording = self.pick(("the previous day", "yesterday", "Sunday", "2 days ago"))
            found = {"precision": "day", "wording": wording, "anchor": anchor}
        if self.rng.random() < 0.1 and found["precision"] != "unknown":
            found["uncertain"] = True
        return found

    def sources(self, day: datetime, quote: str) -> list[dict[str, Any]]:
        published = (day + timedelta(hours=self.rng.randrange(1, 72))).strftime(
            "%Y-%m-%dT%H:%M:00Z"
        )
        found = []
        for n in range(self.rng.randint(1, 3)):
            outlet = self.pick(OUTLETS)
            found.append(
                {
                    "outlet": outlet,
                    "url": f"https://news.example/{outlet.lower().replace(' ', '-')}/{self.uuid()}",
                    "published_at": published,
                    "quote": quote
                    if n == 0
                    else f"{outlet} reported that {quote[0].lower()}{quote[1:]}",
                }
            )
        return found

    def line(
        self, stream: _Stream, kind: str, type_name: str, data: dict[str, Any], day: datetime
    ) -> dict[str, Any]:
        event_id = self.uuid()
        body: dict[str, Any] = {
            "kind": kind,
            "stream_id": stream.id,
            "type": type_name,
            "data": data,
            "occurred": self.occurred(day),
            "sources": self.sources(day, f"{type_name} as the reporters put it: {data}"[:160]),
            "event_id": event_id,
        }
        roll = self.rng.random()
        if roll < 0.06:
            body["modality"] = "disputed"
        elif roll < 0.20:
            body["modality"] = "reported"
        if self.rng.random() < 0.4:
            body["attributed_to"] = self.pick(PEOPLE)
        if type_name not in ("EventCorrected", "EventRetracted"):
            stream.facts.append((event_id, type_name))
        self.counts[type_name] = self.counts.get(type_name, 0) + 1
        return body

    # Families

    def family(
        self, size: int, start: datetime, talks_share: float = 0.55
    ) -> Iterator[dict[str, Any]]:
        """One Talks with its delegations and positions: ``size`` lines, in reporting order.

        About ``talks_share`` of the lines go to the Talks itself; a long family's reporting
        still spans about three years.
        """
        step = max(3, 6000 // size)
        parties = self.rng.sample(PARTIES, 2)
        talks = _Stream("talks", self.uuid(), {"rounds": {}, "next": 1})
        day = start
        yield self.line(
            talks,
            "talks",
            "TalksProposed",
            {"title": f"{parties[0]}–{parties[1]} talks in {self.pick(CITIES)}",
             "parties": parties, "proposed_by": parties[self.rng.randrange(2)]},
            day,
        )  # fmt: skip
        others: list[_Stream] = []
        for _ in range(self.rng.randint(1, 3)):
            others.append(_Stream("delegations", self.uuid(), {"members": set(), "head": None}))
        for _ in range(self.rng.randint(1, 2)):
            others.append(_Stream("positions", self.uuid(), {"priorities": [], "demands": []}))
        opened: list[_Stream] = []
        for done in range(1, size):
            day += timedelta(hours=self.rng.randrange(2, step))
            pending = [s for s in others if s not in opened]
            if pending and (self.rng.random() < 0.3 or size - done <= len(pending)):
                stream = pending[0]
                opened.append(stream)
                yield self.opening(stream, talks, parties, day)
                continue
            share = self.rng.random() < talks_share
            stream = talks if not opened or share else self.rng.choice(opened)
            amended = self.amendment(stream, day) if self.rng.random() < 0.08 else None
            yield amended or self.fact(stream, parties, day)

    def opening(
        self, stream: _Stream, talks: _Stream, parties: list[str], day: datetime
    ) -> dict[str, Any]:
        party = self.pick(tuple(parties))
        if stream.kind == "delegations":
            data = {"talks_id": talks.id, "party": party, "destination": self.pick(CITIES)}
            return self.line(stream, "delegations", "DelegationAnnounced", data, day)
        data = {"talks_id": talks.id, "party": party, "speaker": self.pick(PEOPLE),
                "channel": self.pick(("press conference", "social media", "interview"))}  # fmt: skip
        return self.line(stream, "positions", "PositionTaken", data, day)

    def amendment(self, stream: _Stream, day: datetime) -> dict[str, Any] | None:
        """A correction or a retraction of one of the stream's earlier facts (None if none)."""
        candidates = [
            f for f in stream.facts if f[0] not in stream.touched and f[1] not in OPENINGS
        ]
        if not candidates:
            return None
        target_id, target_type = self.rng.choice(candidates)
        if self.rng.random() < 0.25 and target_type not in CORRECTABLE:
            stream.touched.add(target_id)
            data = {"retracts": target_id, "reason": "the report was withdrawn by its outlet"}
            return self.line(stream, stream.kind, "EventRetracted", data, day)
        correction: dict[str, Any] = {
            "corrects": target_id,
            "reason": "a later report corrected it",
        }
        if target_type in CORRECTABLE and self.rng.random() < 0.7:
            name, values = CORRECTABLE[target_type]
            correction["fields"] = {name: self.pick(values)}
        else:
            correction["occurred"] = {"precision": "day", "value": day.date().isoformat()}
        return self.line(stream, stream.kind, "EventCorrected", correction, day)

    def fact(self, stream: _Stream, parties: list[str], day: datetime) -> dict[str, Any]:
        state, rng = stream.state, self.rng
        if stream.kind == "talks":
            rounds: dict[int, str] = state["rounds"]
            open_rounds = [n for n, s in rounds.items() if s in ("scheduled", "postponed")]
            roll = rng.random()
            if roll < 0.2 or (roll < 0.4 and not open_rounds):
                number = state["next"]
                state["next"] += 1
                rounds[number] = "scheduled"
                data: dict[str, Any] = {"number": number, "city": self.pick(CITIES)}
                if rng.random() < 0.5:
                    data["date"] = {"precision": "month", "value": day.strftime("%Y-%m")}
                return self.line(stream, "talks", "RoundScheduled", data, day)
            if roll < 0.4:
                number = rng.choice(open_rounds)
                if rng.random() < 0.7:
                    rounds[number] = "held"
                    data = {"number": number, "duration_minutes": rng.randrange(30, 600)}
                    return self.line(stream, "talks", "RoundHeld", data, day)
                rounds[number] = "postponed"
                data = {"number": number, "reason": "delegations not ready"}
                return self.line(stream, "talks", "RoundPostponed", data, day)
            if roll < 0.55:
                data = {"mediator": self.pick(MEDIATORS), "role": "offered to host",
                        "hosts": rng.random() < 0.5}  # fmt: skip
                return self.line(stream, "talks", "MediatorRoleAssumed", data, day)
            if roll < 0.68:
                data = {"party": parties[0], "mediator": self.pick(MEDIATORS),
                        "participants": rng.sample(PEOPLE, 2), "channel": "phone",
                        "subject": self.pick(TOPICS)}  # fmt: skip
                return self.line(stream, "talks", "MediatorConsulted", data, day)
            if roll < 0.78:
                data = {"parties": rng.sample(PARTIES, 2), "role": "observers"}
                return self.line(stream, "talks", "ThirdPartiesExpected", data, day)
            if roll < 0.9:
                data = {"title": f"Proposal on {self.pick(TOPICS)}", "from_party": parties[0],
                        "to_party": parties[1], "kind": "memorandum"}  # fmt: skip
                return self.line(stream, "talks", "DocumentExchanged", data, day)
            data = {"title": f"Agreement on {self.pick(TOPICS)}", "parties": parties,
                    "stage": self.pick(STAGES)}  # fmt: skip
            return self.line(stream, "talks", "AgreementReached", data, day)
        if stream.kind == "delegations":
            roll = rng.random()
            if state["head"] is None and roll < 0.3:
                state["head"] = self.pick(PEOPLE)
                data = {"head": {"name": state["head"], "title": "head of delegation"}}
                return self.line(stream, "delegations", "DelegationHeadNamed", data, day)
            free = [p for p in PEOPLE if p not in state["members"] and p != state["head"]]
            if roll < 0.6 and free:
                name = rng.choice(free)
                state["members"].add(name)
                data = {"member": {"name": name, "title": "adviser"}}
                return self.line(stream, "delegations", "DelegationMemberAdded", data, day)
            if roll < 0.8:
                data = {"city": self.pick(CITIES)}
                return self.line(stream, "delegations", "DelegationArrived", data, day)
            data = {"from_city": self.pick(CITIES), "to_city": self.pick(CITIES)}
            return self.line(stream, "delegations", "DelegationDeparted", data, day)
        roll = rng.random()
        if roll < 0.2:
            priority = f"{self.pick(TOPICS)} ({rng.randrange(1000)})"
            state["priorities"].append(priority)
            data = {"priorities": [priority], "speaker": self.pick(PEOPLE)}
            return self.line(stream, "positions", "PrioritiesStated", data, day)
        if roll < 0.4:
            demand = f"{self.pick(TOPICS)} first ({rng.randrange(1000)})"
            state["demands"].append(demand)
            data = {"demand": demand, "addressee": self.pick(PARTIES)}
            return self.line(stream, "positions", "DemandMade", data, day)
        if roll < 0.48 and state["demands"]:
            data = {"demand": state["demands"].pop(0), "reason": "concession"}
            return self.line(stream, "positions", "DemandDropped", data, day)
        if roll < 0.6:
            data = {"addressee": self.pick(PARTIES), "subject": self.pick(TOPICS)}
            return self.line(stream, "positions", "AppealMade", data, day)
        if roll < 0.75:
            data = {"title": f"Plan for {self.pick(TOPICS)}", "addressee": parties[1]}
            return self.line(stream, "positions", "ProposalMade", data, day)
        kind = self.pick(("StatementMade", "SkepticismVoiced", "OptimismVoiced"))
        data = {"speaker": self.pick(PEOPLE)}
        data["subject" if kind == "StatementMade" else "about"] = self.pick(TOPICS)
        return self.line(stream, "positions", kind, data, day)


def records(
    total: int, seed: int = DEFAULT_SEED, long_stream_events: int = 0
) -> Iterator[dict[str, Any]]:
    """``total`` import lines; the first family's Talks has about ``long_stream_events``."""
    generator = _Generator(seed)
    rng = generator.rng
    written = 0
    if long_stream_events:
        # One long Talks (reads and time travel use it), reported first and on its own.
        size = min(total, round(long_stream_events / 0.95))
        for line in generator.family(size, EPOCH, talks_share=0.95):
            yield line
            written += 1
    active: list[Iterator[dict[str, Any]]] = []
    start = EPOCH
    while written < total:
        while len(active) < OPEN_FAMILIES and written + len(active) * 10 < total:
            start += timedelta(days=rng.randrange(0, 3))
            active.append(generator.family(min(rng.randint(10, 100), total - written), start))
        if not active:
            active.append(generator.family(total - written, start))
        family = rng.randrange(len(active))
        found = next(active[family], None)
        if found is None:
            active.pop(family)
            continue
        yield found
        written += 1


def write(
    path: Path, total: int, seed: int = DEFAULT_SEED, long_stream_events: int = 0
) -> Workload:
    """Write ``total`` lines to ``path``; what was written."""
    talks: list[str] = []
    counts: dict[str, int] = {}
    with path.open("w", encoding="utf-8") as out:
        for line in records(total, seed, long_stream_events):
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
            name = line["type"]
            counts[name] = counts.get(name, 0) + 1
            if name == "TalksProposed":
                talks.append(line["stream_id"])
    return Workload(path, total, talks, talks[0], counts)


def main() -> None:
    """Write a workload file."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--events", default="20k", help="20k, 200k, 1m or a number")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--long-stream", type=int, default=0, help="events of a first long Talks")
    args = parser.parse_args()
    total = SIZES.get(args.events.lower()) or int(args.events)
    found = write(args.path, total, args.seed, args.long_stream)
    amended = found.counts.get("EventCorrected", 0) + found.counts.get("EventRetracted", 0)
    print(
        f"{found.events:,} events, {len(found.streams):,} Talks, "
        f"{amended / found.events:.1%} corrections and retractions -> {found.path}"
    )


if __name__ == "__main__":
    main()
