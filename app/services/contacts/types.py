"""Contacts: what the services return (a contact's record, a row of the queue, a preview of
the terms, the result of a change), and the constants the modules share."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from app.domain.calendar import elapsed
from app.domain.queue import QueueGroup, queue_due, queue_key
from app.domain.sla import (
    Channel,
    Plan,
    Reason,
    Terms,
)
from app.domain.states import ContactState
from app.i18n import _
from app.services.changes import Changed
from app.services.queries import frozen_terms

#: The queue: contacts waiting for a first response, then those answered and not closed.
QUEUE_STATES = (ContactState.OPEN, ContactState.ANSWERED)
#: Channels on which the sender must be an email address, or a phone number.
EMAIL_CHANNELS = frozenset({Channel.EMAIL, Channel.PRIORITY_EMAIL})
PHONE_ONLY_CHANNELS = frozenset({Channel.PHONE, Channel.PRIORITY_PHONE})
DEFAULT_LIST_LIMIT = 500

SUBJECT_MAX = 500
LONG_TEXT = 20_000


def missing_contact() -> str:
    return _("This contact no longer exists.")


# --- what the services return ---------------------------------------------------------------------


@dataclass(frozen=True)
class ContactTermsPreview:
    """The terms a contact would get, shown by the "Novo contacto" dialog before saving."""

    customer_id: int | None
    customer_name: str | None
    sender_kind: Literal["email", "phone"] | None  # None: read as plain text
    sender_normalised: str | None
    registered: bool  # P9: the sender is in that customer's record
    plan: Plan
    terms: Terms
    compensation_hours: int  # what a missed guarantee would grant (0 without one)
    state: ContactState  # open, or rejected (P10a)

    @property
    def rejected(self) -> bool:
        return self.state is ContactState.REJECTED


@dataclass(frozen=True)
class ContactRecord:
    """A contact with everything frozen at its receipt (P19)."""

    id: int
    version: int
    customer_id: int | None
    customer_name: str | None
    channel: Channel
    sender_raw: str
    sender_normalised: str | None
    received_at: datetime
    subject: str
    notes: str
    plan_at_receipt: Plan
    registered: bool
    guaranteed: bool
    deadline: datetime | None
    target: datetime | None
    reason: Reason
    urgent: bool
    compensation_hours: int
    first_response_at: datetime | None
    first_response_by_id: int | None
    state: ContactState
    closed_at: datetime | None
    created_at: datetime
    created_by_id: int | None
    grant_id: int | None  # P17: the compensation it caused
    granted_hours: int | None
    grant_revoked: bool
    technician_id: int | None = None  # who looks after it (issue 14)
    technician_name: str | None = None

    @property
    def terms(self) -> Terms:
        """The frozen terms, for ``sla.urgency``, ``sla.is_breached``, ``sla.warning_lead``."""
        return frozen_terms(self)


@dataclass(frozen=True)
class ContactRow:
    """One line of the queue (or of a customer's contacts, or the rejected list)."""

    id: int
    version: int
    customer_id: int | None
    customer_name: str | None
    channel: Channel
    sender: str  # as received
    subject: str
    received_at: datetime
    deadline: datetime | None
    target: datetime | None
    reason: Reason
    urgent: bool
    guaranteed: bool
    first_response_at: datetime | None
    state: ContactState
    granted_hours: int | None  # P17: None without a compensation
    grant_revoked_at: datetime | None
    technician_id: int | None = None  # who looks after it (issue 14)
    technician_name: str | None = None

    @property
    def grant_revoked(self) -> bool:
        return self.grant_revoked_at is not None

    @property
    def terms(self) -> Terms:
        return frozen_terms(self)

    @property
    def due(self) -> datetime:
        """What the queue sorts by: the deadline, else the indicative target, else receipt."""
        return queue_due(self.deadline, self.target, self.received_at)

    @property
    def queue_key(self) -> tuple[QueueGroup, datetime, int]:
        """Its place in the queue (``app.domain.queue``)."""
        return queue_key(
            waiting=self.state is ContactState.OPEN,
            deadline=self.deadline,
            target=self.target,
            received=self.received_at,
            key=self.id,
        )

    def time_left(self, now: datetime) -> timedelta:
        """Real time from ``now`` to ``due`` (negative once past it)."""
        return elapsed(now, self.due)


@dataclass(frozen=True)
class ContactResult(Changed):
    contact: ContactRecord
