"""Migration 2: the guards that need SQL of their own on each backend.

- one running session per technician, one open interval per session (partial unique indexes);
- the pack ledger is append-only in the database too (triggers refuse UPDATE and DELETE), so no
  query, however written, can rewrite it.
"""

from __future__ import annotations

from peewee import Database, SqliteDatabase

from app.store.database import execute_sql

_INDEXES = (
    'CREATE UNIQUE INDEX "session_one_running_per_technician" '
    """ON "session" ("technician_id") WHERE state = 'running'""",
    'CREATE UNIQUE INDEX "session_interval_one_open_per_session" '
    'ON "session_interval" ("session_id") WHERE ended_at IS NULL',
)

_MESSAGE = "ledger entries are append-only: record a reversing entry"

_SQLITE_TRIGGERS = tuple(
    f'CREATE TRIGGER "ledger_entry_no_{action.lower()}" BEFORE {action} ON "ledger_entry" '
    f"BEGIN SELECT RAISE(ABORT, '{_MESSAGE}'); END"
    for action in ("UPDATE", "DELETE")
)

_POSTGRESQL_TRIGGERS = (
    'CREATE FUNCTION "ledger_entry_refuse_change"() RETURNS trigger LANGUAGE plpgsql AS '
    f"$$ BEGIN RAISE EXCEPTION '{_MESSAGE}'; END $$",
    'CREATE TRIGGER "ledger_entry_append_only" BEFORE UPDATE OR DELETE ON "ledger_entry" '
    'FOR EACH ROW EXECUTE FUNCTION "ledger_entry_refuse_change"()',
)


def apply(database: Database) -> None:
    triggers = _SQLITE_TRIGGERS if isinstance(database, SqliteDatabase) else _POSTGRESQL_TRIGGERS
    for statement in (*_INDEXES, *triggers):
        execute_sql(statement, database=database)
