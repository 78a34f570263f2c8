"""The states and kinds that records carry: the vocabulary every layer speaks (the store keeps them
in its columns, the services decide with them, the window shows them). Plain enums: no database,
no Qt."""

from __future__ import annotations

from enum import StrEnum


class ContactState(StrEnum):
    OPEN = "open"  # waiting for its first response
    ANSWERED = "answered"  # first response given, work may go on
    CLOSED = "closed"
    REJECTED = "rejected"  # P10a: not processed, out of the queue, kept for audit


class SessionState(StrEnum):
    RUNNING = "running"  # one interval is open
    PAUSED = "paused"
    STOPPED = "stopped"  # billing frozen on the session
    DISCARDED = "discarded"  # never billed, kept for audit


class InvoiceKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class InvoiceState(StrEnum):
    DRAFT = "draft"  # editable, no number yet
    ISSUED = "issued"  # numbered and frozen (P20)
    CANCELLED = "cancelled"  # issued, then annulled by a credit note; keeps its number


class LedgerKind(StrEnum):
    """Why the pack ledger moved. Credits are positive minutes, debits negative."""

    PURCHASE = "purchase"  # + a unit pack's hours (P14)
    MONTHLY_ALLOTMENT = "monthly_allotment"  # + one month of a monthly pack (P15)
    CONSUMPTION = "consumption"  # − billed session time paid by the pack (P16a)
    EXPIRY = "expiry"  # − what was left when the pack or the month lapsed
    COMPENSATION = "compensation"  # + free hours for a missed guarantee (P17)
    REVOCATION = "revocation"  # − an administrator took back a compensation (P17)
    CORRECTION = "correction"  # ± reverses an earlier entry, with a reason


class AddressKind(StrEnum):
    """A company address known to the intake (issue 11): a support address and its channel
    (P24), or a team member's own; the support addresses count as the team's too."""

    EMAIL = "email"  # the general support address: email/ticket
    PRIORITY_EMAIL = "priority_email"  # a dedicated priority address
    TEAM = "team"


class Direction(StrEnum):
    IN = "in"  # read from the mailbox's folder
    OUT = "out"  # read from its sent folder (P27)


class IntakeLogKind(StrEnum):
    FETCH = "fetch"  # one pass over a mailbox, with its counts
    FAILED = "failed"  # the mailbox could not be read (message in Portuguese)
    IGNORED = "ignored"  # P26, with its reason
    UNREADABLE = "unreadable"  # taken with what could be read; the problems listed
