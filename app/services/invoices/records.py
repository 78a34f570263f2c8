"""Invoices: the steps the use cases share, a draft's stored lines, totals, the snapshots of
supplier and customer, and the checks before a document is made."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from app.domain.invoice import InvoiceLine, totals
from app.domain.states import InvoiceState
from app.domain.validation import ValidationError, normalize_nif
from app.i18n import _
from app.services import checks
from app.services.errors import InputError, RuleError
from app.services.invoices.types import NUMBER
from app.services.labels import document_number
from app.services.queries import locked_or_missing
from app.store.models import CompanySettings, Customer, Invoice
from app.store.models import InvoiceLine as LineRow


def parse_number(text: str) -> tuple[str, int, int]:
    found = NUMBER.fullmatch(checks.search_text(text))
    if found is None:
        raise InputError(
            _("{text} is not an invoice number; write it as FT 2026/17.").format(text=text.strip()),
            field="number",
        )
    return found[1].upper(), int(found[2]), int(found[3])  # a series is kept upper case


_T = TypeVar("_T")


# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Refs:
    """What a line bills, so that it is billed once."""

    pack_id: int | None = None
    pack_month: date | None = None
    session_id: int | None = None


def missing_invoice(invoice_id: int) -> str:
    return _("The invoice {id} does not exist.").format(id=invoice_id)


def rule(make: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """A domain rule's result; its refusal (a ValueError) reaches the user as a RuleError."""
    try:
        return make(*args, **kwargs)
    except ValueError as error:
        raise RuleError(str(error)) from error


def stored_lines(invoice_id: int) -> list[LineRow]:
    return list(LineRow.select().where(LineRow.invoice == invoice_id).order_by(LineRow.position))


def as_domain(row: LineRow) -> InvoiceLine:
    return InvoiceLine(
        description=row.description,
        quantity=row.quantity,
        unit_price=row.unit_price,
        vat_rate=row.vat_rate,
        exemption=row.exemption,
        service_date=row.service_date,
        minutes=row.minutes,
        credit=row.quantity < 0,
    )


def insert_lines(
    invoice_id: int, lines: Iterable[tuple[InvoiceLine, Refs]], first_position: int = 1
) -> None:
    rows = [
        {
            "invoice": invoice_id,
            "position": position,
            "description": line.description,
            "service_date": line.service_date,
            "quantity": line.quantity,
            "minutes": line.minutes,
            "unit_price": line.unit_price,
            "vat_rate": line.vat_rate,
            "exemption": line.exemption,
            "net": line.net,
            "pack": refs.pack_id,
            "pack_month": refs.pack_month,
            "session": refs.session_id,
        }
        for position, (line, refs) in enumerate(lines, start=first_position)
    ]
    if rows:
        LineRow.insert_many(rows).execute()


def set_totals(invoice: Invoice, lines: Iterable[InvoiceLine]) -> None:
    summed = totals(lines)
    invoice.net, invoice.vat, invoice.gross = summed.net, summed.vat, summed.gross


#: The customer's fields an invoice copies, as ``customer_<name>``.
CUSTOMER_SNAPSHOT = ("name", "nif", "address", "postcode", "city", "country")


def customer_snapshot(customer: Customer) -> dict[str, Any]:
    return {f"customer_{name}": getattr(customer, name) for name in CUSTOMER_SNAPSHOT}


def supplier_snapshot(settings: CompanySettings) -> dict[str, Any]:
    return {
        "supplier_name": settings.name,
        "supplier_nif": settings.nif,
        "supplier_address": settings.address,
        "supplier_postcode": settings.postcode,
        "supplier_city": settings.city,
        "supplier_iban": settings.iban,
        "legal_mention": settings.invoice_legal_mention,
    }


def set_snapshot(invoice: Invoice, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(invoice, name, value)


def check_supplier(settings: CompanySettings) -> None:
    """P21: the supplier's name, NIF and address are on every invoice."""
    if not (settings.name.strip() and settings.nif and settings.address.strip()):
        raise RuleError(
            _(
                "Fill in the company's name, NIF and address in the settings before issuing "
                "invoices."
            )
        )


def check_customer_nif(customer: Customer) -> None:
    """P21: a NIF on an invoice passes its check digit; none means a final consumer."""
    if customer.nif is None:
        return
    try:
        normalize_nif(customer.nif)
    except ValidationError as error:
        raise RuleError(
            _("{customer}: {problem} Correct the customer's record before issuing.").format(
                customer=customer.name, problem=error.message
            )
        ) from error


def draft_for_change(invoice_id: int) -> Invoice:
    """The draft, locked; an issued or cancelled document is frozen (P20)."""
    invoice = locked_or_missing(Invoice, invoice_id, missing_invoice(invoice_id))
    if invoice.state is not InvoiceState.DRAFT:
        raise RuleError(
            _(
                "{number} is issued and frozen: correct it with a credit note, never by editing."
            ).format(number=document_number(invoice.series, invoice.year, invoice.number))
        )
    return invoice


def retotal(invoice: Invoice) -> None:
    set_totals(invoice, [as_domain(row) for row in stored_lines(invoice.id)])
