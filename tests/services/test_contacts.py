"""Contacts: receipt with frozen terms (P3, P5–P10b, P18, P19), responses, the queue."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta

import pytest

from app.clock import ManualClock
from app.domain.contract import ContractTerms
from app.domain.sla import Channel, Plan, Reason, Urgency, urgency
from app.domain.states import ContactState
from app.services.changes import Topic
from app.services.contacts import (
    close_contact,
    contact,
    contacts_of_customer,
    open_contacts,
    preview_contact_terms,
    record_first_response,
    register_contact,
    rejected_contacts,
    reopen_contact,
    update_contact,
)
from app.services.context import Desk
from app.services.customers import CustomerRecord, create_customer
from app.services.errors import ConflictError, InputError, NotFoundError, RuleError
from app.services.settings import add_company_exception
from app.store.models import Contact, Technician
from tests.services.conftest import MONDAY_10H

NothingWritten = Callable[[], AbstractContextManager[None]]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant of March 2025 in Lisbon, which is UTC+0 until the 30th."""
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


PHONES = {
    Plan.NONE: "213000001",
    Plan.STANDARD: "213000000",
    Plan.PRIORITY: "213000002",
    Plan.PRIORITY_24_7: "912345678",
}


def a_customer(desk: Desk, plan: Plan, **fields: object) -> CustomerRecord:
    values: dict[str, object] = {
        "name": f"Cliente {plan.value}",
        "plan": plan,
        "emails": [f"ana@{plan.value.replace('_', '')}.pt"],
        "phones": [PHONES[plan]],
    }
    return create_customer(desk, **(values | fields)).customer  # type: ignore[arg-type]


# --- receipt: the terms, frozen ----------------------------------------------------------------


def test_p9_p5_a_registered_sender_of_a_standard_customer_is_guaranteed(desk: Desk) -> None:
    loja = a_customer(desk, Plan.STANDARD)
    result = register_contact(
        desk, channel=Channel.EMAIL, sender="Ana <ANA@standard.pt>", subject="Impressora"
    )
    saved = result.contact
    assert Topic.CONTACTS in result.changes
    assert saved == contact(saved.id)
    assert (saved.customer_id, saved.customer_name) == (loja.id, loja.name)
    assert (saved.sender_raw, saved.sender_normalised) == (
        "Ana <ANA@standard.pt>",
        "ana@standard.pt",
    )
    assert (saved.registered, saved.guaranteed, saved.reason) == (True, True, Reason.GUARANTEED)
    assert saved.deadline == at(11, 18)  # P5: the close of the next business day
    assert saved.target is None
    assert (saved.plan_at_receipt, saved.compensation_hours) == (Plan.STANDARD, 1)
    assert (saved.state, saved.received_at, saved.created_by_id) == (
        ContactState.OPEN,
        MONDAY_10H,
        desk.technician_id,
    )


def test_p9_a_sender_not_in_the_chosen_customers_record_has_no_guarantee(desk: Desk) -> None:
    loja = a_customer(desk, Plan.STANDARD)
    other = a_customer(desk, Plan.NONE, name="Outra", emails=["rui@outra.pt"], phones=[])
    for sender in ("desconhecido@gmail.com", "rui@outra.pt"):  # unknown, or someone else's
        saved = register_contact(
            desk, channel=Channel.EMAIL, sender=sender, subject="Ajuda", customer_id=loja.id
        ).contact
        assert (saved.customer_id, saved.registered, saved.guaranteed) == (loja.id, False, False)
        assert saved.reason is Reason.UNREGISTERED_SENDER
        assert saved.target == at(12, 18)  # P8's indicative target
        assert (saved.deadline, saved.compensation_hours) == (None, 0)
    assert other.id != loja.id


def test_p9_an_unknown_sender_is_nobodys_contact(desk: Desk) -> None:
    saved = register_contact(
        desk, channel=Channel.PHONE, sender="+351 966 000 111", subject="Orçamento"
    ).contact
    assert (saved.customer_id, saved.customer_name, saved.plan_at_receipt) == (
        None,
        None,
        Plan.NONE,
    )
    assert (saved.reason, saved.sender_normalised) == (Reason.NO_PLAN, "+351966000111")


def test_p6_a_priority_email_is_due_in_four_business_hours(desk: Desk) -> None:
    a_customer(desk, Plan.PRIORITY)
    saved = register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="ana@priority.pt", subject="Servidor"
    ).contact
    assert saved.deadline == at(10, 15)  # 10:00–13:00 and 14:00–15:00
    assert (saved.guaranteed, saved.urgent, saved.compensation_hours) == (True, False, 1)


