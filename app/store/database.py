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
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlparse, urlunparse

import platformdirs
from peewee import Database, DatabaseProxy, ModelSelect, PeeweeException, SqliteDatabase
from playhouse.db_url import connect as connect_url

from app.clock import Clock, SystemClock
from app.i18n import _
from app.store.errors import DatabaseOpenError

log = logging.getLogger(__name__)
_Select = TypeVar("_Select", bound="ModelSelect[Any]")

#: The one database the models use, set by ``open_database``.
db = DatabaseProxy()

APP_NAME = "Balcao"  # platformdirs folder name: plain ASCII on every platform
DATABASE_FILE = "balcao.sqlite"
LOCATION_VARIABLE = "BALCAO_DB"
#: How long a desk waits for another desk's write lock before giving up (SQLite).
BUSY_TIMEOUT_MS = 10_000
#: Set on every SQLite connection, before ``journal_mode = wal`` (see ``BalcaoSqliteDatabase``).
SQLITE_PRAGMAS = {
    "foreign_keys": 1,
    "busy_timeout": BUSY_TIMEOUT_MS,
    "synchronous": "normal",  # safe with WAL: a power cut loses at most the last commits
    # A REPLACE's deletes fire delete triggers only so: the guards of migration 6 see them.
    "recursive_triggers": 1,
}
_POSTGRES_SCHEMES = ("postgresql", "postgres")
_MEMORY = ":memory:"


class BalcaoSqliteDatabase(SqliteDatabase):
    """SQLite in WAL mode: readers do not block the writer, nor the writer the readers.

    WAL is set on each new connection. Two desks turning a *new* file to WAL at the same moment
    make SQLite answer "locked" at once, without waiting (its rule against deadlocks); the loser
    asks again until the other is done, as long as the busy timeout allows.
    """

    def _initialize_connection(self, conn: sqlite3.Connection) -> None:
        give_up_at = time.monotonic() + BUSY_TIMEOUT_MS / 1000
        while True:
            try:
                mode = conn.execute("PRAGMA journal_mode = wal").fetchone()[0]
                break
            except sqlite3.OperationalError as error:
                if "locked" not in str(error) or time.monotonic() > give_up_at:
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
    """The location as it may be shown: a URL without its password."""
    parsed = urlparse(location)
    if parsed.scheme in _POSTGRES_SCHEMES and parsed.password is not None:
        host = parsed.hostname or ""
        if parsed.port is not None:
            host = f"{host}:{parsed.port}"
        user = f"{parsed.username}@" if parsed.username else ""
        return urlunparse(parsed._replace(netloc=f"{user}{host}"))
    return location


def _sqlite_path(location: str) -> str:
    if location.startswith("sqlite:"):
        # sqlite:///relative.db, sqlite:////absolute.db (as playhouse.db_url reads them)
        path = urlparse(location).path[1:]
        return path or _MEMORY
    return location


def _is_postgres(location: str) -> bool:
    return urlparse(location).scheme in _POSTGRES_SCHEMES


def connect_database(location: str) -> Database:
    """A ``Database`` for a resolved location, not yet opened nor migrated (``open_database`` does
    both). Raises ``DatabaseOpenError`` for a location that cannot be a database."""
    shown = describe_location(location)
    if _is_postgres(location):
        try:
            database: Database = connect_url(location, unquote_password=True, unquote_user=True)
        except (RuntimeError, ValueError) as error:
            raise DatabaseOpenError(
                _("The database address {location} is not valid: {detail}").format(
                    location=shown, detail=error
                )
            ) from error
        return database
    scheme = urlparse(location).scheme
    if "://" in location and scheme != "sqlite":
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
    return BalcaoSqliteDatabase(path, pragmas=SQLITE_PRAGMAS, timeout=BUSY_TIMEOUT_MS / 1000)


def open_database(
    location: str | os.PathLike[str] | None = None, *, clock: Clock | None = None
) -> Database:
    """Opens the database at ``location`` (a file path, ``sqlite:///…`` or ``postgresql://…``;
    ``None``: ``$BALCAO_DB`` or ``default_location()``), creates or migrates its schema, and binds
    the models to it. A database already open is closed first.

    Raises ``DatabaseOpenError`` with a message for the user when anything goes wrong.
    """
    from app.store.migrations import migrate

    resolved = resolve_location(location)
    close_database()
    database = connect_database(resolved)
    try:
        database.connect()
        result = migrate(database, clock=clock or SystemClock())
    except DatabaseOpenError:
        _quietly_close(database)
        raise
    except PeeweeException as error:
        _quietly_close(database)
        raise DatabaseOpenError(
            _("Cannot open the database {location}: {detail}").format(
                location=describe_location(resolved), detail=str(error).strip()
            )
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
    return database


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
    options: dict[str, Any] = {"lock_type": "IMMEDIATE"} if is_sqlite(target) else {}
    with target.atomic(**options):
        yield


def locking(query: _Select) -> _Select:
    """``query`` with its rows locked until the transaction ends, to read what will be written:
    ``SELECT … FOR UPDATE`` on PostgreSQL. On SQLite, where peewee refuses FOR UPDATE,
    ``write_transaction()`` already holds the write lock, so the query is returned as it is."""
    return query if is_sqlite() else query.for_update()
