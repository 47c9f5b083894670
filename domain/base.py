"""What the three aggregates share: the event envelope, a pure state fold and guarded commands."""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar, Self, cast
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.envelope import Envelope, Person
from domain.errors import ClosedStreamError, DuplicateFactError, InvalidEventError
from domain.participants import Participant
from domain.quantities import Quantity
from domain.values import as_dict

State = dict[str, Any]
#: Fixed ids of the streams the catalogue's examples create and then append to, in order.
EXAMPLE_IDS = {
    "talks": "00000000-0000-4000-8000-00000000e001",
    "delegations": "00000000-0000-4000-8000-00000000e002",
    "positions": "00000000-0000-4000-8000-00000000e003",
    "actors": "00000000-0000-4000-8000-00000000e004",
}
BASE_FIELDS = frozenset(
    {"originator_id", "originator_version", "timestamp", "originator_topic", "event_id", "envelope"}
)


_DATA_FIELDS: dict[type, dict[str, Any]] = {}
_Guard = Callable[..., None]
_GUARDED = "__guards_event__"


def guards(event_name: str) -> Callable[[_Guard], _Guard]:
    """Register a method as the guard of one event type of its aggregate.

    The guard runs before the event is recorded, with the event's data, and refuses it by
    raising a DomainError. An aggregate whose guard names an event type it does not have fails
    when its class is defined, not when a request meets it.
    """

    def register(method: _Guard) -> _Guard:
        setattr(method, _GUARDED, event_name)
        return method

    return register


