"""Contacts: their life after receipt: the first response (a late one grants the compensation,
P17), a response seen in the mailbox, closing, reopening, editing the subject and notes."""

from __future__ import annotations

from datetime import datetime, timedelta

from app.domain.calendar import elapsed
from app.domain.states import ContactState
from app.domain.validation import ValidationError
from app.i18n import _, format_datetime
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.checks import check_text, instant
from app.services.compensation import grant_if_breached
from app.services.contacts.queries import contact
from app.services.contacts.types import LONG_TEXT, SUBJECT_MAX, ContactResult, missing_contact
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.services.queries import locked_or_missing
from app.store.base import save_versioned
from app.store.models import Contact

# --- the contact's life ---------------------------------------------------------------------------


def check_response_time(field: str, row: Contact, at: datetime, now: datetime) -> None:
    """A first response's time (recorded or corrected): with a zone, not before the contact was
    received, not in the future. ``field`` names the field a refusal points at."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValidationError(field, _("The time of the response needs a time zone."))
    instant(field, at)
    if elapsed(row.received_at, at) < timedelta(0):
        raise ValidationError(
            field,
            _("The response cannot come before the contact was received ({when}).").format(
                when=format_datetime(row.received_at)
            ),
        )
    if elapsed(now, at) > timedelta(0):
        raise ValidationError(field, _("The response cannot be in the future."))


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
    check_response_time("at", row, at, desk.now())
    row.first_response_at = at
    row.first_response_by_id = desk.technician_id


def _after_response(desk: Desk, row: Contact) -> ContactResult:
    """Notes the change, granting the compensation of a late response (P17)."""
    topics = {Topic.CONTACTS}
    if grant_if_breached(desk, row.id, row) is not None:  # locked by the caller
        topics.add(Topic.PACKS)
    noted = changes.note(desk, topics, row.id)
    return ContactResult(contact(row.id), changes=noted)


def record_first_response(
    desk: Desk, contact_id: int, version: int, at: datetime | None = None
) -> ContactResult:
    """The contact had its first response at ``at`` (default now): it leaves the waiting part of
    the queue. Once only; a response after the deadline grants the compensation (P17)."""
    with use_case():
        row = locked_or_missing(Contact, contact_id, missing_contact())
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
    row = locked_or_missing(Contact, contact_id, missing_contact())
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
        row = locked_or_missing(Contact, contact_id, missing_contact())
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
        row = locked_or_missing(Contact, contact_id, missing_contact())
        if row.state is not ContactState.CLOSED:
            raise RuleError(_("Only a closed contact can be reopened."))
        row.state = ContactState.OPEN if row.first_response_at is None else ContactState.ANSWERED
        row.closed_at = None
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.CONTACTS}, row.id)
        return ContactResult(contact(row.id), changes=noted)


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
        row = locked_or_missing(Contact, contact_id, missing_contact())
        if subject is not None:
            row.subject = check_text("subject", subject, max_length=SUBJECT_MAX)
        if notes is not None:
            row.notes = check_text("notes", notes, max_length=LONG_TEXT, multiline=True)
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.CONTACTS}, row.id)
        return ContactResult(contact(row.id), changes=noted)
