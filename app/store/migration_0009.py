"""Migration 9: a partial index on the sessions waiting for review.

The Sessões view counts and lists the stopped sessions flagged as too long each time it shows;
without an index that reads every session (300,000 on the large demo: 50 ms). The index holds
only the flagged ones, a handful.
"""

from __future__ import annotations

from peewee import Database

from app.store.database import execute_sql


def apply(database: Database) -> None:
    execute_sql(
        'CREATE INDEX "session_to_review" ON "session" ("started_at") WHERE flagged_for_review',
        database=database,
    )
