"""Contacts (tickets, emails, calls): receipt with frozen terms (P9, P10, P10a, P19), the first
response, closing, and the queue sorted by time left.

At receipt the sender is normalised and looked up among the registered emails and phones (P9);
the customer's plan and contract give the terms (``app.domain.sla.response_terms``), and all of
it is frozen on the contact (P19): later edits of the customer rewrite no history. A contact on a
dedicated channel from a sender not registered for a priority plan is rejected (P10a): kept for
audit in ``rejected_contacts()``, out of the queue.

States: open (waiting for its first response) → answered → closed; closed → reopened (answered).
Closing a contact that had no first response records the closing as its first response: a
request is not closed without telling the customer. A first response after the deadline grants
the compensation at once (P17) — the sweep would grant it anyway.

Over 500 lines for now: receipt (``register_contact``) and the queue's read model are being
changed by the intake and the row-by-row queue work; the module is split by concern (receipt,
queue, lifecycle) once those have landed, rather than under them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from peewee import JOIN, Case, ModelSelect, fn

from app.domain.calendar import elapsed
from app.domain.contract import NO_CONTRACT
from app.domain.queue import QueueGroup, queue_due, queue_key
from app.domain.sla import (
    CHANNELS_WITHOUT_GUARANTEE,
    Channel,
    Plan,
    Reason,
    Terms,
    compensation_hours,
    response_terms,
)
from app.domain.states import ContactState
from app.domain.validation import ValidationError, normalize_sender
from app.i18n import _, format_datetime
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.checks import check_text, instant
from app.services.compensation import grant_if_breached
from app.services.context import Desk, use_case
from app.services.errors import InputError, RuleError
from app.services.queries import frozen_terms, get_or_missing, locked_or_missing, sender_owner
from app.services.settings import business_calendar
from app.store.base import save_versioned
from app.store.models import CompensationGrant, Contact, Customer

#: The queue: contacts waiting for a first response, then those answered and not closed.
QUEUE_STATES = (ContactState.OPEN, ContactState.ANSWERED)
#: Channels on which the sender must be an email address, or a phone number.
EMAIL_CHANNELS = frozenset({Channel.EMAIL, Channel.PRIORITY_EMAIL})
PHONE_ONLY_CHANNELS = frozenset({Channel.PHONE, Channel.PRIORITY_PHONE})
DEFAULT_LIST_LIMIT = 500

_SUBJECT_MAX = 500
_LONG_TEXT = 20_000


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
class ContactResult:
    contact: ContactRecord
    changes: Changes


# --- reading --------------------------------------------------------------------------------------


def _missing() -> str:
    return _("This contact no longer exists.")


#: ContactRow's fields, in its order.
_ROW_COLUMNS = (
    Contact.id,
    Contact.version,
    Contact.customer,
    Customer.name,
    Contact.channel,
    Contact.sender_raw,
    Contact.subject,
    Contact.received_at,
    Contact.deadline,
    Contact.target,
    Contact.reason,
    Contact.urgent,
    Contact.guaranteed,
    Contact.first_response_at,
    Contact.state,
    CompensationGrant.hours,
    CompensationGrant.revoked_at,
)


def _rows_query() -> ModelSelect[Contact]:
    """Contacts with their customer's name and their compensation: one query, two left joins."""
    return (
        Contact.select(*_ROW_COLUMNS)
        .join(Customer, JOIN.LEFT_OUTER, on=(Contact.customer == Customer.id))
        .switch(Contact)
        .join(CompensationGrant, JOIN.LEFT_OUTER, on=(CompensationGrant.contact == Contact.id))
    )


def _rows(query: ModelSelect[Contact]) -> tuple[ContactRow, ...]:
    rows = cast(Iterable[tuple[Any, ...]], query.tuples())
    return tuple(ContactRow(*row) for row in rows)  # _ROW_COLUMNS are its fields, in order


#: ``app.domain.queue.queue_key`` in SQL: group, due, id (``queue_group`` and ``queue_due``).
_QUEUE_ORDER = (
    Case(
        None,
        [
            (Contact.state != ContactState.OPEN, int(QueueGroup.ANSWERED)),
            (Contact.deadline.is_null() & Contact.target.is_null(), int(QueueGroup.UNTIMED)),
        ],
        int(QueueGroup.TIMED),
    ).asc(),
    fn.COALESCE(Contact.deadline, Contact.target, Contact.received_at).asc(),
    Contact.id.asc(),
)


