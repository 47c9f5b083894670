"""Import events from JSON lines: the API's own bodies, or CloudEvents as the export writes them.

**The line format.** One JSON object per line (blank lines are ignored), in either shape:

- **The API's own body**, as ``POST /{kind}`` or ``POST /{kind}/{id}/events`` take it, with two
  routing members::

      {"kind": "talks", "stream_id": "<uuid>", "type": "RoundHeld", "data": {...},
       "occurred": {...}, "sources": [...], "attributed_to": ..., "modality": ...,
       "recorded_by": ..., "event_id": "<uuid>"}

  ``kind`` (``talks``, ``delegations`` or ``positions``) may be left out: the type says it, and
  corrections and retractions take their stream's. ``stream_id`` names the stream; a stream's
  first event is its creating event (``TalksProposed``, ``DelegationAnnounced``,
  ``PositionTaken``), whose ``stream_id`` (or ``id``, as in ``POST /{kind}``) chooses the new
  stream's id; without one it is derived from the event id.
- **A CloudEvent** as ``GET /talks/{id}/export?format=cloudevents`` writes it (recognised by
  ``specversion``, which must be ``"1.0"``): ``type`` ``org.negotiation-timeline.<Type>.v1``,
  ``subject`` the stream id, ``streamkind`` (or the kind in ``source``,
  ``urn:negotiation-timeline:<kind>/<id>``), ``id`` the event id, and ``data`` holding
  ``occurred``, ``envelope`` (``sources``, ``attributed_to``, ``modality``, ``recorded_by``) and
  ``data``; ``data.corrected`` (the export's note of what corrections made of it) is ignored.
  So an export imports again, into this store or another one. A file holding one JSON array
  (a CloudEvents batch, ``format=cloudevents-batch``) is read as one line per element.

**Idempotent.** Each line's event id (``event_id``, or the CloudEvent's ``id``; derived from the
line's content, as a UUIDv5, when it has none, or when a CloudEvent id is no UUID) is looked up
first: events already recorded, or met earlier in the file, are counted as already present and
appended again never. Importing a file twice appends nothing the second time.

**Bad lines** (not JSON, an invalid body, a broken invariant, an unknown stream) are reported
with their line number, the reason and a JSON pointer into the line. By default they are skipped
and the rest is imported. **Strict** imports check the whole file first, folding every line into
the aggregates in memory as an append would, and append nothing if any line is bad. Should an
append still fail after the check (another writer got there first), the import stops there and
says which lines were appended: never half-applied silently.

Events are appended in batches of at most 500, whatever their streams and the order of the lines:
each batch is stored in one transaction, its events in the order of their lines, with the principal ``import:<file name>``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from pydantic import ValidationError

from application import corrections, replies
from application.errors import ApplicationError, error_entries
from application.event_input import MAX_BATCH, CreateIn, EventIn, NewEvent, new_event
from application.exports import (
    CLOUDEVENTS_SOURCE_PREFIX,
    CLOUDEVENTS_TYPE_PREFIX,
    CLOUDEVENTS_TYPE_SUFFIX,
)
from application.participant_actors import check_participant_actors
from application.service import TimelineService
from domain.base import NegotiationAggregate
from domain.catalogue import AGGREGATES, ANY, EVENT_TYPES, EventType
from domain.errors import DomainError

#: Called as lines are handled: the phase ("checking" or "importing"), lines done, lines in all.
Progress = Callable[[str, int, int], None]
_CLOUDEVENT_DATA = frozenset({"occurred", "envelope", "data", "corrected"})
_ENVELOPE = ("sources", "attributed_to", "modality", "recorded_by", "coding", "in_reply_to")


@dataclass(frozen=True)
class LineError:
    """Why one line was not imported."""

    line: int
    reason: str
    pointer: str | None = None

    def __str__(self) -> str:
        where = f" (at {self.pointer})" if self.pointer else ""
        return f"line {self.line}: {self.reason}{where}"


@dataclass
class ImportReport:
    """What an import did: lines read, events appended, events already present, bad lines."""

    read: int = 0
    appended: int = 0
    present: int = 0
    errors: list[LineError] = field(default_factory=list)
    strict: bool = False
    #: A strict import whose check passed but an append then failed: it stopped there.
    stopped: bool = False

    @property
    def bad(self) -> int:
        """How many lines were bad."""
        return len(self.errors)

    def summary(self) -> str:
        """One line: read, appended, already present, bad."""
        return (
            f"{self.read} read, {self.appended} appended, {self.present} already present, "
            f"{self.bad} bad"
        )


class BadLineError(Exception):
    """A line that cannot be imported."""

    def __init__(self, reason: str, pointer: str | None = None) -> None:
        super().__init__(reason)
        self.reason, self.pointer = reason, pointer


@dataclass(frozen=True)
class Line:
    """A line of valid shape: its event, and the stream it goes to."""

    number: int
    kind: str | None
    stream_id: UUID
    creates: bool
    event: NewEvent

    @property
    def event_id(self) -> str:
        """The event's id, as text."""
        return str(self.event.event_id)


