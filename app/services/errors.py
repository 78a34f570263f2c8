"""The errors a use case raises; each message is already translated for the user.

The database's own faults (``DatabaseFault``: unreachable, busy, read-only, full, damaged) come
from the store as they are; they are named here too, so that the window can tell them apart
without reaching into the store.
"""

from __future__ import annotations

from app.errors import KnownError
from app.store.errors import (
    ConnectionLostError,
    DatabaseFault,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
)

__all__ = [
    "ConflictError",
    "ConnectionLostError",
    "DatabaseFault",
    "DatabaseReadOnlyError",
    "DatabaseUnavailableError",
    "InputError",
    "NotFoundError",
    "RuleError",
    "ServiceError",
]


class ServiceError(KnownError):
    """A use case refused; nothing was written. ``str(error)`` is the pt_PT message."""

    def __init__(self, message: str, *, field: str | None = None, detail: str = "") -> None:
        super().__init__(message, detail=detail)
        #: The input field at fault, for showing the message next to it ("nif", "email"…).
        self.field = field


class InputError(ServiceError):
    """Bad input: an invalid NIF, email or phone, an end before a start, negative hours…"""


class NotFoundError(ServiceError):
    """The record asked for does not exist (or no longer does)."""


class RuleError(ServiceError):
    """The policy forbids it: an issued invoice is frozen, a second running timer…"""


class ConflictError(ServiceError):
    """Another desk changed the same record first."""
