"""The one rule for replies: an event's ``in_reply_to`` names an event recorded in its own Talks
family.

A Talks family is a Talks with its delegations and positions (an actor is a family of its own):
a party's proposal answers a round held, a rebuttal answers a claim of the other party's
position. An event answering one of another family, or one not recorded (nor earlier in the same
request or import file), is refused at ``/in_reply_to``. The service applies this rule to every
create and append; the importer applies it to every line, through the same function.
"""

from __future__ import annotations

from application.event_input import NewEvent
from domain.errors import UnknownStreamError


def checked(event: NewEvent, family: str, target_family: str | None, pointer: str = "") -> None:
    """Refuse a reply to an event that is not recorded in ``family``, the event's own.

    ``target_family`` is the family of the event ``in_reply_to`` names, None if nothing known
    has that id. Errors point into the event at ``pointer``.
    """
    replied = event.envelope.in_reply_to
    if replied is None:
        return
    if target_family is None:
        raise UnknownStreamError(
            f"no event {replied} is recorded", pointer=f"{pointer}/in_reply_to"
        )
    if target_family != family:
        raise UnknownStreamError(
            f"event {replied} belongs to another Talks; a reply answers an event of its own",
            pointer=f"{pointer}/in_reply_to",
        )
