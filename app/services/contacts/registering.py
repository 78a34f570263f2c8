"""Contacts: receipt (P9, P10, P10a, P19): the sender normalised and looked up, the terms
decided and frozen on the contact; a preview of them while the technician types."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from app.domain.calendar import elapsed
from app.domain.contract import NO_CONTRACT
from app.domain.sla import (
    CHANNELS_WITHOUT_GUARANTEE,
    Channel,
    Plan,
    Reason,
    compensation_hours,
    response_terms,
)
from app.domain.states import ContactState
from app.domain.validation import ValidationError, normalize_sender
from app.i18n import _
from app.services import changes
from app.services.changes import Topic
from app.services.checks import check_text, instant
from app.services.compensation import grant_if_breached
from app.services.contacts.queries import record_of
from app.services.contacts.types import (
    EMAIL_CHANNELS,
    LONG_TEXT,
    PHONE_ONLY_CHANNELS,
    SUBJECT_MAX,
    ContactResult,
    ContactTermsPreview,
)
from app.services.context import Desk, use_case
from app.services.errors import InputError
from app.services.queries import get_or_missing, sender_owner_row
from app.services.settings import business_calendar
from app.store.models import Contact, Customer

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
    owner = None if kind is None or normalised is None else sender_owner_row(kind, normalised)
    owner_id = None if owner is None else owner.id
    if customer_id is None or (type(customer_id) is int and customer_id == owner_id):
        customer = owner  # read with the sender: one query fewer (a bool or float id is refused)
    else:
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
            subject=check_text("subject", subject, max_length=SUBJECT_MAX),
            notes=check_text("notes", notes, max_length=LONG_TEXT, multiline=True),
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
        # Received late, its deadline already past? (Its new row is this transaction's alone.)
        grant_id = grant_if_breached(desk, row.id, row)
        if grant_id is not None:
            topics.add(Topic.PACKS)
        noted = changes.note(desk, topics, row.id)
        # Its record from what was just written (a new contact has no technician yet; its grant,
        # if any, is of its frozen hours): no read back.
        record = record_of(
            row,
            customer_name=preview.customer_name,
            grant_id=grant_id,
            granted_hours=None if grant_id is None else row.compensation_hours,
            grant_revoked=False,
            technician_name=None,
        )
        return ContactResult(record, changes=noted)
