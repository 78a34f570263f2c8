"""A contact's technician (issue 14): assigned in its window or by starting a session on it,
noted for the other desks, and the queue's "Os meus" read by the database."""

from __future__ import annotations

import pytest

from app.clock import ManualClock
from app.domain.assignment import assigned_by_session, may_assign
from app.domain.sla import Channel, Plan
from app.domain.states import ContactState
from app.services import changes, contacts, sessions
from app.services.changes import Topic
from app.services.context import Desk
from app.services.errors import ConflictError, NotFoundError, RuleError
from app.store.models import Contact, Customer, CustomerEmail, Technician
from tests.store import factories


@pytest.fixture
def padaria(desk: Desk) -> Customer:
    found = factories.customer(name="Padaria Central", plan=Plan.STANDARD)
    CustomerEmail.create(customer=found, email="loja@padaria.pt")
    return found


def an_email(desk: Desk, subject: str = "Impressora") -> contacts.ContactRecord:
    return contacts.register_contact(
        desk, channel=Channel.EMAIL, sender="loja@padaria.pt", subject=subject
    ).contact


def test_the_rule_rejected_contacts_get_no_technician_and_a_session_keeps_one_assigned() -> None:
    assert may_assign(ContactState.OPEN) and may_assign(ContactState.CLOSED)
    assert not may_assign(ContactState.REJECTED)
    assert assigned_by_session(ContactState.OPEN, None, 7) == 7
    assert assigned_by_session(ContactState.ANSWERED, 3, 7) is None  # keeps its technician
    assert assigned_by_session(ContactState.REJECTED, None, 7) is None


def test_a_technician_is_assigned_changed_and_removed(
    desk: Desk, padaria: Customer, technician: Technician, admin: Technician
) -> None:
    made = an_email(desk)
    assert made.technician_id is None
    before = changes.latest()
    done = contacts.assign_technician(desk, made.id, made.version, technician.id)
    assert (done.contact.technician_id, done.contact.technician_name) == (technician.id, "Rui")
    assert done.contact.version == made.version + 1
    # Noted as a change of that one contact: the other desks fetch that row only.
    assert done.changes.ids(Topic.CONTACTS) == {made.id}
    assert changes.since(before)[1].ids(Topic.CONTACTS) == {made.id}
    (row,) = contacts.queue_rows([made.id])
    assert (row.technician_id, row.technician_name) == (technician.id, "Rui")

    moved = contacts.assign_technician(desk, made.id, done.contact.version, admin.id)
    assert moved.contact.technician_name == "Marta"
    cleared = contacts.assign_technician(desk, made.id, moved.contact.version, None)
    assert cleared.contact.technician_id is None
    assert Contact.get_by_id(made.id).technician_id is None


def test_assigning_on_a_stale_version_or_an_inactive_technician_is_refused(
    desk: Desk, padaria: Customer, technician: Technician
) -> None:
    made = an_email(desk)
    contacts.assign_technician(desk, made.id, made.version, technician.id)
    with pytest.raises(ConflictError):  # another desk assigned it meanwhile
        contacts.assign_technician(desk, made.id, made.version, None)
    gone = factories.technician(name="Joana", active=False)
    current = contacts.contact(made.id)
    with pytest.raises(RuleError, match="Joana"):
        contacts.assign_technician(desk, made.id, current.version, gone.id)
    with pytest.raises(NotFoundError):
        contacts.assign_technician(desk, made.id, current.version, 999_999)
    assert contacts.contact(made.id).technician_id == technician.id


def test_p10a_a_rejected_contact_gets_no_technician(desk: Desk, technician: Technician) -> None:
    factories.customer(name="Sem plano", plan=Plan.NONE)
    rejected = contacts.register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="alguem@exemplo.pt", subject="Urgente"
    ).contact
    assert rejected.state is ContactState.REJECTED
    with pytest.raises(RuleError):
        contacts.assign_technician(desk, rejected.id, rejected.version, technician.id)


def test_starting_a_session_on_a_contact_without_technician_assigns_the_sessions(
    desk: Desk, clock: ManualClock, padaria: Customer, technician: Technician, admin: Technician
) -> None:
    made = an_email(desk)
    before = changes.latest()
    started = sessions.start_session(desk, contact_id=made.id)
    assert contacts.contact(made.id).technician_id == technician.id
    # The session's change and the contact's, each with its own id.
    assert started.changes.ids(Topic.SESSIONS) == {started.id}
    assert started.changes.ids(Topic.CONTACTS) == {made.id}
    seen = changes.since(before)[1]
    assert seen.ids(Topic.CONTACTS) == {made.id} and seen.ids(Topic.SESSIONS) == {started.id}
    sessions.stop_session(desk, started.id, started.version)

    # A colleague's session on it leaves the contact with its technician.
    helping = sessions.start_session(Desk(clock, admin.id), contact_id=made.id)
    assert contacts.contact(made.id).technician_id == technician.id
    assert helping.changes.ids(Topic.CONTACTS) == frozenset()


def test_os_meus_is_read_by_the_database_in_queue_order(
    desk: Desk, clock: ManualClock, padaria: Customer, technician: Technician, admin: Technician
) -> None:
    first = an_email(desk, "Primeiro")
    second = an_email(desk, "Segundo")
    third = an_email(desk, "Terceiro")
    contacts.assign_technician(desk, first.id, first.version, technician.id)
    contacts.assign_technician(desk, third.id, third.version, technician.id)
    contacts.assign_technician(desk, second.id, second.version, admin.id)
    answered = contacts.record_first_response(desk, third.id, third.version + 1).contact
    assert answered.state is ContactState.ANSWERED
    mine = contacts.open_contacts(technician_id=technician.id)
    assert [row.id for row in mine] == [first.id, third.id]  # waiting first, then answered
    assert [row.id for row in contacts.open_contacts(technician_id=admin.id)] == [second.id]
    assert [row.id for row in contacts.open_contacts(technician_id=technician.id, limit=1)] == [
        first.id
    ]
    # A closed one leaves "Os meus" as it leaves the queue.
    contacts.close_contact(desk, first.id, first.version + 1)
    assert [row.id for row in contacts.open_contacts(technician_id=technician.id)] == [third.id]
    assert len(contacts.open_contacts()) == 2
