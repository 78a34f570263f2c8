"""Invoices: reading them, one document, a page of the list, a search, the years there are."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any, cast

from peewee import JOIN, Select, fn

from app.domain.invoice import totals
from app.domain.states import InvoiceKind, InvoiceState
from app.domain.validation import ValidationError, parse_amount
from app.i18n import _
from app.services import checks
from app.services.changes import Changes
from app.services.errors import NotFoundError
from app.services.invoices.records import as_domain, missing_invoice, parse_number, stored_lines
from app.services.invoices.types import (
    MAX,
    MAX_NUMBER,
    NOT_CERTIFIED_NOTICE,
    SEARCH_NUMBER,
    DocumentLine,
    InvoiceDocument,
    InvoiceRef,
    InvoiceRow,
    Party,
)
from app.services.labels import document_number
from app.services.queries import get_or_missing, rows_of
from app.store.database import current_database
from app.store.models import Invoice, Technician
from app.store.models import InvoiceLine as LineRow

# --- reading ----------------------------------------------------------------------------------


def _ref(invoice: Invoice | None) -> InvoiceRef | None:
    if invoice is None:
        return None
    number = document_number(invoice.series, invoice.year, invoice.number)
    return InvoiceRef(invoice.id, invoice.kind, number, invoice.issue_date)


def document(
    invoice: Invoice,
    done: Changes | None = None,
    *,
    lines: Sequence[LineRow] | None = None,
    was_draft: bool = False,
) -> InvoiceDocument:
    """The document with its lines (``lines``: its stored lines, when the caller has just read
    them). Only an issued invoice is ever corrected (``cancel_invoice``), so neither a draft
    nor one issued by this very transaction (``was_draft``: it was a draft, locked, when the
    use case began) is looked up among the credit notes: one query fewer each."""
    rows = stored_lines(invoice.id) if lines is None else list(lines)
    summed = totals(as_domain(row) for row in rows)
    corrects = None if invoice.corrects_id is None else Invoice.get_by_id(invoice.corrects_id)
    corrected_by = (
        None
        if was_draft or invoice.state is InvoiceState.DRAFT
        else Invoice.select().where(Invoice.corrects == invoice.id).order_by(Invoice.id).first()
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
    return document(get_or_missing(Invoice, invoice_id, missing_invoice(invoice_id)))


def invoice_by_number(text: str) -> InvoiceDocument:
    """The document numbered ``text``, as printed: "FT 2026/17"."""
    series, year, number = parse_number(text)
    found = (
        None
        if number > MAX_NUMBER
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
    return document(found)


def _rows(
    condition: Any, order: Sequence[Any], limit: int | None = None, offset: int = 0
) -> tuple[InvoiceRow, ...]:
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
        query = query.limit(limit).offset(offset)
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
            issued_at=row.issued_at,
            number=row.number,
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
    offset: int = 0,
) -> tuple[InvoiceRow, ...]:
    """Invoices and credit notes, newest first: the drafts (the latest made first), then the
    numbered documents by the instant they were issued, then by number; at most ``limit``,
    from ``offset`` (one page of the list: two or three queries a page; all: one query).

    ``search``: the documents whose number ("FT 2026/17", "2026/17", "2026/1…"), customer name
    or amount (net or total, "45,50") matches what is typed.
    """
    condition = _filter(customer_id, year, state, kind, search)
    newest = (Invoice.issued_at.desc(), Invoice.number.desc(), Invoice.id.desc())
    if limit is None:  # all of them (a customer's): one query, sorted whole
        return _rows(condition, (Invoice.issued_at.is_null().desc(), *newest))
    drafts = _both(condition, Invoice.issued_at.is_null())
    numbered = _both(condition, Invoice.issued_at.is_null(False))
    # Two reads, each along an index (``invoice_issued_at_number_id``): one ORDER BY putting
    # the drafts first would sort every document on SQLite, whose indexes keep NULLs last.
    rows: tuple[InvoiceRow, ...] = ()
    drafts_count = int(Invoice.select(Invoice.id).where(drafts).count())
    if offset < drafts_count:
        rows = _rows(drafts, (Invoice.id.desc(),), limit, offset)
    if len(rows) < limit:
        rows += _rows(numbered, newest, limit - len(rows), max(offset - drafts_count, 0))
    return rows


def _both(condition: Any, wanted: Any) -> Any:
    return wanted if condition is None else condition & wanted


def count_invoices(
    customer_id: int | None = None,
    year: int | None = None,
    state: InvoiceState | None = None,
    kind: InvoiceKind | None = None,
    *,
    search: str = "",
    at_most: int | None = None,
) -> int:
    """How many documents ``invoices`` would list with these filters, counting no further than
    ``at_most`` (whether the list is cut short): one aggregate query."""
    query = Invoice.select(Invoice.id)
    condition = _filter(customer_id, year, state, kind, search)
    if condition is not None:
        query = query.where(condition)
    if at_most is not None:
        query = query.limit(at_most)
    return int(query.count())


def _filter(
    customer_id: int | None,
    year: int | None,
    state: InvoiceState | None,
    kind: InvoiceKind | None,
    search: str,
) -> Any:
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
    return condition


def _matching(search: str) -> Any:
    """The documents a search of the list finds (see ``invoices``)."""
    typed = checks.search_text(search)
    found: Any = Invoice.customer_name.contains(typed)
    number = SEARCH_NUMBER.fullmatch(typed)
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
    if amount is not None and amount == amount.quantize(Decimal("0.01")) and abs(amount) < MAX:
        found |= (Invoice.gross == amount) | (Invoice.net == amount)
    return found


def invoice_years() -> tuple[int, ...]:
    """The years that have numbered documents, the latest first (a draft has no year yet): the
    first and the last from the index on ``year``, then each year between them that has one
    (a DISTINCT would read the whole index: 50 ms for 150,000 documents)."""
    bounds = Invoice.select(fn.MIN(Invoice.year), fn.MAX(Invoice.year)).tuples().get()
    first, last = cast(tuple[int | None, int | None], bounds)
    if first is None or last is None:
        return ()
    candidates = range(last, first - 1, -1)
    # One row, a column a year: whether that year has a document (an index lookup each).
    has = [
        fn.EXISTS(Invoice.select(Invoice.id).where(Invoice.year == year).limit(1))
        for year in candidates
    ]
    (found,) = Select(columns=has).tuples().execute(current_database())
    return tuple(year for year, there in zip(candidates, found, strict=True) if there)


def invoice_row(invoice_id: int) -> InvoiceRow:
    """One line of the invoice list."""
    found = _rows(Invoice.id == invoice_id, (Invoice.id,))
    if not found:
        raise NotFoundError(missing_invoice(invoice_id))
    return found[0]


def issued_invoices() -> tuple[InvoiceRow, ...]:
    """Every numbered document (issued or cancelled invoices, credit notes), by series, year and
    number: what ``balcao invoices`` prints, number first."""
    return _rows(
        Invoice.state != InvoiceState.DRAFT, (Invoice.series, Invoice.year, Invoice.number)
    )
