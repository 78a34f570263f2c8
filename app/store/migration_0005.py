"""Migration 5: indexes for the window's lists on a large database.

- ``session (started_at)``: the Sessões view's month, without reading every session;
- ``invoice (created_at)``: the Faturas view's most recent documents, newest first, without
  sorting every invoice.

On a large SQLite file (300,000 sessions, 150,000 invoices) they take about a second to build,
once.
"""

from __future__ import annotations

from peewee import Database

from app.store.database import execute_sql

_INDEXES = (
    'CREATE INDEX "session_started_at" ON "session" ("started_at")',
    'CREATE INDEX "invoice_created_at" ON "invoice" ("created_at")',
)


def apply(database: Database) -> None:
    for statement in _INDEXES:
        execute_sql(statement, database=database)