def open_contacts(
    *, include_answered: bool = True, limit: int | None = None, offset: int = 0
) -> tuple[ContactRow, ...]:
    """The queue: contacts waiting for a first response, by time left (deadline, else indicative
    target); then those waiting with neither (SMS, WhatsApp…), oldest first; then, with
    ``include_answered``, those answered and not closed yet. Rejected contacts are never in it
    (P10a). One query; ``limit`` and ``offset`` page it.
    """
    states = QUEUE_STATES if include_answered else (ContactState.OPEN,)
    query = _rows_query().where(Contact.state.in_(states)).order_by(*_QUEUE_ORDER)
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return _rows(query)


def queue_rows(
    contact_ids: Iterable[int] = (), customer_ids: Iterable[int] = ()
) -> tuple[ContactRow, ...]:
    """The rows of these contacts (in whatever state), and of these customers' contacts in the
    queue or rejected, in no order: what a desk fetches when the change log says which contacts
    or customers changed, instead of the whole queue. One query, by primary key or by the
    customer's index.
    """
    contacts, customers = sorted(set(contact_ids)), sorted(set(customer_ids))
    if not contacts and not customers:
        return ()
    listed = (*QUEUE_STATES, ContactState.REJECTED)
    of_customers = Contact.customer.in_(customers) & Contact.state.in_(listed)
    if not contacts:
        return _rows(_rows_query().where(of_customers))
    chosen = Contact.id.in_(contacts)
    return _rows(_rows_query().where(chosen | of_customers if customers else chosen))


def rejected_contacts(*, limit: int = DEFAULT_LIST_LIMIT) -> tuple[ContactRow, ...]:
    """P10a: the rejected contacts, newest first, for audit."""
    # Picked through the state index first: otherwise SQLite walks every contact by receipt
    # time looking for the few rejected ones.
    rejected = Contact.select(Contact.id).where(Contact.state == ContactState.REJECTED)
    query = (
        _rows_query()
        .where(Contact.id.in_(rejected))
        .order_by(Contact.received_at.desc(), Contact.id.desc())
        .limit(limit)
    )
    return _rows(query)


def all_contacts(*, limit: int | None = None) -> tuple[ContactRow, ...]:
    """Every contact, in every state, oldest first (``balcao contacts --all``)."""
    query = _rows_query().order_by(Contact.received_at.asc(), Contact.id.asc())
    if limit is not None:
        query = query.limit(limit)
    return _rows(query)


def contacts_of_customer(
    customer_id: int, *, limit: int = DEFAULT_LIST_LIMIT
) -> tuple[ContactRow, ...]:
    """A customer's contacts, newest first, in every state."""
    query = (
        _rows_query()
        .where(Contact.customer == customer_id)
        .order_by(Contact.received_at.desc(), Contact.id.desc())
        .limit(limit)
    )
    return _rows(query)


def contact(contact_id: int) -> ContactRecord:
    """A contact's whole record."""
    row = get_or_missing(Contact, contact_id, _missing())
    name = None if row.customer_id is None else Customer.get_by_id(row.customer_id).name
    grant = CompensationGrant.get_or_none(CompensationGrant.contact == row.id)
    return ContactRecord(
        id=row.id,
        version=row.version,
        customer_id=row.customer_id,
        customer_name=name,
        channel=row.channel,
        sender_raw=row.sender_raw,
        sender_normalised=row.sender_normalised,
        received_at=row.received_at,
        subject=row.subject,
        notes=row.notes,
        plan_at_receipt=row.plan_at_receipt,
        registered=row.registered,
        guaranteed=row.guaranteed,
        deadline=row.deadline,
        target=row.target,
        reason=row.reason,
        urgent=row.urgent,
        compensation_hours=row.compensation_hours,
        first_response_at=row.first_response_at,
        first_response_by_id=row.first_response_by_id,
        state=row.state,
        closed_at=row.closed_at,
        created_at=row.created_at,
        created_by_id=row.created_by_id,
        grant_id=None if grant is None else grant.id,
        granted_hours=None if grant is None else grant.hours,
        grant_revoked=grant is not None and grant.revoked_at is not None,
    )


# --- receipt --------------------------------------------------------------------------------------


def _channel(value: object) -> Channel:
    try:
        return Channel(str(value))
    except ValueError:
        raise ValidationError(
            "channel", _("Unknown channel: {channel}.").format(channel=value)
        ) from None


def _sender(
    channel: Channel, sender: object
) -> tuple[Literal["email", "phone"] | None, str | None]:
    """The sender's kind and normalised form; on SMS, WhatsApp, social and other channels a
    sender that is neither is kept as plain text (kind and form None)."""
    typed = check_text("sender", sender, max_length=255)
    if not typed:
        raise ValidationError(
            "sender", _("Say who the contact is from: an email address or a phone number.")
        )
    try:
        kind, normalised = normalize_sender(typed)
    except ValidationError:
        if channel in CHANNELS_WITHOUT_GUARANTEE:
            return None, None
        raise
    if channel in EMAIL_CHANNELS and kind != "email":
        raise ValidationError(
            "sender", _("On an email channel the sender must be an email address.")
        )
    if channel in PHONE_ONLY_CHANNELS and kind != "phone":
        raise ValidationError("sender", _("On a phone channel the sender must be a phone number."))
    return kind, normalised


