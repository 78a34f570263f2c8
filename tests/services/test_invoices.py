"""Invoices and credit notes (P20–P22)."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import fields
from datetime import date, timedelta
from decimal import Decimal

import pytest

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import _
from app.services import invoices, packs, sessions
from app.services.context import Desk
from app.services.errors import ConflictError, InputError, NotFoundError, RuleError
from app.services.invoices import NOT_CERTIFIED_NOTICE, InvoiceDocument
from app.store.models import CompanySettings, Customer
from tests.services.b_fixtures import (
    COMPANY_NIF,
    CUSTOMER_NIF,
    company,
    customer,
    lisbon,
    sell_unit,
    timed,
)
from tests.store import factories

__all__ = ["company", "customer"]

Nothing = Callable[[], AbstractContextManager[None]]
MARCH = {"period_start": date(2025, 3, 1), "period_end": date(2025, 3, 31)}


def draft(desk: Desk, customer_id: int, **period: date) -> InvoiceDocument:
    return invoices.draft_invoice(desk, customer_id=customer_id, **(MARCH | period))


def issued(desk: Desk, customer_id: int, price: str = "10.00") -> InvoiceDocument:
    """An invoice with one line typed by hand, issued."""
    made = draft(desk, customer_id, period_start=date(2020, 1, 1), period_end=date(2020, 1, 1))
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Instalação",
        quantity=Decimal(1),
        unit_price=Decimal(price),
    )
    return invoices.issue_invoice(desk, made.id, made.version)


@pytest.fixture
def busy_month(desk: Desk, clock: ManualClock, customer: Customer) -> dict[str, int]:
    """March for the customer: a 30-min unit pack (20 €), a 1-hour monthly pack (50 €/month), a
    session partly paid by them and one out of hours paid by nobody; and sessions that must not
    be invoiced (running, flagged, another customer's, April's)."""
    unit = sell_unit(desk, customer.id, 30, price="20.00")
    monthly = packs.sell_pack(
        desk, customer_id=customer.id, kind=PackKind.MONTHLY, minutes=60, price=Decimal("50.00")
    ).pack.id
    contact = factories.contact(customer, subject="Servidor lento")
    clock.set(lisbon(2025, 3, 10, 17))
    day = sessions.start_session(desk, contact_id=contact.id)
    clock.set(lisbon(2025, 3, 10, 18, 40))  # 60 min inside, 40 out (billed 60)
    day = sessions.stop_session(desk, day.id, day.version)
    clock.set(lisbon(2025, 3, 10, 20))
    night = sessions.start_session(desk, customer_id=customer.id, note="Backups")
    clock.advance(timedelta(minutes=20))
    night = sessions.stop_session(desk, night.id, night.version)
    timed(desk, clock, customer.id, lisbon(2025, 3, 11, 9), 11 * 60)  # flagged
    timed(desk, clock, factories.customer().id, lisbon(2025, 3, 12, 10), 30)
    clock.set(lisbon(2025, 3, 31, 23, 30))
    sessions.start_session(desk, customer_id=customer.id)  # still running
    clock.set(lisbon(2025, 4, 2, 10))
    return {"unit": unit, "monthly": monthly, "day": day.id, "night": night.id}


# --- P20: what a draft lists ---------------------------------------------------------------------


def test_p20_draft_lists_packs_and_uncovered_time(
    desk: Desk, customer: Customer, busy_month: dict[str, int]
) -> None:
    made = draft(desk, customer.id)
    assert made.state is InvoiceState.DRAFT
    assert made.number_text is None
    lines = made.lines
    assert [(line.pack_id, line.pack_month, line.session_id) for line in lines] == [
        (busy_month["unit"], None, None),
        (busy_month["monthly"], date(2025, 3, 1), None),
        (None, None, busy_month["day"]),
        (None, None, busy_month["night"]),
    ]
    assert [(line.quantity, line.unit_price, line.net) for line in lines] == [
        (Decimal(1), Decimal("20.00"), Decimal("20.00")),
        (Decimal(1), Decimal("50.00"), Decimal("50.00")),
        (Decimal("0.5"), Decimal("40.00"), Decimal("20.00")),  # 30 min inside, uncovered
        (Decimal("0.5"), Decimal("60.00"), Decimal("30.00")),  # 30 min outside
    ]
    assert [line.minutes for line in lines] == [None, None, 30, 30]
    assert [line.service_date for line in lines] == [
        date(2025, 3, 10),
        date(2025, 3, 1),
        date(2025, 3, 10),
        date(2025, 3, 10),
    ]
    assert "Servidor lento" in lines[2].description
    assert "Rui" in lines[2].description
    assert "10/03/2025" in lines[2].description
    assert "Backups" in lines[3].description
    assert lines[2].description != lines[3].description.replace("Backups", "Servidor lento")
    assert (made.net, made.vat, made.gross) == (
        Decimal("120.00"),
        Decimal("27.60"),
        Decimal("147.60"),
    )
    assert {line.vat_rate for line in lines} == {Decimal("0.23")}


def test_p20_a_monthly_pack_is_invoiced_per_month_of_the_period(
    desk: Desk, clock: ManualClock, customer: Customer, busy_month: dict[str, int]
) -> None:
    made = draft(desk, customer.id, period_start=date(2025, 3, 15), period_end=date(2025, 5, 31))
    months = [line.pack_month for line in made.lines if line.pack_id == busy_month["monthly"]]
    assert months == [date(2025, 4, 1), date(2025, 5, 1)]  # March began before the period
    assert busy_month["unit"] not in [line.pack_id for line in made.lines]


def test_p20_a_pack_sold_by_mistake_is_not_invoiced(
    desk: Desk, admin_desk: Desk, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 60)
    (purchase,) = packs.ledger(pack_id=unit)
    packs.correct_entry(admin_desk, purchase.id, "vendido por engano")
    assert draft(desk, customer.id).lines == ()


# --- P20: numbering, freezing, credit notes -------------------------------------------------------


def test_p20_invoice_numbers_gapless_per_series_and_year(
    desk: Desk, admin_desk: Desk, clock: ManualClock, customer: Customer, company: CompanySettings
) -> None:
    assert issued(desk, customer.id).number_text == "FT 2025/1"
    second = draft(desk, customer.id, period_start=date(2020, 1, 1), period_end=date(2020, 1, 1))
    second = invoices.add_line(
        desk,
        second.id,
        second.version,
        description="Cabo",
        quantity=Decimal(2),
        unit_price=Decimal("3.50"),
    )
    with pytest.raises(ConflictError):
        invoices.issue_invoice(desk, second.id, second.version - 1)
    assert invoices.issue_invoice(desk, second.id, second.version).number_text == "FT 2025/2"
    first = invoices.invoice_by_number("FT 2025/1")
    cancelled = invoices.cancel_invoice(admin_desk, first.id, first.version, reason="Valor errado")
    assert cancelled.credit_note.number_text == "NC 2025/1"
    assert issued(desk, customer.id).number_text == "FT 2025/3"
    clock.set(lisbon(2026, 1, 2, 10))
    assert issued(desk, customer.id).number_text == "FT 2026/1"
    company.invoice_series = "FTB"
    company.save()
    assert issued(desk, customer.id).number_text == "FTB 2026/1"
    assert [row.number_text for row in invoices.issued_invoices()] == [
        "FT 2025/1",
        "FT 2025/2",
        "FT 2025/3",
        "FT 2026/1",
        "FTB 2026/1",
        "NC 2025/1",
    ]


def test_p20_issued_invoice_frozen(
    desk: Desk,
    clock: ManualClock,
    customer: Customer,
    busy_month: dict[str, int],
    nothing_written: Nothing,
) -> None:
    made = draft(desk, customer.id)
    done = invoices.issue_invoice(desk, made.id, made.version)
    assert (done.state, done.number_text) == (InvoiceState.ISSUED, "FT 2025/1")
    assert done.issue_date == date(2025, 4, 2)
    line = done.lines[0]
    with nothing_written():
        for attempt in (
            lambda: invoices.add_line(
                desk,
                done.id,
                done.version,
                description="x",
                quantity=Decimal(1),
                unit_price=Decimal(1),
            ),
            lambda: invoices.remove_line(desk, done.id, done.version, line.id),
            lambda: invoices.delete_draft(desk, done.id, done.version),
            lambda: invoices.issue_invoice(desk, done.id, done.version),
        ):
            with pytest.raises(RuleError, match="FT 2025/1"):
                attempt()
        day = sessions.session(busy_month["day"])
        assert day.invoice_number == "FT 2025/1"
        with pytest.raises(RuleError, match="FT 2025/1"):
            sessions.edit_session(desk, day.id, day.version, note="depois")
        with pytest.raises(RuleError):
            sessions.discard_session(desk, day.id, day.version)
    assert draft(desk, customer.id).lines == ()  # everything of March is invoiced
    customer.name = "Padaria Central, S.A."
    customer.save()
    assert invoices.invoice(done.id) == done  # the snapshot does not follow the record


def test_p20_credit_note_cancels(
    desk: Desk,
    admin_desk: Desk,
    customer: Customer,
    busy_month: dict[str, int],
    nothing_written: Nothing,
) -> None:
    made = draft(desk, customer.id)
    original = invoices.issue_invoice(desk, made.id, made.version)
    with nothing_written(), pytest.raises(InputError) as refused:
        invoices.cancel_invoice(admin_desk, original.id, original.version, reason=" ")
    assert refused.value.field == "reason"
    result = invoices.cancel_invoice(admin_desk, original.id, original.version, reason="NIF errado")
    note, cancelled = result.credit_note, result.invoice
    assert (note.kind, note.state, note.number_text) == (
        InvoiceKind.CREDIT_NOTE,
        InvoiceState.ISSUED,
        "NC 2025/1",
    )
    assert note.corrects is not None and note.corrects.number == "FT 2025/1"
    assert note.correction_reason == "NIF errado"
    assert [line.quantity for line in note.lines] == [-line.quantity for line in original.lines]
    assert [line.minutes for line in note.lines] == [None, None, -30, -30]
    assert (note.net, note.vat, note.gross) == (-original.net, -original.vat, -original.gross)
    assert note.customer == original.customer
    assert cancelled.state is InvoiceState.CANCELLED
    assert cancelled.number_text == "FT 2025/1"  # keeps its number
    assert cancelled.corrected_by is not None and cancelled.corrected_by.number == "NC 2025/1"
    assert sessions.session(busy_month["day"]).invoice_id is None
    again = draft(desk, customer.id)
    assert len(again.lines) == 4  # the packs and the sessions can be invoiced again
    assert invoices.issue_invoice(desk, again.id, again.version).number_text == "FT 2025/2"
    with nothing_written():
        with pytest.raises(RuleError):
            invoices.cancel_invoice(admin_desk, cancelled.id, cancelled.version, reason="de novo")
        with pytest.raises(RuleError):
            invoices.cancel_invoice(admin_desk, note.id, note.version, reason="anular a nota")
    other = draft(desk, customer.id)
    with pytest.raises(RuleError):
        invoices.cancel_invoice(admin_desk, other.id, other.version, reason="rascunho")


def test_p20_an_item_on_two_drafts_is_invoiced_once(
    desk: Desk, customer: Customer, busy_month: dict[str, int], nothing_written: Nothing
) -> None:
    first, second = draft(desk, customer.id), draft(desk, customer.id)
    invoices.issue_invoice(desk, first.id, first.version)
    with nothing_written(), pytest.raises(RuleError):
        invoices.issue_invoice(desk, second.id, second.version)
    for line in second.lines:
        if line.pack_id != busy_month["monthly"]:
            second = invoices.remove_line(desk, second.id, second.version, line.id)
    with pytest.raises(RuleError, match="FT 2025/1"):  # the monthly pack's March is taken
        invoices.issue_invoice(desk, second.id, second.version)
    assert issued(desk, customer.id).number_text == "FT 2025/2"  # no number was lost


def test_p20_a_draft_whose_session_changed_is_refused(
    desk: Desk, clock: ManualClock, customer: Customer, busy_month: dict[str, int]
) -> None:
    made = draft(desk, customer.id)
    night = sessions.session(busy_month["night"])
    sessions.edit_session(
        desk,
        night.id,
        night.version,
        intervals=[(lisbon(2025, 3, 10, 20), lisbon(2025, 3, 10, 21, 10))],
    )
    with pytest.raises(RuleError, match="10/03/2025"):
        invoices.issue_invoice(desk, made.id, made.version)
    invoices.delete_draft(desk, made.id, made.version)
    remade = draft(desk, customer.id)
    assert remade.lines[-1].minutes == 90
    assert invoices.issue_invoice(desk, remade.id, remade.version).number_text == "FT 2025/1"


# --- P21 ------------------------------------------------------------------------------------------


def test_p21_an_invoice_carries_what_the_vat_code_asks(
    desk: Desk, clock: ManualClock, customer: Customer, company: CompanySettings
) -> None:
    made = draft(desk, customer.id)
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Formação",
        quantity=Decimal("1.5"),
        unit_price=Decimal("0.33"),
        service_date=date(2025, 3, 7),
    )
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Seguro",
        quantity=Decimal(1),
        unit_price=Decimal("12.00"),
        vat_rate=Decimal(0),
        exemption="Artigo 9.º do CIVA",
    )
    customer.name = "Padaria Central, Lda."
    customer.save()
    done = invoices.issue_invoice(desk, made.id, made.version)
    assert [line.net for line in done.lines] == [Decimal("0.50"), Decimal("12.00")]  # half up
    assert [(s.rate, s.base, s.vat, s.exemption) for s in done.by_rate] == [
        (Decimal("0.23"), Decimal("0.50"), Decimal("0.12"), None),
        (Decimal(0), Decimal("12.00"), Decimal("0.00"), "Artigo 9.º do CIVA"),
    ]
    assert (done.net, done.vat, done.gross) == (
        Decimal("12.50"),
        Decimal("0.12"),
        Decimal("12.62"),
    )
    assert done.customer.name == "Padaria Central, Lda."  # refreshed at issue
    assert (done.customer.nif, done.customer.nif_text) == (CUSTOMER_NIF, CUSTOMER_NIF)
    assert (done.customer.address, done.customer.city) == ("Rua Direita, 1", "Coimbra")
    assert (done.supplier.name, done.supplier.nif) == ("Webplug, Lda.", COMPANY_NIF)
    assert done.supplier_iban == "PT50000201231234567890154"
    assert done.legal_mention == "Capital social 5 000 €."
    assert done.issue_date == date(2025, 3, 10)
    assert done.lines[0].service_date == date(2025, 3, 7)
    assert done.issued_by_name == "Rui"
    company.name = "Outra, Lda."
    company.save()
    assert invoices.invoice(done.id).supplier.name == "Webplug, Lda."


def test_p21_a_customer_without_nif_is_a_final_consumer(desk: Desk, company: object) -> None:
    consumer = factories.customer(name="Joana Silva", nif=None)
    done = issued(desk, consumer.id)
    assert done.customer.nif is None
    assert done.customer.nif_text == _("Final consumer")


def test_p21_a_wrong_nif_or_an_incomplete_company_is_refused(
    desk: Desk, company: CompanySettings, nothing_written: Nothing
) -> None:
    wrong = factories.customer(name="NIF trocado", nif="123456780")
    made = draft(desk, wrong.id)
    made = invoices.add_line(
        desk,
        made.id,
        made.version,
        description="Visita",
        quantity=Decimal(1),
        unit_price=Decimal("30.00"),
    )
    with nothing_written(), pytest.raises(RuleError, match="NIF trocado"):
        invoices.issue_invoice(desk, made.id, made.version)
    wrong.nif = "123456789"
    wrong.save()
    company.nif = None
    company.save()
    with nothing_written(), pytest.raises(RuleError):
        invoices.issue_invoice(desk, made.id, made.version)


# --- P22 ------------------------------------------------------------------------------------------


def test_p22_a_document_never_pretends_to_be_certified(desk: Desk, customer: Customer) -> None:
    done = issued(desk, customer.id)
    assert done.notice == _(NOT_CERTIFIED_NOTICE)
    assert done.notice and done.legal_mention  # both printed: the company's text is not enough
    names = {field.name.lower() for field in fields(InvoiceDocument)}
    assert not {name for name in names if "atcud" in name or "qr" in name}


# --- drafts: lines, input, queries ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "field"),
    [
        ({"description": " "}, "description"),
        ({"quantity": Decimal(-1)}, "quantity"),
        ({"quantity": Decimal(0)}, "quantity"),
        ({"quantity": Decimal("0.00001")}, "quantity"),
        ({"unit_price": Decimal("-5.00")}, "unit_price"),
        ({"unit_price": Decimal("5.001")}, "unit_price"),
        ({"vat_rate": Decimal(1)}, "vat_rate"),
        ({"vat_rate": Decimal(0)}, "exemption"),
        ({"exemption": "Artigo 9.º"}, "exemption"),
    ],
)
def test_a_bad_line_is_refused_and_nothing_is_written(
    desk: Desk, customer: Customer, nothing_written: Nothing, line: dict[str, object], field: str
) -> None:
    made = draft(desk, customer.id)
    typed: dict[str, object] = {
        "description": "Visita",
        "quantity": Decimal(1),
        "unit_price": Decimal("30.00"),
    }
    with nothing_written(), pytest.raises(InputError) as refused:
        invoices.add_line(desk, made.id, made.version, **(typed | line))  # type: ignore[arg-type]
    assert refused.value.field == field


def test_removing_a_line_renumbers_and_retotals(desk: Desk, customer: Customer) -> None:
    made = draft(desk, customer.id)
    for price in ("1.00", "2.00", "3.00"):
        made = invoices.add_line(
            desk,
            made.id,
            made.version,
            description=f"Item {price}",
            quantity=Decimal(1),
            unit_price=Decimal(price),
        )
    made = invoices.remove_line(desk, made.id, made.version, made.lines[0].id)
    assert [(line.position, line.unit_price) for line in made.lines] == [
        (1, Decimal("2.00")),
        (2, Decimal("3.00")),
    ]
    assert made.net == Decimal("5.00")
    with pytest.raises(NotFoundError):
        invoices.remove_line(desk, made.id, made.version, 9999)
    deleted = invoices.delete_draft(desk, made.id, made.version)
    with pytest.raises(NotFoundError):
        invoices.invoice(deleted.invoice_id)


def test_an_empty_invoice_and_a_backwards_period_are_refused(
    desk: Desk, customer: Customer, nothing_written: Nothing
) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        draft(desk, customer.id, period_start=date(2025, 3, 31), period_end=date(2025, 3, 1))
    assert refused.value.field == "period_end"
    made = draft(desk, customer.id)
    with nothing_written(), pytest.raises(RuleError):
        invoices.issue_invoice(desk, made.id, made.version)


def test_finding_invoices_by_number_and_listing_them(
    desk: Desk, admin_desk: Desk, customer: Customer, company: object
) -> None:
    first = issued(desk, customer.id, "10.00")
    other = factories.customer(name="Talho Moderno", nif="509442013")
    second = issued(desk, other.id, "20.00")
    kept_draft = draft(desk, customer.id)
    assert invoices.invoice_by_number(" FT 2025/2 ") == second
    # Issue 15: any case, the spaces optional.
    for typed in ("ft 2025/2", "Ft2025/2", "FT 2025 / 2", "ft  2025/ 2"):
        assert invoices.invoice_by_number(typed) == second, typed
    with pytest.raises(NotFoundError):
        invoices.invoice_by_number("FT 2025/9")
    with pytest.raises(InputError) as refused:
        invoices.invoice_by_number("2025-2")
    assert refused.value.field == "number"
    assert [r.id for r in invoices.invoices()] == [kept_draft.id, second.id, first.id]
    assert [r.id for r in invoices.invoices(customer_id=other.id)] == [second.id]
    assert [r.id for r in invoices.invoices(state=InvoiceState.DRAFT)] == [kept_draft.id]
    assert [r.id for r in invoices.invoices(year=2025)] == [second.id, first.id]
    # Page by page, with the count from one aggregate query (capped where asked).
    assert [r.id for r in invoices.invoices(limit=2, offset=1)] == [second.id, first.id]
    assert [r.id for r in invoices.invoices(limit=2, offset=2)] == [first.id]
    assert invoices.count_invoices() == 3
    assert invoices.count_invoices(at_most=2) == 2
    assert invoices.count_invoices(year=2025) == 2
    assert invoices.count_invoices(state=InvoiceState.DRAFT) == 1
    row = invoices.invoices(customer_id=other.id)[0]
    assert (row.number_text, row.customer_name, row.customer_nif, row.gross) == (
        "FT 2025/2",
        "Talho Moderno",
        "509442013",
        Decimal("24.60"),
    )
    note = invoices.cancel_invoice(
        admin_desk, first.id, first.version, reason="duplicada"
    ).credit_note
    (note_row,) = invoices.invoices(kind=InvoiceKind.CREDIT_NOTE)
    assert (note_row.id, note_row.corrects_number) == (note.id, "FT 2025/1")


def test_the_list_is_limited_newest_first_and_searched_in_the_database(
    desk: Desk, customer: Customer, company: object
) -> None:
    first = issued(desk, customer.id, "10.00")  # FT 2025/1, 12,30 € with VAT
    other = factories.customer(name="Talho Moderno", nif="509442013")
    second = issued(desk, other.id, "20.00")  # FT 2025/2, 24,60 €
    kept_draft = draft(desk, customer.id)
    assert [r.id for r in invoices.invoices(limit=2)] == [kept_draft.id, second.id]

    def found(text: str) -> list[int]:
        return [r.id for r in invoices.invoices(search=text)]

    assert found("FT 2025/2") == found("2025/2") == found(" ft 2025/2 ") == [second.id]
    assert found("2025/") == [second.id, first.id]  # a number partly typed
    assert found("NC 2025/2") == []  # another series
    assert found("talho") == [second.id]
    assert found("Padaria") == [kept_draft.id, first.id]
    assert found("24,60") == found("24,60 €") == [second.id]  # the total
    assert found("10") == [first.id]  # the net
    assert found("nada disto") == []
    assert invoices.invoices(search="2025/1", state=InvoiceState.DRAFT) == ()
    assert invoices.invoice_years() == (2025,)
    assert invoices.invoice_row(second.id) == invoices.invoices(customer_id=other.id)[0]
    with pytest.raises(NotFoundError):
        invoices.invoice_row(second.id + 100)


def test_pages_read_the_drafts_then_the_numbered_newest_first_and_years_with_a_gap(
    desk: Desk, customer: Customer, company: object, clock: ManualClock
) -> None:
    at_start = clock.now()
    clock.set(at_start.replace(year=2023))
    old = issued(desk, customer.id)  # FT 2023/1
    clock.set(at_start)
    numbered = [issued(desk, customer.id) for _n in range(3)]  # FT 2025/1…3, one instant
    drafts = [draft(desk, customer.id) for _n in range(2)]
    whole = [row.id for row in invoices.invoices()]
    # The drafts (the latest made first), then by the instant issued, then by number.
    assert whole == [drafts[1].id, drafts[0].id, *[d.id for d in reversed(numbered)], old.id]
    for limit in (1, 2, 3, 4):
        pages = [
            row.id
            for offset in range(0, len(whole), limit)
            for row in invoices.invoices(limit=limit, offset=offset)
        ]
        assert pages == whole  # each page where the last one ended, across the drafts' end
    assert invoices.invoice_years() == (2025, 2023)  # 2024 had none
