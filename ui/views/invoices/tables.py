"""The columns of the Faturas view's tables: the invoice list and a document's lines."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from PySide6.QtGui import QColor

from app.domain.states import InvoiceState
from app.i18n import (
    _,
    format_date,
    format_decimal,
    format_minutes_as_hours,
    format_money,
    format_percent,
)
from app.services.invoices import DocumentLine, InvoiceRow
from app.services.labels import invoice_kind_label, invoice_period_text, invoice_state_label
from ui.table_model import RIGHT, Column, RowTableModel

DRAFT_COLOUR = QColor("#1f6fa8")
CANCELLED_COLOUR = QColor("#7a7a7a")


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


def _money_column(title: str, amount: str) -> Column[InvoiceRow]:
    def value(row: InvoiceRow) -> Decimal:
        found: Decimal = getattr(row, amount)
        return found

    return Column(title, lambda r: format_money(value(r)), value, RIGHT, colours=_row_colours)


def invoice_list_model() -> RowTableModel[InvoiceRow]:
    return RowTableModel(
        [
            Column(
                _("Number"),
                lambda r: number_text(r.number_text),
                _number_key,
                colours=_row_colours,
            ),
            Column(
                _("Date"),
                lambda r: "" if r.issue_date is None else format_date(r.issue_date),
                lambda r: r.issue_date or date.max,
                colours=_row_colours,
            ),
            Column(
                _("Customer"),
                lambda r: r.customer_name,
                lambda r: r.customer_name.casefold(),
                tooltip=lambda r: r.customer_name,
                colours=_row_colours,
            ),
            Column(
                _("Period"),
                lambda r: invoice_period_text(r.period_start, r.period_end),
                lambda r: r.period_start or date.min,
                colours=_row_colours,
            ),
            _money_column(_("Net"), "net"),
            _money_column(_("VAT"), "vat"),
            _money_column(_("Total"), "gross"),
            Column(_("State"), lambda r: invoice_state_label(r.state), colours=_row_colours),
            Column(
                _("Kind"),
                lambda r: invoice_kind_label(r.kind),
                tooltip=lambda r: (
                    _("Cancels {number}").format(number=r.corrects_number)
                    if r.corrects_number
                    else ""
                ),
                colours=_row_colours,
            ),
        ],
        key=lambda r: r.id,
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