def _received_at(desk: Desk, received_at: datetime | None) -> datetime:
    now = desk.now()
    if received_at is None:
        return now
    if received_at.tzinfo is None or received_at.utcoffset() is None:
        raise ValidationError("received_at", _("The time received needs a time zone."))
    instant("received_at", received_at)
    if elapsed(now, received_at) > timedelta(0):
        raise ValidationError("received_at", _("A contact cannot be received in the future."))
    return received_at


def _assess(
    desk: Desk,
    *,
    channel: Channel | str,
    sender: str,
    received_at: datetime | None,
    customer_id: int | None,
) -> tuple[ContactTermsPreview, datetime]:
    """Everything receipt freezes (P9, P10, P10a, P19), computed and not saved."""
    chosen_channel = _channel(channel)
    kind, normalised = _sender(chosen_channel, sender)
    at = _received_at(desk, received_at)
    owner_id = None if kind is None or normalised is None else sender_owner(kind, normalised)
    if customer_id is None:
        customer_id = owner_id
    customer = None
    if customer_id is not None:
        customer = get_or_missing(Customer, customer_id, _("This customer no longer exists."))
    # P9: registered means found in THIS customer's record, not in someone else's.
    registered = customer is not None and owner_id == customer.id
    plan = Plan.NONE if customer is None else customer.plan
    contract = NO_CONTRACT if customer is None else customer.contract_terms()
    terms = response_terms(
        plan, chosen_channel, at, registered, business_calendar(), contract=contract
    )
    preview = ContactTermsPreview(
        customer_id=None if customer is None else customer.id,
        customer_name=None if customer is None else customer.name,
        sender_kind=kind,
        sender_normalised=normalised,
        registered=registered,
        plan=plan,
        terms=terms,
        compensation_hours=compensation_hours(plan, contract) if terms.guaranteed else 0,
        state=ContactState.REJECTED if terms.reason is Reason.REJECTED else ContactState.OPEN,
    )
    return preview, at


def preview_contact_terms(
    desk: Desk,
    *,
    channel: Channel | str,
    sender: str,
    received_at: datetime | None = None,
    customer_id: int | None = None,
) -> ContactTermsPreview:
    """The customer, guarantee, deadline or target and reason a contact would get, without
    saving it. Raises ``InputError`` as ``register_contact`` would."""
    try:
        preview, _at = _assess(
            desk, channel=channel, sender=sender, received_at=received_at, customer_id=customer_id
        )
    except ValidationError as error:
        raise InputError(error.message, field=error.field) from error
    return preview


