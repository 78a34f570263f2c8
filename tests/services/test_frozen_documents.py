"""P20, P16a: what must not change is frozen by the database itself (migration 6).

Issued documents are made through the services, then attacked with raw SQL and with the models'
bulk ``update``/``delete``: every attempt is refused by a trigger and nothing changes. The
services' own changes (edit and delete a draft, issue, cancel) still work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import peewee
import pytest
from peewee import Database

from app.services import invoices
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.store import migration_0006
from app.store.database import execute_sql, write_transaction
from app.store.errors import GUARD_SQLSTATE, refused_by_guard
from app.store.models import Customer, Invoice, InvoiceCounter, InvoiceLine, LedgerEntry
from tests.services.b_fixtures import company, customer
from tests.store import factories
from tests.store.fixtures import on_postgres

__all__ = ["company", "customer"]

PERIOD = {"period_start": date(2020, 1, 1), "period_end": date(2020, 1, 1)}
FROZEN_TABLES = ("invoice", "invoice_line", "invoice_counter", "ledger_entry")


@dataclass(frozen=True)
class Documents:
    issued: int  # an issued invoice
    cancelled: int  # an invoice cancelled by …
    credit_note: int  # … this credit note
    draft: int  # a draft with one line


def _draft_with_line(desk: Desk, customer_id: int, price: str) -> invoices.InvoiceDocument:
    made = invoices.draft_invoice(desk, customer_id=customer_id, **PERIOD)
    return invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Instalação",
        quantity=Decimal(1),
        unit_price=Decimal(price),
    )


@pytest.fixture
def documents(desk: Desk, admin_desk: Desk, customer: Customer) -> Documents:
    first = _draft_with_line(desk, customer.id, "10.00")
    first = invoices.issue_invoice(desk, first.id, first.version)
    second = _draft_with_line(desk, customer.id, "25.00")
    second = invoices.issue_invoice(desk, second.id, second.version)
    done = invoices.cancel_invoice(admin_desk, first.id, first.version, reason="NIF errado")
    draft = _draft_with_line(desk, customer.id, "7.00")
    return Documents(second.id, first.id, done.credit_note.id, draft.id)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the frozen tables, as stored."""
    return {
        table: [tuple(row) for row in execute_sql(f'SELECT * FROM "{table}" ORDER BY id')]
        for table in FROZEN_TABLES
    }


def refused(statement: str | Any, params: tuple[Any, ...] = ()) -> None:
    """Runs a raw statement (or a peewee query) and checks the database refused it, changing
    nothing."""
    before = snapshot()
    with pytest.raises(peewee.IntegrityError) as caught, write_transaction():
        if isinstance(statement, str):
            execute_sql(statement.replace("?", _param()), params)
        else:
            statement.execute()
    assert refused_by_guard(caught.value)
    assert snapshot() == before


def _param() -> str:
    return str(Invoice._meta.database.param)


def stored(model: type[peewee.Model], column: str, value: Any) -> Any:
    """``value`` as ``column`` of ``model`` stores it on this backend."""
    field = next(f for f in model._meta.sorted_fields if f.column_name == column)
    return field.db_value(value)


# --- invoices -------------------------------------------------------------------------------------


def test_p20_every_column_but_state_and_version_is_listed_as_frozen(database: Database) -> None:
    columns = {field.column_name for field in Invoice._meta.sorted_fields}
    assert set(migration_0006.INVOICE_FROZEN) == columns - {"state", "version"}
    assert GUARD_SQLSTATE == migration_0006.GUARD_SQLSTATE


def _other_value(column: str, document: int, documents: Documents, someone: int) -> Any:
    """A value of ``column`` that differs from the document's."""
    row = Invoice.get_by_id(document)
    at = datetime(2031, 1, 2, 3, 4, tzinfo=UTC)
    changed: dict[str, Any] = {
        "id": 9999,
        "kind": "invoice" if row.kind == "credit_note" else "credit_note",
        "series": "ZZ",
        "year": 1999,
        "number": 999,
        "customer_id": factories.customer().id,
        "period_start": date(2031, 1, 1),
        "period_end": date(2031, 1, 2),
        "issued_at": at,
        "issue_date": date(2031, 1, 2),
        "issued_by_id": someone,
        "corrects_id": documents.issued if row.corrects_id else documents.cancelled,
        "customer_nif": "999999990",
        "supplier_nif": "999999990",
        "customer_country": "ES",
        "net": Decimal("0.01"),
        "vat": Decimal("0.01"),
        "gross": Decimal("0.01"),
        "created_at": at,
        "created_by_id": someone,
    }
    return stored(Invoice, column, changed.get(column, "mudado"))


