"""Domain errors: a broken invariant is refused with one of these, never with a bare exception."""

from __future__ import annotations


class DomainError(Exception):
    """A command that would break an invariant of the negotiation model."""

    def __init__(self, message: str, *, pointer: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.pointer = pointer
        #: Which event of a batch broke the invariant, where a batch was recorded.
        self.index: int | None = None


class InvalidEventError(DomainError):
    """The event's own content is inconsistent (a bad date, no source, an unknown round)."""


class ClosedStreamError(DomainError):
    """The stream no longer accepts this change (a withdrawn delegation, concluded talks)."""


class UnknownStreamError(DomainError):
    """The command refers to a stream that does not exist (a delegation for unknown talks)."""


class DuplicateFactError(DomainError):
    """The fact is already recorded and cannot happen twice (a round held twice)."""