def register_contact(
    desk: Desk,
    *,
    channel: Channel | str,
    sender: str,
    subject: str,
    received_at: datetime | None = None,
    customer_id: int | None = None,
    notes: str = "",
) -> ContactResult:
    """Records a contact with its terms frozen (P19).

    ``sender`` as received; the customer is the one whose record registers it (P9), unless
    ``customer_id`` names one (the technician's choice when the sender is unknown): the contact is
    then that customer's, registered only if the sender is in that customer's record.
    ``received_at`` defaults to now. A contact on a dedicated channel from a sender not registered
    for a priority plan is saved rejected (P10a).
    """
    with use_case():
        preview, at = _assess(
            desk, channel=channel, sender=sender, received_at=received_at, customer_id=customer_id
        )
        terms = preview.terms
        row = Contact.create(
            customer=preview.customer_id,
            channel=_channel(channel),
            sender_raw=sender.strip(),
            sender_normalised=preview.sender_normalised,
            received_at=at,
            subject=check_text("subject", subject, max_length=_SUBJECT_MAX),
            notes=check_text("notes", notes, max_length=_LONG_TEXT, multiline=True),
            plan_at_receipt=preview.plan,
            registered=preview.registered,
            guaranteed=terms.guaranteed,
            deadline=terms.deadline,
            target=terms.target,
            reason=terms.reason,
            urgent=terms.urgent,
            compensation_hours=preview.compensation_hours,
            state=preview.state,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
        topics = {Topic.CONTACTS}
        if grant_if_breached(desk, row.id) is not None:  # received late, deadline already past
            topics.add(Topic.PACKS)
        noted = changes.note(desk, topics, row.id)
        return ContactResult(contact(row.id), noted)


# --- the contact's life ---------------------------------------------------------------------------


def _respond(desk: Desk, row: Contact, at: datetime) -> None:
    """Records the first response at ``at`` (not before receipt, not in the future)."""
    if row.state is ContactState.REJECTED:
        raise RuleError(
            _("A rejected contact gets no response: it is kept for audit only.")
        )  # P10a
    if row.first_response_at is not None:
        raise RuleError(
            _("This contact already had its first response, on {when}.").format(
                when=format_datetime(row.first_response_at)
            )
        )
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError("at", _("The time of the response needs a time zone."))
    instant("at", at)
    if elapsed(row.received_at, at) < timedelta(0):
        raise ValidationError(
            "at",
            _("The response cannot come before the contact was received ({when}).").format(
                when=format_datetime(row.received_at)
            ),
        )
    if elapsed(desk.now(), at) > timedelta(0):
        raise ValidationError("at", _("The response cannot be in the future."))
    row.first_response_at = at
    row.first_response_by_id = desk.technician_id


def _after_response(desk: Desk, row: Contact) -> ContactResult:
    """Notes the change, granting the compensation of a late response (P17)."""
    topics = {Topic.CONTACTS}
    if grant_if_breached(desk, row.id) is not None:
        topics.add(Topic.PACKS)
    noted = changes.note(desk, topics, row.id)
    return ContactResult(contact(row.id), noted)


def record_first_response(
    desk: Desk, contact_id: int, version: int, at: datetime | None = None
) -> ContactResult:
    """The contact had its first response at ``at`` (default now): it leaves the waiting part of
    the queue. Once only; a response after the deadline grants the compensation (P17)."""
    with use_case():
        row = locked_or_missing(Contact, contact_id, _missing())
        if row.state is ContactState.CLOSED:
            raise RuleError(_("This contact is closed: reopen it first."))
        _respond(desk, row, desk.now() if at is None else at)
        row.state = ContactState.ANSWERED
        save_versioned(row, version)
        return _after_response(desk, row)


def record_response_seen(desk: Desk, contact_id: int, at: datetime) -> Changes | None:
    """P27, inside the caller's transaction (the intake's): the team answered by email at ``at``
    (when the server stored the reply). The first response becomes the earlier of that and the
    one recorded before (by hand, or another reply); the countdown stops. None when nothing
    changed (a rejected contact, an earlier response already recorded)."""
    row = locked_or_missing(Contact, contact_id, _missing())
    if row.state is ContactState.REJECTED:
        return None  # P10a: no response is owed
    # A reply stored before the contact (clocks of two servers) answers it at its receipt.
    at = min(max(at, row.received_at), desk.now())
    if row.first_response_at is not None and row.first_response_at <= at:
        return None
    row.first_response_at = at
    row.first_response_by_id = None  # seen in the sent folder, not recorded by a technician
    if row.state is ContactState.OPEN:
        row.state = ContactState.ANSWERED
    save_versioned(row, row.version)
    return _after_response(desk, row).changes


def close_contact(desk: Desk, contact_id: int, version: int) -> ContactResult:
    """Closes a contact. One without a first response gets it now: closing tells the customer."""
    with use_case():
        row = locked_or_missing(Contact, contact_id, _missing())
        if row.state is ContactState.CLOSED:
            raise RuleError(_("This contact is already closed."))
        if row.state is ContactState.REJECTED:
            raise RuleError(_("A rejected contact is kept as it is, for audit."))  # P10a
        now = desk.now()
        if row.first_response_at is None:
            _respond(desk, row, now)
        row.state = ContactState.CLOSED
        row.closed_at = now
        save_versioned(row, version)
        return _after_response(desk, row)


def reopen_contact(desk: Desk, contact_id: int, version: int) -> ContactResult:
    """Puts a closed contact back in the queue (answered; its first response stays)."""
    with use_case():
        row = locked_or_missing(Contact, contact_id, _missing())
        if row.state is not ContactState.CLOSED:
            raise RuleError(_("Only a closed contact can be reopened."))
        row.state = ContactState.OPEN if row.first_response_at is None else ContactState.ANSWERED
        row.closed_at = None
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.CONTACTS}, row.id)
        return ContactResult(contact(row.id), noted)


def update_contact(
    desk: Desk,
    contact_id: int,
    version: int,
    *,
    subject: str | None = None,
    notes: str | None = None,
) -> ContactResult:
    """Edits a contact's subject or notes (``None``: unchanged); its terms stay frozen (P19)."""
    with use_case():
        row = locked_or_missing(Contact, contact_id, _missing())
        if subject is not None:
            row.subject = check_text("subject", subject, max_length=_SUBJECT_MAX)
        if notes is not None:
            row.notes = check_text("notes", notes, max_length=_LONG_TEXT, multiline=True)
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.CONTACTS}, row.id)
        return ContactResult(contact(row.id), noted)