# Parsing: one line to a validated event


def _derived_id(name: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"urn:negotiation-timeline:import:{name}")


def _uuid(value: Any, pointer: str) -> UUID:
    try:
        return UUID(str(value))
    except ValueError:
        raise BadLineError(f"{value!r} is not a UUID", pointer) from None


def _problem(error: Exception, pointers: Callable[[str], str]) -> BadLineError:
    """A line problem from whatever validation raised, its pointer mapped into the line."""
    if isinstance(error, ValidationError):
        first = error_entries(error.errors())[0]
        return BadLineError(first["detail"], pointers(first.get("pointer", "")))
    if isinstance(error, DomainError):
        return BadLineError(error.message, pointers(error.pointer))
    if isinstance(error, ApplicationError):
        pointer = error.pointer
        return BadLineError(error.message, pointers(pointer) if pointer is not None else None)
    return BadLineError(str(error))


def _validated(
    number: int,
    kind: str | None,
    stream: Any,
    body: dict[str, Any],
    found: EventType,
    pointers: Callable[[str], str],
) -> Line:
    if found.creates:
        stream_id = (
            _derived_id(f"stream:{body['event_id']}")
            if stream is None
            else _uuid(stream, pointers("/stream_id"))
        )
    elif stream is None:
        raise BadLineError("the stream is missing: give its stream_id", pointers("/stream_id"))
    else:
        stream_id = _uuid(stream, pointers("/stream_id"))
    model = CreateIn if found.creates else EventIn
    # Corrections and retractions fit any kind; their stream's own is found when routing.
    checked_as = kind or (found.kind if found.kind != ANY else "talks")
    try:
        event = new_event(checked_as, model.model_validate(body))
    except (ValidationError, DomainError, ApplicationError) as error:
        raise _problem(error, pointers) from None
    return Line(number, kind, stream_id, found.creates, event)


def _event_type(name: Any, pointer: str) -> EventType:
    if not isinstance(name, str) or name not in EVENT_TYPES:
        known = ", ".join(sorted(EVENT_TYPES))
        raise BadLineError(f"unknown event type {name!r}; known: {known}", pointer)
    return EVENT_TYPES[name]


def _kind(value: Any, pointer: str) -> str | None:
    if value is not None and value not in AGGREGATES:
        raise BadLineError(f"kind must be one of {', '.join(AGGREGATES)}", pointer)
    return value  # type: ignore[no-any-return]