def plain(value: Any) -> Any:
    """A JSON-ready copy of a payload value (people and occurrences become dicts)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {key: plain(item) for key, item in as_dict(value).items()}
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, UUID):
        return str(value)
    return value


def appended(container: dict[str, Any], key: str, *items: Any) -> list[Any]:
    """``container[key]`` with ``items`` added at its end, as a new list put in its place.

    The fold changes no list or dict it did not make in the same step (a state copy shares
    them: ``NegotiationAggregate.__deepcopy__``), so it adds to a list this way, not in place.
    """
    extended = [*container.get(key, ()), *items]
    container[key] = extended
    return extended


def owned(container: dict[str, Any], key: str, index: int) -> dict[str, Any]:
    """The dict at ``container[key][index]`` as this step's own copy, free to change.

    Its list is copied too, and put in its place; the dict's own lists are still shared: change
    them with ``appended`` (or ``owned``) on the copy.
    """
    items = list(container[key])
    item = dict(items[index])
    items[index] = item
    container[key] = items
    return item


class NegotiationAggregate(Aggregate):
    """An aggregate whose whole state is one JSON-ready dict folded from its events."""

    class Event(Aggregate.Event):
        """An event of the negotiation: its id and envelope, then its own data."""

        event_id: UUID
        envelope: Envelope

        CAMEO: ClassVar[str | None] = None
        EXAMPLE: ClassVar[dict[str, Any]] = {}
        EXAMPLE_MODALITY: ClassVar[str] = "asserted"
        HEADLINE: ClassVar[str] = ""
        ACTOR_FIELDS: ClassVar[tuple[str, ...]] = ()
        CREATES: ClassVar[bool] = False
        #: Appendable to a stream of any kind (corrections, retractions).
        ANY_STREAM: ClassVar[bool] = False
        #: The data fields naming the thing this event reports on, for disputes: two events of
        #: the same type and subject with different values from different sources disagree.
        #: None: not comparable; (): the stream itself (a delegation's head).
        SUBJECT: ClassVar[tuple[str, ...] | None] = None
        #: Its date is part of the claim: two reports of one round held on days that cannot
        #: be the same disagree, as they would on a field.
        DATED: ClassVar[bool] = False
        #: Data fields two claims may differ on without disagreeing (free text, who was there).
        UNCOMPARED: ClassVar[tuple[str, ...]] = ()

        def apply(self, aggregate: Any) -> None:
            """Fold this event into the aggregate's state (created on the first event)."""
            self.apply_to(aggregate.__dict__.setdefault("state", {}))

        def apply_to(self, state: State) -> None:
            """Fold this event into a state dict; never raises, whatever order it comes in."""

        @classmethod
        def type_name(cls) -> str:
            """The stable wire name of the event type, as clients write it."""
            return cls.__name__

        @classmethod
        def data_fields(cls) -> dict[str, Any]:
            """The event's own data fields and their types (everything but the envelope)."""
            found = _DATA_FIELDS.get(cls)
            if found is None:  # resolving type hints is slow: once per class
                hints = typing.get_type_hints(cls)
                found = {
                    field.name: hints[field.name]
                    for field in dataclasses.fields(cls)
                    if field.name not in BASE_FIELDS
                }
                _DATA_FIELDS[cls] = found
            return found

        def claim_subject(self) -> dict[str, Any] | None:
            """What this event reports on, for disputes (None if not comparable)."""
            if self.SUBJECT is None:
                return None
            return {"type": self.type_name(), **{f: plain(getattr(self, f)) for f in self.SUBJECT}}

        def data(self) -> dict[str, Any]:
            """The event's own data as JSON-ready values."""
            return {name: plain(getattr(self, name)) for name in self.data_fields()}

        def headline(self, data: dict[str, Any] | None = None) -> str:
            """A one-line description for timelines (``data``: this event's, if at hand)."""
            data = self.data() if data is None else data
            values = {key: _headline_value(value) for key, value in data.items()}
            return self.HEADLINE.format_map(_Missing(values)) if self.HEADLINE else self.type_name()

        def actors(self) -> list[str]:
            """Who acts in this event, as named in its data."""
            names: list[str] = []
            for field in self.ACTOR_FIELDS:
                value = getattr(self, field, None)
                items = value if isinstance(value, list | tuple) else [value]
                for item in items:
                    if isinstance(item, Person):
                        name: Any = item.name
                    elif isinstance(item, Participant):
                        name = item.actor
                    else:
                        name = item
                    if isinstance(name, str) and name and name not in names:
                        names.append(name)
            return names

    if TYPE_CHECKING:  # set by the first event's apply(); not a constructor argument
        state: State

    #: Each event type's guard (its method name), registered with ``@guards``.
    GUARDS: ClassVar[dict[str, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        events = {
            value.type_name()
            for value in vars(cls).values()
            if isinstance(value, type) and issubclass(value, NegotiationAggregate.Event)
        }
        found: dict[str, str] = {}
        for name, value in vars(cls).items():
            event_name = getattr(value, _GUARDED, None)
            if event_name is None:
                continue
            if event_name not in events:
                msg = f"{cls.__name__}.{name} guards {event_name}, which {cls.__name__} has not"
                raise TypeError(msg)
            if event_name in found:
                msg = f"{cls.__name__} has two guards of {event_name}"
                raise TypeError(msg)
            found[event_name] = name
        cls.GUARDS = found

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        """A copy whose state shares its values with this one's.

        The library copies the cached aggregate for every write (``Repository.get``), so that a
        command that fails leaves the cache as it was. A deep copy walked the whole state,
        which holds a stream's history (every role, statement, round), at each append: 35 ms
        for a Talks of 5,000 events. The fold changes no value of a state in place (it puts new
        lists and dicts in their places: ``appended``, ``owned``), so copying the state's dict
        itself is enough; the pending events are copied as a list (events are immutable).
        """
        copied = object.__new__(type(self))
        fields = dict(vars(self))
        if "state" in fields:
            fields["state"] = dict(fields["state"])
        if "_pending_events" in fields:
            fields["_pending_events"] = list(fields["_pending_events"])
        vars(copied).update(fields)
        memo[id(self)] = copied
        return copied

    def is_closed(self) -> bool:
        """True once the stream accepts no more facts (withdrawn, concluded)."""
        return False

    @classmethod
    def open(
        cls,
        event_class: type[NegotiationAggregate.Event],
        *,
        stream_id: UUID,
        event_id: UUID,
        envelope: Envelope,
        **data: Any,
    ) -> Self:
        """The command that opens a stream with its first event."""
        envelope.check()
        check_values(data)
        if not event_class.CREATES or not issubclass(event_class, cls.Event):
            raise InvalidEventError(
                f"a {cls.__name__} stream opens with its creating event, not {event_class.__name__}",
                pointer="/type",
            )
        with _data_errors():
            return cls._create(
                cast("type[Aggregate.Created]", event_class),
                id=stream_id,
                event_id=event_id,
                envelope=envelope,
                **data,
            )

    def record(
        self,
        event_class: type[NegotiationAggregate.Event],
        *,
        event_id: UUID,
        envelope: Envelope,
        **data: Any,
    ) -> None:
        """The one command: check the envelope and the type's invariants, then trigger."""
        envelope.check()
        check_values(data)
        name = event_class.type_name()
        if not (issubclass(event_class, type(self).Event) or event_class.ANY_STREAM):
            raise InvalidEventError(
                f"{name} is not an event of {type(self).__name__}", pointer="/type"
            )
        if self.is_closed() and not event_class.ANY_STREAM:
            raise ClosedStreamError(
                f"{type(self).__name__} {self.id} is {self.state.get('status')} "
                f"and accepts no {name}",
                pointer="/type",
            )
        guard_name = type(self).GUARDS.get(name)
        guard: _Guard | None = None if guard_name is None else getattr(self, guard_name)
        with _data_errors():
            if guard is not None:
                try:
                    guard(**data)
                except DuplicateFactError:
                    # A second, conflicting report of the same fact is kept as a competing claim
                    # when it says so; the read side shows both as disputed.
                    if envelope.modality != "disputed":
                        raise
            self.trigger_event(event_class, event_id=event_id, envelope=envelope, **data)

    def view(self) -> State:
        """The current state with the stream's id and version."""
        return {"id": str(self.id), "version": self.version, **self.state}


def check_values(data: dict[str, Any]) -> None:
    """Refuse a bad quantity or participant in an event's data, pointing at it."""
    for name, value in data.items():
        items = value if isinstance(value, list) else [value]
        for index, item in enumerate(items):
            at = f"/data/{name}/{index}" if isinstance(value, list) else f"/data/{name}"
            if isinstance(item, Quantity | Participant):
                item.check(at)


@contextmanager
def _data_errors() -> Iterator[None]:
    """A missing or unknown data field is the client's error, not the server's."""
    try:
        yield
    except TypeError as error:
        raise InvalidEventError(
            f"the data does not fit the event type: {error}", pointer="/data"
        ) from None


def _headline_value(value: Any) -> str:
    if isinstance(value, dict) and "name" in value:
        return str(value["name"])
    if isinstance(value, dict) and "unit" in value:
        return Quantity(**value).text()
    if isinstance(value, dict) and "role" in value and "actor" in value:
        return f"{value['actor']} ({value['role']})"
    if isinstance(value, list):
        return ", ".join(_headline_value(item) for item in value)
    return "" if value is None else str(value)


class _Missing(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def person_dict(person: Person | None) -> dict[str, Any] | None:
    """A person as it appears in state."""
    return None if person is None else {"name": person.name, "title": person.title}
