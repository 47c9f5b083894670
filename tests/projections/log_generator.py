"""A seeded generator of a long, valid, mixed log: Talks, delegations and positions interleaved.

Each stream keeps a small mirror of its state, so that every generated event passes the
aggregate's guards (a new number for each scheduled round, only current priorities dropped...).
"""

from __future__ import annotations

import random
from typing import Any

from support import append, body, stream, talks

from application.service import TimelineService

PARTIES = ("Ukraine", "Russia")
PEOPLE = tuple(f"Person {letter}" for letter in "ABCDEFGHIJKL")
ITEMS = tuple(f"item {n}" for n in range(10))
WORDS = ("ceasefire", "prisoners", "sanctions", "memorandum", "Istanbul", "100%", "step_up")
PAX = ("pre-negotiation", "ceasefire", "partial", "comprehensive", "implementation", "renewal")


class Mirror:
    """What the generator needs to know of one stream to keep its events valid."""

    def __init__(self, kind: str, stream_id: str) -> None:
        self.kind, self.stream_id = kind, stream_id
        self.next_round, self.open_rounds, self.suspended = 1, set[int](), False
        self.head: str | None = None
        self.members: set[str] = set()
        self.priorities: list[str] = []
        self.demands: list[str] = []


class LogGenerator:
    """Appends ``total`` events in batches of up to ~100; counts events and quotes."""

    def __init__(self, service: TimelineService, seed: int = 7) -> None:
        self.service, self.rng = service, random.Random(seed)
        self.events = self.quotes = 0
        self.mirrors: list[Mirror] = []
        self.talks_ids: list[str] = []

    def run(self, total: int, talks_count: int = 3, batch: int = 100) -> LogGenerator:
        """Create the streams, then append random events until the log holds ``total``."""
        for n in range(talks_count):
            talks_id = talks(self.service, f"Generated talks {n}")
            self.talks_ids.append(talks_id)
            self.mirrors.append(Mirror("talks", talks_id))
            for party in PARTIES:
                for kind in ("delegations", "positions"):
                    self.mirrors.append(Mirror(kind, stream(self.service, kind, talks_id, party)))
        self.events = len(self.mirrors)  # the creating events, none of them quoted
        while self.events < total:
            mirror = self.rng.choice(self.mirrors)
            size = min(self.rng.randint(batch // 2, batch * 3 // 2), total - self.events)
            bodies = [self._event(mirror) for _ in range(size)]
            append(self.service, mirror.kind, mirror.stream_id, *bodies)
            self.events += size
        return self

    # Envelopes

    def _occurred(self) -> dict[str, Any]:
        rng, roll = self.rng, self.rng.random()
        month, dom = rng.randint(5, 7), rng.randint(1, 28)
        if roll < 0.1:
            return {"precision": "unknown"}
        if roll < 0.2:
            return {"precision": "month", "value": f"2025-{month:02d}"}
        if roll < 0.35:
            offset = rng.choice(("Z", "+03:00", "-05:00", "+01:00"))
            return {"precision": "minute", "value": f"2025-{month:02d}-{dom:02d}T10:30{offset}"}
        if roll < 0.45:
            return {
                "precision": "interval",
                "value": f"2025-{month:02d}-{dom:02d}/2025-08-0{dom % 9 + 1}",
            }
        return {"precision": "day", "value": f"2025-{month:02d}-{dom:02d}"}

    def _body(self, event_type: str, data: dict[str, Any], **overrides: Any) -> dict[str, Any]:
        quotes = tuple(
            " ".join(self.rng.sample(WORDS, 3)) for _ in range(self.rng.choice((0, 0, 1, 2)))
        )
        self.quotes += len(quotes)
        if self.rng.random() < 0.3:
            overrides.setdefault("attributed_to", self.rng.choice(PEOPLE))
        return body(event_type, data, occurred=self._occurred(), quotes=quotes, **overrides)

    def _event(self, mirror: Mirror) -> dict[str, Any]:
        return getattr(self, f"_{mirror.kind}")(mirror)

    # One valid event per kind of stream

    def _talks(self, m: Mirror) -> dict[str, Any]:
        rng = self.rng
        choice = rng.choice(("schedule", "hold", "postpone", "cancel", "pause", "other", "other"))
        if choice in ("postpone", "cancel") and m.open_rounds:
            number = rng.choice(sorted(m.open_rounds))
            if choice == "cancel":
                m.open_rounds.discard(number)
                return self._body("RoundCancelled", {"number": number, "reason": "generated"})
            return self._body("RoundPostponed", {"number": number, "new_date": self._occurred()})
        if choice == "hold":
            number = rng.choice(sorted(m.open_rounds)) if m.open_rounds else m.next_round
            m.open_rounds.discard(number)
            m.next_round = max(m.next_round, number + 1)
            return self._body("RoundHeld", {"number": number, "city": "Istanbul"})
        if choice == "schedule":
            m.open_rounds.add(m.next_round)
            m.next_round += 1
            data = {"number": m.next_round - 1, "city": rng.choice(("Istanbul", "Geneva"))}
            return self._body(
                "RoundScheduled", data | {"date": self._occurred()}, modality="planned"
            )
        if choice == "pause":
            m.suspended = not m.suspended
            return self._body("TalksSuspended" if m.suspended else "TalksResumed", {})
        return rng.choice(
            (
                lambda: self._body("MediatorRoleAssumed", {"mediator": rng.choice(PEOPLE)}),
                lambda: self._body(
                    "MediatorConsulted",
                    {
                        "party": "Ukraine",
                        "mediator": "Türkiye",
                        "participants": rng.sample(PEOPLE, 2),
                    },
                ),
                lambda: self._body(
                    "AgreementReached",
                    {"title": "deal", "parties": list(PARTIES), "stage": rng.choice(PAX)},
                ),
                lambda: self._body(
                    "DocumentExchanged",
                    {"title": "draft", "from_party": "Russia", "to_party": "Ukraine"},
                ),
                lambda: self._body("ThirdPartiesExpected", {"parties": rng.sample(PEOPLE, 2)}),
            )
        )()

    def _delegations(self, m: Mirror) -> dict[str, Any]:
        rng = self.rng
        choice = rng.choice(("head", "add", "add", "remove", "move"))
        if choice == "head":
            head = rng.choice([p for p in PEOPLE if p != m.head])
            event_type = "DelegationHeadChanged" if m.head else "DelegationHeadNamed"
            m.head = head
            return self._body(event_type, {"head": {"name": head, "title": "Minister"}})
        outside = [p for p in PEOPLE if p not in m.members]
        if choice == "add" and outside:
            m.members.add(name := rng.choice(outside))
            return self._body("DelegationMemberAdded", {"member": {"name": name}})
        if choice in ("add", "remove") and m.members:
            m.members.discard(name := rng.choice(sorted(m.members)))
            return self._body("DelegationMemberRemoved", {"name": name})
        city = rng.choice(("Istanbul", "Geneva"))
        return rng.choice(
            (
                lambda: self._body("DelegationDeparted", {"to_city": city}),
                lambda: self._body("DelegationArrived", {"city": city}),
                lambda: self._body("DelegationLeft", {"city": city}),
            )
        )()

    def _positions(self, m: Mirror) -> dict[str, Any]:
        rng = self.rng
        choice = rng.choice(("state", "drop", "demand", "undemand", "say", "say", "propose"))
        if choice == "drop" and m.priorities:
            m.priorities.remove(item := rng.choice(m.priorities))
            return self._body("PriorityDropped", {"priority": item})
        if choice == "undemand" and m.demands:
            m.demands.remove(item := rng.choice(m.demands))
            return self._body("DemandDropped", {"demand": item})
        if choice == "demand":
            item = rng.choice(ITEMS)
            m.demands += [item] if item not in m.demands else []
            return self._body("DemandMade", {"demand": item, "addressee": "Russia"})
        if choice == "propose":
            data = {"title": rng.choice(ITEMS)}
            return self._body(rng.choice(("ProposalMade", "ProposalRejected")), data)
        if choice == "say":
            kind = rng.choice(("SkepticismVoiced", "OptimismVoiced", "StatementMade", "AppealMade"))
            data: dict[str, Any] = {"speaker": rng.choice(PEOPLE)}
            if kind == "AppealMade":
                data |= {"addressee": "European Union", "subject": "pressure"}
            return self._body(kind, data)
        items = rng.sample(ITEMS, rng.randint(1, 3))
        m.priorities += [item for item in items if item not in m.priorities]
        return self._body("PrioritiesStated", {"priorities": items})
