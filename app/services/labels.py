"""The words for the states, kinds and rules' values, as the window, the PDFs, the exports and the
command line show them: one label for each value, translated where shown. Every label is here;
the domain decides and names nothing (plans, channels, reasons and outcomes included).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from app.domain.intake import Security
from app.domain.months import Month
from app.domain.packs import PackKind
from app.domain.periods import Period
from app.domain.sla import Channel, GuaranteeOutcome, Plan, Reason
from app.domain.states import (
    AddressKind,
    ContactState,
    InvoiceKind,
    InvoiceState,
    LedgerKind,
    SessionState,
)
from app.i18n import _, format_date, format_month, pgettext

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
    month = Month.of(start)
    if (start, end) == (month.first_day, month.last_day):
        return format_month(start.year, start.month)
    return _("{start} to {end}").format(start=format_date(start), end=format_date(end))


# --- the rules' values (app.domain.sla) ----------------------------------------------------------


def plan_label(plan: Plan) -> str:
    return {
        Plan.NONE: _("No plan"),
        Plan.STANDARD: _("Standard support"),
        Plan.PRIORITY: _("Priority support"),
        Plan.PRIORITY_24_7: _("Priority support 24/7"),
    }[Plan(plan)]


def plan_short_label(plan: Plan) -> str:
    """A plan in a narrow column, where "support" goes without saying ("Suporte Priori…" hid
    Prioritário from Prioritário 24/7)."""
    return {
        Plan.NONE: _("No plan"),
        Plan.STANDARD: pgettext("plan", "Standard"),
        Plan.PRIORITY: pgettext("plan", "Priority"),
        Plan.PRIORITY_24_7: pgettext("plan", "Priority 24/7"),
    }[Plan(plan)]


def channel_label(channel: Channel) -> str:
    return {
        Channel.EMAIL: _("Email/ticket"),
        Channel.PHONE: _("Main phone line"),
        Channel.PRIORITY_EMAIL: _("Priority email"),
        Channel.PRIORITY_PHONE: _("Priority phone"),
        Channel.SMS: _("SMS"),
        Channel.WHATSAPP: _("WhatsApp"),
        Channel.SOCIAL: _("Social networks"),
        Channel.OTHER: _("Other"),
    }[Channel(channel)]


def reason_text(reason: Reason) -> str:
    """P10b: why a contact has or lacks a guarantee, in words."""
    return {
        Reason.GUARANTEED: _("Guaranteed response by the plan."),
        Reason.NO_PLAN: _("No support plan: indicative target only, no guarantee."),
        Reason.UNREGISTERED_SENDER: _(
            "The sender is not registered in the customer's record: no guarantee."
        ),
        Reason.CHANNEL_WITHOUT_GUARANTEE: _(
            "SMS, WhatsApp, social networks and other channels carry no guarantee."
        ),
        Reason.PUBLIC_CHANNEL: _(
            "Priority customer on a public channel: ordinary support, no plan guarantee."
        ),
        Reason.REJECTED: _(
            "Dedicated channel used by a sender not registered for a priority plan: rejected."
        ),
    }[Reason(reason)]


def outcome_label(outcome: GuaranteeOutcome) -> str:
    return {
        GuaranteeOutcome.MET: _("Met"),
        GuaranteeOutcome.MISSED: _("Missed"),
        GuaranteeOutcome.PENDING: _("Pending"),
        GuaranteeOutcome.NONE: _("No guarantee"),
    }[GuaranteeOutcome(outcome)]


def reason_short(reason: Reason) -> str:
    """The queue's guarantee column: ``reason_text`` (P10b) in two or three words."""
    return {
        Reason.GUARANTEED: _("Guaranteed"),
        Reason.NO_PLAN: _("No plan"),
        Reason.UNREGISTERED_SENDER: _("Not registered"),  # the sender: the tooltip says so
        Reason.CHANNEL_WITHOUT_GUARANTEE: _("Channel without guarantee"),
        Reason.PUBLIC_CHANNEL: _("Public channel"),
        Reason.REJECTED: _("Rejected"),
    }[Reason(reason)]


def period_label(period: Period) -> str:
    """The ledger's period filter (``app.domain.periods``)."""
    return {
        Period.EVERYTHING: _("Any time"),
        Period.THIS_MONTH: _("This month"),
        Period.LAST_MONTH: _("Last month"),
        Period.LAST_3_MONTHS: _("The last 3 months"),
        Period.THIS_YEAR: _("This year"),
    }[Period(period)]


# --- documents ----------------------------------------------------------------------------------


def document_number(series: str, year: int | None, number: int | None) -> str | None:
    """A document's number as printed: ``FT 2026/17``; ``None`` for a draft (no number yet)."""
    if year is None or number is None:
        return None
    return f"{series} {year}/{number}"


def security_label(security: Security) -> str:
    return {
        Security.SSL: _("SSL/TLS"),
        Security.STARTTLS: _("STARTTLS"),
        Security.NONE: _("None (this computer only)"),
    }[Security(security)]


def address_kind_label(kind: AddressKind) -> str:
    return {
        AddressKind.EMAIL: _("General support → email/ticket"),
        AddressKind.PRIORITY_EMAIL: _("Dedicated priority → priority email"),
        AddressKind.TEAM: _("Team member"),
    }[AddressKind(kind)]
