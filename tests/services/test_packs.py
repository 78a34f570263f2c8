"""Hour packs (P14–P16a): selling, validity, balances from the ledger, corrections."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.states import LedgerKind
from app.services import packs
from app.services.context import Desk
from app.services.errors import InputError, NotFoundError, RuleError
from app.store.models import Customer, LedgerEntry
from tests.services.b_fixtures import (
    company,
    customer,
    lisbon,
    pack_total,
    sell_unit,
    timed,
)
from tests.store import factories

__all__ = ["company", "customer"]

Nothing = Callable[[], AbstractContextManager[None]]


def sell_monthly(desk: Desk, customer_id: int, minutes: int, **fields: object) -> int:
    sold = packs.sell_pack(
        desk,
        customer_id=customer_id,
        kind=PackKind.MONTHLY,
        minutes=minutes,
        price=Decimal("50.00"),
        **fields,  # type: ignore[arg-type]
    )
    return sold.pack.id


def entries(pack_id: int, kind: LedgerKind) -> list[LedgerEntry]:
    return list(
        LedgerEntry.select()
        .where((LedgerEntry.pack == pack_id) & (LedgerEntry.kind == kind))
        .order_by(LedgerEntry.id)
    )


# --- P14 ------------------------------------------------------------------------------------------


def test_p14_unit_pack_expires_end_of_day_one_year_later(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    clock.set(lisbon(2025, 7, 1, 10))
    sold = packs.sell_pack(
        desk, customer_id=customer.id, kind=PackKind.UNIT, minutes=120, price=Decimal("80.00")
    )
    unit = sold.pack
    assert (unit.purchased_on, unit.valid_until) == (date(2025, 7, 1), date(2026, 7, 1))
    (on_last_day,) = packs.balances(customer.id, date(2026, 7, 1)).unit
    assert (on_last_day.remaining, on_last_day.expiring_soon) == (120, True)
    assert packs.balances(customer.id, date(2026, 7, 2)).unit == ()
    # Usable on its last day...
    timed(desk, clock, customer.id, lisbon(2026, 7, 1, 10), 30)
    assert pack_total(unit.id) == 90
    # ...until the end of that day in Lisbon (23:00 UTC in summer).
    clock.set(lisbon(2026, 7, 1, 23, 59))
    assert packs.expire_packs(desk).entries == 0
    clock.set(lisbon(2026, 7, 2, 0, 0))
    expired = packs.expire_packs(desk)
    assert expired.entries == 1
    assert [e.minutes for e in entries(unit.id, LedgerKind.EXPIRY)] == [-90]
    assert pack_total(unit.id) == 0
    assert packs.expire_packs(desk).entries == 0  # once
    assert not packs.expire_packs(desk).changes


def test_p14_a_session_after_the_last_day_is_not_paid_by_the_pack(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 120, on=date(2024, 3, 8))
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 30)
    assert stopped.billing is not None
    assert stopped.billing.draws == ()
    assert pack_total(unit) == 120


# --- P15 ------------------------------------------------------------------------------------------


def test_p15_monthly_hours_do_not_carry_over(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    monthly = sell_monthly(desk, customer.id, 60)
    timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 15)
    march = packs.balances(customer.id, date(2025, 3, 31))
    assert (march.monthly_minutes, march.monthly_given, march.monthly_used) == (45, 60, 15)
    assert [balance.used for balance in march.monthly] == [15]
    clock.set(lisbon(2025, 4, 1, 9))
    # April's hours show before the sweep records them, and March's 45 minutes are gone.
    april = packs.balances(customer.id, date(2025, 4, 1))
    assert (april.monthly_minutes, april.monthly_given, april.monthly_used) == (60, 60, 0)
    assert packs.ensure_monthly_allotments(desk).entries == 1
    assert packs.ensure_monthly_allotments(desk).entries == 0
    assert packs.expire_packs(desk).entries == 1
    (expiry,) = entries(monthly, LedgerKind.EXPIRY)
    assert (expiry.minutes, expiry.month) == (-45, date(2025, 3, 1))
    assert pack_total(monthly) == 60
    assert packs.expire_packs(desk).entries == 0
    april = timed(desk, clock, customer.id, lisbon(2025, 4, 2, 10), 90)
    assert april.billing is not None
    assert [(d.pack_id, d.minutes, d.month) for d in april.billing.draws] == [
        (monthly, 60, date(2025, 4, 1))
    ]
    assert april.billing.uncovered_inside_minutes == 30


def test_p15_allotments_are_recorded_lazily_once_per_month(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    open_ended = sell_monthly(desk, customer.id, 60)
    until_may = sell_monthly(desk, customer.id, 30, last_month=date(2025, 5, 20))
    from_may = sell_monthly(desk, customer.id, 30, starts_on=date(2025, 5, 9))
    months = {
        pack: [e.month for e in entries(pack, LedgerKind.MONTHLY_ALLOTMENT)]
        for pack in (open_ended, until_may, from_may)
    }
    assert months == {open_ended: [date(2025, 3, 1)], until_may: [date(2025, 3, 1)], from_may: []}
    clock.set(lisbon(2025, 6, 15, 12))
    assert packs.ensure_monthly_allotments(desk).entries == 3 + 2 + 2  # April to June
    assert packs.ensure_monthly_allotments(desk).entries == 0
    allotted = [e.month for e in entries(open_ended, LedgerKind.MONTHLY_ALLOTMENT)]
    assert allotted == [date(2025, m, 1) for m in (3, 4, 5, 6)]
    assert [e.month for e in entries(until_may, LedgerKind.MONTHLY_ALLOTMENT)][-1] == date(
        2025, 5, 1
    )
    june = packs.balances(customer.id, date(2025, 6, 15))
    assert sorted(b.pack_id for b in june.monthly) == [open_ended, from_may]


def test_p15_a_subscription_ends_but_never_takes_back_a_month_begun(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    sold = packs.sell_pack(
        desk, customer_id=customer.id, kind=PackKind.MONTHLY, minutes=60, price=Decimal("50.00")
    ).pack
    clock.set(lisbon(2025, 5, 10, 10))
    with pytest.raises(InputError):
        packs.end_monthly_pack(desk, sold.id, sold.version, last_month=date(2025, 4, 1))
    ended = packs.end_monthly_pack(desk, sold.id, sold.version, last_month=date(2025, 6, 30))
    assert ended.pack.last_month == date(2025, 6, 1)
    clock.set(lisbon(2025, 9, 1, 10))
    packs.ensure_monthly_allotments(desk)
    assert [e.month for e in entries(sold.id, LedgerKind.MONTHLY_ALLOTMENT)][-1] == date(2025, 6, 1)
    assert packs.balances(customer.id, date(2025, 9, 1)).monthly == ()
    with pytest.raises(RuleError):
        unit = sell_unit(desk, customer.id, 60)
        packs.end_monthly_pack(desk, unit, 1, last_month=date(2025, 12, 1))


# --- P16 ------------------------------------------------------------------------------------------


def test_p16_free_hours_never_expire(desk: Desk, clock: ManualClock, customer: Customer) -> None:
    free = factories.pack(
        customer,
        kind=PackKind.FREE,
        minutes=60,
        price=Decimal("0.00"),
        purchased_on=date(2025, 3, 10),
        starts_on=date(2025, 3, 10),
        valid_until=None,
    )
    factories.ledger_entry(free, kind=LedgerKind.COMPENSATION, minutes=60)
    clock.set(lisbon(2031, 1, 6, 10))
    assert packs.expire_packs(desk).entries == 0
    later = packs.balances(customer.id, date(2031, 1, 6))
    assert (later.free_minutes, later.free[0].valid_until, later.free[0].expiring_soon) == (
        60,
        None,
        False,
    )
    stopped = timed(desk, clock, customer.id, lisbon(2031, 1, 6, 10), 15)
    assert stopped.billing is not None
    assert [(d.kind, d.minutes) for d in stopped.billing.draws] == [(PackKind.FREE, 15)]


# --- selling: bad input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"minutes": -60}, "minutes"),
        ({"minutes": 0}, "minutes"),
        ({"price": Decimal("-1.00")}, "price"),
        ({"price": Decimal("10.005")}, "price"),
        ({"kind": PackKind.FREE}, "kind"),
        ({"purchased_on": date(2025, 3, 11)}, "purchased_on"),
        ({"starts_on": date(2025, 3, 9)}, "starts_on"),
        ({"kind": PackKind.MONTHLY, "starts_on": date(2025, 2, 1)}, "starts_on"),
        ({"kind": PackKind.MONTHLY, "last_month": date(2025, 2, 1)}, "last_month"),
    ],
)
def test_a_bad_sale_is_refused_and_nothing_is_written(
    desk: Desk, customer: Customer, nothing_written: Nothing, fields: dict[str, object], field: str
) -> None:
    sale: dict[str, object] = {
        "customer_id": customer.id,
        "kind": PackKind.UNIT,
        "minutes": 600,
        "price": Decimal("400.00"),
    }
    with nothing_written(), pytest.raises(InputError) as refused:
        packs.sell_pack(desk, **(sale | fields))  # type: ignore[arg-type]
    assert refused.value.field == field


def test_a_pack_for_nobody_is_not_sold(desk: Desk, customer: Customer) -> None:
    with pytest.raises(NotFoundError):
        sell_unit(desk, 4242, 60)


def test_a_past_sale_is_recorded_with_its_own_dates(desk: Desk, customer: Customer) -> None:
    unit = packs.pack(sell_unit(desk, customer.id, 600, on=date(2024, 2, 29)))
    assert (unit.purchased_on, unit.starts_on, unit.valid_until) == (
        date(2024, 2, 29),
        date(2024, 2, 29),
        date(2025, 2, 28),
    )
    assert [p.id for p in packs.packs_of_customer(customer.id)] == [unit.id]


# --- balances -------------------------------------------------------------------------------------


def test_balances_and_packs_about_to_expire(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    soon = sell_unit(desk, customer.id, 120, on=date(2024, 3, 30))
    far = sell_unit(desk, customer.id, 60, on=date(2025, 3, 1))
    other = factories.customer(name="Oficina Lopes")
    used_up = sell_unit(desk, other.id, 15, on=date(2024, 3, 20))
    timed(desk, clock, other.id, lisbon(2025, 3, 10, 10), 15)
    sell_monthly(desk, customer.id, 30)
    on = date(2025, 3, 10)
    now = packs.balances(customer.id, on)
    assert [(b.pack_id, b.remaining, b.expiring_soon) for b in now.unit] == [
        (soon, 120, True),
        (far, 60, False),
    ]
    assert (now.monthly_minutes, now.unit_minutes, now.free_minutes, now.total_minutes) == (
        30,
        180,
        0,
        210,
    )
    assert [
        (p.pack_id, p.customer_id, p.customer_name, p.remaining) for p in packs.expiring_packs(on)
    ] == [(soon, customer.id, "Padaria Central", 120)]
    assert used_up not in [p.pack_id for p in packs.expiring_packs(on, within_days=365)]
    assert [p.pack_id for p in packs.expiring_packs(on, within_days=400)] == [soon, far]


def test_balance_at_an_instant_for_statements(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    sell_unit(desk, customer.id, 120)  # at 10:00
    timed(desk, clock, customer.id, lisbon(2025, 3, 10, 11), 30)  # paid at 11:30
    assert packs.balance_at(customer.id, lisbon(2025, 3, 10, 9)).total_minutes == 0
    assert packs.balance_at(customer.id, lisbon(2025, 3, 10, 11)).total_minutes == 120
    assert packs.balance_at(customer.id, lisbon(2025, 3, 10, 12)).total_minutes == 90


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bought=st.integers(min_value=1, max_value=300),
    lengths=st.lists(st.integers(min_value=1, max_value=120), min_size=1, max_size=6),
)
def test_p16a_balances_stay_exact_and_never_negative(
    desk: Desk, clock: ManualClock, company: object, bought: int, lengths: list[int]
) -> None:
    buyer = factories.customer()
    unit = sell_unit(desk, buyer.id, bought)
    billed = covered = 0
    day = date(2025, 3, 10) + timedelta(days=next(_days))
    for i, length in enumerate(lengths):
        start = lisbon(day.year, day.month, day.day, 0, 0) + timedelta(hours=2 * i)
        stopped = timed(desk, clock, buyer.id, start, length)
        assert stopped.billing is not None
        assert stopped.billing.covered_minutes + stopped.billing.uncovered_minutes == (
            stopped.billing.billed_minutes
        )
        billed += stopped.billing.billed_minutes
        covered += stopped.billing.covered_minutes
        assert pack_total(unit) >= 0
    assert covered == min(bought, billed)
    assert pack_total(unit) == bought - covered


_days = count()


# --- corrections and the ledger -------------------------------------------------------------------


def test_a_ledger_entry_is_corrected_by_an_administrator_with_a_reason(
    desk: Desk, admin_desk: Desk, customer: Customer, nothing_written: Nothing
) -> None:
    unit = sell_unit(desk, customer.id, 600)
    (purchase,) = entries(unit, LedgerKind.PURCHASE)
    with nothing_written():
        with pytest.raises(RuleError):
            packs.correct_entry(desk, purchase.id, "vendido duas vezes")
        with pytest.raises(InputError) as refused:
            packs.correct_entry(admin_desk, purchase.id, "  ")
        assert refused.value.field == "reason"
    corrected = packs.correct_entry(admin_desk, purchase.id, "vendido duas vezes")
    row = corrected.correction
    assert (row.kind, row.minutes, row.reverses_id, row.reason) == (
        LedgerKind.CORRECTION,
        -600,
        purchase.id,
        "vendido duas vezes",
    )
    assert row.created_by_name == "Marta"
    assert pack_total(unit) == 0
    with nothing_written(), pytest.raises(RuleError):
        packs.correct_entry(admin_desk, purchase.id, "outra vez")


def test_a_correction_never_leaves_a_pack_below_zero(
    desk: Desk, admin_desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    unit = sell_unit(desk, customer.id, 60)
    timed(desk, clock, customer.id, lisbon(2025, 3, 10, 10), 30)
    (purchase,) = entries(unit, LedgerKind.PURCHASE)
    (draw,) = entries(unit, LedgerKind.CONSUMPTION)
    with nothing_written():
        with pytest.raises(RuleError, match="0"):
            packs.correct_entry(admin_desk, purchase.id, "engano")
        with pytest.raises(RuleError):
            packs.correct_entry(admin_desk, draw.id, "a sessão não conta")  # edit the session
    assert pack_total(unit) == 30


def test_the_ledger_lists_who_when_and_why(
    desk: Desk, admin_desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 60)
    stopped = timed(desk, clock, customer.id, lisbon(2025, 3, 10, 11), 20)
    other_unit = sell_unit(desk, factories.customer().id, 60)
    rows = packs.ledger(customer_id=customer.id)
    assert [(r.kind, r.minutes, r.session_id) for r in rows] == [
        (LedgerKind.CONSUMPTION, -30, stopped.id),
        (LedgerKind.PURCHASE, 60, None),
    ]
    assert {r.created_by_name for r in rows} == {"Rui"}
    assert rows[1].pack_kind is PackKind.UNIT
    assert [r.pack_id for r in packs.ledger(pack_id=other_unit)] == [other_unit]
    assert [r.kind for r in packs.ledger(kind=LedgerKind.CONSUMPTION)] == [LedgerKind.CONSUMPTION]
    late = packs.ledger(customer_id=customer.id, since=lisbon(2025, 3, 10, 11))
    assert [r.kind for r in late] == [LedgerKind.CONSUMPTION]
    early = packs.ledger(customer_id=customer.id, until=lisbon(2025, 3, 10, 11))
    assert [r.kind for r in early] == [LedgerKind.PURCHASE]
    assert len(packs.ledger(limit=1)) == 1
    assert packs.ledger(customer_id=customer.id, offset=1)[0].kind is LedgerKind.PURCHASE
    (purchase,) = packs.ledger(pack_id=other_unit)
    correction = packs.correct_entry(admin_desk, purchase.id, "engano").correction
    reversed_row = next(r for r in packs.ledger(pack_id=other_unit) if r.id == purchase.id)
    assert reversed_row.reversed_by_id == correction.id
    assert packs.ledger(pack_id=unit)[0].reversed_by_id is None


@given(st.lists(st.tuples(st.integers(0, 6000), st.integers(-600, 6600)), min_size=0, max_size=4))
def test_used_minutes_are_what_was_given_less_what_is_left_never_below_0(
    given_left: list[tuple[int, int]],
) -> None:
    """The read models' arithmetic the window shows (``PackBalance.used``,
    ``CustomerBalances.monthly_used``): a correction may leave more than was given."""
    monthly = tuple(
        packs.PackBalance(
            pack_id=number,
            kind=PackKind.MONTHLY,
            minutes=given_minutes,
            remaining=left,
            valid_from=date(2025, 3, 1),
            valid_until=date(2025, 3, 31),
            month=date(2025, 3, 1),
            expiring_soon=False,
        )
        for number, (given_minutes, left) in enumerate(given_left)
    )
    found = packs.CustomerBalances(1, date(2025, 3, 10), monthly, (), ())
    for balance in monthly:
        assert balance.used == max(balance.minutes - balance.remaining, 0) >= 0
    assert found.monthly_given == sum(given_minutes for given_minutes, _left in given_left)
    assert found.monthly_used == max(found.monthly_given - found.monthly_minutes, 0)


def test_the_ledger_counts_and_the_expiring_packs_read_by_pages(
    desk: Desk, customer: Customer
) -> None:
    for minutes in (60, 120, 180):
        sell_unit(desk, customer.id, minutes, on=date(2025, 1, 1))
    other = factories.customer()
    sell_unit(desk, other.id, 60)
    assert packs.count_ledger() == 4
    assert packs.count_ledger(at_most=2) == 2  # counts no further than asked
    assert packs.count_ledger(customer_id=customer.id) == 3
    assert packs.count_ledger(kind=LedgerKind.CONSUMPTION) == 0
    on = date(2025, 12, 20)
    every = [p.pack_id for p in packs.expiring_packs(on, within_days=400)]
    pages = [
        [p.pack_id for p in packs.expiring_packs(on, within_days=400, offset=o, limit=2)]
        for o in (0, 2, 4)
    ]
    assert len(every) == 4
    assert pages == [every[:2], every[2:], []]
