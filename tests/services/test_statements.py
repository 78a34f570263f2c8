"""A customer's monthly statement: what it gathers, and in how many queries."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from peewee import Database

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.sla import Channel, GuaranteeOutcome, Plan
from app.services import compensation, contacts, customers, packs, sessions
from app.services.context import Desk
from app.services.errors import InputError, NotFoundError
from app.services.statements import (
    SeveralCustomers,
    customer_statement,
    find_customer,
    parse_month,
)
from app.store.models import Customer
from tests.services.b_fixtures import lisbon, timed
from tests.store.queries import count_queries
from tests.ui.pdf_fixtures import (
    SILVA_NAME,
    SILVA_NIF,
    Sample,
    company,
    sample,
    silva,
)

__all__ = ["company", "sample", "silva"]

MARCH_END = lisbon(2025, 4, 1)


def register_sender(desk: Desk, customer_id: int) -> None:
    """The customer's email in its record, so that its contacts are guaranteed (P9)."""
    version = Customer.get_by_id(customer_id).version
    customers.add_customer_email(desk, customer_id, version, "contabilidade@silva.pt")


def register(desk: Desk, customer_id: int, subject: str, channel: Channel = Channel.EMAIL) -> Any:
    sender = "contabilidade@silva.pt" if channel is Channel.EMAIL else "+351 912 345 678"
    return contacts.register_contact(
        desk, channel=channel, sender=sender, subject=subject, customer_id=customer_id
    ).contact


# --- what it gathers --------------------------------------------------------------------------


def test_statement_of_the_sample_month(sample: Sample, clock: ManualClock) -> None:
    made = customer_statement(sample.customer_id, 2025, 3, now=clock.now())
    assert made.customer.name == SILVA_NAME
    assert made.customer.nif == SILVA_NIF
    assert made.plan is Plan.STANDARD
    assert made.company.name == "Webplug, Lda."
    assert (made.starts_at, made.ends_at, made.made_at) == (
        lisbon(2025, 3, 1),
        MARCH_END,
        clock.now(),
    )
    assert made.month_over
    # The sessions, oldest first, with their billing and the balances that paid them (P16a).
    day, night = made.sessions
    assert day.started_at == lisbon(2025, 3, 12, 14)
    assert made.raw_time(day) == timedelta(minutes=200)
    assert day.billing is not None and night.billing is not None
    assert (day.billing.inside_billed_minutes, day.billing.outside_billed_minutes) == (210, 0)
    assert [(d.kind, d.minutes) for d in day.billing.draws] == [
        (PackKind.UNIT, 60),
        (PackKind.FREE, 60),
    ]
    assert day.billing.uncovered_minutes == 90
    assert day.invoice_number == "FT 2025/1"
    assert (night.billing.outside, night.billing.outside_billed_minutes) == (
        timedelta(minutes=40),
        60,
    )
    assert night.billing.draws == ()
    assert made.total_raw_time == timedelta(minutes=240)
    assert (made.total_billed_minutes, made.total_covered_minutes) == (270, 120)
    assert made.total_uncovered_minutes == 150
    # The contact answered after its deadline, and its compensation (P17).
    (contact,) = made.contacts
    assert contact.subject == sample.contact_subject
    assert contact.deadline == lisbon(2025, 3, 11, 18)
    assert contact.first_response_at == lisbon(2025, 3, 12, 9)
    assert contact.outcome is GuaranteeOutcome.MISSED
    assert (contact.granted_hours, contact.grant_revoked) == (1, False)
    (grant,) = made.grants
    assert (grant.hours, grant.contact_subject) == (1, sample.contact_subject)
    assert (made.granted_hours, made.revoked_hours) == (1, 0)
    # Both packs were bought or granted in March and used up in it.
    assert [(b.kind, b.start, b.end) for b in made.balances] == [
        (PackKind.UNIT, None, 0),
        (PackKind.FREE, None, 0),
    ]
    assert (made.balances_at_start, made.balances_at_end) == (0, 0)
    assert (made.guarantees_met, made.guarantees_missed) == (0, 1)
    for draw in day.billing.draws:
        found = made.pack(draw.pack_id)
        assert found is not None and found.kind is draw.kind


