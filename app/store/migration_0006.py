"""Migration 6: what must not change is frozen by the database itself (P16a, P20).

The services already refuse these changes; the triggers make sure that no query, however written
(``Invoice.update(...)``, raw SQL, another program on the same database), can make them either.
Each refusal is an integrity error whose message starts with ``FROZEN_MARK``: SQLite's
``RAISE(ABORT, …)`` (extended code ``SQLITE_CONSTRAINT_TRIGGER``) and, on PostgreSQL, an
exception with SQLSTATE ``GUARD_SQLSTATE`` (``restrict_violation``), so both reach the program as
``peewee.IntegrityError``.

- ``invoice``: a document that is not a draft keeps every column of ``INVOICE_FROZEN`` (its kind,
  number, parties, totals…). The only change left is the documented one: an issued *invoice*
  becomes ``cancelled`` (``cancel_invoice``); a credit note never changes. Its ``version`` may
  move (optimistic concurrency). Such a document is never deleted: a delete would leave a gap in
  the numbering. A draft becomes issued only with the number its counter gave last
  (``next_invoice_number``): no made-up, repeated or skipped number.
- ``invoice_line``: the lines of a document that is not a draft are neither changed, nor moved to
  another document, nor deleted; no line is moved onto such a document.
- ``invoice_counter``: a counter only moves forward, one number at a time, and is never deleted
  nor given another series or year (a counter that went back would give a number twice).
- ``invoice``, ``invoice_line``, ``invoice_counter`` and ``ledger_entry`` on PostgreSQL: a
  statement-level ``BEFORE TRUNCATE`` trigger, since ``TRUNCATE`` fires no row triggers (SQLite
  has no ``TRUNCATE``; its ``DELETE`` without ``WHERE`` fires the row triggers when there are any).
  The ledger's own refusal of ``UPDATE`` and ``DELETE`` (migration 2) is given the same SQLSTATE.

On SQLite, ``INSERT OR REPLACE`` and ``UPDATE OR REPLACE`` delete the rows in their way, and
fire their delete triggers only with ``PRAGMA recursive_triggers`` on: every connection Balcão
opens sets it (``app.store.database.sqlite_pragmas``), so a REPLACE of a frozen row is refused as
its delete would be. (Triggers on INSERT that looked for such a clash would cost a lookup per row
without the indexes, which the benchmark's bulk load drops: its SQLite load went from 7 s to
140 s at 5 % scale.)

Inserting is otherwise left alone: the services insert a credit note already issued, and the
benchmark database is loaded in bulk with its documents already issued (``app.demo.bulk``).

A later migration that adds a column to ``invoice`` or ``invoice_line`` leaves it changeable (a
hand-over status, say) unless it recreates these triggers with the column in the lists. SQLite
drops a table's triggers with the table: a migration that rebuilds a table must recreate them.
"""

from __future__ import annotations

from peewee import Database, SqliteDatabase

from app.store.database import execute_sql

#: Every refusal's message starts with this, on both backends.
FROZEN_MARK = "frozen:"
#: PostgreSQL's SQLSTATE for the refusals (``restrict_violation``: an integrity error); written
#: here, not imported, so that this migration stays as it ran (``app.store.errors`` reads it).
GUARD_SQLSTATE = "23001"

#: The columns of an issued or cancelled document that never change (all but state and version).
INVOICE_FROZEN = (
    "id",
    "kind",
    "series",
    "year",
    "number",
    "customer_id",
    "period_start",
    "period_end",
    "issued_at",
    "issue_date",
    "issued_by_id",
    "corrects_id",
    "correction_reason",
    "customer_name",
    "customer_nif",
    "customer_address",
    "customer_postcode",
    "customer_city",
    "customer_country",
    "supplier_name",
    "supplier_nif",
    "supplier_address",
    "supplier_postcode",
    "supplier_city",
    "supplier_iban",
    "legal_mention",
    "net",
    "vat",
    "gross",
    "created_at",
    "created_by_id",
)

