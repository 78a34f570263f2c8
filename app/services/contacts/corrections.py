"""Taking back a first response (issue 15): "Anular" for a moment, then an administrator's
correction with a reason; both kept in the append-only ``ResponseCorrection`` record.

What a first response set off (P17) follows the corrected response:
- Undo (``undo_first_response``): the contact waits again, as if Respond had not been clicked.
  A compensation the response granted (it came after the deadline) stays: the guarantee was
  missed whether or not that response counts, and the sweep would grant it the same. A response
  in time granted nothing; should the deadline pass while it waits again, the sweep grants.
- Correction (``correct_response``): the first response becomes ``new_time`` (or none). If the
  contact is now answered in time, a compensation it had is revoked with the correction's reason
  (refused, and nothing corrected, when those free hours were already used); if it is now late or
  unanswered past its deadline and had none, the compensation is granted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.responses import CorrectionKind, may_undo
from app.domain.sla import is_breached
from app.domain.states import ContactState
from app.domain.validation import ValidationError
from app.i18n import _
from app.services import changes
from app.services.changes import Topic
from app.services.checks import check_text
from app.services.compensation import grant_for_contact, grant_if_breached, revoke_grant
from app.services.contacts.lifecycle import check_response_time
from app.services.contacts.queries import contact
from app.services.contacts.types import LONG_TEXT, ContactResult, missing_contact
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.services.queries import frozen_terms, locked_or_missing
from app.services.settings.technicians import require_admin
from app.store.base import save_versioned
from app.store.models import Contact, ResponseCorrection, Technician


@dataclass(frozen=True)
class CorrectionRecord:
    """One line of a contact's response history, as its window shows it."""

    id: int
    kind: CorrectionKind
    old_response_at: datetime | None
    new_response_at: datetime | None
    reason: str
    created_at: datetime
    created_by_name: str


def _record(
    desk: Desk, row: Contact, kind: CorrectionKind, new_at: datetime | None, reason: str
) -> None:
    assert desk.technician_id is not None  # both use cases need a technician (checked first)
    ResponseCorrection.create(
        contact=row.id,
        kind=kind,
        old_response_at=row.first_response_at,
        old_response_by=row.first_response_by_id,
        new_response_at=new_at,
        reason=reason,
        created_at=desk.now(),
        created_by=desk.technician_id,
    )


def undo_first_response(desk: Desk, contact_id: int, version: int) -> ContactResult:
    """ "Anular": the technician who just recorded the first response takes it back, within
    ``UNDO_WINDOW``; the contact waits again. Later, or by anyone else: an administrator's
    correction."""
    with use_case():
        row = locked_or_missing(Contact, contact_id, missing_contact())
        now = desk.now()
        if (
            row.state is not ContactState.ANSWERED
            or row.first_response_at is None
            or not may_undo(
                row.first_response_at, row.first_response_by_id, desk.technician_id, now
            )
        ):
            raise RuleError(
                _(
                    "This response can no longer be undone: an administrator can correct it, "
                    "with a reason, in the contact's window."
                )
            )
        _record(desk, row, CorrectionKind.UNDONE, None, "")
        row.first_response_at = None
        row.first_response_by_id = None
        row.state = ContactState.OPEN
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.CONTACTS}, row.id)
        return ContactResult(contact(row.id), changes=noted)


def correct_response(
    desk: Desk,
    contact_id: int,
    new_time: datetime | None,
    reason: str,
    *,
    version: int | None = None,
) -> ContactResult:
    """An administrator sets a contact's first response to ``new_time`` (None: it had none),
    with a written reason; what it was is kept in the correction record, and the compensation
    follows (see the module's docstring). ``version``: the contact's, as the administrator saw
    it."""
    with use_case():
        require_admin(desk)
        text = check_text("reason", reason, max_length=LONG_TEXT, multiline=True)
        if not text:
            raise ValidationError("reason", _("Write why the first response is corrected."))
        row = locked_or_missing(Contact, contact_id, missing_contact())
        now = desk.now()
        if row.state is ContactState.REJECTED:
            raise RuleError(
                _("A rejected contact gets no response: it is kept for audit only.")
            )  # P10a
        if new_time is None and row.state is ContactState.CLOSED:
            raise RuleError(
                _("A closed contact keeps a first response: reopen it first to remove it.")
            )
        if new_time is not None:
            check_response_time("new_time", row, new_time, now)
        if new_time == row.first_response_at:
            raise RuleError(_("That is already the contact's first response."))
        _record(desk, row, CorrectionKind.CORRECTED, new_time, text)
        if new_time is None:
            row.first_response_by_id = None
            row.state = ContactState.OPEN
        else:
            if row.first_response_at is None:  # none before: the administrator records it
                row.first_response_by_id = desk.technician_id
            if row.state is ContactState.OPEN:
                row.state = ContactState.ANSWERED
        row.first_response_at = new_time
        save_versioned(row, row.version if version is None else version)
        topics = {Topic.CONTACTS}
        if _compensation_follows(desk, row, now, text):
            topics.add(Topic.PACKS)
        noted = changes.note(desk, topics, row.id)
        return ContactResult(contact(row.id), changes=noted)


def _compensation_follows(desk: Desk, row: Contact, now: datetime, reason: str) -> bool:
    """P17 after the correction: grants or revokes; True when the free hours changed."""
    breached = is_breached(frozen_terms(row), row.first_response_at, now)
    grant = grant_for_contact(row.id)
    if grant is not None and not grant.revoked and not breached:
        revoke_grant(desk, grant.id, reason)  # refused when the hours were used: all undone
        return True
    if grant is None and breached:
        return grant_if_breached(desk, row.id) is not None
    return False


def response_history(contact_id: int) -> tuple[CorrectionRecord, ...]:
    """The first response's undos and corrections for a contact, oldest first."""
    query = (
        ResponseCorrection.select(ResponseCorrection, Technician.name)
        .join(Technician, on=(ResponseCorrection.created_by == Technician.id))
        .where(ResponseCorrection.contact == contact_id)
        .order_by(ResponseCorrection.id)
    )
    return tuple(
        CorrectionRecord(
            id=row.id,
            kind=row.kind,
            old_response_at=row.old_response_at,
            new_response_at=row.new_response_at,
            reason=row.reason,
            created_at=row.created_at,
            created_by_name=row.created_by.name,
        )
        for row in query
    )
