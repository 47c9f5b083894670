"""A participant named by an id must be a registered Actor; a name is kept as written.

The domain cannot read the store, so the rule is checked here, before an event is recorded,
by every path that records one: the service's create and append (and group commit) and the
importer's check of a file, which also knows the actors opened earlier in the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from uuid import UUID

from application.event_input import NewEvent
from domain.errors import DomainError, InvalidEventError
from domain.participants import Participant


def _as_id(actor: str) -> str | None:
    """The actor as a stream id, if it is written as a uuid."""
    try:
        return str(UUID(actor.strip()))
    except ValueError:
        return None


def check_participant_actors(
    events: Iterable[NewEvent], kind_of: Callable[[str], str | None]
) -> None:
    """Refuse an event whose participant is a uuid that is no Actor (``kind_of`` says which
    kind of stream an id is); the error says which event of a batch and which participant."""
    for index, event in enumerate(events):
        try:
            _check(event, kind_of)
        except DomainError as error:
            error.index = index
            raise


def _check(event: NewEvent, kind_of: Callable[[str], str | None]) -> None:
    for name, value in event.data.items():
        if not isinstance(value, list):
            continue
        for position, item in enumerate(value):
            if not isinstance(item, Participant):
                continue
            stream_id = _as_id(item.actor)
            if stream_id is not None and kind_of(stream_id) != "actors":
                raise InvalidEventError(
                    f"no actor with id {stream_id}: register it (ActorRegistered) or name"
                    " the participant",
                    pointer=f"/data/{name}/{position}/actor",
                )
