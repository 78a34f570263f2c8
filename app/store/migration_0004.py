"""Migration 4: indexes for the sweeps the window runs every minute and at start.

- ``contact (deadline) WHERE`` answered late or not at all: the compensation sweep at start;
- ``pack (kind, valid_until, starts_on, last_month)``: unit packs by their last day, monthly
  packs by their months, read from the index alone;
- ``ledger_entry (kind, pack_id, month)``: whether a pack has its allotment or its expiry for a
  month, without reading the entries;
- ``ledger_entry (created_at, pack_id, month) WHERE`` a credit but free hours: the credits
  recorded lately (a reversal, a sale dated in the past), which may give minutes back to a lapsed
  balance.

On a large SQLite file (a million ledger entries) they take a few seconds to build, once.
"""

from __future__ import annotations

from peewee import Database

from app.store.database import execute_sql

_INDEXES = (
    'CREATE INDEX "contact_late_deadline" ON "contact" ("deadline") '
    "WHERE first_response_at IS NULL OR first_response_at > deadline",
    'CREATE INDEX "pack_kind_valid_until_starts_on_last_month" '
    'ON "pack" ("kind", "valid_until", "starts_on", "last_month")',
    'CREATE INDEX "ledger_entry_kind_pack_id_month" ON "ledger_entry" ("kind", "pack_id", "month")',
    'CREATE INDEX "ledger_entry_credit_created_at" '
    'ON "ledger_entry" ("created_at", "pack_id", "month") '
    "WHERE minutes > 0 AND kind <> 'compensation'",
)


def apply(database: Database) -> None:
    for statement in _INDEXES:
        execute_sql(statement, database=database)
