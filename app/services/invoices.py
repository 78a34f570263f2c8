"""Invoices and credit notes (P20–P22).

A draft lists, for one customer and period, the packs bought and not invoiced yet, and the time
of stopped sessions that no pack covered, priced at the rates frozen on each session. Issuing
gives it the next number of its series and year (gapless, ``next_invoice_number``), refreshes the
supplier's and the customer's data, freezes it for good and marks its sessions invoiced. A
mistake is put right by cancelling: a credit note with its own numbering negates every line, and
the sessions become invoiceable again.

Decisions:
- The period: a unit pack is invoiced once, in the period its purchase date falls in; a monthly
  pack once per month, in the period the month's first day falls in (so consecutive periods never
  bill a month twice); a session's time in the period its start falls in (company time zone).
  A pack whose credit entry was reversed in the ledger (sold by mistake) is not invoiced.
- Items are taken by an issued invoice only: two drafts may list the same item, and issuing the
  second is refused (RuleError) once the first is issued. A draft whose sessions changed since
  it was made is refused too; it is deleted and made again.
- A customer without NIF is a final consumer: the invoice may be issued, and prints
  "Consumidor final" (``Party.nif_text``). A NIF that is present must pass its check digit, and
  the company's name, NIF and address must be filled in (CIVA art. 36.º n.º 5, P21).
- P22: no ATCUD and no QR code are ever made up. Every document carries ``NOT_CERTIFIED_NOTICE``
  (``InvoiceDocument.notice``), printed whatever the company's own legal mention says: the PDF is
  the company's billing record, and the legal invoice comes from its certified software.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypeVar, cast
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from app.domain.calendar import local_days
from app.domain.invoice import (
    InvoiceLine,
    VatSummary,
    credit_lines,
    issue_date,
    time_line,
    totals,
    uncovered_time,
)
from app.domain.months import Month
from app.domain.packs import PackKind
from app.domain.states import InvoiceKind, InvoiceState, LedgerKind, SessionState
from app.domain.validation import (
    MAX_AMOUNT,
    MAX_QUANTITY,
    ValidationError,
    normalize_nif,
    parse_amount,
)
from app.i18n import N_, _, format_date, format_minutes_as_hours, format_month
from app.services import changes, checks
from app.services.changes import Changes, Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, NotFoundError, RuleError
from app.services.labels import invoice_kind_label
from app.services.queries import customer_row, get_or_missing, locked_or_missing, rows_of
from app.services.settings import company_zone, require_admin
from app.store.base import delete_versioned, save_versioned
from app.store.database import locking
from app.store.models import (
    CompanySettings,
    Contact,
    Customer,
    Invoice,
    LedgerEntry,
    Pack,
    Session,
    Technician,
)
from app.store.models import InvoiceLine as LineRow
from app.store.numbering import next_invoice_number

#: P22: printed on every document; this program is not certified by the Tax Authority.
NOT_CERTIFIED_NOTICE = N_(
    "Document issued by a non-certified program; the legal invoice is issued by the company's "
    "certified program."
)
_NUMBER = re.compile(r"\s*(\S+)\s+(\d{4})\s*/\s*(\d+)\s*")
#: A number as searched for: the series may be left out, and the number partly typed.
_SEARCH_NUMBER = re.compile(r"(?:(\S+)\s+)?(\d{4})\s*/\s*(\d*)")
#: Amounts a search compares with: more would not fit the column.
_MAX = Decimal(10) ** 15
#: Numbers are 32-bit on PostgreSQL: a larger one typed names no document.
_MAX_NUMBER = 2**31 - 1
_ONE = Decimal(1)
_T = TypeVar("_T")

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
class InvoiceDocument:
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
    changes: Changes = field(default_factory=Changes, compare=False)

    @property
    def title(self) -> str:
        return invoice_kind_label(self.kind)


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


@dataclass(frozen=True)
class InvoiceCancelled:
    invoice: InvoiceDocument
    credit_note: InvoiceDocument
    changes: Changes


@dataclass(frozen=True)
class DraftDeleted:
    invoice_id: int
    changes: Changes


# --- numbers ----------------------------------------------------------------------------------


def document_number(series: str, year: int | None, number: int | None) -> str | None:
    """A document's number as printed: ``FT 2026/17``; ``None`` for a draft (no number yet)."""
    if year is None or number is None:
        return None
    return f"{series} {year}/{number}"