def test_p7_the_24_7_priority_phone_is_due_in_five_minutes(desk: Desk) -> None:
    a_customer(desk, Plan.PRIORITY_24_7)
    saved = register_contact(
        desk,
        channel=Channel.PRIORITY_PHONE,
        sender="912 345 678",
        subject="Servidor em baixo",
        received_at=at(8, 23, 30),  # a Saturday night
    ).contact
    assert saved.deadline == at(8, 23, 35)
    assert (saved.urgent, saved.compensation_hours) == (True, 2)


def test_p3_a_contact_received_on_a_saturday_counts_from_monday(desk: Desk) -> None:
    a_customer(desk, Plan.STANDARD)
    saved = register_contact(
        desk,
        channel=Channel.EMAIL,
        sender="ana@standard.pt",
        subject="Fim de semana",
        received_at=at(8, 11),
    ).contact
    assert saved.received_at == at(8, 11)  # as received; the terms count from Monday
    assert saved.deadline == at(11, 18)


def test_p2_a_closed_day_moves_the_deadline(admin_desk: Desk, desk: Desk) -> None:
    add_company_exception(admin_desk, day=date(2025, 3, 11), note="Formação")
    a_customer(desk, Plan.STANDARD)
    saved = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="Rede"
    ).contact
    assert saved.deadline == at(12, 18)


def test_p8_a_customer_without_a_plan_gets_an_indicative_target(desk: Desk) -> None:
    a_customer(desk, Plan.NONE)
    saved = register_contact(desk, channel=Channel.EMAIL, sender="ana@none.pt", subject="?").contact
    assert (saved.guaranteed, saved.deadline, saved.target) == (False, None, at(12, 18))
    assert (saved.reason, saved.registered, saved.compensation_hours) == (Reason.NO_PLAN, True, 0)


def test_p10_whatsapp_carries_no_guarantee_and_takes_any_sender(desk: Desk) -> None:
    a_customer(desk, Plan.PRIORITY_24_7)
    known = register_contact(
        desk, channel=Channel.WHATSAPP, sender="+351912345678", subject="Olá"
    ).contact
    assert known.customer_name == "Cliente priority_24_7"
    assert (known.guaranteed, known.deadline, known.target) == (False, None, None)
    assert known.reason is Reason.CHANNEL_WITHOUT_GUARANTEE
    raw = register_contact(
        desk, channel=Channel.SOCIAL, sender="@loja.do.bairro (Instagram)", subject="Preços"
    ).contact
    assert (raw.sender_raw, raw.sender_normalised, raw.customer_id) == (
        "@loja.do.bairro (Instagram)",
        None,
        None,
    )
    assert raw.state is ContactState.OPEN


def test_p10a_rejected_contact_kept_out_of_queue(desk: Desk) -> None:
    a_customer(desk, Plan.PRIORITY)
    standard = a_customer(desk, Plan.STANDARD)
    rejected = register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="intruso@gmail.com", subject="Urgente"
    ).contact
    not_priority = register_contact(
        desk, channel=Channel.PRIORITY_PHONE, sender="213000000", subject="Urgente"
    ).contact
    assert not_priority.customer_id == standard.id  # registered, but not on a priority plan
    for saved in (rejected, not_priority):
        assert (saved.state, saved.reason, saved.guaranteed) == (
            ContactState.REJECTED,
            Reason.REJECTED,
            False,
        )
        assert (saved.deadline, saved.target, saved.compensation_hours) == (None, None, 0)
    assert open_contacts() == ()
    assert [row.id for row in rejected_contacts()] == [not_priority.id, rejected.id]
    with pytest.raises(RuleError):
        record_first_response(desk, rejected.id, rejected.version)
    with pytest.raises(RuleError):
        close_contact(desk, rejected.id, rejected.version)


def test_p10a_a_priority_customer_on_a_public_channel_is_ordinary_support(desk: Desk) -> None:
    a_customer(desk, Plan.PRIORITY)
    saved = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@priority.pt", subject="Fatura"
    ).contact
    assert (saved.reason, saved.guaranteed, saved.target) == (
        Reason.PUBLIC_CHANNEL,
        False,
        at(12, 18),
    )


def test_p18_the_contract_sets_the_deadline_and_the_compensation(desk: Desk) -> None:
    terms = ContractTerms(next_business_days=3, compensation_hours=4)
    a_customer(desk, Plan.STANDARD, contract=terms)
    saved = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="Contrato"
    ).contact
    assert (saved.deadline, saved.compensation_hours) == (at(13, 18), 4)


@pytest.mark.parametrize(
    ("channel", "sender"),
    [
        (Channel.EMAIL, "ana@"),
        (Channel.EMAIL, "912345678"),  # a phone number on the email channel
        (Channel.PHONE, "ana@loja.pt"),
        (Channel.PRIORITY_PHONE, "o senhor da loja"),
        (Channel.SMS, "   "),
    ],
)
def test_a_sender_that_cannot_be_read_is_refused_on_email_and_phone(
    desk: Desk, nothing_written: NothingWritten, channel: Channel, sender: str
) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        register_contact(desk, channel=channel, sender=sender, subject="X")
    assert refused.value.field == "sender"


