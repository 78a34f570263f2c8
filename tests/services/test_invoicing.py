"""Handing issued documents to the certified invoicing program (P29), against a local
InvoiceXpress (tests/invoicing/fake_invoicexpress.py, API v2 sections named there)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from peewee import Database

from app.clock import ManualClock
from app.invoicing.base import (
    InvoicingError,
    ProgramRefused,
    TotalsMismatch,
    UncertainSend,
)
from app.invoicing.invoicexpress import InvoiceXpress
from app.services import invoices
from app.services.context import Desk
from app.services.errors import InputError, RuleError
from app.services.invoices import DocumentLine
from app.services.invoicing import mapping, push, setup
from app.services.invoicing.cancel import cancel_there
from app.services.invoicing.outbox import run_outbox
from app.services.invoicing.queries import legal_status
from app.store.database import execute_sql
from app.store.legal_models import InvoicingOutbox, LegalDocument, LegalState
from app.store.models import ALL_MODELS, Customer
from tests.invoicing.fake_invoicexpress import API_KEY, PDF, Fake, answer, fake
from tests.keyrings import MemoryKeyring, memory_keyring, no_keyring
from tests.services.b_fixtures import company, customer
from tests.services.conftest import admin, admin_desk, clock, desk, technician
from tests.store.fixtures import database, db_location

__all__ = [
    "admin",
    "admin_desk",
    "clock",
    "company",
    "customer",
    "database",
    "db_location",
    "desk",
    "fake",
    "memory_keyring",
    "no_keyring",
    "technician",
]

ENV = "BALCAO_TEST_INVOICEXPRESS_KEY"


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def configured(
    admin_desk: Desk, fake: Fake, monkeypatch: pytest.MonkeyPatch, company: object
) -> setup.ProgramSettings:
    monkeypatch.setenv(ENV, API_KEY)
    return setup.setup(
        admin_desk,
        provider="invoicexpress",
        account="acme",
        api_key_env=ENV,
        base_url=fake.server.url_for("/").rstrip("/"),
    )


def program(fake: Fake, timeout: float = 5) -> InvoiceXpress:
    return InvoiceXpress(
        "acme",
        lambda: API_KEY,
        base_url=fake.server.url_for("/").rstrip("/"),
        tax_names=setup.DEFAULT_TAX_NAMES,
        timeout=timeout,
        sleep=Sleeps(),
    )


def issued(desk: Desk, customer_id: int, *lines: tuple[str, str]) -> invoices.InvoiceDocument:
    made = invoices.draft_invoice(
        desk, customer_id=customer_id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 1)
    )
    for quantity, price in lines or (("1.25", "40.00"), ("1", "350.00")):
        made = invoices.add_line(
            desk,
            made.id,
            made.version,
            description="Assistência remota",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
        )
    return invoices.issue_invoice(desk, made.id, made.version)


def test_setup_keeps_the_variables_name_never_the_key(
    configured: setup.ProgramSettings, database: Database
) -> None:
    assert configured.api_key_env == ENV
    for model in ALL_MODELS:
        for row in execute_sql(f'SELECT * FROM "{model._meta.table_name}"').fetchall():
            assert API_KEY not in repr(row)
    assert setup.api_key(configured) == API_KEY  # read from the environment at each call


def test_a_key_typed_in_goes_to_the_system_keyring_only(
    admin_desk: Desk, fake: Fake, company: object, memory_keyring: MemoryKeyring
) -> None:
    chosen = setup.setup(admin_desk, provider="invoicexpress", account="acme", api_key=API_KEY)
    assert chosen.key_in_keyring and chosen.api_key_env == ""
    assert memory_keyring.passwords == {("Balcao", "invoicing:invoicexpress:acme"): API_KEY}
    for model in ALL_MODELS:
        for row in execute_sql(f'SELECT * FROM "{model._meta.table_name}"').fetchall():
            assert API_KEY not in repr(row)
    setup.credentials._memory.clear()  # a new process: read back from the keyring
    assert setup.api_key(chosen) == API_KEY


def test_without_a_keyring_a_typed_key_is_refused(
    admin_desk: Desk, company: object, no_keyring: None
) -> None:
    with pytest.raises(InputError, match=r"variável de ambiente|environment variable"):
        setup.setup(admin_desk, provider="invoicexpress", account="acme", api_key=API_KEY)


def test_setup_is_for_administrators(
    desk: Desk, fake: Fake, admin_desk: Desk, company: object
) -> None:
    with pytest.raises(RuleError):
        setup.setup(desk, provider="invoicexpress", account="acme", api_key_env=ENV)
    with pytest.raises(InputError):
        setup.setup(admin_desk, provider="moloni", account="acme", api_key_env=ENV)


def test_p29_push_and_finalize_bring_back_the_legal_number_and_atcud(
    configured: setup.ProgramSettings, desk: Desk, customer: Customer, fake: Fake
) -> None:
    invoice = issued(desk, customer.id)
    status = push.push(desk, invoice.id, finalize=True)
    assert (status.state, status.legal_number, status.atcud) == (
        LegalState.FINALIZED,
        "FT A2026/1",
        "JJ7B9XKQ-1",
    )
    (sent,) = fake.by_reference(invoice.number_text or "")
    assert sent["status"] == "final"
    assert InvoicingOutbox.select().count() == 0
    # Again: already there, nothing sent.
    requests = len(fake.requests)
    assert push.push(desk, invoice.id, finalize=True) == status
    assert len(fake.requests) == requests


def test_p29_a_timeout_after_the_program_made_the_draft_then_a_retry_leaves_one_document(
    configured: setup.ProgramSettings, desk: Desk, customer: Customer, fake: Fake
) -> None:
    invoice = issued(desk, customer.id)
    fake.create_delay = 1.0
    with pytest.raises(UncertainSend):
        push.push(desk, invoice.id, program=program(fake, timeout=0.2))
    assert LegalDocument.get(LegalDocument.invoice == invoice.id).uncertain
    assert InvoicingOutbox.select().count() == 1
    fake.create_delay = 0
    status = push.push(desk, invoice.id, program=program(fake))
    assert status.state is LegalState.DRAFT_SENT
    assert len(fake.by_reference(invoice.number_text or "")) == 1
    assert fake.creates() == 1
    assert InvoicingOutbox.select().count() == 0


def test_p29_a_difference_of_one_cent_is_an_error_and_the_document_stays_a_draft(
    configured: setup.ProgramSettings, desk: Desk, customer: Customer, fake: Fake
) -> None:
    invoice = issued(desk, customer.id)
    fake.vat_skew = Decimal("0.01")
    with pytest.raises(TotalsMismatch) as mismatch:
        push.push(desk, invoice.id, finalize=True)
    (sent,) = fake.by_reference(invoice.number_text or "")
    assert sent["status"] == "draft"
    status = legal_status(invoice.id)
    assert status.state is LegalState.ERROR
    assert status.message == str(mismatch.value)
    assert status.legal_number == ""


def test_p29_a_refusal_is_shown_and_leaves_nothing_there(
    configured: setup.ProgramSettings, desk: Desk, customer: Customer, fake: Fake
) -> None:
    invoice = issued(desk, customer.id)
    fake.faults[("POST", "/invoices.json")] = [
        answer({"errors": [{"error": "Client is invalid"}]}, 422)
    ]
    with pytest.raises(ProgramRefused, match="Client is invalid"):
        push.push(desk, invoice.id)
    assert legal_status(invoice.id).state is LegalState.ERROR
    assert not LegalDocument.get(LegalDocument.invoice == invoice.id).uncertain
    assert fake.documents == {}


def test_p29_sends_that_could_not_be_made_wait_in_the_outbox_with_back_off(
    configured: setup.ProgramSettings,
    desk: Desk,
    customer: Customer,
    fake: Fake,
    clock: ManualClock,
) -> None:
    invoice = issued(desk, customer.id)
    fake.faults[("POST", "/invoices.json")] = [answer({}, 503), answer({}, 503)]
    with pytest.raises(UncertainSend):
        push.push(desk, invoice.id, finalize=True)
    (waiting,) = InvoicingOutbox.select()
    assert (waiting.attempts, waiting.finalize) == (1, True)
    assert waiting.next_attempt_at == clock.now() + push.FIRST_BACKOFF
    assert run_outbox(desk).done == 0  # not due yet
    clock.advance(push.FIRST_BACKOFF)
    assert run_outbox(desk).failed == 1  # the second 503
    clock.advance(push.backoff(2))
    report = run_outbox(desk)
    assert (report.done, report.waiting) == (1, 0)
    assert legal_status(invoice.id).state is LegalState.FINALIZED
    assert len(fake.by_reference(invoice.number_text or "")) == 1


def test_p29_the_legal_pdf_is_fetched_once_and_kept(
    configured: setup.ProgramSettings, desk: Desk, customer: Customer, fake: Fake
) -> None:
    invoice = issued(desk, customer.id)
    with pytest.raises(RuleError):
        push.fetch_legal_pdf(desk, invoice.id)
    push.push(desk, invoice.id, finalize=True)
    fake.pdf_polls_before_ready = 3
    assert push.fetch_legal_pdf(desk, invoice.id, program=program(fake)) == PDF
    assert push.fetch_legal_pdf(desk, invoice.id) == PDF
    assert fake.pdf_polls == 4
    assert legal_status(invoice.id).has_pdf


def test_p29_a_credit_note_goes_against_the_legal_invoice_with_positive_quantities(
    configured: setup.ProgramSettings,
    desk: Desk,
    admin_desk: Desk,
    customer: Customer,
    fake: Fake,
) -> None:
    invoice = issued(desk, customer.id)
    cancelled = invoices.cancel_invoice(admin_desk, invoice.id, invoice.version, reason="Erro")
    note = cancelled.credit_note
    with pytest.raises(InvoicingError):  # the invoice is not finalized there yet
        push.push(desk, note.id)
    push.push(desk, invoice.id, finalize=True)
    push.push(desk, note.id, finalize=True)
    (sent,) = fake.by_reference(note.number_text or "")
    (legal_invoice,) = fake.by_reference(invoice.number_text or "")
    assert sent["kind"] == "credit_note"
    assert str(sent["owner_invoice_id"]) == str(legal_invoice["id"])
    assert [i["quantity"] for i in sent["items"]] == ["1.25", "1"]
    assert legal_status(note.id).state is LegalState.FINALIZED


def test_p29_an_invoice_cancelled_in_balcao_is_cancelled_there_with_the_reason(
    configured: setup.ProgramSettings,
    desk: Desk,
    admin_desk: Desk,
    customer: Customer,
    fake: Fake,
) -> None:
    invoice = issued(desk, customer.id)
    push.push(desk, invoice.id, finalize=True)
    invoices.cancel_invoice(admin_desk, invoice.id, invoice.version, reason="NIF errado")
    report = run_outbox(desk)  # the runner notices the cancellation
    assert report.done == 1
    (there,) = fake.by_reference(invoice.number_text or "")
    assert there["status"] == "canceled"
    assert legal_status(invoice.id).state is LegalState.CANCELLED


def test_p29_where_the_program_refuses_to_cancel_the_user_is_told_to_send_the_credit_note(
    configured: setup.ProgramSettings,
    desk: Desk,
    admin_desk: Desk,
    customer: Customer,
    fake: Fake,
) -> None:
    invoice = issued(desk, customer.id)
    push.push(desk, invoice.id, finalize=True)
    cancelled = invoices.cancel_invoice(admin_desk, invoice.id, invoice.version, reason="Erro")
    fake.faults[("PUT", "/invoices/")] = [
        answer({"errors": [{"error": "Document was already communicated"}]}, 422)
    ]
    with pytest.raises(InvoicingError, match=cancelled.credit_note.number_text or "?"):
        cancel_there(desk, invoice.id)
    assert legal_status(invoice.id).state is LegalState.FINALIZED


def test_p29_a_draft_is_not_sent(
    configured: setup.ProgramSettings, desk: Desk, customer: Customer
) -> None:
    made = invoices.draft_invoice(
        desk, customer_id=customer.id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 1)
    )
    with pytest.raises(RuleError):
        push.push(desk, made.id)


def _line(quantity: Decimal, price: Decimal, minutes: int | None) -> DocumentLine:
    net = (quantity * price).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return DocumentLine(
        id=1,
        position=1,
        description="Assistência",
        service_date=None,
        quantity=quantity,
        minutes=minutes,
        unit_price=price,
        vat_rate=Decimal("0.23"),
        exemption=None,
        net=net,
        pack_id=None,
        pack_month=None,
        session_id=None,
    )


def test_p29_time_in_20_minute_blocks_goes_as_one_unit_at_the_lines_amount() -> None:
    line = _line(Decimal("0.3333"), Decimal("40.00"), 20)
    sent = mapping.legal_line(line, {})
    assert (sent.quantity, sent.unit_price) == (Decimal(1), Decimal("13.33"))
    assert "20" in sent.description


@given(
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(500), places=4),
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal(5000), places=2),
)
def test_p29_each_line_sent_gives_its_amount_to_the_cent(quantity: Decimal, price: Decimal) -> None:
    line = _line(quantity, price, None)
    sent = mapping.legal_line(line, {})
    assert sent.quantity == sent.quantity.quantize(Decimal("0.01"))
    assert (sent.quantity * sent.unit_price).quantize(
        Decimal("0.01"), rounding=ROUND_HALF_UP
    ) == line.net


def test_p29_exemption_reasons_go_as_their_codes() -> None:
    assert mapping.exemption_code("Artigo 53.º do CIVA", {"Artigo 53.º do CIVA": "M10"}) == "M10"
    assert mapping.exemption_code("M07 - Isento artigo 9.º do CIVA", {}) == "M07"
    assert mapping.exemption_code("Isento", {}) is None


def test_backoff_grows_and_is_bounded() -> None:
    assert [push.backoff(n) for n in (1, 2, 3)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
    ]
    assert push.backoff(100) == push.MAX_BACKOFF


def test_testing_the_connection_shows_a_wrong_key(
    configured: setup.ProgramSettings, monkeypatch: pytest.MonkeyPatch
) -> None:
    setup.check_connection()
    monkeypatch.setenv(ENV, "wrong")
    with pytest.raises(ProgramRefused) as refused:
        setup.check_connection()
    assert refused.value.status == 401


def test_a_draft_deleted_there_is_sent_anew(
    configured: setup.ProgramSettings, desk: Desk, customer: Customer, fake: Fake
) -> None:
    invoice = issued(desk, customer.id)
    push.push(desk, invoice.id)
    (first,) = fake.by_reference(invoice.number_text or "")
    first["status"] = "deleted"
    push.push(desk, invoice.id, finalize=True)
    assert [d["status"] for d in fake.by_reference(invoice.number_text or "")] == [
        "deleted",
        "final",
    ]
