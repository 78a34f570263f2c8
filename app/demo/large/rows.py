"""The large build's records in memory: customers with their balances, sessions waiting for their
invoice, and the columns each table is written with."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from app.domain.contract import ContractTerms
from app.domain.invoice import InvoiceLine
from app.domain.packs import Balance, PackKind, covers_month, month_key
from app.domain.sla import Plan
from app.store.base import BaseModel
from app.store.models import (
    CompensationGrant,
    Contact,
    Customer,
    CustomerEmail,
    CustomerPhone,
    Invoice,
    LedgerEntry,
    Pack,
    Session,
    SessionInterval,
)
from app.store.models import InvoiceLine as LineRow

# The columns each table is written with, in the order the rows give them; parents first.
COLUMNS: dict[type[BaseModel], tuple[str, ...]] = {
    Customer: (
        "id", "name", "nif", "address", "postcode", "city", "plan", "plan_since", "anydesk",
        "archived", "created_at", "business_response_minutes", "compensation_hours",
        "inside_block_minutes", "rate_inside",
    ),
    CustomerEmail: ("id", "customer", "email", "label"),
    CustomerPhone: ("id", "customer", "number", "label"),
    Contact: (
        "id", "customer", "channel", "sender_raw", "sender_normalised", "received_at", "subject",
        "plan_at_receipt", "registered", "guaranteed", "deadline", "target", "reason", "urgent",
        "compensation_hours", "first_response_at", "first_response_by", "state", "closed_at",
        "created_at", "created_by", "technician",
    ),
    Pack: (
        "id", "customer", "kind", "minutes", "price", "purchased_on", "starts_on", "valid_until",
        "last_month", "note", "created_at", "created_by",
    ),
    Invoice: (
        "id", "kind", "state", "series", "year", "number", "customer", "period_start",
        "period_end", "issued_at", "issue_date", "issued_by", "corrects", "correction_reason",
        "customer_name", "customer_nif", "customer_address", "customer_postcode", "customer_city",
        "supplier_name", "supplier_nif", "supplier_address", "supplier_postcode", "supplier_city",
        "supplier_iban", "legal_mention", "net", "vat", "gross", "created_at", "created_by",
    ),
    Session: (
        "id", "customer", "contact", "technician", "state", "started_at", "stopped_at", "note",
        "flagged_for_review", "inside_seconds", "outside_seconds", "inside_billed_minutes",
        "outside_billed_minutes", "uncovered_inside_minutes", "uncovered_outside_minutes",
        "rate_inside", "rate_outside", "invoice",
    ),
    SessionInterval: ("id", "session", "started_at", "ended_at"),
    LineRow: (
        "id", "invoice", "position", "description", "service_date", "quantity", "minutes",
        "unit_price", "vat_rate", "exemption", "net", "pack", "pack_month", "session",
    ),
    LedgerEntry: (
        "id", "customer", "pack", "kind", "minutes", "month", "outside", "session", "contact",
        "reverses", "reason", "created_at", "created_by",
    ),
    CompensationGrant: (
        "id", "contact", "customer", "hours", "granted_at", "pack", "entry", "revoked_at",
        "revoked_by", "revoke_reason", "revocation_entry",
    ),
}  # fmt: skip

#: A balance: its pack and, for a monthly pack, its month (as the ledger's entries name it).
BalanceKey = tuple[int, date | None]


@dataclass
class Subscription:
    """A monthly pack (P15) from its first month to its last (``None``: still running)."""

    minutes: int
    price: Decimal
    first: date
    last: date | None
    pack_id: int | None = None  # once sold
    #: The latest month allotted.
    allotted: date | None = None

    def covers(self, month: date) -> bool:
        last = None if self.last is None else month_key(self.last)
        return covers_month(month_key(self.first), last, month_key(month))


@dataclass
class Account:
    """A customer while its history is written: its terms, senders and balances."""

    id: int
    name: str
    nif: str
    address: str
    postcode: str
    city: str
    plan: Plan
    contract: ContractTerms
    inside_block: timedelta
    outside_block: timedelta
    rate_inside: Decimal
    rate_outside: Decimal
    emails: list[tuple[str, str]]  # (as a sender writes it, normalised)
    phones: list[tuple[str, str]]
    weight: float
    active_until: int  # the last month (index) with activity: an archived customer stops earlier
    unit_buyer: bool
    subscription: Subscription | None = None
    #: What each pack (a monthly pack: each month) holds now, as the domain's ``Balance``.
    balances: dict[BalanceKey, Balance] = field(default_factory=dict)

    def unit_minutes(self) -> int:
        return sum(b.remaining for b in self.balances.values() if b.kind is PackKind.UNIT)


@dataclass
class Grant:
    id: int
    contact_id: int
    customer_id: int
    hours: int
    granted_at: datetime
    pack_id: int
    entry_id: int
    revoked_at: datetime | None = None
    revoked_by: int | None = None
    revoke_reason: str = ""
    revocation_entry: int | None = None

    def row(self) -> tuple[Any, ...]:
        return (
            self.id, self.contact_id, self.customer_id, self.hours, self.granted_at, self.pack_id,
            self.entry_id, self.revoked_at, self.revoked_by, self.revoke_reason,
            self.revocation_entry,
        )  # fmt: skip


# Positions in a session's row (``COLUMNS[Session]``) that billing and invoicing fill in.
INSIDE_SECONDS, OUTSIDE_SECONDS, INSIDE_BILLED, OUTSIDE_BILLED = 9, 10, 11, 12
UNCOVERED_INSIDE, UNCOVERED_OUTSIDE, RATE_INSIDE, RATE_OUTSIDE, INVOICE = 13, 14, 15, 16, 17


@dataclass
class SessionRecord:
    """A session's row, kept until its quarter is invoiced (its ``invoice`` is set then)."""

    row: list[Any]
    customer_id: int
    started_at: datetime
    technician: int
    subject: str

    @property
    def id(self) -> int:
        return int(self.row[0])


@dataclass(frozen=True)
class Billable:
    """A line to invoice: a pack (or one month of it) or one part of a session's time."""

    order: tuple[int, date, int]
    line: InvoiceLine
    pack_id: int | None = None
    pack_month: date | None = None
    session: SessionRecord | None = None