def test_p15_a_monthly_balance_opens_at_the_months_hours(
    desk: Desk, clock: ManualClock, silva: Customer
) -> None:
    clock.set(lisbon(2025, 2, 10, 10))
    monthly = packs.sell_pack(
        desk, customer_id=silva.id, kind=PackKind.MONTHLY, minutes=120, price=Decimal("80.00")
    ).pack.id
    unit = packs.sell_pack(
        desk, customer_id=silva.id, kind=PackKind.UNIT, minutes=600, price=Decimal("400.00")
    ).pack.id
    # March's allotment is recorded by the sweep only on the 3rd, after the month began.
    clock.set(lisbon(2025, 3, 3, 9))
    packs.ensure_monthly_allotments(desk)
    timed(desk, clock, silva.id, lisbon(2025, 3, 4, 10), 150)  # 150 min: 120 monthly, 30 unit
    march = customer_statement(silva.id, 2025, 3, now=MARCH_END + timedelta(days=1))
    by_pack = {b.pack_id: (b.kind, b.start, b.end) for b in march.balances}
    assert by_pack == {
        monthly: (PackKind.MONTHLY, 120, 0),
        unit: (PackKind.UNIT, 600, 570),
    }
    assert (march.balances_at_start, march.balances_at_end) == (720, 570)
    february = customer_statement(silva.id, 2025, 2, now=MARCH_END)
    by_pack = {b.pack_id: (b.start, b.end) for b in february.balances}
    assert by_pack == {monthly: (None, 120), unit: (None, 600)}
    assert (february.balances_at_start, february.balances_at_end) == (0, 720)  # None counts 0


def test_a_month_not_over_is_read_up_to_now(
    desk: Desk, clock: ManualClock, silva: Customer
) -> None:
    register_sender(desk, silva.id)
    clock.set(lisbon(2025, 3, 10, 10))
    register(desk, silva.id, "Sem rede")
    now = lisbon(2025, 3, 10, 11)
    made = customer_statement(silva.id, 2025, 3, now=now)
    assert made.ends_at == now
    assert not made.month_over
    (contact,) = made.contacts
    assert contact.outcome is GuaranteeOutcome.PENDING  # deadline Tuesday 18:00, still ahead


def test_guarantee_met_and_without_guarantee(
    desk: Desk, clock: ManualClock, silva: Customer
) -> None:
    register_sender(desk, silva.id)
    clock.set(lisbon(2025, 3, 10, 10))
    answered = register(desk, silva.id, "Respondido a tempo")
    clock.advance(timedelta(hours=1))
    contacts.record_first_response(desk, answered.id, answered.version)
    register(desk, silva.id, "Por SMS", channel=Channel.SMS)
    made = customer_statement(silva.id, 2025, 3, now=MARCH_END)
    assert [(c.subject, c.outcome) for c in made.contacts] == [
        ("Respondido a tempo", GuaranteeOutcome.MET),
        ("Por SMS", GuaranteeOutcome.NONE),
    ]
    assert made.grants == ()
    assert (made.guarantees_met, made.guarantees_missed) == (1, 0)  # no guarantee: neither


def test_p17_a_revocation_in_the_month_is_listed(
    desk: Desk, admin_desk: Desk, clock: ManualClock, silva: Customer
) -> None:
    register_sender(desk, silva.id)
    clock.set(lisbon(2025, 2, 24, 10))
    register(desk, silva.id, "Esquecido")
    clock.set(lisbon(2025, 2, 26, 10))
    (granted,) = compensation.sweep_breaches(desk).granted
    clock.set(lisbon(2025, 3, 5, 10))
    compensation.revoke_grant(admin_desk, granted.id, "Pedido fora do contrato")
    march = customer_statement(silva.id, 2025, 3, now=MARCH_END)
    (grant,) = march.grants
    assert grant.revoked and grant.revoke_reason == "Pedido fora do contrato"
    assert (march.granted_hours, march.revoked_hours) == (0, 1)
    assert march.contacts == ()  # received in February
    february = customer_statement(silva.id, 2025, 2, now=MARCH_END)
    assert (february.granted_hours, february.revoked_hours) == (1, 0)


def test_discarded_sessions_and_other_months_are_left_out(
    desk: Desk, clock: ManualClock, silva: Customer
) -> None:
    timed(desk, clock, silva.id, lisbon(2025, 2, 28, 23, 30), 20)  # February, Lisbon time
    kept = timed(desk, clock, silva.id, lisbon(2025, 3, 3, 10), 15)
    discarded = timed(desk, clock, silva.id, lisbon(2025, 3, 4, 10), 15)
    sessions.discard_session(desk, discarded.id, discarded.version)
    timed(desk, clock, silva.id, lisbon(2025, 4, 1, 0, 0), 15)  # April
    made = customer_statement(silva.id, 2025, 3, now=lisbon(2025, 5, 1))
    assert [s.id for s in made.sessions] == [kept.id]


