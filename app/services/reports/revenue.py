"""The revenue report: per month of issue (the date printed, company time) and customer, the
net, VAT and gross of the invoices issued, and of the credit notes as rows of their own with
negative amounts (P20–P22). Summed by the database from the totals frozen at issue."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from peewee import SQL, fn

from app.domain.states import InvoiceKind, InvoiceState
from app.services.reports.period import Period, dict_rows
from app.store.models import Invoice

HEADER = ("month", "customer_id", "net", "vat", "gross", "kind")

_ZERO = Decimal("0.00")


@dataclass(frozen=True)
class RevenueRow:
    month: str
    customer_id: int
    net: Decimal
    vat: Decimal
    gross: Decimal
    kind: InvoiceKind

    def cells(self) -> tuple[str, ...]:
        return (
            self.month,
            str(self.customer_id),
            f"{self.net:.2f}",
            f"{self.vat:.2f}",
            f"{self.gross:.2f}",
            self.kind.value,
        )


def _money(value: object) -> Decimal:
    """A summed money column: the stored cents (``MoneyField``) as euros."""
    euros = Invoice.net.python_value(value or 0)  # the cents, summed, as euros
    return _ZERO if euros is None else euros


def revenue(period: Period) -> tuple[RevenueRow, ...]:
    """Issued documents (cancelled invoices included: their credit note takes them back)."""
    month = period.month_of_date(Invoice.issue_date).alias("rep_month")
    query = (
        Invoice.select(
            month,
            Invoice.customer.alias("customer"),
            Invoice.kind.alias("kind"),
            fn.SUM(Invoice.net).alias("net"),
            fn.SUM(Invoice.vat).alias("vat"),
            fn.SUM(Invoice.gross).alias("gross"),
        )
        .where(
            Invoice.state.in_([InvoiceState.ISSUED, InvoiceState.CANCELLED])
            & (Invoice.issue_date >= period.first)
            & (Invoice.issue_date < period.end)
        )
        .group_by(SQL("rep_month"), Invoice.customer, Invoice.kind)
        .order_by(SQL("rep_month"), Invoice.customer, Invoice.kind.desc())
    )
    rows = []
    for found in dict_rows(query):
        kind = InvoiceKind(found["kind"])
        net, vat, gross = (_money(found[name]) for name in ("net", "vat", "gross"))
        if kind is InvoiceKind.CREDIT_NOTE:
            # Stored negated already (``credit_lines``); forced all the same, so that a credit
            # note always reads as money going back.
            net, vat, gross = -abs(net), -abs(vat), -abs(gross)
        rows.append(
            RevenueRow(
                month=found["rep_month"],
                customer_id=found["customer"],
                net=net,
                vat=vat,
                gross=gross,
                kind=kind,
            )
        )
    return tuple(rows)
