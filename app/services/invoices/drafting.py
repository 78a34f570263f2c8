"""Invoices: a draft and its lines (P20, P21): the packs bought and the time no pack covered,
described in words; lines typed by hand; deleting a draft."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from peewee import JOIN, fn

from app.domain.calendar import local_days
from app.domain.invoice import InvoiceLine, time_line, uncovered_time
from app.domain.months import Month
from app.domain.packs import PackKind
from app.domain.states import InvoiceKind, InvoiceState, LedgerKind, SessionState
from app.domain.validation import MAX_AMOUNT, MAX_QUANTITY
from app.i18n import _, format_date, format_minutes_as_hours, format_month
from app.services import changes, checks
from app.services.changes import Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, NotFoundError
from app.services.invoices.queries import document
from app.services.invoices.records import (
    Refs,
    customer_snapshot,
    draft_for_change,
    insert_lines,
    retotal,
    rule,
    set_snapshot,
    set_totals,
    supplier_snapshot,
)
from app.services.invoices.types import ONE, DraftDeleted, InvoiceDocument
from app.services.queries import customer_row, rows_of
from app.services.settings.calendar import company_settings, company_zone
from app.store.base import delete_versioned, save_versioned
from app.store.models import (
    Contact,
    Invoice,
    LedgerEntry,
    Pack,
    Session,
    Technician,
)
from app.store.models import InvoiceLine as LineRow

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
) -> list[tuple[InvoiceLine, Refs]]:
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
                line = rule(
                    InvoiceLine,
                    description=unit_pack_description(pack.minutes, pack.valid_until),
                    quantity=ONE,
                    unit_price=pack.price,
                    vat_rate=vat_rate,
                    service_date=pack.purchased_on,
                )
                lines.append((line, Refs(pack_id=pack.id)))
            continue
        for month in (m.first_day for m in Month.span(Month.of(start), Month.of(end))):
            if month < max(start, pack.starts_on) or (pack.last_month and month > pack.last_month):
                continue
            if (pack.id, month) in taken:
                continue
            line = rule(
                InvoiceLine,
                description=monthly_pack_description(pack.minutes, month),
                quantity=ONE,
                unit_price=pack.price,
                vat_rate=vat_rate,
                service_date=month,
            )
            lines.append((line, Refs(pack_id=pack.id, pack_month=month)))
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


def uncovered(session: Any) -> list[tuple[bool, int, Decimal]]:
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
) -> list[tuple[InvoiceLine, Refs]]:
    lines = []
    for row in _invoiceable_sessions(customer_id, start, end, zone):
        day = row.started_at.astimezone(zone).date()
        subject = (row.contact_subject or row.note or "").strip() or _("remote support")
        for outside, minutes, rate in uncovered(row):
            description = time_description(day, row.technician_name, subject, outside=outside)
            line = rule(time_line, description, minutes, rate, vat_rate, day)
            lines.append((line, Refs(session_id=row.id)))
    return lines


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
        settings = company_settings()
        lines = _pack_lines(customer_id, period_start, period_end, settings.vat_rate)
        lines += _time_lines(
            customer_id, period_start, period_end, settings.vat_rate, company_zone(settings)
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
        set_snapshot(draft, customer_snapshot(customer) | supplier_snapshot(settings))
        set_totals(draft, [line for line, _refs in lines])
        draft.save()
        insert_lines(draft.id, lines)
        done = changes.note(desk, {Topic.INVOICES}, draft.id)
        return document(draft, done)


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
        draft = draft_for_change(invoice_id)
        rate = company_settings().vat_rate if vat_rate is None else vat_rate
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
        insert_lines(draft.id, [(line, Refs())], first_position=(last.scalar() or 0) + 1)
        retotal(draft)
        save_versioned(draft, version)
        done = changes.note(desk, {Topic.INVOICES}, draft.id)
        return document(draft, done)


def remove_line(desk: Desk, invoice_id: int, version: int, line_id: int) -> InvoiceDocument:
    """Removes a line from a draft; the lines after it move up."""
    with use_case():
        draft = draft_for_change(invoice_id)
        line = LineRow.get_or_none((LineRow.id == line_id) & (LineRow.invoice == draft.id))
        if line is None:
            raise NotFoundError(_("This line is not on the draft any more."))
        line.delete_instance()
        # Two steps, so that no moment has two lines at one position (a unique index).
        later = (LineRow.invoice == draft.id) & (LineRow.position > line.position)
        LineRow.update(position=LineRow.position * -1).where(later).execute()
        moved = (LineRow.invoice == draft.id) & (LineRow.position < 0)
        LineRow.update(position=LineRow.position * -1 - 1).where(moved).execute()
        retotal(draft)
        save_versioned(draft, version)
        done = changes.note(desk, {Topic.INVOICES}, draft.id)
        return document(draft, done)


def delete_draft(desk: Desk, invoice_id: int, version: int) -> DraftDeleted:
    """Deletes a draft (its lines go with it); an issued document is never deleted."""
    with use_case():
        draft = draft_for_change(invoice_id)
        delete_versioned(draft, version)
        done = changes.note(desk, {Topic.INVOICES}, invoice_id)
        return DraftDeleted(invoice_id, changes=done)
