"""Migration 10: a session recorded by hand after the fact (issue 14), not timed by the timer.

``session.recorded_by_hand`` marks it in the lists, the statement and the exports; it is billed
exactly as a timed session. The ``session`` table has no frozen-record triggers (migration 6
freezes documents, their lines, counters and the ledger), so a new column needs no trigger.
The database default lets rows inserted without the column (older code, bulk loads) read as
timed sessions.
"""

from __future__ import annotations

from peewee import Database, SqliteDatabase

from app.store.database import execute_sql


def apply(database: Database) -> None:
    # The storage type peewee gives a BooleanField on each backend, so the schema equals the
    # models' (SQLite reads FALSE as 0).
    kind = "INTEGER" if isinstance(database, SqliteDatabase) else "BOOLEAN"
    execute_sql(
        f'ALTER TABLE "session" ADD COLUMN "recorded_by_hand" {kind} NOT NULL DEFAULT FALSE',
        database=database,
    )