@pytest.mark.parametrize("column", migration_0006.INVOICE_FROZEN)
def test_p20_no_column_of_an_issued_invoice_changes(column: str, documents: Documents) -> None:
    someone = factories.technician(name="Outro").id
    for document in (documents.issued, documents.cancelled, documents.credit_note):
        value = _other_value(column, document, documents, someone)
        refused(f'UPDATE invoice SET "{column}" = ? WHERE id = ?', (value, document))


@pytest.mark.parametrize(
    ("document", "state"),
    [
        ("issued", "draft"),
        ("cancelled", "issued"),
        ("cancelled", "draft"),
        ("credit_note", "cancelled"),
        ("credit_note", "draft"),
    ],
)
def test_p20_an_issued_document_only_goes_from_issued_to_cancelled(
    documents: Documents, document: str, state: str
) -> None:
    refused("UPDATE invoice SET state = ? WHERE id = ?", (state, getattr(documents, document)))


def test_p20_the_models_bulk_update_is_refused_too(documents: Documents) -> None:
    refused(Invoice.update(net=Decimal(0)).where(Invoice.id == documents.issued))
    refused(Invoice.update(customer_name="Outro").where(Invoice.state != "draft"))


def test_p20_cancelling_by_hand_keeps_the_rest_of_the_invoice(documents: Documents) -> None:
    """Even the one allowed change may not carry another with it."""
    refused(
        "UPDATE invoice SET state = 'cancelled', net = net + 1 WHERE id = ?", (documents.issued,)
    )


@pytest.mark.parametrize("document", ["issued", "cancelled", "credit_note"])
def test_p20_an_issued_document_is_never_deleted(documents: Documents, document: str) -> None:
    refused("DELETE FROM invoice WHERE id = ?", (getattr(documents, document),))


def test_p20_a_delete_of_every_invoice_is_refused_whole(documents: Documents) -> None:
    refused("DELETE FROM invoice")
    refused(Invoice.delete().where(Invoice.id == documents.issued))


def test_p20_a_draft_is_issued_only_with_its_counters_next_number(documents: Documents) -> None:
    last = InvoiceCounter.get(series="FT", year=2025).last_number
    for number in (last + 5, 1):
        refused(
            "UPDATE invoice SET state = 'issued', year = 2025, number = ? WHERE id = ?",
            (number, documents.draft),
        )


# --- lines ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("document", ["issued", "cancelled", "credit_note"])
def test_p20_the_lines_of_an_issued_document_are_frozen(
    documents: Documents, document: str
) -> None:
    invoice_id = getattr(documents, document)
    refused("UPDATE invoice_line SET description = 'mudado' WHERE invoice_id = ?", (invoice_id,))
    refused("UPDATE invoice_line SET net = 0 WHERE invoice_id = ?", (invoice_id,))
    refused(
        "UPDATE invoice_line SET invoice_id = ? WHERE invoice_id = ?",
        (documents.draft, invoice_id),
    )
    refused("DELETE FROM invoice_line WHERE invoice_id = ?", (invoice_id,))
    refused(InvoiceLine.delete().where(InvoiceLine.invoice == invoice_id))


def test_p20_no_line_is_moved_onto_an_issued_invoice(documents: Documents) -> None:
    refused(
        "UPDATE invoice_line SET invoice_id = ?, position = 99 WHERE invoice_id = ?",
        (documents.issued, documents.draft),
    )


# --- counters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        "last_number = last_number - 1",
        "last_number = 0",
        "last_number = last_number + 2",
        "year = year + 1",
        "series = 'XX'",
    ],
)
def test_p20_an_invoice_counter_never_goes_back(documents: Documents, change: str) -> None:
    refused(f"UPDATE invoice_counter SET {change}")


def test_p20_an_invoice_counter_is_never_deleted(documents: Documents) -> None:
    refused("DELETE FROM invoice_counter WHERE series = 'FT'")


def test_p20_an_upsert_cannot_reset_an_invoice_counter(documents: Documents) -> None:
    refused(
        "INSERT INTO invoice_counter (series, year, last_number) VALUES ('FT', 2025, 0) "
        "ON CONFLICT (series, year) DO UPDATE SET last_number = 0"
    )