_INVOICE_CHANGED = "an issued document is frozen: correct it with a credit note, never by editing"
_INVOICE_DELETED = "an issued document is never deleted: its number would leave a gap"
_INVOICE_NUMBER = "a document is issued with the next number of its series and year only"
_LINE_CHANGED = "the lines of an issued document are frozen"
_COUNTER_CHANGED = "an invoice counter only moves forward, one number at a time"
_COUNTER_DELETED = "an invoice counter is never deleted"
_TRUNCATED = "this table is never emptied"
_LEDGER = "ledger entries are append-only: record a reversing entry"

_ISSUING = "OLD.state = 'draft' AND NEW.state <> 'draft'"
_COUNTER_OF_NEW = (
    "(SELECT last_number FROM invoice_counter WHERE series = NEW.series AND year = NEW.year)"
)
_COUNTER_MOVED = (
    "NEW.id <> OLD.id OR NEW.series <> OLD.series OR NEW.year <> OLD.year "
    "OR NEW.last_number < OLD.last_number OR NEW.last_number > OLD.last_number + 1"
)


def _message(text: str) -> str:
    return f"{FROZEN_MARK} {text}"


def _invoice_unchanged(distinct: str) -> str:
    """SQL true when every frozen column of the document kept its value."""
    return " AND ".join(f"NOT (NEW.{name} {distinct} OLD.{name})" for name in INVOICE_FROZEN)


def _allowed_state(distinct: str) -> str:
    """SQL true for the state changes a non-draft document may make: none, or issued invoice →
    cancelled."""
    return (
        f"(NOT (NEW.state {distinct} OLD.state) OR (OLD.state = 'issued' "
        "AND OLD.kind = 'invoice' AND NEW.state = 'cancelled'))"
    )


def _parent_state(column: str) -> str:
    return f"(SELECT state FROM invoice WHERE id = {column})"


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_trigger(name: str, when: str, table: str, condition: str, message: str) -> str:
    return (
        f'CREATE TRIGGER "{name}" BEFORE {when} ON "{table}" WHEN {condition} '
        f"BEGIN SELECT RAISE(ABORT, '{_message(message)}'); END"
    )


def _sqlite_statements() -> tuple[str, ...]:
    distinct = "IS NOT"  # SQLite's IS DISTINCT FROM
    return (
        _sqlite_trigger(
            "invoice_frozen_update",
            "UPDATE",
            "invoice",
            f"OLD.state <> 'draft' AND NOT ({_invoice_unchanged(distinct)} "
            f"AND {_allowed_state(distinct)})",
            _INVOICE_CHANGED,
        ),
        _sqlite_trigger(
            "invoice_issue_next_number",
            "UPDATE",
            "invoice",
            f"{_ISSUING} AND NEW.number IS NOT {_COUNTER_OF_NEW}",
            _INVOICE_NUMBER,
        ),
        _sqlite_trigger(
            "invoice_frozen_delete", "DELETE", "invoice", "OLD.state <> 'draft'", _INVOICE_DELETED
        ),
        _sqlite_trigger(
            "invoice_line_frozen_update",
            "UPDATE",
            "invoice_line",
            f"{_parent_state('OLD.invoice_id')} <> 'draft' "
            f"OR {_parent_state('NEW.invoice_id')} <> 'draft'",
            _LINE_CHANGED,
        ),
        _sqlite_trigger(
            "invoice_line_frozen_delete",
            "DELETE",
            "invoice_line",
            f"{_parent_state('OLD.invoice_id')} <> 'draft'",
            _LINE_CHANGED,
        ),
        _sqlite_trigger(
            "invoice_counter_forward_only",
            "UPDATE",
            "invoice_counter",
            _COUNTER_MOVED,
            _COUNTER_CHANGED,
        ),
        _sqlite_trigger(
            "invoice_counter_no_delete", "DELETE", "invoice_counter", "1", _COUNTER_DELETED
        ),
    )


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_raise(message: str) -> str:
    return f"RAISE EXCEPTION '{_message(message)}' USING ERRCODE = '{GUARD_SQLSTATE}';"


