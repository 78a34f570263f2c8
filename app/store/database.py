"""Opening the database: a SQLite file (the default) or a team's shared PostgreSQL database.

Nothing is opened at import. Models are bound to ``db``, a proxy that ``open_database`` points at
the real database after bringing its schema up to date (``app.store.migrations``).

Transactions: every use case that writes runs in ``with write_transaction():``. On SQLite it
begins with ``BEGIN IMMEDIATE``, taking the write lock at once: two desks that each read and then
write in a plain (deferred) transaction can deadlock on the lock upgrade, and SQLite resolves that
by failing one of them. On PostgreSQL it is an ordinary transaction (READ COMMITTED): read the
rows you will change through ``locking(query)`` (SELECT … FOR UPDATE there; on SQLite the whole
database is already held). Nested calls become savepoints. Read-only work needs no transaction.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse

import platformdirs
from peewee import Database, DatabaseProxy, ModelSelect, PeeweeException, SqliteDatabase
from playhouse.db_url import parse as parse_url

from app.clock import Clock, SystemClock
from app.files import create_private
from app.i18n import _
from app.store.errors import DatabaseFault, DatabaseOpenError, DatabaseReadOnlyError
from app.store.faults import (
    SQLITE_BUSY,
    SQLITE_LOCKED,
    BalcaoPostgresDatabase,
    FaultTranslating,
    sqlite_fault,
)

log = logging.getLogger(__name__)
_Select = TypeVar("_Select", bound="ModelSelect[Any]")

#: The one database the models use, set by ``open_database``.
db = DatabaseProxy()

APP_NAME = "Balcao"  # platformdirs folder name: plain ASCII on every platform
DATABASE_FILE = "balcao.sqlite"
LOCATION_VARIABLE = "BALCAO_DB"
#: How long a desk waits for another desk's write lock (SQLite) or row lock (PostgreSQL's
#: ``lock_timeout``) before saying that another desk is saving. A use case holds the lock for
#: milliseconds and the heaviest routine write, the thorough sweep at start, for under a second
#: on the large demo (``tests/bench/bench_sweeps.py``'s goal), so a longer wait means something
#: unusual holds it (a migration, a big import, a desk stuck mid-transaction). The wait freezes
#: the window that asked, and past a few seconds a user takes a frozen window for a dead one;
#: 10 s was too long. Nothing is lost by giving up: the user is told to try again.
BUSY_TIMEOUT_MS = 5_000
#: How long to wait for a PostgreSQL server to answer a new connection, in seconds (libpq's
#: ``connect_timeout``; a URL may set its own): an unreachable server must not hang the window.
CONNECT_TIMEOUT_S = 5


def sqlite_pragmas() -> dict[str, object]:
    """Set on every SQLite connection, before ``journal_mode = wal`` (``BalcaoSqliteDatabase``)."""
    return {
        "foreign_keys": 1,
        "busy_timeout": BUSY_TIMEOUT_MS,
        "synchronous": "normal",  # safe with WAL: a power cut loses at most the last commits
        # A REPLACE's deletes fire delete triggers only so: the guards of migration 6 see them.
        "recursive_triggers": 1,
    }


_POSTGRES_SCHEMES = ("postgresql", "postgres")
_MEMORY = ":memory:"


class BalcaoSqliteDatabase(FaultTranslating, SqliteDatabase):
    """SQLite in WAL mode: readers do not block the writer, nor the writer the readers.

    WAL is set on each new connection. Two desks turning a *new* file to WAL at the same moment
    make SQLite answer "locked" at once, without waiting (its rule against deadlocks); the loser
    asks again until the other is done, as long as the busy timeout allows.

    Its faults (busy, read-only, full, damaged…) become ``DatabaseFault`` (``app.store.faults``).
    """

    def fault(self, error: BaseException) -> DatabaseFault | None:
        return sqlite_fault(error)

    def can_roll_back(self) -> bool:
        # SQLite ends the transaction itself on some faults (SQLITE_FULL, SQLITE_IOERR…).
        connection = self.driver_connection()
        return connection is not None and bool(connection.in_transaction)

    def _initialize_connection(self, conn: sqlite3.Connection) -> None:
        give_up_at = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = wal").fetchone()[0]
                break
            except sqlite3.OperationalError as error:
                busy = error.sqlite_errorcode & 0xFF in (SQLITE_BUSY, SQLITE_LOCKED)
                if not busy or time.monotonic() > give_up_at:
                    raise
                time.sleep(0.01)
        if mode != "wal" and self.database != _MEMORY:
            log.warning("SQLite refused WAL mode for %s (kept %s)", self.database, mode)


def default_location() -> Path:
    """``balcao.sqlite`` in the user's data folder (made if missing), e.g.
    ``~/.local/share/Balcao`` on Linux, ``%LOCALAPPDATA%\\Balcao`` on Windows."""
    folder = platformdirs.user_data_path(APP_NAME, appauthor=False, ensure_exists=True)
    return Path(folder) / DATABASE_FILE


def resolve_location(location: str | os.PathLike[str] | None) -> str:
    """The location to open: the one given, else ``$BALCAO_DB``, else ``default_location()``."""
    if location is not None and str(location).strip():
        return str(location).strip()
    from_environment = os.environ.get(LOCATION_VARIABLE, "").strip()
    if from_environment:
        return from_environment
    return str(default_location())


def describe_location(location: str) -> str:
    """The location as it may be shown: a URL without its password. Never fails, even on an
    address too malformed to open (it is shown in the message that says so)."""
    scheme, separator, rest = location.partition("://")
    if not separator:  # a file path: nothing to hide
        return location
    ends = [found for found in (rest.find(mark) for mark in "/?#") if found >= 0]
    end = min(ends, default=len(rest))
    userinfo, at, host = rest[:end].rpartition("@")
    user, colon, _password = userinfo.partition(":")
    # libpq also takes the password as a parameter: ``…/balcao?password=…``.
    tail = _QUERY_PASSWORD.sub(r"\1***", rest[end:])
    if not at or not colon:
        return f"{scheme}://{rest[:end]}{tail}"
    return f"{scheme}://{user}@{host}{tail}" if user else f"{scheme}://{host}{tail}"


_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*", re.IGNORECASE)


def _scheme(location: str) -> str:
    scheme, separator, _rest = location.partition("://")
    return scheme.lower() if separator else ""


def _sqlite_path(location: str) -> str:
    if location.startswith("sqlite:"):
        # sqlite:///relative.db, sqlite:////absolute.db (as playhouse.db_url reads them)
        try:
            path = urlparse(location).path[1:]
        except ValueError as error:  # sqlite://[x/… : brackets in the host part
            raise _invalid_address(location, error) from error
        return path or _MEMORY
    return location


def _is_postgres(location: str) -> bool:
    return _scheme(location) in _POSTGRES_SCHEMES


def _invalid_address(location: str, error: Exception) -> DatabaseOpenError:
    return DatabaseOpenError(
        _(
            "The database address {location} is not valid: check the server's name (an IPv6 "
            "address goes in square brackets), the port (a number from 1 to 65535) and the "
            "database's name."
        ).format(location=describe_location(location)),
        detail=str(error),
    )


def _postgres_database(location: str) -> BalcaoPostgresDatabase:
    try:
        parsed = urlparse(location)
        parsed.port  # noqa: B018 - raises ValueError for a port that is not 0…65535
        parameters = parse_url(location, unquote_password=True, unquote_user=True)
    except ValueError as error:
        raise _invalid_address(location, error) from error
    if not parameters.get("database"):
        raise _invalid_address(location, ValueError("no database name"))
    parameters.setdefault("connect_timeout", CONNECT_TIMEOUT_S)
    database = BalcaoPostgresDatabase(**parameters)
    database.lock_timeout_ms = BUSY_TIMEOUT_MS
    return database


def connect_database(location: str) -> Database:
    """A ``Database`` for a resolved location, not yet opened nor migrated (``open_database`` does
    both). Raises ``DatabaseOpenError`` for a location that cannot be a database."""
    shown = describe_location(location)
    if _is_postgres(location):
        return _postgres_database(location)
    if "://" in location and _scheme(location) != "sqlite":
        raise DatabaseOpenError(
            _(
                "Unknown kind of database: {location}. Give a file path, a sqlite:/// address "
                "or a postgresql:// address."
            ).format(location=shown)
        )
    path = _sqlite_path(location)
    if path != _MEMORY:
        file = Path(path).expanduser()
        if file.is_dir():
            raise DatabaseOpenError(
                _("{location} is a folder, not a database file.").format(location=shown)
            )
        if not file.parent.is_dir():
            raise DatabaseOpenError(
                _("The folder {folder} does not exist.").format(folder=file.parent)
            )
        path = str(file)
    return BalcaoSqliteDatabase(path, pragmas=sqlite_pragmas(), timeout=BUSY_TIMEOUT_MS / 1000)


def open_database(
    location: str | os.PathLike[str] | None = None, *, clock: Clock | None = None
) -> Database:
    """Opens the database at ``location`` (a file path, ``sqlite:///…`` or ``postgresql://…``;
    ``None``: ``$BALCAO_DB`` or ``default_location()``), creates or migrates its schema, and binds
    the models to it. A database already open is closed first.

    A file or server this desk may only read opens read-only (``is_read_only``): it can be
    read, and every write is refused with ``DatabaseReadOnlyError``.

    Raises ``DatabaseOpenError`` with a message for the user when anything goes wrong; the
    driver's own text is in its ``detail``, not in the message.
    """
    from app.store.migrations import latest_version, migrate, schema_version

    resolved = resolve_location(location)
    close_database()
    database = connect_database(resolved)
    shown = describe_location(resolved)
    if isinstance(database, SqliteDatabase) and database.database != _MEMORY:
        with suppress(OSError):  # SQLite itself then says why it cannot make the file
            create_private(database.database)  # new file, -wal and -shm: the owner's only
    try:
        database.connect()
        if isinstance(database, FaultTranslating):
            database.read_only = _read_only(database)
            if database.read_only and schema_version(database) < latest_version():
                raise DatabaseReadOnlyError()
        result = migrate(database, clock=clock or SystemClock())
    except DatabaseOpenError:
        _quietly_close(database)
        raise
    except DatabaseFault as fault:
        _quietly_close(database)
        log.info("cannot open the database %s: %s", shown, fault.detail or fault.message)
        raise DatabaseOpenError(
            _("Cannot open the database {location}: {reason}.").format(
                location=shown, reason=fault.reason()
            ),
            detail=fault.detail,
        ) from fault
    except PeeweeException as error:
        _quietly_close(database)
        raise DatabaseOpenError(
            _("Cannot open the database {location}: {detail}").format(
                location=shown, detail=str(error).strip()
            ),
            detail=str(error),
        ) from error
    if result.from_version != result.to_version:
        log.info(
            "database %s migrated from schema %d to %d (backup: %s)",
            describe_location(resolved),
            result.from_version,
            result.to_version,
            result.backup,
        )
    db.initialize(database)
    if isinstance(database, FaultTranslating):
        database.opened_as = resolved
    return database


def _read_only(database: Database) -> bool:
    """Whether this desk may only read ``database``: a SQLite file this user may not write (a
    read-only file or disk, a file of another user: SQLite then opens it for reading), or a
    PostgreSQL session that is read-only (a standby server, a user whose transactions are
    read-only by default)."""
    if isinstance(database, SqliteDatabase):
        if database.database == _MEMORY:
            return False
        # Asked of the system, never by opening the file: closing any descriptor of the file
        # drops every POSIX lock this process holds on it, SQLite's included. Another desk
        # closing then believed itself the last one and deleted the -wal and -shm files this
        # desk was still using (its reads then failed as "disk I/O error" or "damaged", and
        # its writes went to a deleted file).
        return os.path.exists(database.database) and not os.access(database.database, os.W_OK)
    setting = execute_sql("SHOW transaction_read_only", database=database).fetchone()[0]
    return str(setting).lower() == "on"


def is_read_only(database: Database | None = None) -> bool:
    """Whether the open database can only be read here (see ``open_database``)."""
    return bool(getattr(database or current_database(), "read_only", False))


def _quietly_close(database: Database) -> None:
    try:
        database.close()
    except PeeweeException:  # the connection may be the very thing that failed
        log.debug("closing a database that failed to open", exc_info=True)


def close_database() -> None:
    """Closes this thread's connection and unbinds the models. Safe to call when nothing is open."""
    database = db.obj
    if database is None:
        return
    db.initialize(None)
    database.close()


