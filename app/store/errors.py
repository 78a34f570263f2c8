"""What can go wrong with the records, as typed errors whose message a technician can read."""

from __future__ import annotations

from app.errors import KnownError
from app.i18n import _


class StoreError(KnownError):
    """Base of the store's errors; ``str(error)`` is a translated sentence for the user."""


class DatabaseOpenError(StoreError):
    """The database could not be opened, created or brought up to date."""


class StaleRecordError(StoreError):
    """Another desk saved or deleted the record after it was read here (optimistic concurrency)."""


class AppendOnlyError(StoreError):
    """An attempt to change or delete a record that can only ever be added (the pack ledger)."""


class DatabaseFault(StoreError):
    """The database or what holds it failed (a disk, a file, a server), not the program and not
    the user: nothing was saved. Raised by the database classes themselves (``app.store.faults``)
    for every query, read or write; ``detail`` keeps the driver's own text."""

    def __init__(self, message: str | None = None, *, detail: str = "") -> None:
        super().__init__(message or self.explain(), detail=detail)

    @classmethod
    def explain(cls) -> str:
        """The sentence shown for this fault when a use case meets it."""
        return _("The database failed: nothing was saved. Try again.")

    @classmethod
    def reason(cls) -> str:
        """Why a database cannot be opened, to follow "Cannot open the database X:"."""
        return _("it failed")


class DatabaseUnavailableError(DatabaseFault):
    """The server cannot be reached, or the connection to it was lost: the desk reconnects on
    the next use, and the window says so until it can."""

    @classmethod
    def explain(cls) -> str:
        return _(
            "There is no connection to the database: nothing was saved. The desk keeps trying; "
            "try again in a moment."
        )

    @classmethod
    def reason(cls) -> str:
        return _(
            "the server does not answer, or refused the user or password (check the address "
            "and that the server is running)"
        )


class ConnectionLostError(DatabaseUnavailableError):
    """The connection was lost in the middle of a use case (inside its transaction)."""

    @classmethod
    def explain(cls) -> str:
        return _("The connection to the database was lost midway: nothing was saved. Try again.")


class DatabaseBusyError(DatabaseFault):
    """Another desk held the write lock longer than this desk waits (SQLite), or a row or a
    table lock (PostgreSQL)."""

    @classmethod
    def explain(cls) -> str:
        return _(
            "Another desk is saving to the database right now, so nothing was saved here. "
            "Try again in a moment."
        )

    @classmethod
    def reason(cls) -> str:
        return _("another desk is saving to it; try again in a moment")


class DatabaseReadOnlyError(DatabaseFault):
    """The file, its disk or the server lets this desk read but not write."""

    @classmethod
    def explain(cls) -> str:
        return _(
            "This database can only be read (a read-only file, disk or server): nothing can be "
            "saved here."
        )

    @classmethod
    def reason(cls) -> str:
        return _("it can only be read, and this version of Balcão must update it first")


class DiskFullError(DatabaseFault):
    @classmethod
    def explain(cls) -> str:
        return _(
            "The disk that holds the database is full: nothing was saved. Free some space and "
            "try again."
        )

    @classmethod
    def reason(cls) -> str:
        return _("the disk that holds it is full")


class DatabaseDamagedError(DatabaseFault):
    """The file is damaged, or is not a database at all."""

    @classmethod
    def explain(cls) -> str:
        return _(
            "The database file is damaged or is not a database: nothing was saved. Restore a "
            "backup copy, or ask for help."
        )

    @classmethod
    def reason(cls) -> str:
        return _("the file is damaged or is not a database")


class DatabaseDiskError(DatabaseFault):
    """The disk could not be read or written (a removed drive, a network share gone, a file
    that cannot be opened)."""

    @classmethod
    def explain(cls) -> str:
        return _(
            "The disk that holds the database could not be read or written: nothing was saved."
        )

    @classmethod
    def reason(cls) -> str:
        return _(
            "the file or its folder cannot be read and written (check the permissions, and "
            "that the disk is there and not read-only)"
        )


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
