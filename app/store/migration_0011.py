"""Migration 11: on PostgreSQL, a change noted wakes the other desks at once (LISTEN/NOTIFY).

A trigger on the change log sends ``NOTIFY balcao_changes`` when rows are inserted, in the same
transaction: the other desks hear it when (and only if) the change is committed. One
notification per statement, its payload the schema's name (a server may hold several Balcão
databases, one a schema, on one channel); identical payloads of one transaction reach a
listener once. The listener (``app.store.listener``) then reads the exact rows with
``changes.since``. SQLite has no such thing: its desks keep polling the change log.
"""

from __future__ import annotations

from peewee import Database, SqliteDatabase

from app.store.database import execute_sql

#: The channel the desks LISTEN on.
CHANNEL = "balcao_changes"


def apply(database: Database) -> None:
    if isinstance(database, SqliteDatabase):
        return
    execute_sql(
        'CREATE OR REPLACE FUNCTION "change_log_notify"() RETURNS trigger LANGUAGE plpgsql AS $$ '
        f"BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_SCHEMA); RETURN NULL; END $$",
        database=database,
    )
    execute_sql(
        'CREATE TRIGGER "change_log_notify" AFTER INSERT ON "change_log" '
        'FOR EACH STATEMENT EXECUTE FUNCTION "change_log_notify"()',
        database=database,
    )
