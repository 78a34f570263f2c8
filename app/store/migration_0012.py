"""Migration 12: a contact has a technician (issue 14), who looks after it.

``contact.technician_id``: nullable, a reference to ``technician``; assigned in the contact's
window or by starting a session on it. With an index on (technician, state): the queue's "Os
meus" reads a technician's open contacts from it.

Contacts are not among the records migration 6 freezes (documents, their lines, counters, the
ledger): no trigger is to be recreated, and a contact's technician may change in any state the
services allow.

SQLite: ``ALTER TABLE … ADD COLUMN`` writes the reference inline (``"technician_id" INTEGER
REFERENCES …``) where a table created from the models has it as a table constraint at the end
(``FOREIGN KEY ("technician_id") REFERENCES …``). The two mean the same and are stored the same,
so the table's text is rewritten to the latter (the procedure SQLite documents for schema changes
that leave the stored rows as they are, "writable_schema"): the migrated schema then reads as a new
one's, which ``tests/store`` checks. Rebuilding the table instead would need foreign keys off,
impossible inside the migration's transaction.

Frozen: plain SQL, independent of the models.
"""

from __future__ import annotations

from peewee import Database, SqliteDatabase

from app.store.database import execute_sql

_INLINE = '"technician_id" INTEGER REFERENCES "technician" ("id")'
_COLUMN = '"technician_id" INTEGER'
_CONSTRAINT = 'FOREIGN KEY ("technician_id") REFERENCES "technician" ("id")'
_INDEX = 'CREATE INDEX "contact_technician_id_state" ON "contact" ("technician_id", "state")'


def apply(database: Database) -> None:
    execute_sql(f'ALTER TABLE "contact" ADD COLUMN {_INLINE}', database=database)
    if isinstance(database, SqliteDatabase):
        _constraint_at_the_end(database)
    execute_sql(_INDEX, database=database)


def _constraint_at_the_end(database: Database) -> None:
    """Moves the reference SQLite wrote inline to the end of the table's text."""
    (text,) = execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'contact'",
        database=database,
    ).fetchone()
    if text.count(_INLINE) != 1 or not text.endswith(")"):
        raise RuntimeError(f"migration 12: unexpected text of the contact table: {text}")
    rewritten = text.replace(_INLINE, _COLUMN)[:-1] + f", {_CONSTRAINT})"
    execute_sql("PRAGMA writable_schema = ON", database=database)
    try:
        execute_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = 'contact'",
            (rewritten,),
            database=database,
        )
    finally:
        execute_sql("PRAGMA writable_schema = OFF", database=database)
