"""What the database itself guarantees about the records, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from peewee import Database, IntegrityError

from app.domain.contract import ContractTerms
from app.domain.packs import PackKind
from app.domain.states import InvoiceKind, InvoiceState, SessionState
from app.store.database import write_transaction
from app.store.models import (
    CompanySettings,
    CompensationGrant,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Invoice,
    InvoiceLine,
    SessionInterval,
)
from tests.store import factories

AT = factories.AT


def refused(action: object) -> None:
    """The database refuses ``action`` (a callable) and the transaction stays usable."""
    assert callable(action)
    with pytest.raises(IntegrityError), write_transaction():
        action()


def test_p9_an_email_belongs_to_one_customer_only(database: Database) -> None:
    loja, outra = factories.customer(), factories.customer()
    CustomerEmail.create(customer=loja, email="geral@loja.pt")
    refused(lambda: CustomerEmail.create(customer=outra, email="geral@loja.pt"))
    refused(lambda: CustomerEmail.create(customer=loja, email="geral@loja.pt"))
    CustomerEmail.create(customer=outra, email="geral@outra.pt")
    assert CustomerEmail.get(email="geral@loja.pt").customer_id == loja.id


def test_p9_a_phone_belongs_to_one_customer_only(database: Database) -> None:
    loja, outra = factories.customer(), factories.customer()
    CustomerPhone.create(customer=loja, number="+351912345678")
    refused(lambda: CustomerPhone.create(customer=outra, number="+351912345678"))
    assert [p.number for p in loja.phones] == ["+351912345678"]


def test_a_customers_emails_and_phones_go_with_the_customer(database: Database) -> None:
    loja = factories.customer()
    CustomerEmail.create(customer=loja, email="geral@loja.pt")
    CustomerPhone.create(customer=loja, number="+351212345678")
    loja.delete_instance()
    assert CustomerEmail.select().count() == CustomerPhone.select().count() == 0


def test_a_customer_with_history_cannot_be_deleted(database: Database) -> None:
    loja = factories.customer()
    factories.contact(loja)
    refused(lambda: Customer.delete().where(Customer.id == loja.id).execute())


def test_nif_is_unique_when_present_and_never_empty(database: Database) -> None:
    factories.customer(nif="501234567")
    refused(lambda: factories.customer(nif="501234567"))
    factories.customer(nif=None)
    factories.customer(nif=None)  # many customers without a NIF
    refused(lambda: factories.customer(nif=""))
    assert Customer.select().where(Customer.nif.is_null()).count() == 2


def test_a_technician_runs_one_session_at_a_time(database: Database) -> None:
    ana, bruno = factories.technician(), factories.technician()
    loja = factories.customer()
    first = factories.session(loja, by=ana)
    refused(lambda: factories.session(loja, by=ana))
    factories.session(loja, by=bruno)  # another technician may
    first.state = SessionState.PAUSED
    first.save()
    factories.session(loja, by=ana)  # once the first is paused
    factories.session(loja, by=ana, state=SessionState.PAUSED)  # paused ones are not limited
    assert ana.sessions.count() == 3


def test_a_session_has_one_open_interval_at_a_time(database: Database) -> None:
    running = factories.session(factories.customer(), by=factories.technician())
    first = SessionInterval.create(session=running, started_at=AT)
    refused(lambda: SessionInterval.create(session=running, started_at=AT + timedelta(minutes=1)))
    first.ended_at = AT + timedelta(minutes=5)
    first.save()
    SessionInterval.create(session=running, started_at=AT + timedelta(minutes=10))
    assert running.intervals.count() == 2


def test_a_session_takes_its_intervals_with_it(database: Database) -> None:
    discarded = factories.session(factories.customer(), by=factories.technician())
    SessionInterval.create(session=discarded, started_at=AT, ended_at=AT + timedelta(minutes=3))
    discarded.delete_instance()
    assert SessionInterval.select().count() == 0


def test_p20_an_invoice_number_is_given_once_per_series_and_year(database: Database) -> None:
    loja = factories.customer()

    def issued(series: str, year: int, number: int) -> Invoice:
        return Invoice.create(
            customer=loja,
            series=series,
            year=year,
            number=number,
            state=InvoiceState.ISSUED,
            created_at=AT,
        )

    issued("FT", 2025, 1)
    refused(lambda: issued("FT", 2025, 1))
    issued("FT", 2026, 1)
    issued("NC", 2025, 1)
    Invoice.create(customer=loja, series="FT", created_at=AT)  # drafts have no number
    Invoice.create(customer=loja, series="FT", created_at=AT)
    assert Invoice.select().where(Invoice.state == InvoiceState.DRAFT).count() == 2


def test_p20_an_issued_invoice_has_a_number(database: Database) -> None:
    loja = factories.customer()
    refused(
        lambda: Invoice.create(customer=loja, series="FT", state=InvoiceState.ISSUED, created_at=AT)
    )


def test_a_credit_note_points_at_the_invoice_it_corrects(database: Database) -> None:
    loja = factories.customer()
    original = Invoice.create(
        customer=loja, series="FT", year=2025, number=7, state=InvoiceState.ISSUED, created_at=AT
    )
    note = Invoice.create(
        customer=loja,
        kind=InvoiceKind.CREDIT_NOTE,
        series="NC",
        corrects=original,
        correction_reason="Horas faturadas em duplicado",
        created_at=AT,
    )
    assert [n.id for n in original.corrections] == [note.id]
    assert Invoice.get_by_id(note.id).kind is InvoiceKind.CREDIT_NOTE


def test_invoice_lines_are_ordered_and_go_with_their_draft(database: Database) -> None:
    loja = factories.customer()
    draft = Invoice.create(customer=loja, series="FT", created_at=AT)

    def line(position: int) -> InvoiceLine:
        return InvoiceLine.create(
            invoice=draft,
            position=position,
            description="Suporte fora dos packs",
            quantity=Decimal("1.25"),
            minutes=75,
            unit_price=Decimal("40.00"),
            vat_rate=Decimal("0.23"),
            net=Decimal("50.00"),
        )

    line(1)
    refused(lambda: line(1))
    line(2)
    assert [ln.position for ln in draft.lines.order_by(InvoiceLine.position)] == [1, 2]
    assert InvoiceLine.get(position=1).quantity == Decimal("1.25")
    draft.delete_instance()
    assert InvoiceLine.select().count() == 0


def test_p17_a_contact_is_compensated_once(database: Database) -> None:
    loja = factories.customer()
    late = factories.contact(loja)

    def grant() -> CompensationGrant:
        free = factories.pack(
            loja, kind=PackKind.FREE, minutes=60, price=Decimal("0.00"), valid_until=None
        )
        entry = factories.ledger_entry(free, kind="compensation", contact=late)
        return CompensationGrant.create(
            contact=late, customer=loja, hours=1, granted_at=AT, pack=free, entry=entry
        )

    grant()
    refused(grant)
    assert CompensationGrant.select().count() == 1


def test_company_settings_are_a_single_row(database: Database) -> None:
    refused(lambda: CompanySettings.create(id=2))
    assert CompanySettings.select().count() == 1
    assert CompanySettings.current().id == 1


def test_p18_contract_overrides_become_contract_terms(database: Database) -> None:
    plain = factories.customer()
    assert plain.contract_terms() == ContractTerms()
    special = factories.customer(
        next_business_days=2,
        business_response_minutes=120,
        urgent_response_minutes=10,
        compensation_hours=3,
        inside_block_minutes=10,
        outside_block_minutes=60,
        rate_inside=Decimal("35.00"),
        rate_outside=Decimal("52.50"),
    )
    assert Customer.get_by_id(special.id).contract_terms() == ContractTerms(
        next_business_days=2,
        business_response=timedelta(hours=2),
        urgent_response=timedelta(minutes=10),
        compensation_hours=3,
        inside_block=timedelta(minutes=10),
        outside_block=timedelta(hours=1),
        rate_inside=Decimal("35.00"),
        rate_outside=Decimal("52.50"),
    )


def test_p19_a_contact_keeps_its_terms_when_the_customer_changes(database: Database) -> None:
    loja = factories.customer(plan="standard")
    recorded = factories.contact(loja, plan_at_receipt="standard", compensation_hours=1)
    loja.plan = "priority_24_7"
    loja.save()
    kept = type(recorded).get_by_id(recorded.id)
    assert (kept.plan_at_receipt, kept.compensation_hours) == ("standard", 1)
    assert kept.deadline == recorded.deadline


def test_a_monthly_pack_keeps_its_months(database: Database) -> None:
    loja = factories.customer()
    monthly = factories.pack(
        loja,
        kind=PackKind.MONTHLY,
        minutes=300,
        price=Decimal("150.00"),
        starts_on=date(2025, 1, 1),
        valid_until=None,
        last_month=date(2025, 12, 1),
    )
    read = type(monthly).get_by_id(monthly.id)
    assert (read.kind, read.starts_on, read.last_month) == (
        PackKind.MONTHLY,
        date(2025, 1, 1),
        date(2025, 12, 1),
    )