def test_bad_receipt_input_writes_nothing(desk: Desk, nothing_written: NothingWritten) -> None:
    with nothing_written(), pytest.raises(InputError) as refused:
        register_contact(
            desk,
            channel=Channel.EMAIL,
            sender="ana@loja.pt",
            subject="Do futuro",
            received_at=MONDAY_10H + timedelta(minutes=1),
        )
    assert refused.value.field == "received_at"
    with nothing_written(), pytest.raises(InputError) as refused:
        register_contact(desk, channel="fax", sender="ana@loja.pt", subject="X")
    assert refused.value.field == "channel"
    with nothing_written(), pytest.raises(InputError) as refused:
        register_contact(desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject="x" * 501)
    assert refused.value.field == "subject"
    with nothing_written(), pytest.raises(NotFoundError):
        register_contact(desk, channel=Channel.EMAIL, sender="a@b.pt", subject="X", customer_id=9)


def test_the_preview_shows_the_terms_and_saves_nothing(
    desk: Desk, nothing_written: NothingWritten
) -> None:
    loja = a_customer(desk, Plan.STANDARD)
    with nothing_written():
        preview = preview_contact_terms(desk, channel=Channel.EMAIL, sender="ana@standard.pt")
    assert (preview.customer_id, preview.customer_name, preview.registered) == (
        loja.id,
        loja.name,
        True,
    )
    assert (preview.plan, preview.terms.deadline, preview.compensation_hours) == (
        Plan.STANDARD,
        at(11, 18),
        1,
    )
    assert not preview.rejected
    saved = register_contact(desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="S")
    assert saved.contact.terms == preview.terms
    with pytest.raises(InputError) as refused:
        preview_contact_terms(desk, channel=Channel.EMAIL, sender="ana@")
    assert refused.value.field == "sender"
    rejected = preview_contact_terms(desk, channel=Channel.PRIORITY_EMAIL, sender="x@y.pt")
    assert rejected.rejected


# --- the contact's life -------------------------------------------------------------------------


def test_the_first_response_is_recorded_once(
    desk: Desk, clock: ManualClock, technician: Technician, nothing_written: NothingWritten
) -> None:
    a_customer(desk, Plan.STANDARD)
    saved = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="X"
    ).contact
    clock.advance(timedelta(hours=1))
    with nothing_written(), pytest.raises(InputError) as refused:
        record_first_response(desk, saved.id, saved.version, at=MONDAY_10H - timedelta(seconds=1))
    assert refused.value.field == "at"
    with nothing_written(), pytest.raises(InputError):
        record_first_response(desk, saved.id, saved.version, at=clock.now() + timedelta(minutes=1))
    answered = record_first_response(
        desk, saved.id, saved.version, at=MONDAY_10H + timedelta(minutes=20)
    )
    assert Topic.CONTACTS in answered.changes
    assert Topic.PACKS not in answered.changes
    record = answered.contact
    assert (record.state, record.first_response_at, record.first_response_by_id) == (
        ContactState.ANSWERED,
        MONDAY_10H + timedelta(minutes=20),
        technician.id,
    )
    with nothing_written(), pytest.raises(RuleError):
        record_first_response(desk, saved.id, record.version)
    with nothing_written(), pytest.raises(ConflictError):
        close_contact(desk, saved.id, saved.version)  # the version seen before the response


def test_closing_an_unanswered_contact_answers_it_and_reopening_keeps_that(
    desk: Desk, clock: ManualClock
) -> None:
    a_customer(desk, Plan.STANDARD)
    saved = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="X"
    ).contact
    clock.advance(timedelta(minutes=30))
    closed = close_contact(desk, saved.id, saved.version).contact
    assert (closed.state, closed.closed_at, closed.first_response_at) == (
        ContactState.CLOSED,
        clock.now(),
        clock.now(),
    )
    assert open_contacts() == ()
    with pytest.raises(RuleError):
        close_contact(desk, saved.id, closed.version)
    with pytest.raises(RuleError):
        record_first_response(desk, saved.id, closed.version)
    reopened = reopen_contact(desk, saved.id, closed.version).contact
    assert (reopened.state, reopened.closed_at, reopened.first_response_at) == (
        ContactState.ANSWERED,
        None,
        closed.first_response_at,
    )
    assert [row.id for row in open_contacts()] == [saved.id]
    with pytest.raises(RuleError):
        reopen_contact(desk, saved.id, reopened.version)


