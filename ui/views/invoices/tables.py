"""The columns of the Faturas view's tables: the invoice list and a document's lines."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from PySide6.QtGui import QColor

from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import (
    _,
    format_date,
    format_decimal,
    format_minutes_as_hours,
    format_money,
    format_percent,
)
from app.services.invoices import DocumentLine, InvoiceRow
from app.services.invoicing.queries import LegalState, LegalStatus
from app.services.labels import invoice_kind_label, invoice_period_text, invoice_state_label
from ui.table_model import RIGHT, Column, RowTableModel

DRAFT_COLOUR = QColor("#1f6fa8")
CANCELLED_COLOUR = QColor("#7a7a7a")
LEGAL_ERROR_COLOUR = QColor("#a31515")
LEGAL_DONE_COLOUR = QColor("#1b5e20")


@dataclass(frozen=True)
class ListedInvoice:
    """A line of the Faturas list: the document, and its state in the certified program (None
    for a draft, which has nothing to send yet). Compared whole, so a legal state that changed
    repaints its row."""

    row: InvoiceRow
    legal: LegalStatus | None


def legal_state_text(legal: LegalStatus | None) -> str:
    """P29, as the list and the detail show it: "não enviada", "rascunho enviado", "finalizada:
    FT A2026/1 · ATCUD JJ7B9XKQ-1" (number and ATCUD as the program writes them), "erro: …"; a
    send waiting in the queue after a failure says why too."""
    if legal is None:
        return ""
    if legal.legal_number:
        shown = _("{state}: {number} · ATCUD {atcud}").format(
            state=legal.state_text, number=legal.legal_number, atcud=legal.atcud or "—"
        )
        return shown
    if legal.queued and legal.message and legal.state is not LegalState.ERROR:
        return _("{state} (to be tried again: {message})").format(
            state=legal.state_text, message=legal.message
        )
    return legal.state_text


def _legal_colours(item: ListedInvoice) -> tuple[QColor | None, QColor | None]:
    legal = item.legal
    if legal is None:
        return _row_colours(item.row)
    if legal.state is LegalState.ERROR or (legal.queued and legal.message):
        return (LEGAL_ERROR_COLOUR, None)
    if legal.state is LegalState.FINALIZED:
        return (LEGAL_DONE_COLOUR, None)
    return _row_colours(item.row)


def _legal_order(item: ListedInvoice) -> tuple[int, str]:
    order = {
        None: 0,
        LegalState.NOT_SENT: 1,
        LegalState.ERROR: 2,
        LegalState.DRAFT_SENT: 3,
        LegalState.FINALIZED: 4,
        LegalState.CANCELLED: 5,
    }
    legal = item.legal
    return (order[None if legal is None else legal.state], legal_state_text(legal))


def number_text(number: str | None) -> str:
    return number or _("(draft)")


def quantity_text(line: DocumentLine) -> str:
    """Billed time in hours and minutes (as the PDF prints it); units as a number."""
    if line.minutes is None:
        return format_decimal(line.quantity, digits=4)
    sign = "\N{MINUS SIGN}" if line.minutes < 0 else ""
    return sign + format_minutes_as_hours(abs(line.minutes))


def unit_price_text(line: DocumentLine) -> str:
    shown = format_money(line.unit_price)
    return _("{price}/h").format(price=shown) if line.minutes is not None else shown


def _row_colours(row: InvoiceRow) -> tuple[QColor | None, QColor | None]:
    if row.state is InvoiceState.DRAFT:
        return (DRAFT_COLOUR, None)
    if row.state is InvoiceState.CANCELLED:
        return (CANCELLED_COLOUR, None)
    return (None, None)


def _number_key(row: InvoiceRow) -> tuple[int, str, int, int]:
    """Numbered documents by series and year, then by number as a number ("FT 2026/9" before
    "FT 2026/10"); drafts after them."""
    if row.number_text is None:
        return (1, "", 0, row.id)
    prefix, _slash, number = row.number_text.rpartition("/")
    return (0, prefix, int(number) if number.isdigit() else 0, row.id)


def _issued_key(row: InvoiceRow) -> tuple[float, int]:
    """The order of the services' pages (``invoices``): by the instant issued, then by number;
    drafts after every issued document (first, newest first)."""
    if row.issued_at is None:
        return (math.inf, 0)
    return (row.issued_at.timestamp(), row.number or 0)


def _money_column(title: str, amount: str) -> Column[ListedInvoice]:
    def value(item: ListedInvoice) -> Decimal:
        found: Decimal = getattr(item.row, amount)
        return found

    return Column(title, lambda r: format_money(value(r)), value, RIGHT, colours=_colours)


def _colours(item: ListedInvoice) -> tuple[QColor | None, QColor | None]:
    return _row_colours(item.row)


#: The column of the date issued: the list's order (``_issued_key``).
DATE_COLUMN = 1
#: The column of the state in the certified program (P29).
LEGAL_COLUMN = 9
#: Its starting width: a legal number and its ATCUD show whole at 1366 px.
LEGAL_WIDTH = 290


def invoice_list_samples() -> tuple[str | list[str], ...]:
    """What each column of the list holds at its widest (``fit_columns_to_samples``): the
    closed sets whole (every state and kind), the customer left to stretch."""
    money = format_money(Decimal("-9999.99"))
    return (
        "FT 2026/000",
        format_date(date(2026, 12, 31)),
        "",
        invoice_period_text(date(2026, 9, 1), date(2026, 9, 30)),  # a range is cut: rarer
        money,
        format_money(Decimal("-999.99")),
        money,
        [invoice_state_label(state) for state in InvoiceState],
        [invoice_kind_label(kind) for kind in InvoiceKind],
    )


def line_samples() -> tuple[str | list[str], ...]:
    return (
        format_date(date(2026, 12, 31)),
        "",
        [
            "\N{MINUS SIGN}" + format_minutes_as_hours(23 * 60 + 45),
            format_decimal(Decimal("999.99"), 2),
        ],
        format_money(Decimal("-99999.99")),
        format_money(Decimal("-99999.99")),
        format_percent(Decimal("0.23")),
    )


def invoice_list_model() -> RowTableModel[ListedInvoice]:
    return RowTableModel(
        [
            Column(
                _("Number"),
                lambda r: number_text(r.row.number_text),
                lambda r: _number_key(r.row),
                colours=_colours,
            ),
            Column(
                _("Date"),
                lambda r: "" if r.row.issue_date is None else format_date(r.row.issue_date),
                lambda r: _issued_key(r.row),
                colours=_colours,
            ),
            Column(
                _("Customer"),
                lambda r: r.row.customer_name,
                lambda r: r.row.customer_name.casefold(),
                tooltip=lambda r: r.row.customer_name,
                colours=_colours,
            ),
            Column(
                _("Period"),
                lambda r: invoice_period_text(r.row.period_start, r.row.period_end),
                lambda r: r.row.period_start or date.min,
                colours=_colours,
            ),
            _money_column(_("Net"), "net"),
            _money_column(_("VAT"), "vat"),
            _money_column(_("Total"), "gross"),
            Column(_("State"), lambda r: invoice_state_label(r.row.state), colours=_colours),
            Column(
                _("Kind"),
                lambda r: invoice_kind_label(r.row.kind),
                tooltip=lambda r: (
                    _("Cancels {number}").format(number=r.row.corrects_number)
                    if r.row.corrects_number
                    else ""
                ),
                colours=_colours,
            ),
            Column(
                _("Legal state"),
                lambda r: legal_state_text(r.legal),
                _legal_order,
                tooltip=lambda r: legal_state_text(r.legal),
                colours=_legal_colours,
            ),
        ],
        key=lambda r: r.row.id,
    )


def line_model() -> RowTableModel[DocumentLine]:
    return RowTableModel(
        [
            Column(
                _("Date"),
                lambda r: "" if r.service_date is None else format_date(r.service_date),
                lambda r: r.service_date or date.min,
            ),
            Column(_("Description"), lambda r: r.description, tooltip=lambda r: r.description),
            Column(_("Quantity"), quantity_text, lambda r: r.quantity, RIGHT),
            Column(_("Unit price"), unit_price_text, lambda r: r.unit_price, RIGHT),
            Column(_("Net"), lambda r: format_money(r.net), lambda r: r.net, RIGHT),
            Column(
                _("VAT"),
                lambda r: format_percent(r.vat_rate),
                lambda r: r.vat_rate,
                RIGHT,
                tooltip=lambda r: (
                    _("Exempt: {reason}").format(reason=r.exemption) if r.exemption else ""
                ),
            ),
        ],
        key=lambda r: r.id,
    )