def _pg_function(name: str, body: str) -> str:
    return (
        f'CREATE OR REPLACE FUNCTION "{name}"() RETURNS trigger LANGUAGE plpgsql AS $$ '
        f"BEGIN {body} END $$"
    )


def _pg_statements() -> tuple[str, ...]:
    distinct = "IS DISTINCT FROM"
    invoice_update = (
        f"IF OLD.state <> 'draft' AND NOT ({_invoice_unchanged(distinct)} "
        f"AND {_allowed_state(distinct)}) THEN {_pg_raise(_INVOICE_CHANGED)} END IF; "
        f"IF {_ISSUING} AND NEW.number IS DISTINCT FROM {_COUNTER_OF_NEW} "
        f"THEN {_pg_raise(_INVOICE_NUMBER)} END IF; "
        "RETURN NEW;"
    )
    invoice_delete = (
        f"IF OLD.state <> 'draft' THEN {_pg_raise(_INVOICE_DELETED)} END IF; RETURN OLD;"
    )
    line_update = (
        f"IF {_parent_state('OLD.invoice_id')} <> 'draft' "
        f"OR {_parent_state('NEW.invoice_id')} <> 'draft' THEN {_pg_raise(_LINE_CHANGED)} "
        "END IF; RETURN NEW;"
    )
    line_delete = (
        f"IF {_parent_state('OLD.invoice_id')} <> 'draft' THEN {_pg_raise(_LINE_CHANGED)} "
        "END IF; RETURN OLD;"
    )
    counter_update = f"IF {_COUNTER_MOVED} THEN {_pg_raise(_COUNTER_CHANGED)} END IF; RETURN NEW;"
    statements = [
        _pg_function("invoice_refuse_update", invoice_update),
        _pg_function("invoice_refuse_delete", invoice_delete),
        _pg_function("invoice_line_refuse_update", line_update),
        _pg_function("invoice_line_refuse_delete", line_delete),
        _pg_function("invoice_counter_refuse_update", counter_update),
        _pg_function("invoice_counter_refuse_delete", _pg_raise(_COUNTER_DELETED)),
        _pg_function("refuse_truncate", _pg_raise(_TRUNCATED)),
        # Migration 2's ledger guard, now with the same SQLSTATE as the others.
        _pg_function("ledger_entry_refuse_change", _pg_raise(_LEDGER)),
    ]
    row_triggers = (
        ("invoice_frozen_update", "UPDATE", "invoice", "invoice_refuse_update"),
        ("invoice_frozen_delete", "DELETE", "invoice", "invoice_refuse_delete"),
        ("invoice_line_frozen_update", "UPDATE", "invoice_line", "invoice_line_refuse_update"),
        ("invoice_line_frozen_delete", "DELETE", "invoice_line", "invoice_line_refuse_delete"),
        (
            "invoice_counter_forward_only",
            "UPDATE",
            "invoice_counter",
            "invoice_counter_refuse_update",
        ),
        ("invoice_counter_no_delete", "DELETE", "invoice_counter", "invoice_counter_refuse_delete"),
    )
    for name, when, table, function in row_triggers:
        statements.append(
            f'CREATE TRIGGER "{name}" BEFORE {when} ON "{table}" '
            f'FOR EACH ROW EXECUTE FUNCTION "{function}"()'
        )
    for table in TRUNCATE_GUARDED:
        statements.append(
            f'CREATE TRIGGER "{table}_no_truncate" BEFORE TRUNCATE ON "{table}" '
            'FOR EACH STATEMENT EXECUTE FUNCTION "refuse_truncate"()'
        )
    return tuple(statements)


#: The tables PostgreSQL refuses to ``TRUNCATE``.
TRUNCATE_GUARDED = ("invoice", "invoice_line", "invoice_counter", "ledger_entry")


def apply(database: Database) -> None:
    statements = _sqlite_statements() if isinstance(database, SqliteDatabase) else _pg_statements()
    for statement in statements:
        execute_sql(statement, database=database)