def _parse_number(text: str) -> tuple[str, int, int]:
    found = _NUMBER.fullmatch(checks.search_text(text))
    if found is None:
        raise InputError(
            _("{text} is not an invoice number; write it as FT 2026/17.").format(text=text.strip()),
            field="number",
        )
    return found[1], int(found[2]), int(found[3])


# --- helpers ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Refs:
    """What a line bills, so that it is billed once."""

    pack_id: int | None = None
    pack_month: date | None = None
    session_id: int | None = None


def _missing_invoice(invoice_id: int) -> str:
    return _("The invoice {id} does not exist.").format(id=invoice_id)


def _rule(make: Callable[..., _T], *args: Any, **kwargs: Any) -> _T:
    """A domain rule's result; its refusal (a ValueError) reaches the user as a RuleError."""
    try:
        return make(*args, **kwargs)
    except ValueError as error:
        raise RuleError(str(error)) from error


def _stored_lines(invoice_id: int) -> list[LineRow]:
    return list(LineRow.select().where(LineRow.invoice == invoice_id).order_by(LineRow.position))


def _as_domain(row: LineRow) -> InvoiceLine:
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


def _insert_lines(
    invoice_id: int, lines: Iterable[tuple[InvoiceLine, _Refs]], first_position: int = 1
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


def _set_totals(invoice: Invoice, lines: Iterable[InvoiceLine]) -> None:
    summed = totals(lines)
    invoice.net, invoice.vat, invoice.gross = summed.net, summed.vat, summed.gross


#: The customer's fields an invoice copies, as ``customer_<name>``.
_CUSTOMER_SNAPSHOT = ("name", "nif", "address", "postcode", "city", "country")


def _customer_snapshot(customer: Customer) -> dict[str, Any]:
    return {f"customer_{name}": getattr(customer, name) for name in _CUSTOMER_SNAPSHOT}


def _supplier_snapshot(settings: CompanySettings) -> dict[str, Any]:
    return {
        "supplier_name": settings.name,
        "supplier_nif": settings.nif,
        "supplier_address": settings.address,
        "supplier_postcode": settings.postcode,
        "supplier_city": settings.city,
        "supplier_iban": settings.iban,
        "legal_mention": settings.invoice_legal_mention,
    }


def _set_snapshot(invoice: Invoice, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(invoice, name, value)


def _check_supplier(settings: CompanySettings) -> None:
    """P21: the supplier's name, NIF and address are on every invoice."""
    if not (settings.name.strip() and settings.nif and settings.address.strip()):
        raise RuleError(
            _(
                "Fill in the company's name, NIF and address in the settings before issuing "
                "invoices."
            )
        )


def _check_customer_nif(customer: Customer) -> None:
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


def _draft_for_change(invoice_id: int) -> Invoice:
    """The draft, locked; an issued or cancelled document is frozen (P20)."""
    invoice = locked_or_missing(Invoice, invoice_id, _missing_invoice(invoice_id))
    if invoice.state is not InvoiceState.DRAFT:
        raise RuleError(
            _(
                "{number} is issued and frozen: correct it with a credit note, never by editing."
            ).format(number=document_number(invoice.series, invoice.year, invoice.number))
        )
    return invoice


def _retotal(invoice: Invoice) -> None:
    _set_totals(invoice, [_as_domain(row) for row in _stored_lines(invoice.id)])


# --- the draft's lines ------------------------------------------------------------------------


def _invoiced_packs(customer_id: int) -> set[tuple[int, date | None]]:
    """(pack, month) already on an issued, not cancelled, invoice of the customer."""
    return {
        (row.pack_id, row.pack_month)
        for row in rows_of(
            LineRow.select(LineRow.pack, LineRow.pack_month)
            .join(Invoice)
            .where(
                (Invoice.customer == customer_id)
                & (Invoice.kind == InvoiceKind.INVOICE)
                & (Invoice.state == InvoiceState.ISSUED)
                & LineRow.pack.is_null(False)
            )
        )
    }


def _reversed_credits(customer_id: int) -> set[tuple[int, date | None]]:
    """(pack, month) whose purchase or allotment was reversed in the ledger: not sold."""
    reversed_ids = LedgerEntry.select(LedgerEntry.reverses).where(
        LedgerEntry.reverses.is_null(False)
    )
    return {
        (row.pack_id, row.month)
        for row in LedgerEntry.select(LedgerEntry.pack, LedgerEntry.month).where(
            (LedgerEntry.customer == customer_id)
            & LedgerEntry.kind.in_([LedgerKind.PURCHASE, LedgerKind.MONTHLY_ALLOTMENT])
            & LedgerEntry.id.in_(reversed_ids)
        )
    }


# --- line descriptions (P20, P21: what each line is, in words) --------------------------------


def unit_pack_description(minutes: int, valid_until: date) -> str:
    return _("Unit pack of {hours} of support, valid until {date}").format(
        hours=format_minutes_as_hours(minutes), date=format_date(valid_until)
    )


def monthly_pack_description(minutes: int, month: date) -> str:
    """One month (its first day) of a monthly pack."""
    return _("Monthly pack of {hours} of support, {month}").format(
        hours=format_minutes_as_hours(minutes), month=format_month(month.year, month.month)
    )


def time_description(day: date, technician: str, subject: str, *, outside: bool) -> str:
    """Time no pack covered, of a session started on ``day``."""
    template = (
        _("Support on {date} by {technician}: {subject} (outside business hours)")
        if outside
        else _("Support on {date} by {technician}: {subject} (business hours)")
    )
    return template.format(date=format_date(day), technician=technician, subject=subject)


def _pack_lines(
    customer_id: int, start: date, end: date, vat_rate: Decimal
) -> list[tuple[InvoiceLine, _Refs]]:
    taken = _invoiced_packs(customer_id) | _reversed_credits(customer_id)
    lines = []
    for pack in rows_of(
        Pack.select()
        .where(
            (Pack.customer == customer_id)
            & Pack.kind.in_([PackKind.UNIT, PackKind.MONTHLY])
            & (Pack.starts_on <= end)
        )
        .order_by(Pack.purchased_on, Pack.id)
    ):
        if pack.kind is PackKind.UNIT:
            if start <= pack.purchased_on <= end and (pack.id, None) not in taken:
                line = _rule(
                    InvoiceLine,
                    description=unit_pack_description(pack.minutes, pack.valid_until),
                    quantity=_ONE,
                    unit_price=pack.price,
                    vat_rate=vat_rate,
                    service_date=pack.purchased_on,
                )
                lines.append((line, _Refs(pack_id=pack.id)))
            continue
        for month in (m.first_day for m in Month.span(Month.of(start), Month.of(end))):
            if month < max(start, pack.starts_on) or (pack.last_month and month > pack.last_month):
                continue
            if (pack.id, month) in taken:
                continue
            line = _rule(
                InvoiceLine,
                description=monthly_pack_description(pack.minutes, month),
                quantity=_ONE,
                unit_price=pack.price,
                vat_rate=vat_rate,
                service_date=month,
            )
            lines.append((line, _Refs(pack_id=pack.id, pack_month=month)))
    return lines


def _invoiceable_sessions(customer_id: int, start: date, end: date, zone: ZoneInfo) -> Any:
    first, after = local_days(start, end, zone)
    return (
        Session.select(
            Session,
            Technician.name.alias("technician_name"),
            Contact.subject.alias("contact_subject"),
        )
        .join(Technician, on=Session.technician == Technician.id)
        .switch(Session)
        .join(Contact, JOIN.LEFT_OUTER, on=Session.contact == Contact.id)
        .where(
            (Session.customer == customer_id)
            & (Session.state == SessionState.STOPPED)
            & ~Session.flagged_for_review
            & Session.invoice.is_null()
            & (Session.started_at >= first)
            & (Session.started_at < after)
            & ((Session.uncovered_inside_minutes > 0) | (Session.uncovered_outside_minutes > 0))
        )
        .order_by(Session.started_at, Session.id)
        .objects()
    )


def _uncovered(session: Any) -> list[tuple[bool, int, Decimal]]:
    """(outside, minutes, hourly rate) of each line a session's uncovered time makes."""
    return list(
        uncovered_time(
            session.uncovered_inside_minutes,
            session.uncovered_outside_minutes,
            session.rate_inside,
            session.rate_outside,
        )
    )


def _time_lines(
    customer_id: int, start: date, end: date, vat_rate: Decimal, zone: ZoneInfo
) -> list[tuple[InvoiceLine, _Refs]]:
    lines = []
    for row in _invoiceable_sessions(customer_id, start, end, zone):
        day = row.started_at.astimezone(zone).date()
        subject = (row.contact_subject or row.note or "").strip() or _("remote support")
        for outside, minutes, rate in _uncovered(row):
            description = time_description(day, row.technician_name, subject, outside=outside)
            line = _rule(time_line, description, minutes, rate, vat_rate, day)
            lines.append((line, _Refs(session_id=row.id)))
    return lines


# --- reading ----------------------------------------------------------------------------------


def _ref(invoice: Invoice | None) -> InvoiceRef | None:
    if invoice is None:
        return None
    number = document_number(invoice.series, invoice.year, invoice.number)
    return InvoiceRef(invoice.id, invoice.kind, number, invoice.issue_date)


def _document(invoice: Invoice, done: Changes | None = None) -> InvoiceDocument:
    rows = _stored_lines(invoice.id)
    summed = totals(_as_domain(row) for row in rows)
    corrects = None if invoice.corrects_id is None else Invoice.get_by_id(invoice.corrects_id)
    corrected_by = (
        Invoice.select().where(Invoice.corrects == invoice.id).order_by(Invoice.id).first()
    )
    issued_by = (
        None if invoice.issued_by_id is None else Technician.get_by_id(invoice.issued_by_id).name
    )
    number = document_number(invoice.series, invoice.year, invoice.number)
    return InvoiceDocument(
        id=invoice.id,
        version=invoice.version,
        kind=invoice.kind,
        state=invoice.state,
        series=invoice.series,
        year=invoice.year,
        number=invoice.number,
        number_text=number,
        customer_id=invoice.customer_id,
        period_start=invoice.period_start,
        period_end=invoice.period_end,
        issue_date=invoice.issue_date,
        issued_at=invoice.issued_at,
        issued_by_name=issued_by,
        supplier=Party(
            name=invoice.supplier_name,
            nif=invoice.supplier_nif,
            address=invoice.supplier_address,
            postcode=invoice.supplier_postcode,
            city=invoice.supplier_city,
            country="PT",
        ),
        supplier_iban=invoice.supplier_iban,
        customer=Party(
            name=invoice.customer_name,
            nif=invoice.customer_nif,
            address=invoice.customer_address,
            postcode=invoice.customer_postcode,
            city=invoice.customer_city,
            country=invoice.customer_country,
        ),
        lines=tuple(
            DocumentLine(
                id=row.id,
                position=row.position,
                description=row.description,
                service_date=row.service_date,
                quantity=row.quantity,
                minutes=row.minutes,
                unit_price=row.unit_price,
                vat_rate=row.vat_rate,
                exemption=row.exemption,
                net=row.net,
                pack_id=row.pack_id,
                pack_month=row.pack_month,
                session_id=row.session_id,
            )
            for row in rows
        ),
        net=invoice.net,
        vat=invoice.vat,
        gross=invoice.gross,
        by_rate=summed.by_rate,
        legal_mention=invoice.legal_mention,
        notice=_(NOT_CERTIFIED_NOTICE),
        corrects=_ref(corrects),
        corrected_by=_ref(corrected_by),
        correction_reason=invoice.correction_reason,
        created_at=invoice.created_at,
        changes=done or Changes(),
    )


def invoice(invoice_id: int) -> InvoiceDocument:
    """One invoice or credit note with everything its PDF needs."""
    return _document(get_or_missing(Invoice, invoice_id, _missing_invoice(invoice_id)))


def invoice_by_number(text: str) -> InvoiceDocument:
    """The document numbered ``text``, as printed: "FT 2026/17"."""
    series, year, number = _parse_number(text)
    found = (
        None
        if number > _MAX_NUMBER
        else Invoice.get_or_none(
            (Invoice.series == series) & (Invoice.year == year) & (Invoice.number == number)
        )
    )
    if found is None:
        raise NotFoundError(
            _("There is no document numbered {number}.").format(
                number=document_number(series, year, number)
            )
        )
    return _document(found)


def _rows(condition: Any, order: Sequence[Any], limit: int | None = None) -> tuple[InvoiceRow, ...]:
    corrected = Invoice.alias("corrected")
    query = (
        Invoice.select(
            Invoice,
            corrected.series.alias("corrects_series"),
            corrected.year.alias("corrects_year"),
            corrected.number.alias("corrects_no"),
        )
        .join(corrected, JOIN.LEFT_OUTER, on=Invoice.corrects == corrected.id)
        .order_by(*order)
    )
    if condition is not None:
        query = query.where(condition)
    if limit is not None:
        query = query.limit(limit)
    return tuple(
        InvoiceRow(
            number_text=document_number(row.series, row.year, row.number),
            id=row.id,
            kind=row.kind,
            state=row.state,
            customer_id=row.customer_id,
            customer_name=row.customer_name,
            customer_nif=row.customer_nif,
            issue_date=row.issue_date,
            period_start=row.period_start,
            period_end=row.period_end,
            net=row.net,
            vat=row.vat,
            gross=row.gross,
            corrects_number=document_number(
                row.corrects_series, row.corrects_year, row.corrects_no
            ),
        )
        for row in rows_of(query.objects())
    )


def invoices(
    customer_id: int | None = None,
    year: int | None = None,
    state: InvoiceState | None = None,
    kind: InvoiceKind | None = None,
    *,
    search: str = "",
    limit: int | None = None,
) -> tuple[InvoiceRow, ...]:
    """Invoices and credit notes, drafts included, newest first; at most ``limit``.

    ``search``: the documents whose number ("FT 2026/17", "2026/17", "2026/1…"), customer name
    or amount (net or total, "45,50") matches what is typed.
    """
    condition: Any = None
    for wanted in (
        None if customer_id is None else Invoice.customer == customer_id,
        None if year is None else Invoice.year == year,
        None if state is None else Invoice.state == state,
        None if kind is None else Invoice.kind == kind,
        _matching(search) if checks.search_text(search) else None,
    ):
        if wanted is not None:
            condition = wanted if condition is None else condition & wanted
    return _rows(condition, (Invoice.created_at.desc(), Invoice.id.desc()), limit)


def _matching(search: str) -> Any:
    """The documents a search of the list finds (see ``invoices``)."""
    typed = checks.search_text(search)
    found: Any = Invoice.customer_name.contains(typed)
    number = _SEARCH_NUMBER.fullmatch(typed)
    if number is not None:
        series, year, digits = number.groups()
        by_number = Invoice.year == int(year)
        if series:
            by_number &= Invoice.series == series.upper()
        if digits:
            by_number &= Invoice.number.cast("TEXT").startswith(digits)
        found |= by_number
    try:
        amount = parse_amount(typed)
    except ValidationError:
        amount = None
    if amount is not None and amount == amount.quantize(Decimal("0.01")) and abs(amount) < _MAX:
        found |= (Invoice.gross == amount) | (Invoice.net == amount)
    return found


def invoice_years() -> tuple[int, ...]:
    """The years that have numbered documents, the latest first (a draft has no year yet)."""
    query = (
        Invoice.select(Invoice.year)
        .where(Invoice.year.is_null(False))
        .distinct()
        .order_by(Invoice.year.desc())
        .tuples()
    )
    return tuple(int(year) for (year,) in cast(Iterable[tuple[int]], query))


def invoice_row(invoice_id: int) -> InvoiceRow:
    """One line of the invoice list."""
    found = _rows(Invoice.id == invoice_id, (Invoice.id,))
    if not found:
        raise NotFoundError(_missing_invoice(invoice_id))
    return found[0]


def issued_invoices() -> tuple[InvoiceRow, ...]:
    """Every numbered document (issued or cancelled invoices, credit notes), by series, year and
    number: what ``balcao invoices`` prints, number first."""
    return _rows(
        Invoice.state != InvoiceState.DRAFT, (Invoice.series, Invoice.year, Invoice.number)
    )


# --- drafts -----------------------------------------------------------------------------------


def draft_invoice(
    desk: Desk, *, customer_id: int, period_start: date, period_end: date
) -> InvoiceDocument:
    """A draft for the customer and period: the packs bought and not invoiced (a unit pack once,
    a monthly pack per month), then the uncovered time of each stopped session not invoiced nor
    flagged, one line per rate, at the rates frozen on the session; VAT at the company's rate."""
    with checks.refusing():
        checks.day("period_start", period_start)
        checks.day("period_end", period_end)
    if period_end < period_start:
        raise InputError(
            _("The period ends on {end}, before it starts on {start}.").format(
                end=format_date(period_end), start=format_date(period_start)
            ),
            field="period_end",
        )
    with use_case():
        customer = customer_row(customer_id)
        settings = CompanySettings.current()
        lines = _pack_lines(customer_id, period_start, period_end, settings.vat_rate)
        lines += _time_lines(
            customer_id, period_start, period_end, settings.vat_rate, company_zone()
        )
        draft = Invoice(
            kind=InvoiceKind.INVOICE,
            state=InvoiceState.DRAFT,
            series=settings.invoice_series,
            customer=customer_id,
            period_start=period_start,
            period_end=period_end,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
        _set_snapshot(draft, _customer_snapshot(customer) | _supplier_snapshot(settings))
        _set_totals(draft, [line for line, _refs in lines])
        draft.save()
        _insert_lines(draft.id, lines)
        done = changes.note(desk, {Topic.INVOICES}, draft.id)
        return _document(draft, done)


def _check_fixed_places(value: Decimal, places: int, field: str, message: str) -> None:
    if value != round(value, places):
        raise InputError(message, field=field)


def add_line(
    desk: Desk,
    invoice_id: int,
    version: int,
    *,
    description: str,
    quantity: Decimal,
    unit_price: Decimal,
    vat_rate: Decimal | None = None,
    exemption: str | None = None,
    service_date: date | None = None,
) -> InvoiceDocument:
    """Adds a line typed by hand to a draft. ``vat_rate`` ``None``: the company's rate; a line at
    0% states its ``exemption`` (the law's article)."""
    with use_case():
        text = checks.check_text("description", description, max_length=checks.LONG_TEXT)
        if not text:
            raise InputError(_("An invoice line needs a description."), field="description")
        quantity = checks.number("quantity", quantity, maximum=MAX_QUANTITY)
        _check_fixed_places(
            quantity, 4, "quantity", _("A quantity has at most four decimal places.")
        )
        if quantity <= 0:
            raise InputError(_("The quantity must be more than zero."), field="quantity")
        unit_price = checks.number("unit_price", unit_price, maximum=MAX_AMOUNT, money=True)
        _check_fixed_places(
            unit_price, 2, "unit_price", _("A price has at most two decimal places (cents).")
        )
        if unit_price < 0:
            raise InputError(_("The unit price cannot be negative."), field="unit_price")
        reason = checks.check_text("exemption", exemption or "") or None
        if service_date is not None:
            checks.day("service_date", service_date)
        draft = _draft_for_change(invoice_id)
        rate = CompanySettings.current().vat_rate if vat_rate is None else vat_rate
        rate = checks.number("vat_rate", rate, maximum=Decimal(100))
        _check_fixed_places(rate, 4, "vat_rate", _("A VAT rate has at most two decimal places."))
        if not 0 <= rate < 1:
            raise InputError(_("A VAT rate must be between 0% and 100%."), field="vat_rate")
        if rate == 0 and reason is None:
            raise InputError(
                _("A line without VAT must state the reason for the exemption."),
                field="exemption",
            )
        if rate != 0 and reason is not None:
            raise InputError(
                _("A line that bears VAT cannot have an exemption reason."), field="exemption"
            )
        line = InvoiceLine(
            description=text,
            quantity=quantity,
            unit_price=unit_price,
            vat_rate=rate,
            exemption=reason,
            service_date=service_date,
        )
        last = LineRow.select(fn.MAX(LineRow.position)).where(LineRow.invoice == draft.id)
        _insert_lines(draft.id, [(line, _Refs())], first_position=(last.scalar() or 0) + 1)
        _retotal(draft)
        save_versioned(draft, version)
        done = changes.note(desk, {Topic.INVOICES}, draft.id)
        return _document(draft, done)


def remove_line(desk: Desk, invoice_id: int, version: int, line_id: int) -> InvoiceDocument:
    """Removes a line from a draft; the lines after it move up."""
    with use_case():
        draft = _draft_for_change(invoice_id)
        line = LineRow.get_or_none((LineRow.id == line_id) & (LineRow.invoice == draft.id))
        if line is None:
            raise NotFoundError(_("This line is not on the draft any more."))
        line.delete_instance()
        # Two steps, so that no moment has two lines at one position (a unique index).
        later = (LineRow.invoice == draft.id) & (LineRow.position > line.position)
        LineRow.update(position=LineRow.position * -1).where(later).execute()
        moved = (LineRow.invoice == draft.id) & (LineRow.position < 0)
        LineRow.update(position=LineRow.position * -1 - 1).where(moved).execute()
        _retotal(draft)
        save_versioned(draft, version)
        done = changes.note(desk, {Topic.INVOICES}, draft.id)
        return _document(draft, done)


def delete_draft(desk: Desk, invoice_id: int, version: int) -> DraftDeleted:
    """Deletes a draft (its lines go with it); an issued document is never deleted."""
    with use_case():
        draft = _draft_for_change(invoice_id)
        delete_versioned(draft, version)
        done = changes.note(desk, {Topic.INVOICES}, invoice_id)
        return DraftDeleted(invoice_id, done)


# --- issue and cancel -------------------------------------------------------------------------


def _take_sessions(draft: Invoice, rows: Sequence[LineRow]) -> list[int]:
    """Locks the sessions the draft bills and checks they are still as the draft priced them:
    stopped, reviewed, not invoiced, the customer's, and the same uncovered minutes and rates."""
    billed: dict[int, list[tuple[int | None, Decimal]]] = defaultdict(list)
    for row in rows:
        if row.session_id is not None:
            billed[row.session_id].append((row.minutes, row.unit_price))
    if not billed:
        return []
    zone = company_zone()
    locked = Session.select().where(Session.id.in_(list(billed))).order_by(Session.id)
    found = {session.id: session for session in locking(locked)}
    for session_id, lines in billed.items():
        session = found.get(session_id)
        if (
            session is None
            or session.state is not SessionState.STOPPED
            or session.flagged_for_review
            or session.invoice_id is not None
            or session.customer_id != draft.customer_id
            or Counter((m, r) for _outside, m, r in _uncovered(session)) != Counter(lines)
        ):
            when = "?" if session is None else format_date(session.started_at, zone)
            raise RuleError(
                _(
                    "The session of {date} changed or was invoiced after this draft was made: "
                    "delete the draft and make it again."
                ).format(date=when)
            )
    return sorted(billed)


def _take_packs(draft: Invoice, rows: Sequence[LineRow]) -> None:
    """Locks the packs the draft bills and refuses one already on an issued invoice."""
    billed = {(row.pack_id, row.pack_month) for row in rows if row.pack_id is not None}
    if not billed:
        return
    pack_ids = sorted({pack_id for pack_id, _month in billed})
    list(locking(Pack.select(Pack.id).where(Pack.id.in_(pack_ids)).order_by(Pack.id)))
    for other in rows_of(
        LineRow.select(
            LineRow.pack, LineRow.pack_month, Invoice.series, Invoice.year, Invoice.number
        )
        .join(Invoice)
        .where(
            LineRow.pack.in_(pack_ids)
            & (Invoice.id != draft.id)
            & (Invoice.kind == InvoiceKind.INVOICE)
            & (Invoice.state == InvoiceState.ISSUED)
        )
        .objects()
    ):
        if (other.pack_id, other.pack_month) in billed:
            raise RuleError(
                _("A pack on this draft is already on invoice {number}: remove its line.").format(
                    number=document_number(other.series, other.year, other.number)
                )
            )


def issue_invoice(desk: Desk, invoice_id: int, version: int) -> InvoiceDocument:
    """Issues a draft: the next number of its series in the year of issue (gapless), the
    supplier's and customer's data frozen, totals per VAT rate, its sessions marked invoiced.
    From then on it never changes (P20); it is corrected by ``cancel_invoice``."""
    with use_case():
        draft = _draft_for_change(invoice_id)
        rows = _stored_lines(draft.id)
        if not rows:
            raise RuleError(_("An invoice without lines cannot be issued."))
        settings = CompanySettings.current()
        _check_supplier(settings)
        customer = Customer.get_by_id(draft.customer_id)
        _check_customer_nif(customer)
        session_ids = _take_sessions(draft, rows)
        _take_packs(draft, rows)
        now = desk.now()
        issued_on = issue_date(now, company_zone())
        draft.year = issued_on.year
        draft.number = next_invoice_number(draft.series, issued_on.year)
        draft.state = InvoiceState.ISSUED
        draft.issued_at = now
        draft.issue_date = issued_on
        draft.issued_by_id = desk.technician_id
        _set_snapshot(draft, _customer_snapshot(customer) | _supplier_snapshot(settings))
        _set_totals(draft, [_as_domain(row) for row in rows])
        save_versioned(draft, version)
        topics = {Topic.INVOICES}
        if session_ids:
            marked = (
                Session.update(invoice=draft.id, version=Session.version + 1)
                .where(Session.id.in_(session_ids) & Session.invoice.is_null())
                .execute()
            )
            if marked != len(session_ids):  # the rows are locked: only a bug gets here
                raise RuntimeError("a session locked for this invoice was invoiced meanwhile")
            topics.add(Topic.SESSIONS)
        done = changes.note(desk, topics, draft.id)
        return _document(draft, done)


def cancel_invoice(desk: Desk, invoice_id: int, version: int, *, reason: str) -> InvoiceCancelled:
    """Cancels an issued invoice with a credit note issued at once: its own series and gapless
    numbering, ``corrects`` the invoice, every line negated (``credit_lines``), the reason
    recorded. The invoice keeps its number, as cancelled; its sessions may be invoiced again.
    Only an administrator cancels, and always says why."""
    with use_case():
        why = checks.check_text("reason", reason, max_length=checks.LONG_TEXT, multiline=True)
        if not why:
            raise InputError(_("Write why the invoice is cancelled."), field="reason")
        require_admin(desk)
        cancelled = locked_or_missing(Invoice, invoice_id, _missing_invoice(invoice_id))
        if cancelled.kind is InvoiceKind.CREDIT_NOTE:
            raise RuleError(_("A credit note cannot be cancelled."))
        if cancelled.state is InvoiceState.DRAFT:
            raise RuleError(_("A draft has no number to cancel: delete it instead."))
        if cancelled.state is InvoiceState.CANCELLED:
            raise RuleError(_("This invoice is already cancelled."))
        settings = CompanySettings.current()
        _check_supplier(settings)
        rows = _stored_lines(cancelled.id)
        credited = _rule(credit_lines, [_as_domain(row) for row in rows])
        now = desk.now()
        issued_on = issue_date(now, company_zone())
        series = settings.credit_note_series
        note = Invoice(
            kind=InvoiceKind.CREDIT_NOTE,
            state=InvoiceState.ISSUED,
            series=series,
            year=issued_on.year,
            number=next_invoice_number(series, issued_on.year),
            customer=cancelled.customer_id,
            period_start=cancelled.period_start,
            period_end=cancelled.period_end,
            issued_at=now,
            issue_date=issued_on,
            issued_by=desk.technician_id,
            corrects=cancelled.id,
            correction_reason=why,
            created_at=now,
            created_by=desk.technician_id,
        )
        # The customer as on the document it corrects; the supplier as it is today.
        _set_snapshot(
            note,
            {
                f"customer_{name}": getattr(cancelled, f"customer_{name}")
                for name in _CUSTOMER_SNAPSHOT
            }
            | _supplier_snapshot(settings),
        )
        _set_totals(note, credited)
        note.save()
        _insert_lines(
            note.id,
            [
                (line, _Refs(row.pack_id, row.pack_month, row.session_id))
                for line, row in zip(credited, rows, strict=True)
            ],
        )
        cancelled.state = InvoiceState.CANCELLED
        save_versioned(cancelled, version)
        freed = (
            Session.update(invoice=None, version=Session.version + 1)
            .where(Session.invoice == cancelled.id)
            .execute()
        )
        topics = {Topic.INVOICES, Topic.SESSIONS} if freed else {Topic.INVOICES}
        done = changes.note(desk, topics, cancelled.id)
        return InvoiceCancelled(_document(cancelled), _document(note), done)
