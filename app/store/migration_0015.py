"""Migration 15: on PostgreSQL, the customer search served by trigram indexes (issue 12).

The search as you type looks for the typed text inside names, emails and phone numbers
(``ILIKE '%…%'``), which no ordinary index serves: every keystroke read the 10,000 names and
16,000 emails of a large company (15 ms in the server, more with several desks). PostgreSQL's
``pg_trgm`` extension indexes the three-letter pieces of each value; with it a keystroke reads a
few index pages (0.5–3 ms).

``pg_trgm`` ships with PostgreSQL and is a trusted extension (PostgreSQL 13 and later): a user
who may create objects in the database can install it. Where it is already installed (in any
schema) it is used; where it cannot be installed (an older server, a restricted user, a server
without the contrib modules) the indexes are not made, a warning is logged, and the search works
as before, only slower. SQLite has no such index; its search reads the tables (a few ms there).

Frozen: plain SQL, independent of the models. The indexes are not declared in the models (they
exist on PostgreSQL only): ``tests/store`` leaves indexes named ``*_trgm`` out of the schema
comparison.
"""

from __future__ import annotations

import logging

from peewee import Database, DatabaseError, SqliteDatabase

from app.store.database import execute_sql

log = logging.getLogger(__name__)

#: The extension providing the ``gin_trgm_ops`` operator class.
EXTENSION = "pg_trgm"
#: (index, table, column): the columns ``search_customers`` looks inside.
TRIGRAM_INDEXES = (
    ("customer_name_trgm", "customer", "name"),
    ("customer_nif_trgm", "customer", "nif"),
    ("customer_email_trgm", "customer_email", "email"),
    ("customer_phone_trgm", "customer_phone", "number"),
)


def _installed_schema(database: Database) -> str | None:
    row = execute_sql(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace"
        " WHERE e.extname = %s",
        (EXTENSION,),
        database=database,
    ).fetchone()
    return None if row is None else str(row[0])


def _trigram_schema(database: Database) -> str | None:
    """The schema holding the trigram operator class, installing the extension if it can."""
    found = _installed_schema(database)
    if found is not None:
        return found
    # A failed statement spoils the transaction: try inside a savepoint (the migration's
    # transaction goes on without the indexes).
    try:
        with database.savepoint():
            execute_sql(f'CREATE EXTENSION "{EXTENSION}"', database=database)
    except DatabaseError as error:
        log.warning(
            "Customer search without trigram indexes: %s could not be installed: %s",
            EXTENSION,
            error,
        )
        return None
    return _installed_schema(database)


def apply(database: Database) -> None:
    if isinstance(database, SqliteDatabase):
        return
    schema = _trigram_schema(database)
    if schema is None:
        return
    for index, table, column in TRIGRAM_INDEXES:
        execute_sql(
            f'CREATE INDEX "{index}" ON "{table}" USING gin ("{column}" "{schema}".gin_trgm_ops)',
            database=database,
        )