def current_database() -> Database:
    """The open database; ``RuntimeError`` when ``open_database`` was not called."""
    database: Database | None = db.obj
    if database is None:
        raise RuntimeError("no database is open: call open_database() first")
    return database


def opened_location() -> str:
    """Where the open database was opened, as ``open_database`` was given it (a PostgreSQL
    address with its password): for a process of the program's own that opens it too."""
    database = current_database()
    location = database.opened_as if isinstance(database, FaultTranslating) else None
    if location is None:
        raise RuntimeError("the open database was not opened by open_database()")
    return location


def is_sqlite(database: Database | None = None) -> bool:
    return isinstance(database or current_database(), SqliteDatabase)


def execute_sql(sql: str, params: tuple[Any, ...] = (), database: Database | None = None) -> Any:
    """Runs one SQL statement (``?`` placeholders on SQLite, ``%s`` on PostgreSQL); returns the
    cursor. For what peewee's query builder cannot say."""
    target = database or current_database()
    return target.execute_sql(sql, params)  # type: ignore[no-untyped-call]


@contextmanager
def write_transaction(database: Database | None = None) -> Iterator[None]:
    """A transaction for work that writes (see the module's docstring). Commits on success, rolls
    back on an exception; inside another transaction it is a savepoint."""
    target = database or current_database()
    if is_read_only(target):
        raise DatabaseReadOnlyError()
    options: dict[str, Any] = {"lock_type": "IMMEDIATE"} if is_sqlite(target) else {}
    with target.atomic(**options):
        yield


def locking(query: _Select) -> _Select:
    """``query`` with its rows locked until the transaction ends, to read what will be written:
    ``SELECT … FOR UPDATE`` on PostgreSQL. On SQLite, where peewee refuses FOR UPDATE,
    ``write_transaction()`` already holds the write lock, so the query is returned as it is."""
    return query if is_sqlite() else query.for_update()
