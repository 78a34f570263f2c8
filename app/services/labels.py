"""The words for the stored states and kinds, as the window, the PDFs, the exports and the command
line show them: one label for each value, translated where shown.

The domain's own values have theirs beside them (``sla.plan_label``, ``sla.channel_label``,
``sla.reason_text``, ``sla.outcome_label``).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.domain.packs import PackKind, month_bounds
from app.domain.states import ContactState, InvoiceKind, InvoiceState, LedgerKind, SessionState
from app.i18n import _, format_date, format_month

if TYPE_CHECKING:
    from app.services.compensation import GrantRecord


def contact_state_label(state: ContactState) -> str:
    return {
        ContactState.OPEN: _("Awaiting response"),
        ContactState.ANSWERED: _("Answered"),
        ContactState.CLOSED: _("Closed"),
        ContactState.REJECTED: _("Rejected"),
    }[ContactState(state)]


def session_state_label(state: SessionState) -> str:
    return {
        SessionState.RUNNING: _("Running"),
        SessionState.PAUSED: _("Paused"),
        SessionState.STOPPED: _("Stopped"),
        SessionState.DISCARDED: _("Discarded"),
    }[SessionState(state)]


def pack_kind_label(kind: PackKind) -> str:
    return {
        PackKind.UNIT: _("Unit pack"),
        PackKind.MONTHLY: _("Monthly pack"),
        PackKind.FREE: _("Free hours"),
    }[PackKind(kind)]


def ledger_kind_label(kind: LedgerKind) -> str:
    return {
        LedgerKind.PURCHASE: _("Purchase"),
        LedgerKind.MONTHLY_ALLOTMENT: _("Monthly allotment"),
        LedgerKind.CONSUMPTION: _("Consumption"),
        LedgerKind.EXPIRY: _("Expiry"),
        LedgerKind.COMPENSATION: _("Compensation"),
        LedgerKind.REVOCATION: _("Revocation"),
        LedgerKind.CORRECTION: _("Correction"),
    }[LedgerKind(kind)]


def grant_state_text(grant: GrantRecord) -> str:
    """P17: a compensation granted, or who revoked it, when and why."""
    if grant.revoked_at is None:
        return _("Granted")
    return _("Revoked on {date} by {name}: {reason}").format(
        date=format_date(grant.revoked_at),
        name=grant.revoked_by_name or _("the program"),
        reason=grant.revoke_reason,
    )


def invoice_kind_label(kind: InvoiceKind) -> str:
    return {
        InvoiceKind.INVOICE: _("Invoice"),
        InvoiceKind.CREDIT_NOTE: _("Credit note"),
    }[InvoiceKind(kind)]


def invoice_state_label(state: InvoiceState) -> str:
    return {
        InvoiceState.DRAFT: _("Draft"),
        InvoiceState.ISSUED: _("Issued"),
        InvoiceState.CANCELLED: _("Cancelled"),
    }[InvoiceState(state)]


def issued_document_text(kind: InvoiceKind, state: InvoiceState, corrects: str | None) -> str:
    """What a numbered document is now: issued, cancelled, or the credit note of an invoice."""
    if InvoiceKind(kind) is InvoiceKind.CREDIT_NOTE:
        return _("Credit note for {number}").format(number=corrects or "?")
    if InvoiceState(state) is InvoiceState.CANCELLED:
        return invoice_state_label(InvoiceState.CANCELLED)
    return invoice_state_label(InvoiceState.ISSUED)


def invoice_period_text(start: date | None, end: date | None) -> str:
    """An invoice's period: a whole month as ``março de 2026``; any other as its two dates."""
    if start is None or end is None:
        return ""
    if (start, end) == month_bounds((start.year, start.month)):
        return format_month(start.year, start.month)
    return _("{start} to {end}").format(start=format_date(start), end=format_date(end))
