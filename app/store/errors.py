"""What can go wrong with the records, as typed errors whose message a technician can read."""

from __future__ import annotations

from app.errors import KnownError


class StoreError(KnownError):
    """Base of the store's errors; ``str(error)`` is a translated sentence for the user."""


class DatabaseOpenError(StoreError):
    """The database could not be opened, created or brought up to date."""


class StaleRecordError(StoreError):
    """Another desk saved or deleted the record after it was read here (optimistic concurrency)."""


class AppendOnlyError(StoreError):
    """An attempt to change or delete a record that can only ever be added (the pack ledger)."""


#: PostgreSQL's SQLSTATE of the guards' refusals (migration 6); SQLite's trigger refusals carry
#: the extended code ``SQLITE_CONSTRAINT_TRIGGER`` (1811).
GUARD_SQLSTATE = "23001"
_SQLITE_CONSTRAINT_TRIGGER = 1811


def refused_by_guard(error: BaseException) -> bool:
    """The database's own guard refused a change (a trigger of migration 2 or 6: an issued
    document, its lines or numbering, the ledger), told apart by the driver's error code."""
    # peewee re-raises the driver's error while handling it: the driver's is the context.
    for raised in (error, error.__cause__, error.__context__):
        if getattr(raised, "sqlite_errorcode", None) == _SQLITE_CONSTRAINT_TRIGGER:
            return True
        if getattr(raised, "pgcode", None) == GUARD_SQLSTATE:
            return True
    return False
