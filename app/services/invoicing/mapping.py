"""An issued Balcão document → what the certified program is sent (P29).

The same customer (name, NIF or the final consumer, address), the same lines (description,
quantity, unit price, VAT rate or exemption code), the same date, and Balcão's number as the
reference. Each line's quantity × unit price must give its amount to the cent on both sides: a
quantity that is not exact at the program's precision (a 20-minute block is 0.3333… h) goes as
quantity 1 at the line's amount, with the time written in the description. A credit note's
quantities go positive, as the program expects; it names the program's invoice it corrects.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from app.domain.states import InvoiceKind
from app.i18n import _, format_duration
from app.invoicing.base import Customer, DocumentKind, LegalDraft, Line
from app.services.invoices import DocumentLine, InvoiceDocument

#: Decimal places of a quantity the program keeps (InvoiceXpress: hundredths are safe).
QUANTITY_PLACES = 2
_CENT = Decimal("0.01")


def _exact(line: DocumentLine, quantity: Decimal, price: Decimal, net: Decimal) -> bool:
    sent = quantity.quantize(Decimal(1).scaleb(-QUANTITY_PLACES), rounding=ROUND_HALF_UP)
    return sent == quantity and (sent * price).quantize(_CENT, rounding=ROUND_HALF_UP) == net


def exemption_code(reason: str | None, codes: Mapping[str, str]) -> str | None:
    """The M-code of an exemption reason: the setting's, else a reason that is a code already."""
    if reason is None:
        return None
    text = reason.strip()
    if text in codes:
        return codes[text]
    head = text.split()[0].rstrip(":.,-") if text else ""
    if len(head) == 3 and head[0].upper() == "M" and head[1:].isdigit():
        return head.upper()
    return None


def legal_line(line: DocumentLine, codes: Mapping[str, str]) -> Line:
    quantity, price, net = abs(line.quantity), abs(line.unit_price), abs(line.net)
    description = line.description
    if not _exact(line, quantity, price, net):
        if line.minutes is not None:
            spent = format_duration(timedelta(minutes=line.minutes))
            description = _("{description} ({time})").format(description=description, time=spent)
        else:
            description = _("{description} ({quantity} × {price})").format(
                description=description, quantity=quantity.normalize(), price=price
            )
        quantity, price = Decimal(1), net
    return Line(
        description=description,
        quantity=quantity,
        unit_price=price,
        vat_rate=line.vat_rate,
        exemption=exemption_code(line.exemption, codes) if line.vat_rate == 0 else None,
    )


def legal_draft(
    document: InvoiceDocument,
    *,
    exemption_codes: Mapping[str, str],
    corrects_remote_id: str | None = None,
) -> LegalDraft:
    if document.number_text is None or document.issue_date is None:
        raise ValueError("only a numbered document goes to the certified program")
    customer = document.customer
    kind = (
        DocumentKind.CREDIT_NOTE
        if document.kind is InvoiceKind.CREDIT_NOTE
        else DocumentKind.INVOICE
    )
    return LegalDraft(
        kind=kind,
        reference=document.number_text,
        customer=Customer(
            name=customer.name,
            nif=customer.nif or None,
            address=customer.address,
            postcode=customer.postcode,
            city=customer.city,
            country=customer.country or "PT",
        ),
        lines=tuple(legal_line(line, exemption_codes) for line in document.lines),
        issue_date=document.issue_date,
        net=abs(document.net),
        vat=abs(document.vat),
        gross=abs(document.gross),
        corrects_remote_id=corrects_remote_id,
        correction_reason=document.correction_reason,
    )


def missing_exemption_codes(draft: LegalDraft, document: InvoiceDocument) -> list[str]:
    """The exemption reasons of ``document`` that have no code in the settings."""
    return sorted(
        {
            (line.exemption or "").strip()
            for line, sent in zip(document.lines, draft.lines, strict=True)
            if line.vat_rate == 0 and sent.exemption is None
        }
    )