# --- emptying a table -----------------------------------------------------------------------------


@pytest.mark.skipif(not on_postgres(), reason="TRUNCATE is PostgreSQL's")
@pytest.mark.parametrize(
    "statement",
    [*(f'TRUNCATE "{table}" CASCADE' for table in FROZEN_TABLES), "TRUNCATE customer CASCADE"],
)
def test_p16a_p20_truncate_is_refused(documents: Documents, statement: str) -> None:
    factories.ledger_entry(factories.pack(Customer.get()))
    refused(statement)
    assert LedgerEntry.select().count() == 1


# --- what the services do still works ------------------------------------------------------------


def test_p20_the_services_changes_pass_the_guards(
    desk: Desk, admin_desk: Desk, customer: Customer, documents: Documents
) -> None:
    draft = invoices.invoice(documents.draft)
    edited = invoices.add_line(
        desk,
        draft.id,
        draft.version,
        description="Deslocação",
        quantity=Decimal(2),
        unit_price=Decimal("15.00"),
    )
    edited = invoices.remove_line(desk, edited.id, edited.version, edited.lines[0].id)
    issued = invoices.issue_invoice(desk, edited.id, edited.version)
    assert issued.number_text == "FT 2025/3"
    done = invoices.cancel_invoice(admin_desk, issued.id, issued.version, reason="Duplicada")
    assert done.credit_note.number_text == "NC 2025/2"
    other = _draft_with_line(desk, customer.id, "1.00")
    invoices.delete_draft(desk, other.id, other.version)
    assert not Invoice.select().where(Invoice.id == other.id).exists()
    assert [row.last_number for row in InvoiceCounter.select().order_by(InvoiceCounter.id)] == [
        3,
        2,
    ]


def test_p20_a_refusal_by_the_database_reaches_a_use_case_as_a_rule(
    documents: Documents,
) -> None:
    with pytest.raises(RuleError, match="congelado"), use_case():
        Invoice.update(net=Decimal(0)).where(Invoice.id == documents.issued).execute()
    assert invoices.invoice(documents.issued).net == Decimal("25.00")


# --- SQLite's REPLACE: its deletes fire the delete triggers (recursive_triggers) ------------------


@pytest.mark.skipif(on_postgres(), reason="REPLACE is SQLite's")
def test_p20_replace_cannot_delete_an_issued_document(documents: Documents) -> None:
    columns = ", ".join(f'"{name}"' for name in migration_0006.INVOICE_FROZEN if name != "id")
    refused(
        f"INSERT OR REPLACE INTO invoice (id, version, state, {columns}) "
        f"SELECT id, 1, 'draft', {columns} FROM invoice WHERE id = ?",
        (documents.issued,),
    )
    refused(
        "UPDATE OR REPLACE invoice SET (series, year, number) = "
        "(SELECT series, year, number FROM invoice WHERE id = ?) WHERE id = ?",
        (documents.issued, documents.draft),
    )


@pytest.mark.skipif(on_postgres(), reason="REPLACE is SQLite's")
def test_p20_replace_cannot_delete_a_line_of_an_issued_document(documents: Documents) -> None:
    refused(
        "INSERT OR REPLACE INTO invoice_line (invoice_id, position, description, quantity,"
        " unit_price, vat_rate, net) VALUES (?, 1, 'outra', 1, 0, 0, 0)",
        (documents.issued,),
    )
    refused(
        "UPDATE OR REPLACE invoice_line SET invoice_id = ?, position = 1 WHERE invoice_id = ?",
        (documents.issued, documents.draft),
    )


@pytest.mark.skipif(on_postgres(), reason="REPLACE is SQLite's")
def test_p16a_replace_cannot_delete_a_ledger_entry(documents: Documents) -> None:
    factories.ledger_entry(factories.pack(Customer.get()))
    refused(
        "INSERT OR REPLACE INTO ledger_entry (id, customer_id, pack_id, kind, minutes, outside,"
        " reason, created_at) SELECT id, customer_id, pack_id, kind, 1, outside, reason,"
        " created_at FROM ledger_entry"
    )


@pytest.mark.skipif(on_postgres(), reason="REPLACE is SQLite's")
def test_p20_replace_cannot_reset_an_invoice_counter(documents: Documents) -> None:
    refused(
        "INSERT OR REPLACE INTO invoice_counter (series, year, last_number) VALUES ('FT', 2025, 0)"
    )
