"""The application's errors: what went wrong and where, for api/problems.py to answer.

Every error a use case raises is an ``ApplicationError`` (or the domain's ``DomainError``); each
carries its message and a JSON pointer into the input or the name of the parameter at fault.
Nothing here knows HTTP: api/problems.py alone maps each class to a status and a problem type.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import ValidationError

from domain.errors import DomainError


class ApplicationError(Exception):
    """A request the application refuses, with the field path it concerns (if any)."""

    def __init__(
        self, message: str, *, pointer: str | None = None, parameter: str | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        self.parameter = parameter
        #: Which event of a batch it concerns, where a batch was given.
        self.index: int | None = None


class NotFoundError(ApplicationError):
    """No stream of that kind and id (or none known as of the time asked), or no such thing."""


class ConflictError(ApplicationError):
    """The stream is not at the version the client expected."""

    def __init__(self, message: str, current_version: int | None) -> None:
        super().__init__(message)
        self.current_version = current_version


class IdempotencyMismatchError(ApplicationError):
    """An Idempotency-Key reused with a different request."""


class InvalidRequestError(ApplicationError):
    """A query's parameters contradict each other (``from`` after ``to``)."""


class InvalidDataError(ApplicationError):
    """An event's data does not fit its type's model: every error, each with its pointer."""

    def __init__(self, title: str, errors: list[dict[str, Any]]) -> None:
        super().__init__(errors[0]["detail"], pointer=errors[0].get("pointer"))
        self.title = title
        self.errors = errors


class RebuildRunningError(ApplicationError):
    """A rebuild of that view is running already."""


class UnavailableError(ApplicationError):
    """Not possible now, but later: the caller should retry after ``retry_after`` seconds."""

    retry_after = 1


class NotReadyError(UnavailableError):
    """The database does not answer, or views lag beyond the bound (``views``: name to lag)."""

    retry_after = 5

    def __init__(self, message: str, views: dict[str, int] | None = None) -> None:
        super().__init__(message)
        self.views = views


class PositionUnknownError(ApplicationError):
    """A position beyond the head of the log: waiting would not help."""

    def __init__(self, message: str, head: int) -> None:
        super().__init__(message, parameter="min_position")
        self.head = head


class ViewBehindError(UnavailableError):
    """A view has not reached the position asked for within the bounded wait."""


class BusyError(UnavailableError):
    """Too many requests of one kind at once (waits for a view, expensive reads)."""


class ShuttingDownError(UnavailableError):
    """The process is closing: a rebuild is not started, or stopped before its swap."""


def pointer_of(loc: Sequence[int | str], prefix: str = "") -> str:
    """A JSON pointer (RFC 6901) for a pydantic error location."""
    parts = [str(part).replace("~", "~0").replace("/", "~1") for part in loc]
    return prefix + "".join(f"/{part}" for part in parts)


def error_entries(errors: Sequence[Any], prefix: str = "") -> list[dict[str, Any]]:
    """Each pydantic error with a pointer into the input, or the parameter it concerns."""
    found = []
    for item in errors:
        loc = list(item.get("loc", ()))
        entry: dict[str, Any] = {"detail": item.get("msg", "invalid")}
        if loc and loc[0] in ("path", "query", "header"):
            entry["parameter"] = ".".join(str(part) for part in loc[1:])
        else:
            if loc and loc[0] == "body":
                loc = loc[1:]
            if loc and loc[0] in ("single", "batch"):  # the append body's union tags
                loc = loc[1:]
            entry["pointer"] = pointer_of(loc, prefix)
        found.append(entry)
    return found


def invalid_data(
    error: ValidationError, prefix: str, title: str = "The event is invalid"
) -> InvalidDataError:
    """Data that fails its event type's model, every error pointing under ``prefix``."""
    return InvalidDataError(title, error_entries(error.errors(), prefix=prefix))


def within(error: ApplicationError | DomainError, prefix: str) -> None:
    """Point an error's pointers into the item at ``prefix`` of a larger input (a batch)."""
    if error.pointer is not None:
        error.pointer = prefix + error.pointer
    if isinstance(error, InvalidDataError):
        for entry in error.errors:
            if "pointer" in entry:
                entry["pointer"] = prefix + entry["pointer"]