def test_subject_and_notes_are_edited_and_the_terms_stay(desk: Desk) -> None:
    a_customer(desk, Plan.STANDARD)
    saved = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="X"
    ).contact
    edited = update_contact(desk, saved.id, saved.version, subject=" Rede ", notes="Ligar").contact
    assert (edited.subject, edited.notes, edited.terms) == ("Rede", "Ligar", saved.terms)
    with pytest.raises(ConflictError):
        update_contact(desk, saved.id, saved.version, notes="Outra")


# --- the queue ----------------------------------------------------------------------------------


def test_the_queue_is_sorted_by_time_left(desk: Desk, clock: ManualClock) -> None:
    a_customer(desk, Plan.STANDARD)
    a_customer(desk, Plan.PRIORITY)
    a_customer(desk, Plan.NONE)
    standard = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="Tue 18:00"
    ).contact
    indicative = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@none.pt", subject="Wed 18:00 (target)"
    ).contact
    whatsapp = register_contact(
        desk, channel=Channel.WHATSAPP, sender="+351 966 000 111", subject="no deadline"
    ).contact
    priority = register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="ana@priority.pt", subject="Mon 15:00"
    ).contact
    answered = register_contact(
        desk,
        channel=Channel.EMAIL,
        sender="ana@standard.pt",
        subject="answered",
        received_at=MONDAY_10H - timedelta(hours=1),
    ).contact
    record_first_response(desk, answered.id, answered.version)
    queue = open_contacts()
    assert [row.id for row in queue] == [
        priority.id,
        standard.id,
        indicative.id,
        whatsapp.id,  # no deadline nor target: after the timed ones, by receipt
        answered.id,  # answered ones come after those still waiting
    ]
    # The SQL order is the domain's (app.domain.queue.queue_key).
    assert list(queue) == sorted(queue, key=lambda row: row.queue_key)
    assert [row.id for row in open_contacts(include_answered=False)] == [
        priority.id,
        standard.id,
        indicative.id,
        whatsapp.id,
    ]
    first = queue[0]
    assert (first.customer_name, first.channel, first.sender, first.subject) == (
        "Cliente priority",
        Channel.PRIORITY_EMAIL,
        "ana@priority.pt",
        "Mon 15:00",
    )
    assert (first.deadline, first.target, first.guaranteed, first.state) == (
        at(10, 15),
        None,
        True,
        ContactState.OPEN,
    )
    assert (first.granted_hours, first.grant_revoked) == (None, False)
    assert first.time_left(clock.now()) == timedelta(hours=5)
    assert urgency(first.terms, first.received_at, clock.now()) is Urgency.NORMAL
    assert queue[2].due == at(12, 18)


def test_a_customers_contacts_newest_first(desk: Desk, clock: ManualClock) -> None:
    loja = a_customer(desk, Plan.STANDARD)
    older = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@standard.pt", subject="1"
    ).contact
    clock.advance(timedelta(minutes=5))
    newer = register_contact(desk, channel=Channel.PHONE, sender="213 000 000", subject="2").contact
    closed = close_contact(desk, older.id, older.version).contact
    register_contact(desk, channel=Channel.EMAIL, sender="x@outro.pt", subject="someone else")
    rows = contacts_of_customer(loja.id)
    assert [(row.id, row.state) for row in rows] == [
        (newer.id, ContactState.OPEN),
        (closed.id, ContactState.CLOSED),
    ]
    assert Contact.select().count() == 3


def test_a_contact_that_does_not_exist(desk: Desk) -> None:
    with pytest.raises(NotFoundError):
        contact(77)
    with pytest.raises(NotFoundError):
        record_first_response(desk, 77, 1)


def test_a_queue_row_says_what_the_record_says(desk: Desk, clock: ManualClock) -> None:
    a_customer(desk, Plan.PRIORITY_24_7)
    saved = register_contact(
        desk, channel=Channel.PRIORITY_PHONE, sender="912345678", subject="Urgente"
    ).contact
    clock.advance(timedelta(minutes=2))
    record = record_first_response(desk, saved.id, saved.version).contact
    (row,) = open_contacts()
    shared = {
        "id": record.id,
        "version": record.version,
        "customer_id": record.customer_id,
        "customer_name": record.customer_name,
        "channel": record.channel,
        "sender": record.sender_raw,
        "subject": record.subject,
        "received_at": record.received_at,
        "deadline": record.deadline,
        "target": record.target,
        "reason": record.reason,
        "urgent": record.urgent,
        "guaranteed": record.guaranteed,
        "first_response_at": record.first_response_at,
        "state": record.state,
        "granted_hours": record.granted_hours,
        "grant_revoked": record.grant_revoked,
    }
    assert {name: getattr(row, name) for name in shared} == shared
    assert (row.urgent, row.state, row.terms) == (True, ContactState.ANSWERED, record.terms)
    assert open_contacts(limit=1, offset=1) == ()
