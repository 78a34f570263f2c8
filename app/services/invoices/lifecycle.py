"""Invoices: issuing a draft (a number, P22) and cancelling an issued invoice with a credit
note (P21)."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal

from app.domain.invoice import credit_lines, issue_date
from app.domain.states import InvoiceKind, InvoiceState, SessionState
from app.i18n import _, format_date
from app.services import changes, checks
from app.services.changes import Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, RuleError
from app.services.invoices.drafting import uncovered
from app.services.invoices.queries import document
from app.services.invoices.records import (
    CUSTOMER_SNAPSHOT,
    Refs,
    as_domain,
    check_customer_nif,
    check_supplier,
    customer_snapshot,
    draft_for_change,
    insert_lines,
    missing_invoice,
    rule,
    set_snapshot,
    set_totals,
    stored_lines,
    supplier_snapshot,
)
from app.services.invoices.types import InvoiceCancelled, InvoiceDocument
from app.services.labels import document_number
from app.services.queries import locked_or_missing, rows_of
from app.services.settings.calendar import company_settings, company_zone
from app.services.settings.technicians import require_admin
from app.store.base import save_versioned
from app.store.database import locking
from app.store.models import Customer, Invoice, Pack, Session
from app.store.models import InvoiceLine as LineRow
from app.store.numbering import next_invoice_number

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
            or Counter((m, r) for _outside, m, r in uncovered(session)) != Counter(lines)
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
        draft = draft_for_change(invoice_id)
        rows = stored_lines(draft.id)
        if not rows:
            raise RuleError(_("An invoice without lines cannot be issued."))
        settings = company_settings()
        check_supplier(settings)
        customer = Customer.get_by_id(draft.customer_id)
        check_customer_nif(customer)
        session_ids = _take_sessions(draft, rows)
        _take_packs(draft, rows)
        now = desk.now()
        issued_on = issue_date(now, company_zone(settings))
        draft.year = issued_on.year
        draft.number = next_invoice_number(draft.series, issued_on.year)
        draft.state = InvoiceState.ISSUED
        draft.issued_at = now
        draft.issue_date = issued_on
        draft.issued_by_id = desk.technician_id
        set_snapshot(draft, customer_snapshot(customer) | supplier_snapshot(settings))
        set_totals(draft, [as_domain(row) for row in rows])
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
        return document(draft, done, lines=rows, was_draft=True)  # issuing changes no line


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
        cancelled = locked_or_missing(Invoice, invoice_id, missing_invoice(invoice_id))
        if cancelled.kind is InvoiceKind.CREDIT_NOTE:
            raise RuleError(_("A credit note cannot be cancelled."))
        if cancelled.state is InvoiceState.DRAFT:
            raise RuleError(_("A draft has no number to cancel: delete it instead."))
        if cancelled.state is InvoiceState.CANCELLED:
            raise RuleError(_("This invoice is already cancelled."))
        settings = company_settings()
        check_supplier(settings)
        rows = stored_lines(cancelled.id)
        credited = rule(credit_lines, [as_domain(row) for row in rows])
        now = desk.now()
        issued_on = issue_date(now, company_zone(settings))
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
        set_snapshot(
            note,
            {
                f"customer_{name}": getattr(cancelled, f"customer_{name}")
                for name in CUSTOMER_SNAPSHOT
            }
            | supplier_snapshot(settings),
        )
        set_totals(note, credited)
        note.save()
        insert_lines(
            note.id,
            [
                (line, Refs(row.pack_id, row.pack_month, row.session_id))
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
        return InvoiceCancelled(document(cancelled), document(note), changes=done)