def _from_body(number: int, line: dict[str, Any]) -> Line:
    body = dict(line)
    kind = _kind(body.pop("kind", None), "/kind")
    stream = body.pop("stream_id", None)
    found = _event_type(body.get("type"), "/type")
    if found.creates and "id" in body:
        if stream is not None and str(body["id"]) != str(stream):
            raise BadLineError("id and stream_id name different streams", "/id")
        stream = body.pop("id")
    if body.get("event_id") is None:
        canonical = json.dumps(line, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        body["event_id"] = str(_derived_id(canonical))
    return _validated(number, kind, stream, body, found, lambda pointer: pointer)


def _cloudevent_pointer(pointer: str) -> str:
    """A pointer into the API body, mapped to where that member sits in the CloudEvent."""
    head = pointer.split("/")[1] if pointer.count("/") else ""
    if head in ("data", "occurred"):
        return f"/data{pointer}" if head == "occurred" else f"/data/data{pointer[5:]}"
    if head in _ENVELOPE:
        return f"/data/envelope{pointer}"
    if head == "event_id":
        return "/id"
    return pointer


def _from_cloudevent(number: int, event: dict[str, Any]) -> Line:
    if event.get("specversion") != "1.0":
        raise BadLineError("only CloudEvents 1.0 are read (specversion 1.0)", "/specversion")
    type_text = event.get("type")
    name = None
    if isinstance(type_text, str) and type_text.startswith(CLOUDEVENTS_TYPE_PREFIX):
        name = type_text.removeprefix(CLOUDEVENTS_TYPE_PREFIX).removesuffix(CLOUDEVENTS_TYPE_SUFFIX)
    if name is None or type_text != f"{CLOUDEVENTS_TYPE_PREFIX}{name}{CLOUDEVENTS_TYPE_SUFFIX}":
        raise BadLineError(
            f"type must be {CLOUDEVENTS_TYPE_PREFIX}<EventType>{CLOUDEVENTS_TYPE_SUFFIX}", "/type"
        )
    found = _event_type(name, "/type")
    source = event.get("source")
    if not isinstance(source, str) or not source:
        raise BadLineError("a CloudEvent has a source", "/source")
    source_kind, _, source_stream = source.removeprefix(CLOUDEVENTS_SOURCE_PREFIX).partition("/")
    kind = _kind(event.get("streamkind") or source_kind or None, "/streamkind")
    stream = event.get("subject") or source_stream or None
    if stream is None:
        raise BadLineError("the stream is missing: give its id as subject", "/subject")
    ce_id = event.get("id")
    if not isinstance(ce_id, str) or not ce_id:
        raise BadLineError("a CloudEvent has an id", "/id")
    try:
        event_id = UUID(ce_id)
    except ValueError:
        event_id = _derived_id(f"{source}#{ce_id}")
    if not str(event.get("datacontenttype", "application/json")).startswith("application/json"):
        raise BadLineError(
            "data must be JSON (datacontenttype application/json)", "/datacontenttype"
        )
    data = event.get("data")
    if not isinstance(data, dict):
        raise BadLineError("data holds occurred, envelope and data", "/data")
    for member in data:
        if member not in _CLOUDEVENT_DATA:
            raise BadLineError(f"unknown member {member!r}", f"/data/{member}")
    envelope = data.get("envelope", {})
    if not isinstance(envelope, dict):
        raise BadLineError("the envelope is an object", "/data/envelope")
    body = {
        "type": name,
        "data": data.get("data", {}),
        "occurred": data.get("occurred"),
        **envelope,
        "event_id": str(event_id),
    }
    return _validated(number, kind, stream, body, found, _cloudevent_pointer)


def parse_line(number: int, raw: str | bytes) -> Line | None:
    """The line's event, validated in shape; None for a blank line; BadLineError if bad."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            raise BadLineError(f"not UTF-8 text (byte {error.start + 1})") from None
    text = raw.removeprefix("\ufeff").strip()
    if not text:
        return None
    try:
        found = json.loads(text)
    except json.JSONDecodeError as error:
        raise BadLineError(f"not JSON: {error.msg} at column {error.colno}") from None
    if not isinstance(found, dict):
        raise BadLineError("a line holds one JSON object")
    return _from_cloudevent(number, found) if "specversion" in found else _from_body(number, found)


# Checking and appending


class _Run:
    """One import: the lines' routing, the in-memory check, and the batched appends."""

    def __init__(
        self,
        service: TimelineService,
        principal: str,
        report: ImportReport,
        present: set[str] | None = None,
    ) -> None:
        self.service, self.principal, self.report = service, principal, report
        #: Event ids found recorded before the run (one query per 500 lines, not one per line).
        self.present = present
        self.kinds: dict[UUID, str] = {}
        self.seen: set[str] = set()
        # The check's own state: aggregates folded in memory, and the events it met.
        self.aggregates: dict[UUID, NegotiationAggregate] = {}
        #: Events met in the file: stream, type, data and how many sources.
        self.met: dict[str, tuple[UUID, str, dict[str, Any], int]] = {}
        self.pending: list[Line] = []
        #: The kind of each stream with staged events.
        self.pending_kinds: dict[UUID, str] = {}

    def kind_of(self, stream_id: UUID) -> str | None:
        return self.kinds.get(stream_id) or self.service.stream_kind(str(stream_id))

    def route(self, line: Line) -> str | None:
        """The line's stream kind; None if its event is already present."""
        if line.event_id in self.seen:
            return None
        if self.present is not None:
            if line.event_id in self.present:
                return None
        elif self.service.target(line.event.event_id) is not None:
            return None
        existing = self.kind_of(line.stream_id)
        if line.creates:
            if existing is not None:
                raise BadLineError(
                    f"stream {line.stream_id} exists already, with another first event",
                    "/stream_id",
                )
            return line.kind or line.event.event_type.kind
        if existing is None:
            opens = ", ".join(t.name for t in EVENT_TYPES.values() if t.creates)
            raise BadLineError(
                f"no stream {line.stream_id}: a stream's first event is its creating event"
                f" ({opens})",
                "/stream_id",
            )
        if line.kind is not None and line.kind != existing:
            raise BadLineError(f"stream {line.stream_id} is {existing}, not {line.kind}", "/kind")
        return existing

    # The check: every line folded into its aggregate in memory, nothing saved

    def check(self, line: Line, kind: str) -> None:
        event = line.event
        self._checked_reply(line)
        check_participant_actors([event], lambda stream_id: self.kind_of(UUID(stream_id)))
        if line.creates:
            aggregate = self.service.opened(
                kind, event, line.stream_id, lambda stream_id: self.kind_of(UUID(stream_id))
            )
            self.aggregates[line.stream_id] = aggregate
        else:
            aggregate = self.aggregates.get(line.stream_id) or self._stored(line.stream_id)
            event = self._checked_reference(line)
            self.service.recorded(aggregate, [event])
        recorded = aggregate.pending_events[-1]
        assert isinstance(recorded, NegotiationAggregate.Event)
        self.met[line.event_id] = (
            line.stream_id,
            event.event_type.name,
            recorded.data(),
            len(recorded.envelope.sources),
        )
        self.kinds[line.stream_id] = kind
        self.seen.add(line.event_id)

    def _stored(self, stream_id: UUID) -> NegotiationAggregate:
        # A fresh copy (the aggregate cache hands out copies): changed here, never saved.
        aggregate: object = self.service.app.load(stream_id)
        assert isinstance(aggregate, NegotiationAggregate)
        self.aggregates[stream_id] = aggregate
        return aggregate

    def _family(self, stream_id: UUID) -> str | None:
        """The Talks family of a stream opened or met in the file, or stored; None if neither."""
        aggregate = self.aggregates.get(stream_id)
        if aggregate is None:
            return self.service.index.family_of(str(stream_id))
        return str(aggregate.state.get("talks_id") or aggregate.id)

    def _checked_reply(self, line: Line) -> None:
        """A reply checked against the event it answers, met earlier in the file or stored."""
        replied = line.event.envelope.in_reply_to
        if replied is None:
            return
        if line.creates:
            family = self.service.family_of(line.stream_id, line.event)
        else:
            family = self._family(line.stream_id) or str(line.stream_id)
        met = self.met.get(replied)
        if met is not None:
            target = self._family(met[0])
        else:
            found = self.service.target(UUID(replied))
            target = None if found is None else str(found["talks_id"])
        replies.checked(line.event, family, target)

    def _checked_reference(self, line: Line) -> NewEvent:
        """A correction or retraction checked against its target, met in the file or stored."""
        found = corrections.reference(line.event)
        if found is None:
            return line.event
        met = self.met.get(found[1])
        target = (
            self.service.recorded_target(found[1])
            if met is None
            else corrections.Target(str(met[0]), met[1], lambda: met[2], lambda: met[3])
        )
        return corrections.checked(line.event, line.stream_id, target)

    # The appends

    def apply(self, line: Line, kind: str) -> bool:
        """Stage the line's event in the batch; False if a failure stopped a strict run.

        The batch spans streams: each event is recorded onto its aggregate in memory, as the
        check does (guards, corrections against targets met in the batch or stored), and the
        batch is saved in one transaction when it is full. A line refused here is reported
        alone; the others stay in the batch.
        """
        self.seen.add(line.event_id)
        try:
            self.check(line, kind)
        except (BadLineError, DomainError, ApplicationError) as error:
            if line.creates:
                self.kinds.pop(line.stream_id, None)
            if self.service.target(line.event.event_id) is not None:
                self.report.present += 1  # appended meanwhile by someone else
                return True
            problem = error if isinstance(error, BadLineError) else _problem(error, str)
            self.report.errors.append(LineError(line.number, problem.reason, problem.pointer))
            if self.report.strict:
                # What came before this line is appended; the report says the run stopped here.
                return self.flush() and self.stop(line, problem.reason)
            return True
        self.pending.append(line)
        self.pending_kinds[line.stream_id] = kind
        return len(self.pending) < MAX_BATCH or self.flush()

    def flush(self) -> bool:
        """Save the staged batch in one transaction; line by line if the store refuses it."""
        batch, self.pending = self.pending, []
        staged, kinds = self.aggregates, self.pending_kinds
        # Saved aggregates go to the application's cache; the next batch loads from there.
        self.aggregates, self.pending_kinds, self.met = {}, {}, {}
        if not batch:
            return True
        try:
            self.service.save_together(
                [(staged[line.stream_id], kinds[line.stream_id]) for line in batch],
                principal=self.principal,
            )
        except ApplicationError:
            # Another writer got there first: each line again on its own, to say which failed.
            return all(self._append_alone(line, kinds[line.stream_id]) for line in batch)
        self.report.appended += len(batch)
        return True

    def _append_alone(self, line: Line, kind: str) -> bool:
        try:
            if line.creates:
                self.service.create(
                    kind, line.event, stream_id=line.stream_id, principal=self.principal
                )
                self.kinds[line.stream_id] = kind
            else:
                self.service.append(kind, line.stream_id, [line.event], principal=self.principal)
        except (DomainError, ApplicationError) as error:
            if self.service.target(line.event.event_id) is not None:
                self.report.present += 1  # appended meanwhile by someone else
                return True
            if line.creates:
                self.kinds.pop(line.stream_id, None)  # later lines of it are reported, not run
            problem = _problem(error, lambda pointer: pointer)
            self.report.errors.append(LineError(line.number, problem.reason, problem.pointer))
            return not self.report.strict or self.stop(line, problem.reason)
        self.report.appended += 1
        return True

    def stop(self, line: Line, reason: str) -> bool:
        self.report.stopped = True
        if not any(error.line == line.number for error in self.report.errors):
            self.report.errors.append(LineError(line.number, reason))
        return False


def _check_all(
    service: TimelineService,
    lines: list[Line],
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Fold every line into its aggregate in memory, as an append would; save nothing."""
    checker = _Run(service, "", report, service.recorded_ids([line.event_id for line in lines]))
    for done, line in enumerate(lines, start=1):
        try:
            kind = checker.route(line)
            if kind is not None:
                checker.check(line, kind)
        except BadLineError as bad:
            report.errors.append(LineError(line.number, bad.reason, bad.pointer))
        except (DomainError, ApplicationError) as error:
            problem = _problem(error, str)
            report.errors.append(LineError(line.number, problem.reason, problem.pointer))
        if progress:
            progress("checking", done, len(lines))


def _append_all(
    service: TimelineService,
    lines: list[Line],
    report: ImportReport,
    principal: str,
    progress: Progress | None,
) -> None:
    """Append each line's event unless present; a strict run stops at its first failure."""
    run = _Run(service, principal, report, service.recorded_ids([line.event_id for line in lines]))
    for done, line in enumerate(lines, start=1):
        try:
            kind = run.route(line)
        except BadLineError as bad:
            report.errors.append(LineError(line.number, bad.reason, bad.pointer))
            if report.strict:
                run.stop(line, bad.reason)
                return
        else:
            if kind is None:
                report.present += 1
            elif not run.apply(line, kind):
                return
        if progress:
            progress("importing", done, len(lines))
    run.flush()


def import_lines(
    service: TimelineService,
    lines: Iterable[str | bytes],
    *,
    principal: str,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import JSON lines of events (see the module's docstring) and say what happened."""
    report = ImportReport(strict=strict)
    parsed: list[Line] = []
    for number, raw in enumerate(lines, start=1):
        try:
            line = parse_line(number, raw)
        except BadLineError as bad:
            report.read += 1
            report.errors.append(LineError(number, bad.reason, bad.pointer))
            continue
        if line is not None:
            report.read += 1
            parsed.append(line)
    if strict:
        _check_all(service, parsed, report, progress)
    if not (strict and report.errors):
        with service.app.snapshots_deferred():  # a long stream's once, not at every batch
            _append_all(service, parsed, report, principal, progress)
    report.errors.sort(key=lambda error: error.line)
    return report


def batch_lines(content: bytes) -> list[bytes]:
    """The file's lines; a CloudEvents batch (one JSON array, ``format=cloudevents-batch``) as
    one line per event, numbered by its place in the array."""
    text = content.removeprefix(b"\xef\xbb\xbf").lstrip()
    if text.startswith(b"["):
        try:
            found = json.loads(text)
        except (json.JSONDecodeError, UnicodeDecodeError):
            found = None  # not a batch after all: read as lines, which says what is wrong
        if isinstance(found, list):
            return [json.dumps(event, ensure_ascii=False).encode() for event in found]
    return content.splitlines()


def import_file(
    service: TimelineService,
    path: Path,
    *,
    strict: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import a file of JSON lines, or a CloudEvents batch, recording the principal
    ``import:<file name>``."""
    return import_lines(
        service,
        batch_lines(path.read_bytes()),
        principal=f"import:{path.name}",
        strict=strict,
        progress=progress,
    )