def test_a_month_that_has_not_begun_is_refused(silva: Customer) -> None:
    with pytest.raises(InputError):
        customer_statement(silva.id, 2025, 4, now=lisbon(2025, 3, 31, 23, 59))
    with pytest.raises(InputError):
        customer_statement(silva.id, 2025, 13)
    with pytest.raises(NotFoundError):
        customer_statement(silva.id + 1000, 2025, 3)


def _busy_month(desk: Desk, clock: ManualClock, customer_id: int, count: int) -> None:
    clock.set(lisbon(2025, 3, 3, 9))
    packs.sell_pack(
        desk, customer_id=customer_id, kind=PackKind.UNIT, minutes=60, price=Decimal("40.00")
    )
    for day in range(count):
        clock.set(lisbon(2025, 3, 10 + day, 9))
        register(desk, customer_id, f"Pedido {day}")
        timed(desk, clock, customer_id, lisbon(2025, 3, 10 + day, 10), 25)


def test_statement_queries_do_not_grow_with_the_month(
    database: Database, desk: Desk, clock: ManualClock, silva: Customer, company: object
) -> None:
    """No query per session, contact or pack: a busy month costs what a quiet one does."""
    other = Customer.create(name="Outro", created_at=lisbon(2025, 1, 2))
    _busy_month(desk, clock, silva.id, 1)
    _busy_month(desk, clock, other.id, 8)
    with count_queries(database) as quiet:
        customer_statement(silva.id, 2025, 3, now=MARCH_END)
    with count_queries(database) as busy:
        customer_statement(other.id, 2025, 3, now=MARCH_END)
    assert len(busy) == len(quiet)
    assert len(busy) <= 25  # a fixed number: the settings and the calendar are read a few times


# --- finding the customer and the month ---------------------------------------------------------


def test_find_customer_by_id_nif_or_exact_name(silva: Customer) -> None:
    assert find_customer(str(silva.id)) == silva.id
    assert find_customer(SILVA_NIF) == silva.id
    assert find_customer(f"PT {SILVA_NIF[:3]} {SILVA_NIF[3:6]} {SILVA_NIF[6:]}") == silva.id
    assert find_customer(f"  {SILVA_NAME} ") == silva.id
    with pytest.raises(NotFoundError):
        find_customer("Sousa")  # no name holds it
    with pytest.raises(InputError):
        find_customer("  ")


def test_find_customer_by_a_part_of_the_name_only_they_have(silva: Customer) -> None:
    """Issue 15: "Oficina" names "Oficina Auto Santos & Filhos, Lda.", case and accents aside."""
    oficina = Customer.create(
        name="Oficina Auto Santos & Filhos, Lda.", created_at=lisbon(2025, 1, 2)
    )
    otica = Customer.create(name="Ótica Visão Clara", created_at=lisbon(2025, 1, 2))
    assert find_customer("Oficina") == oficina.id
    assert find_customer("  oficina auto ") == oficina.id
    assert find_customer("otica visao") == otica.id
    assert find_customer("ÓTICA") == otica.id
    assert find_customer("Silva") == silva.id


def test_find_customer_lists_every_customer_a_part_names(silva: Customer) -> None:
    first = Customer.create(name="Oficina Auto Santos", created_at=lisbon(2025, 1, 2))
    second = Customer.create(name="Oficina do Zé", created_at=lisbon(2025, 1, 2))
    with pytest.raises(SeveralCustomers) as refused:
        find_customer("oficina")
    assert first.name in refused.value.message and second.name in refused.value.message
    # A customer whose whole name it is wins over those whose name merely holds it.
    whole = Customer.create(name="Oficina", created_at=lisbon(2025, 1, 2))
    assert find_customer("OFICINA") == whole.id


def test_find_customer_refuses_an_ambiguous_name(silva: Customer) -> None:
    twin = Customer.create(name=SILVA_NAME, created_at=lisbon(2025, 1, 3))
    with pytest.raises(InputError) as refused:
        find_customer(SILVA_NAME)
    assert str(silva.id) in refused.value.message and str(twin.id) in refused.value.message
    assert find_customer(str(twin.id)) == twin.id


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2026-03", (2026, 3)), (" 2025-12 ", (2025, 12)), ("2025-1", (2025, 1))],
)
def test_parse_month(text: str, expected: tuple[int, int]) -> None:
    assert parse_month(text) == expected


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "03-2026", "2026/03", "março", ""])
def test_parse_month_refuses_what_is_not_a_month(text: str) -> None:
    with pytest.raises(InputError):
        parse_month(text)
