"""The database's own faults become typed, translated errors; a lost PostgreSQL connection is
re-opened on the next use.

Our database classes (``BalcaoSqliteDatabase`` in ``app.store.database``, ``BalcaoPostgresDatabase``
here) run every statement, ``BEGIN``, ``COMMIT`` and ``ROLLBACK`` through ``FaultTranslating``, so
any query anywhere, read or write, fails with a ``DatabaseFault`` a user can read (its ``detail``
keeps the driver's English text). Faults are sorted by the driver's error code, never by its
text (qutebrowser's ``raise_sqlite_error``): SQLite's primary result code
(``sqlite_errorcode & 0xFF``), PostgreSQL's SQLSTATE (``pgcode``), and for a lost connection the
state psycopg2 leaves behind (``connection.closed``). Anything else is a bug and is left as it is.

Reconnecting (in the manner of peewee's ``ReconnectMixin``, whose PostgreSQL errors are off by
default and matched by text): when the connection turns out to be closed outside a transaction,
it is dropped and the statement asked once more on a new one. A ``BEGIN`` runs before peewee
counts the transaction as open, so the first use case after a server restart simply works. Inside
a transaction nothing is retried (what it wrote is gone with the connection): the use case fails
with ``ConnectionLostError``, and the next use reconnects. (Balcão writes only inside
transactions, so a statement asked again outside one is a read.) ``COMMIT`` is never asked again.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any, cast

from peewee import Database, PeeweeException, PostgresqlDatabase, _savepoint

from app.i18n import _
from app.store.errors import (
    ConnectionLostError,
    DatabaseBusyError,
    DatabaseDamagedError,
    DatabaseDiskError,
    DatabaseFault,
    DatabaseReadOnlyError,
    DatabaseUnavailableError,
    DiskFullError,
)

log = logging.getLogger(__name__)

# SQLite's primary result codes (https://sqlite.org/rescode.html).
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_NOTADB = 26

_SQLITE_FAULTS: dict[int, type[DatabaseFault]] = {
    SQLITE_BUSY: DatabaseBusyError,
    SQLITE_LOCKED: DatabaseBusyError,
    SQLITE_READONLY: DatabaseReadOnlyError,
    SQLITE_IOERR: DatabaseDiskError,
    SQLITE_CORRUPT: DatabaseDamagedError,
    SQLITE_FULL: DiskFullError,
    SQLITE_CANTOPEN: DatabaseDiskError,
    SQLITE_NOTADB: DatabaseDamagedError,
}

# PostgreSQL's SQLSTATEs (https://www.postgresql.org/docs/current/errcodes-appendix.html).
_POSTGRES_FAULTS: dict[str, type[DatabaseFault]] = {
    "53100": DiskFullError,  # disk_full
    "55P03": DatabaseBusyError,  # lock_not_available (our lock_timeout)
    "40P01": DatabaseBusyError,  # deadlock_detected
    "40001": DatabaseBusyError,  # serialization_failure
    "25006": DatabaseReadOnlyError,  # read_only_sql_transaction (a standby, a read-only user)
    "XX001": DatabaseDamagedError,  # data_corrupted
    "XX002": DatabaseDamagedError,  # index_corrupted
    "57P01": DatabaseUnavailableError,  # admin_shutdown
    "57P02": DatabaseUnavailableError,  # crash_shutdown
    "57P03": DatabaseUnavailableError,  # cannot_connect_now (starting or stopping)
}
_POSTGRES_UNAVAILABLE_CLASS = "08"  # connection_exception and its kinds


def driver_error(error: BaseException) -> BaseException:
    """The driver's own exception behind a peewee one (peewee passes it as the first argument)."""
    if error.args and isinstance(error.args[0], BaseException):
        return error.args[0]
    return error.__context__ or error


def _detail(error: BaseException) -> str:
    original = driver_error(error)
    return f"{type(original).__module__}.{type(original).__name__}: {str(original).strip()}"


def sqlite_fault(error: BaseException) -> DatabaseFault | None:
    """The fault a SQLite error stands for, by its result code; None for anything else."""
    original = driver_error(error)
    code = getattr(original, "sqlite_errorcode", None)
    if not isinstance(original, sqlite3.Error) or not isinstance(code, int):
        return None
    kind = _SQLITE_FAULTS.get(code & 0xFF)
    return None if kind is None else kind(detail=_detail(error))


def postgres_fault(error: BaseException, connection: Any) -> DatabaseFault | None:
    """The fault a psycopg2 error stands for: a connection that never opened (``connection``
    None) or that closed is unavailable; otherwise the SQLSTATE decides. None for the rest."""
    if connection is None or connection.closed:
        return DatabaseUnavailableError(detail=_detail(error))
    code = getattr(driver_error(error), "pgcode", None)
    if not isinstance(code, str):
        return None
    kind = _POSTGRES_FAULTS.get(code)
    if kind is None and code.startswith(_POSTGRES_UNAVAILABLE_CLASS):
        kind = DatabaseUnavailableError
    return None if kind is None else kind(detail=_detail(error))


