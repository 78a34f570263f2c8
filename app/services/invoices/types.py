"""Invoices: what the use cases return (a document, its lines, a row of the list), and the
notice every document prints (P22)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.invoice import VatSummary
from app.domain.months import Month
from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import N_, _
from app.services.changes import Changed
from app.services.labels import invoice_kind_label

#: P22: printed on every document; this program is not certified by the Tax Authority.
NOT_CERTIFIED_NOTICE = N_(
    "Document issued by a non-certified program; the legal invoice is issued by the company's "
    "certified program."
)
#: A document number as typed: any case, the spaces optional ("ft2026 / 22" is "FT 2026/22").
NUMBER = re.compile(r"\s*(\S+?)\s*(\d{4})\s*/\s*(\d+)\s*")
#: A number as searched for: the series may be left out, and the number partly typed.
SEARCH_NUMBER = re.compile(r"(?:(\S+)\s+)?(\d{4})\s*/\s*(\d*)")
#: Amounts a search compares with: more would not fit the column.
MAX = Decimal(10) ** 15
#: Numbers are 32-bit on PostgreSQL: a larger one typed names no document.
MAX_NUMBER = 2**31 - 1
ONE = Decimal(1)

# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """The supplier or the customer as printed (a snapshot taken at issue)."""

    name: str
    nif: str | None
    address: str
    postcode: str
    city: str
    country: str

    @property
    def nif_text(self) -> str:
        """The NIF, or "Final consumer" when there is none."""
        return self.nif or _("Final consumer")


@dataclass(frozen=True)
class DocumentLine:
    id: int
    position: int
    description: str
    service_date: date | None
    #: Hours for time lines, units for packs; negative on a credit note.
    quantity: Decimal
    #: A time line's billed minutes (negative on a credit note).
    minutes: int | None
    unit_price: Decimal
    vat_rate: Decimal
    exemption: str | None
    net: Decimal
    pack_id: int | None
    pack_month: date | None
    session_id: int | None


@dataclass(frozen=True)
class InvoiceRef:
    """Another document, as a link: the invoice a credit note corrects, or the reverse."""

    id: int
    kind: InvoiceKind
    number: str | None
    issue_date: date | None


@dataclass(frozen=True)
class InvoiceDocument(Changed):
    """Everything the window and the PDF show of an invoice or a credit note."""

    id: int
    version: int
    kind: InvoiceKind
    state: InvoiceState
    series: str
    year: int | None
    number: int | None
    #: "FT 2026/17"; ``None`` for a draft.
    number_text: str | None
    customer_id: int
    period_start: date | None
    period_end: date | None
    issue_date: date | None
    issued_at: datetime | None
    issued_by_name: str | None
    supplier: Party
    supplier_iban: str
    customer: Party
    lines: tuple[DocumentLine, ...]
    net: Decimal
    vat: Decimal
    gross: Decimal
    #: The VAT per rate (and per exemption reason), highest rate first (P21).
    by_rate: tuple[VatSummary, ...]
    #: The company's own legal text for the foot of the page (may be empty).
    legal_mention: str
    #: P22: that this program is not certified; always printed.
    notice: str
    #: For a credit note: the invoice it cancels; for a cancelled invoice: its credit note.
    corrects: InvoiceRef | None
    corrected_by: InvoiceRef | None
    correction_reason: str
    created_at: datetime

    @property
    def title(self) -> str:
        return invoice_kind_label(self.kind)

    @property
    def services_period(self) -> tuple[date, date] | None:
        """The period the services invoiced were given in, as the document prints it: from the
        first line's date to the last's (a monthly pack's line spans its month), not the
        period the draft was made for (a month still running when issued). The draft's period
        where no line has a date; ``None`` where there is neither."""
        spans = [
            (line.service_date, Month.of(line.pack_month).last_day)
            if line.pack_month is not None and line.service_date is not None
            else (line.service_date, line.service_date)
            for line in self.lines
            if line.service_date is not None
        ]
        if spans:
            return min(start for start, _end in spans), max(end for _start, end in spans)
        if self.period_start is not None and self.period_end is not None:
            return self.period_start, self.period_end
        return None


@dataclass(frozen=True)
class InvoiceRow:
    """A line of the invoice list (and of ``balcao invoices``: the number first)."""

    number_text: str | None
    id: int
    kind: InvoiceKind
    state: InvoiceState
    customer_id: int
    customer_name: str
    customer_nif: str | None
    issue_date: date | None
    period_start: date | None
    period_end: date | None
    net: Decimal
    vat: Decimal
    gross: Decimal
    #: For a credit note, the number of the invoice it cancels.
    corrects_number: str | None
    #: When it was issued (``None`` for a draft): the list's order, newest first.
    issued_at: datetime | None = None
    #: Its number in its series and year, as a number (``None`` for a draft).
    number: int | None = None


@dataclass(frozen=True)
class InvoiceCancelled(Changed):
    invoice: InvoiceDocument
    credit_note: InvoiceDocument


@dataclass(frozen=True)
class DraftDeleted(Changed):
    invoice_id: int
