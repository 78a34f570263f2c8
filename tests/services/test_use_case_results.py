"""A use case's result is built from what it wrote, not read back (issue 12: round trips): it must
be exactly the record a later read gives, to the time zone of each instant (hence ``repr``)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from app.clock import Clock, ManualClock
from app.domain.sla import Channel, Plan
from app.services import contacts, customers, invoices, sessions
from app.services.changes import Changed, Changes
from app.services.context import Desk
from app.services.errors import RuleError
from app.store.models import CompanySettings
from tests.services.b_fixtures import LISBON, company
from tests.services.test_query_counts import NOW, build

__all__ = ["company"]


@pytest.fixture
def clock(company: CompanySettings, clock: ManualClock) -> ManualClock:
    """The services' clock, with a company ready to invoice."""
    return clock


class _LisbonClock:
    """A desk's clock that tells Lisbon time (the database gives every instant back in UTC)."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def now(self) -> datetime:
        return self.clock.now().astimezone(LISBON)


def in_lisbon(desk: Desk) -> Desk:
    return Desk(_LisbonClock(desk.clock), desk.technician_id)


def same(made: object, read: object) -> None:
    if isinstance(made, Changed):
        made = replace(made, changes=Changes())
    assert repr(made) == repr(read)


def test_registering_and_responding_give_the_contact_as_stored(clock: ManualClock) -> None:
    world = build(clock, 3, "A")
    desk = in_lisbon(world.desk)
    registered = contacts.register_contact(
        desk, channel=Channel.EMAIL, sender=world.email, subject="Impressora"
    )
    same(registered.contact, contacts.contact(registered.contact.id))
    clock.advance(timedelta(hours=1))
    responded = contacts.record_first_response(
        desk, registered.contact.id, registered.contact.version
    )
    assert responded.contact.first_response_at is not None
    assert responded.contact.grant_id is None
    same(responded.contact, contacts.contact(registered.contact.id))


def test_p17_a_late_response_gives_the_contact_with_its_grant(clock: ManualClock) -> None:
    world = build(clock, 3, "A")
    registered = contacts.register_contact(
        world.desk, channel=Channel.EMAIL, sender=world.email, subject="Rede"
    )
    clock.advance(timedelta(days=5))  # days past its deadline
    responded = contacts.record_first_response(
        world.desk, registered.contact.id, registered.contact.version
    )
    assert responded.contact.granted_hours == 1
    same(responded.contact, contacts.contact(registered.contact.id))


def test_p17_a_contact_registered_after_its_deadline_comes_with_its_grant(
    clock: ManualClock,
) -> None:
    world = build(clock, 3, "A")
    registered = contacts.register_contact(
        in_lisbon(world.desk),
        channel=Channel.EMAIL,
        sender=world.email,
        subject="Atrasado",
        received_at=(NOW - timedelta(days=5)).astimezone(LISBON),
    )
    assert registered.contact.granted_hours == 1
    same(registered.contact, contacts.contact(registered.contact.id))


@pytest.mark.parametrize("size", [1, 30])
def test_starting_and_stopping_give_the_session_as_stored(clock: ManualClock, size: int) -> None:
    """Stopped after 15 minutes (one pack) or 7 h 30 (several, the free hours first), at a desk
    whose clock tells Lisbon time."""
    world = build(clock, 3, "A")
    desk = in_lisbon(world.desk)
    started = sessions.start_session(desk, customer_id=world.customer_id)
    assert started.intervals[0].ended_at is None
    same(replace(started, outside_hours_warning=False), sessions.session(started.id))
    clock.advance(timedelta(minutes=15 * size))
    stopped = sessions.stop_session(desk, started.id, started.version)
    assert stopped.billing is not None and stopped.billing.draws
    same(stopped, sessions.session(started.id))


def test_a_paused_session_stopped_gives_all_its_intervals(clock: ManualClock) -> None:
    world = build(clock, 3, "A")
    desk = in_lisbon(world.desk)
    started = sessions.start_session(desk, customer_id=world.customer_id)
    clock.advance(timedelta(minutes=20))
    paused = sessions.pause_session(desk, started.id, started.version)
    clock.advance(timedelta(minutes=5))
    resumed = sessions.resume_session(desk, paused.id, paused.version)
    clock.advance(timedelta(minutes=20))
    stopped = sessions.stop_session(desk, resumed.id, resumed.version)
    assert len(stopped.intervals) == 2
    same(stopped, sessions.session(started.id))


def test_drafting_and_issuing_give_the_document_as_stored(clock: ManualClock) -> None:
    world = build(clock, 3, "A")
    draft = invoices.draft_invoice(
        world.desk,
        customer_id=world.customer_id,
        period_start=date(2025, 3, 1),
        period_end=date(2025, 3, 31),
    )
    assert draft.lines
    same(draft, invoices.invoice(draft.id))
    issued = invoices.issue_invoice(world.desk, draft.id, draft.version)
    assert issued.number is not None and issued.corrected_by is None
    same(issued, invoices.invoice(draft.id))


@pytest.mark.parametrize("chosen", [False, True])
def test_p9_a_registered_phone_names_its_customer_read_with_it(
    clock: ManualClock, chosen: bool
) -> None:
    """The sender's customer is read in the same query as the sender, whether the technician
    chose that customer or left it to the sender."""
    world = build(clock, 3, "A")
    made = customers.create_customer(
        world.desk, name="Oficina", plan=Plan.STANDARD, phones=["+351 912 345 678"]
    )
    registered = contacts.register_contact(
        world.desk,
        channel=Channel.PHONE,
        sender="912345678",
        subject="Ligou",
        customer_id=made.customer.id if chosen else None,
    ).contact
    assert (registered.customer_id, registered.customer_name) == (made.customer.id, "Oficina")
    assert registered.registered and registered.guaranteed
    same(registered, contacts.contact(registered.id))


def test_a_session_stopped_past_the_review_limit_gives_it_flagged_as_stored(
    clock: ManualClock,
) -> None:
    world = build(clock, 3, "A")
    desk = in_lisbon(world.desk)
    started = sessions.start_session(desk, customer_id=world.customer_id)
    clock.advance(timedelta(hours=11))  # the limit is 10 hours
    stopped = sessions.stop_session(desk, started.id, started.version)
    assert stopped.flagged_for_review and stopped.billing is None
    same(stopped, sessions.session(started.id))


@pytest.mark.parametrize("hours", [2, 12])
def test_a_session_recorded_by_hand_is_given_as_stored(clock: ManualClock, hours: int) -> None:
    """Billed on the packs, with a pause; or flagged, past the review limit."""
    world = build(clock, 3, "A")
    start = NOW - timedelta(hours=hours + 1)
    recorded = sessions.record_session(
        world.desk,
        customer_id=world.customer_id,
        start=start.astimezone(LISBON),
        end=(NOW - timedelta(minutes=30)).astimezone(LISBON),
        pauses=[(start + timedelta(minutes=30), start + timedelta(minutes=45))],
    )
    assert len(recorded.intervals) == 2
    assert recorded.flagged_for_review is (hours > 10)
    same(recorded, sessions.session(recorded.id))


@pytest.mark.parametrize(
    ("channel", "sender"),
    [
        (Channel.EMAIL, "desconhecido@exemplo.pt"),  # nobody's: no customer, no guarantee
        (Channel.PRIORITY_PHONE, "+351 913 000 000"),  # P10a: saved rejected
        (Channel.WHATSAPP, "não é um número"),  # kept as plain text
    ],
)
def test_a_contact_of_no_customer_is_given_as_stored(
    clock: ManualClock, channel: Channel, sender: str
) -> None:
    world = build(clock, 3, "A")
    registered = contacts.register_contact(
        in_lisbon(world.desk), channel=channel, sender=sender, subject="Olá", notes="Nota"
    ).contact
    assert registered.customer_id is None
    same(registered, contacts.contact(registered.id))


def test_a_session_started_on_a_contact_is_given_as_stored(clock: ManualClock) -> None:
    """With the contact's subject, and the contact now the technician's (issue 14)."""
    world = build(clock, 3, "A")
    desk = in_lisbon(world.desk)
    registered = contacts.register_contact(
        desk, channel=Channel.EMAIL, sender=world.email, subject="Servidor em baixo"
    ).contact
    started = sessions.start_session(desk, contact_id=registered.id, note="  Remoto ")
    assert started.contact_subject == "Servidor em baixo"
    assert contacts.contact(registered.id).technician_id == world.desk.technician_id
    same(replace(started, outside_hours_warning=False), sessions.session(started.id))


def test_a_second_timer_is_still_refused_naming_the_first(clock: ManualClock) -> None:
    world = build(clock, 3, "A")
    sessions.start_session(world.desk, customer_id=world.customer_id)
    with pytest.raises(RuleError, match="Loja A"):
        sessions.start_session(world.desk, customer_id=world.customer_id)
