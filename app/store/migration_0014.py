"""Migration 14: the Faturas list read a page at a time, newest first (issue 10).

The list shows the drafts, then the numbered documents by the instant they were issued: an index
on (issued_at, number, id) gives a page of them without sorting the 150,000 documents of a busy
company's years. An index on ``year`` gives the year filter its first and last year at once.

Frozen: plain SQL, independent of the models.
"""

from __future__ import annotations

from peewee import Database

from app.store.database import execute_sql


def apply(database: Database) -> None:
    for statement in (
        'CREATE INDEX "invoice_issued_at_number_id" ON "invoice" ("issued_at", "number", "id")',
        'CREATE INDEX "invoice_year" ON "invoice" ("year")',
    ):
        execute_sql(statement, database=database)
