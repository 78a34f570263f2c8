"""Contacts: who looks after each (issue 14): assigned in the contact's window, or by starting a
session on it (``app.services.sessions.timer``). The rule is ``app.domain.assignment``'s."""

from __future__ import annotations

from app.domain.assignment import may_assign
from app.i18n import _
from app.services import changes
from app.services.changes import Topic
from app.services.contacts.queries import contact
from app.services.contacts.types import ContactResult, missing_contact
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.services.queries import get_or_missing, locked_or_missing
from app.store.base import save_versioned
from app.store.models import Contact, Technician


def assign_technician(
    desk: Desk, contact_id: int, version: int, technician_id: int | None
) -> ContactResult:
    """Makes ``technician_id`` (an active technician) the contact's technician; ``None`` leaves
    it with none. Noted as a change of that contact: the other desks' queues show it."""
    with use_case():
        row = locked_or_missing(Contact, contact_id, missing_contact())
        if not may_assign(row.state):
            raise RuleError(_("A rejected contact is kept as it is, for audit."))  # P10a
        if technician_id is not None:
            person = get_or_missing(
                Technician, technician_id, _("This technician no longer exists.")
            )
            if not person.active and technician_id != row.technician_id:
                raise RuleError(
                    _("{name} is no longer active: choose another technician.").format(
                        name=person.name
                    )
                )
        row.technician_id = technician_id
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.CONTACTS}, row.id)
        return ContactResult(contact(row.id), changes=noted)
