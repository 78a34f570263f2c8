"""The PDF of an invoice or a credit note (P20–P22), in Portuguese.

It carries what CIVA art. 36.º n.º 5 asks of an invoice (P21): both parties' names, addresses
and NIFs ("Consumidor final" without one), the number in its series, the dates of issue and of
the services, each service's description, quantity, unit price and net amount, the VAT per rate
(or the exemption reason) and the totals — and, on every page, the notice that this program is
not certified (P22): no ATCUD, no QR code, ever.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import (
    _,
    format_date,
    format_decimal,
    format_minutes_as_hours,
    format_money,
    format_percent,
)
from app.services.invoices import InvoiceDocument, Party
from app.services.invoicing.queries import LegalStatus
from ui.pdf.common import (
    Letterhead,
    PageParts,
    address_lines,
    field,
    grouped_iban,
    lines_of,
    money,
    render_pdf,
    rows_html,
    text,
)

_NUM = "align='right' nowrap"
_DATE = "nowrap"


def _quantity(quantity: Decimal, minutes: int | None) -> str:
    """Hours and minutes for billed time (``1 h 30 min``), a plain number for the rest."""
    if minutes is None:
        return format_decimal(quantity, digits=4)
    sign = "-" if minutes < 0 else ""
    return sign + format_minutes_as_hours(abs(minutes))


@dataclass(frozen=True)
class _PriceKey:
    amount: Decimal
    hourly: bool


def _unit_price(price: _PriceKey) -> str:
    """A time line's price is per hour: ``40,00 €/h``."""
    shown = format_money(price.amount)
    return _("{price}/h").format(price=shown) if price.hourly else shown


def _party_html(caption: str, party: Party) -> str:
    lines = lines_of(*address_lines(party.address, party.postcode, party.city, party.country))
    nif = text(_("NIF: {nif}").format(nif=party.nif_text))
    return (
        f"<p class='caption'>{text(caption)}</p>"
        f"<p class='big'>{text(party.name)}</p>"
        f"<p>{lines}</p>"
        f"<p>{nif}</p>"
    )


def _legal_fact(legal: LegalStatus | None) -> list[tuple[str, str]]:
    """P29: once finalized in the certified program, the legal document this one corresponds to
    (its number exactly as that program writes it, and its ATCUD). This PDF stays what it is:
    Balcão's record, with the notice that its program is not certified (P22)."""
    if legal is None or not legal.legal_number:
        return []
    named = _("{number} (ATCUD {atcud}), issued by the certified invoicing program").format(
        number=legal.legal_number, atcud=legal.atcud or "—"
    )
    return [(_("Legal document"), named)]


def _references_html(document: InvoiceDocument, legal: LegalStatus | None = None) -> str:
    """The period of the services, the documents this one corrects or is corrected by, and the
    legal document it corresponds to."""
    facts: list[tuple[str, str]] = _legal_fact(legal)
    period = document.services_period
    if period is not None:
        start, end = (format_date(day) for day in period)
        shown = start if start == end else _("{start} to {end}").format(start=start, end=end)
        facts.append((_("Period of the services"), shown))
    if document.corrects is not None:
        corrected = _("invoice {number} of {date}").format(
            number=document.corrects.number or "—",
            date=format_date(document.corrects.issue_date) if document.corrects.issue_date else "—",
        )
        facts.append((_("Corrects"), corrected))
        if document.correction_reason:
            facts.append((_("Reason"), document.correction_reason))
    if document.state is InvoiceState.CANCELLED and document.corrected_by is not None:
        facts.append(
            (
                _("Cancelled by"),
                _("credit note {number} of {date}").format(
                    number=document.corrected_by.number or "—",
                    date=format_date(document.corrected_by.issue_date)
                    if document.corrected_by.issue_date
                    else "—",
                ),
            )
        )
    if document.state is InvoiceState.DRAFT:
        facts.append((_("Draft"), _("not numbered: this is not a valid document")))
    return "".join(
        f"<p><span class='caption'>{text(caption)}</span><br>{text(value)}</p>"
        f"<p class='small'>&nbsp;</p>"
        for caption, value in facts
    )


def _lines_html(document: InvoiceDocument) -> str:
    columns = (
        ("align='left' width='12%'", _("Date")),
        ("align='left' width='41%'", _("Description")),
        (f"{_NUM} width='12%'", _("Quantity")),
        (f"{_NUM} width='13%'", _("Unit price")),
        (f"{_NUM} width='7%'", _("VAT")),
        (f"{_NUM} width='15%'", _("Net amount")),
    )
    cells = "".join(f"<th {attributes}>{text(title)}</th>" for attributes, title in columns)
    header = f"<thead><tr>{cells}</tr></thead>"
    # Babel takes a tenth of a millisecond per value, and a long invoice repeats its dates,
    # prices and rates: each distinct value is formatted once per document.
    date_text = cache(lambda day: text(format_date(day)))
    price_text = cache(lambda line: text(_unit_price(line)))
    rate_text = cache(lambda rate: text(format_percent(rate)))
    money_text = cache(money)
    quantity_text = cache(lambda quantity, minutes: text(_quantity(quantity, minutes)))
    body = rows_html(
        (
            (_DATE, date_text(line.service_date) if line.service_date else ""),
            ("", text(line.description)),
            (_NUM, quantity_text(line.quantity, line.minutes)),
            (_NUM, price_text(_PriceKey(line.unit_price, line.minutes is not None))),
            (_NUM, rate_text(line.vat_rate)),
            (_NUM, money_text(line.net)),
        )
        for line in document.lines
    )
    return (
        "<table class='grid' width='100%' cellspacing='0' cellpadding='4'>"
        f"{header}<tbody>{body}</tbody></table>"
    )