class FaultTranslating(Database):
    """Turns the driver's faults into ``DatabaseFault`` on every way into the database.

    A subclass says what a fault is (``fault``), whether the connection can still roll back
    (``can_roll_back``) and whether it was lost (``connection_lost``)."""

    #: Set by ``open_database``: this desk may read but not write (``write_transaction`` refuses).
    read_only = False
    #: Set by ``open_database``: the location it was given (``opened_location``).
    opened_as: str | None = None

    def fault(self, error: BaseException) -> DatabaseFault | None:
        raise NotImplementedError

    def connection_lost(self) -> bool:
        return False

    def can_roll_back(self) -> bool:
        return not self.is_closed()

    def driver_connection(self) -> Any:
        """This thread's connection of the driver, None when closed (peewee's ``_state``)."""
        return cast(Any, self)._state.conn

    def _raise_fault(self, error: PeeweeException) -> None:
        """Raises the fault ``error`` stands for; returns when it is none (a bug: re-raise it)."""
        fault = self.fault(error)
        if fault is not None:
            raise fault from error

    def _run(self, call: Any, *args: Any, **kwargs: Any) -> Any:
        """``call``, once more on a new connection if the old one was found closed outside a
        transaction; its faults translated."""
        try:
            return call(*args, **kwargs)
        except PeeweeException as error:
            if not self.connection_lost():
                self._raise_fault(error)
                raise
            if self.in_transaction():
                raise ConnectionLostError(detail=_detail(error)) from error
            log.info("database connection lost (%s); opening a new one", _detail(error))
            cast(Any, self)._state.reset()  # drop the dead connection; the next call opens one
        try:
            return call(*args, **kwargs)
        except PeeweeException as error:
            self._raise_fault(error)
            raise

    def connect(self, reuse_if_open: bool = False) -> bool:
        if not self.is_closed():
            return super().connect(reuse_if_open)  # open already: peewee's own answer
        try:
            return super().connect(reuse_if_open)
        except PeeweeException as error:
            fault = self.fault(error)
            self._forget_connection()  # half set up (pragmas, WAL…): not to be used
            if fault is None:
                raise
            raise fault from error

    def _forget_connection(self) -> None:
        connection = self.driver_connection()
        cast(Any, self)._state.reset()
        if connection is not None:
            try:
                connection.close()
            except Exception:  # thrown away for having failed: any error is moot
                log.debug("closing a connection that failed to set up", exc_info=True)

    def execute_sql(self, sql: str, params: Any = None) -> Any:
        return self._run(super().execute_sql, sql, params)

    def begin(self, *args: Any, **kwargs: Any) -> None:
        # Runs before peewee counts the transaction as open: safe to ask again.
        self._run(super().begin, *args, **kwargs)

    def commit(self, *args: Any, **kwargs: Any) -> None:
        # Never asked again: a COMMIT on a new connection would commit nothing, and say so.
        try:
            super().commit(*args, **kwargs)
        except PeeweeException as error:
            if self.connection_lost():
                raise ConnectionLostError(
                    _lost_while_committing(), detail=_detail(error)
                ) from error
            self._raise_fault(error)
            raise

    def rollback(self, *args: Any, **kwargs: Any) -> None:
        # After a full disk or a lost connection the transaction is already gone: a ROLLBACK
        # would only fail and hide the real cause ("cannot rollback - no transaction is active").
        if not self.can_roll_back():
            log.debug("nothing to roll back: the transaction ended with its fault")
            return
        try:
            super().rollback(*args, **kwargs)
        except PeeweeException as error:
            self._raise_fault(error)
            raise

    def savepoint(self) -> _savepoint:
        return _FaultSafeSavepoint(self)


class _FaultSafeSavepoint(_savepoint):
    """A savepoint whose rollback does nothing once its transaction ended with a fault."""

    db: FaultTranslating

    def rollback(self, begin: bool = True) -> None:
        if self.db.can_roll_back():
            super().rollback(begin)


def _lost_while_committing() -> str:
    return _(
        "The connection to the database was lost while saving: the change may or may not have "
        "been saved. Check before doing it again."
    )


class BalcaoPostgresDatabase(FaultTranslating, PostgresqlDatabase):
    """PostgreSQL with its faults translated, a lost connection re-opened, and a bounded wait
    for another desk's locks (``lock_timeout``, set by ``open_database``)."""

    #: ``SET lock_timeout`` on each new connection, in milliseconds (0: wait for ever).
    lock_timeout_ms = 0

    def _initialize_connection(self, conn: Any) -> None:
        with conn.cursor() as cursor:
            # No JIT compiling: the desk's statements are index lookups whose cost the planner
            # overrates (a guessed 100 ledger rows a pack); compiling the expiring packs' query
            # took 11–40 ms to run it in 3, and the sweeps' statements longer than running them.
            cursor.execute(
                "SET jit = off; SET lock_timeout = %s", (f"{int(self.lock_timeout_ms)}ms",)
            )

    def fault(self, error: BaseException) -> DatabaseFault | None:
        return postgres_fault(error, self.driver_connection())

    def connection_lost(self) -> bool:
        connection = self.driver_connection()
        return connection is not None and bool(connection.closed)

    def can_roll_back(self) -> bool:
        return not self.is_closed() and not self.connection_lost()
