"""Numbered schema migrations, run by ``open_database``.

``MIGRATIONS[n - 1]`` takes a database from schema version ``n - 1`` to ``n``; version 0 is an
empty database. The ``schema_version`` table records each version reached, with when. Every step
runs in its own write transaction (DDL is transactional on SQLite and PostgreSQL), under a lock,
re-reading the version first: two desks opening the same old database at once migrate it once.

Before migrating a SQLite file that already holds a schema, a copy is made beside it, named
``<file>.bak-v<old version>-<UTC timestamp>``, with SQLite's backup API (consistent even in WAL
mode). A PostgreSQL server is backed up by its administrator (``pg_dump``).

To change the schema: change the model, then append a module ``migration_000N.py`` with an
``apply(database)`` that makes the same change with raw SQL or ``playhouse.migrate`` (never with
the app's models, which will have moved on), and list it here. ``tests/store`` checks that the
migrated schema equals the models'.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

from peewee import Database, PeeweeException, SqliteDatabase

from app.clock import Clock
from app.files import create_private
from app.i18n import _
from app.store import (
    migration_0001,
    migration_0002,
    migration_0003,
    migration_0004,
    migration_0005,
    migration_0006,
    migration_0007,
    migration_0008,
    migration_0009,
    migration_0010,
    migration_0011,
    migration_0012,
    migration_0013,
    migration_0014,
    migration_0015,
)
from app.store.database import describe_location, execute_sql, write_transaction
from app.store.errors import DatabaseOpenError
from app.store.fields import instant_to_database

Migration = Callable[[Database], None]

MIGRATIONS: tuple[Migration, ...] = (
    migration_0001.apply,  # every table, and the company settings row
    migration_0002.apply,  # running-session guards, append-only ledger in the database
    migration_0003.apply,  # the change log other desks poll
    migration_0004.apply,  # indexes for the minute and start sweeps
    migration_0005.apply,  # indexes for the window's month of sessions and latest invoices
    migration_0006.apply,  # issued documents, their lines, counters, ledger: frozen by triggers
    migration_0007.apply,  # the email intake: mailboxes, addresses, messages, log, leases
    migration_0008.apply,  # the legal side of documents: certified program, outbox, settings
    migration_0009.apply,  # a partial index on the sessions waiting for review
    migration_0010.apply,  # sessions recorded by hand after the fact
    migration_0011.apply,  # PostgreSQL: the change log's inserts NOTIFY the other desks
    migration_0012.apply,  # a contact's technician
    migration_0013.apply,  # the append-only record of first responses undone or corrected
    migration_0014.apply,  # the Faturas list newest first, a page at a time
    migration_0015.apply,  # PostgreSQL: trigram indexes for the customer search
)
SCHEMA_VERSION_TABLE = "schema_version"
# Any constant will do: it names the lock two PostgreSQL sessions take to migrate one at a time.
_POSTGRES_MIGRATION_LOCK = 0x42616C63  # "Balc"


def latest_version() -> int:
    return len(MIGRATIONS)


@dataclass(frozen=True)
class MigrationResult:
    from_version: int
    to_version: int
    backup: Path | None  # the copy made before migrating a SQLite file, if any


def schema_version(database: Database) -> int:
    """The database's schema version; 0 for an empty database.

    Raises ``DatabaseOpenError`` for a database that holds tables but no ``schema_version``: it
    was not made by Balcão, and is left untouched.
    """
    tables = database.get_tables()
    if SCHEMA_VERSION_TABLE not in tables:
        if tables:
            raise DatabaseOpenError(
                _(
                    "The database {location} already holds other tables: it is not a Balcão "
                    "database. Choose an empty database or a new file."
                ).format(location=_shown(database))
            )
        return 0
    found = execute_sql(
        f"SELECT MAX(version) FROM {SCHEMA_VERSION_TABLE}", database=database
    ).fetchone()[0]
    return int(found or 0)


def migrate(database: Database, *, clock: Clock, target: int | None = None) -> MigrationResult:
    """Brings ``database`` to schema version ``target`` (default: the latest)."""
    goal = latest_version() if target is None else target
    if not 0 <= goal <= latest_version():
        raise ValueError(f"no schema version {goal}: known versions are 0 to {latest_version()}")
    found = schema_version(database)
    if found > latest_version():
        raise DatabaseOpenError(
            _(
                "The database {location} was made by a newer version of Balcão (schema "
                "{found}; this version knows up to {known}). Update Balcão on this computer."
            ).format(location=_shown(database), found=found, known=latest_version())
        )
    if found >= goal:
        return MigrationResult(found, found, None)
    backup = _backup_sqlite(database, found, clock) if found > 0 else None
    reached = found
    while reached < goal:
        reached = _step(database, goal, clock, backup)
    return MigrationResult(found, reached, backup)


def _step(database: Database, goal: int, clock: Clock, backup: Path | None) -> int:
    """Applies the next migration, if another desk did not already; returns the version reached."""
    with write_transaction(database):
        if not isinstance(database, SqliteDatabase):
            # SQLite's BEGIN IMMEDIATE already excludes other writers.
            execute_sql(
                "SELECT pg_advisory_xact_lock(%s)", (_POSTGRES_MIGRATION_LOCK,), database=database
            )
        # Plain SQL, not a model: nothing here may depend on how the models look today.
        execute_sql(
            f"CREATE TABLE IF NOT EXISTS {SCHEMA_VERSION_TABLE} "
            "(version INTEGER NOT NULL PRIMARY KEY, migrated_at TIMESTAMPTZ NOT NULL)",
            database=database,
        )
        current = schema_version(database)
        if current >= goal:
            return current
        step = current + 1
        try:
            MIGRATIONS[step - 1](database)
        except PeeweeException as error:
            raise DatabaseOpenError(_failure(database, step, error, backup)) from error
        placeholder = database.param
        execute_sql(
            f"INSERT INTO {SCHEMA_VERSION_TABLE} (version, migrated_at) "
            f"VALUES ({placeholder}, {placeholder})",
            (step, instant_to_database(clock.now(), database)),
            database=database,
        )
        return step


def _failure(database: Database, step: int, error: Exception, backup: Path | None) -> str:
    message = _(
        "The database {location} could not be updated to schema {version}: {detail}"
    ).format(location=_shown(database), version=step, detail=str(error).strip())
    if backup is not None:
        message += " " + _("A copy made before the update is at {path}.").format(path=backup)
    return message


def _shown(database: Database) -> str:
    return describe_location(str(database.database))


def _backup_sqlite(database: Database, version: int, clock: Clock) -> Path | None:
    """Copies a SQLite file before it is migrated; None for other databases."""
    if not isinstance(database, SqliteDatabase) or database.database == ":memory:":
        return None
    source = Path(database.database)
    stamp = clock.now().astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = source.with_name(f"{source.name}.bak-v{version}-{stamp}")
    suffix = 1
    while target.exists():  # two opens in the same second: never overwrite a copy
        suffix += 1
        target = source.with_name(f"{source.name}.bak-v{version}-{stamp}-{suffix}")
    try:
        create_private(target)  # a copy of the data: as private as the file it copies
        with closing(sqlite3.connect(target)) as copy:
            database.connection().backup(copy)  # type: ignore[no-untyped-call]
    except (sqlite3.Error, OSError) as error:
        target.unlink(missing_ok=True)
        raise DatabaseOpenError(
            _(
                "The database {location} needs an update, but no copy of it could be made "
                "first ({detail}); it was left as it was."
            ).format(location=source, detail=error)
        ) from error
    return target