def _vat_html(document: InvoiceDocument) -> str:
    """P21: the VAT per rate; at 0 %, the reason of the exemption under it."""

    def rate_cell(rate: Decimal, exemption: str | None) -> str:
        shown = text(format_percent(rate))
        if exemption:
            reason = _("Exempt: {reason}").format(reason=exemption)
            return f"{shown}<br><span class='small muted'>{text(reason)}</span>"
        return shown

    rows = rows_html(
        (
            ("", rate_cell(summary.rate, summary.exemption)),
            (_NUM, money(summary.base)),
            (_NUM, money(summary.vat)),
        )
        for summary in document.by_rate
    )
    columns = (
        ("align='left' width='40%'", _("VAT rate")),
        (f"{_NUM} width='35%'", _("Taxable amount")),
        (f"{_NUM} width='25%'", _("VAT")),
    )
    header = "".join(f"<th {attributes}>{text(title)}</th>" for attributes, title in columns)
    return (
        "<table class='grid' width='100%' cellspacing='0' cellpadding='3'><thead><tr>"
        f"{header}</tr></thead><tbody>{rows}</tbody></table>"
    )


def _totals_html(document: InvoiceDocument) -> str:
    due = _("Total to credit") if document.kind is InvoiceKind.CREDIT_NOTE else _("Total")
    net, vat = text(_("Total net")), text(_("Total VAT"))
    return (
        "<table width='100%' cellspacing='0' cellpadding='3'>"
        f"<tr><td>{net}</td><td {_NUM}>{money(document.net)}</td></tr>"
        f"<tr><td>{vat}</td><td {_NUM}>{money(document.vat)}</td></tr>"
        f"<tr><td class='total'>{text(due)}</td>"
        f"<td class='total' {_NUM}>{money(document.gross)}</td></tr>"
        "</table>"
    )


def _payment_html(document: InvoiceDocument) -> str:
    parts = []
    if document.kind is InvoiceKind.INVOICE and document.supplier_iban:
        iban = f"<span class='strong'>{text(grouped_iban(document.supplier_iban))}</span>"
        transfer = text(_("By bank transfer to the IBAN {iban}.")).format(iban=iban)
        caption = text(_("Payment"))
        parts.append(f"<p class='caption'>{caption}</p><p>{transfer}</p>")
    if document.legal_mention.strip():
        parts.append(f"<p class='small muted'>{text(document.legal_mention.strip())}</p>")
    return "<p>&nbsp;</p>".join(parts)


def invoice_html(document: InvoiceDocument, legal: LegalStatus | None = None) -> str:
    """The body of the PDF below the letterhead: parties, lines, VAT, totals, payment."""
    customer = _party_html(_("Customer"), document.customer)
    return (
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='58%'>{customer}</td>"
        f"<td width='42%'>{_references_html(document, legal)}</td>"
        "</tr></table>"
        "<p>&nbsp;</p>"
        f"{_lines_html(document)}"
        "<p>&nbsp;</p>"
        "<table width='100%' cellspacing='0' cellpadding='0'><tr>"
        f"<td width='55%'>{_vat_html(document)}</td><td width='5%'></td>"
        f"<td width='40%'>{_totals_html(document)}</td>"
        "</tr></table>"
        "<p>&nbsp;</p>"
        f"{_payment_html(document)}"
    )


def _letterhead(document: InvoiceDocument) -> Letterhead:
    supplier = document.supplier
    company_lines = [
        *address_lines(supplier.address, supplier.postcode, supplier.city, supplier.country),
        _("NIF: {nif}").format(nif=supplier.nif_text),
    ]
    facts = []
    if document.issue_date is not None:
        facts.append((_("Date of issue"), format_date(document.issue_date)))
    return Letterhead(
        company_name=supplier.name,
        company_lines=tuple(company_lines),
        title=document.title,
        number=document.number_text or _("Draft"),
        facts=tuple(facts),
    )


def write_invoice_pdf(
    document: InvoiceDocument, path: Path, legal: LegalStatus | None = None
) -> None:
    """Writes the invoice or credit note as an A4 PDF/A-1b at ``path``; ``legal``, its state in
    the certified program (``app.services.invoicing.queries.legal_status``), names the legal
    document once finalized there. Needs a ``QGuiApplication`` (``ensure_gui_application``), no
    window. ``OSError`` when ``path`` cannot be written."""
    number = document.number_text or _("Draft")
    heading = f"{document.title} {number}"
    render_pdf(
        path,
        title=heading,
        author=document.supplier.name,
        head=_letterhead(document),
        parts=PageParts(
            running_left=f"{field(document.supplier.name)} · {heading}",
            running_right=field(document.customer.name),
            notice=document.notice,
        ),
        body_html=invoice_html(document, legal),
    )
