"""The pack sweeps (P14, P15): what they record, checked against a plain reading of the ledger.

The minute sweep looks only at what may have changed lately (``packs.RECENT_DAYS``); the sweep
at start (``thorough``) at everything. Either way, once they ran, no lapsed balance has minutes
left and no monthly pack lacks the allotment of a month begun.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from datetime import date, timedelta
from decimal import Decimal
from itertools import count

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from peewee import fn

from app.clock import ManualClock
from app.domain.months import Month
from app.domain.packs import PackKind
from app.domain.states import LedgerKind
from app.services import packs, sessions
from app.services.context import Desk
from app.services.housekeeping import run_sweeps
from app.services.packs import sweeps
from app.services.queries import rows_of
from app.services.settings import company_today
from app.store.models import Customer, LedgerEntry, Pack
from tests.services.b_fixtures import company, customer, lisbon, pack_total, sell_unit, timed
from tests.store import factories

__all__ = ["company", "customer"]


# --- a plain reading of the ledger ----------------------------------------------------------------


def month_days(first: date, last: date) -> list[date]:
    """The months from ``first``'s to ``last``'s as the ledger keeps them (their first days)."""
    return [month.first_day for month in Month.span(Month.of(first), Month.of(last))]


def lapsed_with_minutes_left(today: date) -> dict[tuple[int, date | None], int]:
    """Every balance past its end that still holds minutes, summed over the whole ledger."""
    this_month = today.replace(day=1)
    sums = (
        LedgerEntry.select(LedgerEntry.pack, LedgerEntry.month, fn.SUM(LedgerEntry.minutes))
        .join(Pack)
        .where(
            ((Pack.kind == PackKind.UNIT) & (Pack.valid_until < today))
            | ((Pack.kind == PackKind.MONTHLY) & (LedgerEntry.month < this_month))
        )
        .group_by(LedgerEntry.pack, LedgerEntry.month)
        .tuples()
    )
    return {(pack_id, month): int(left) for pack_id, month, left in rows_of(sums) if left}


def allotments_missing(today: date) -> set[tuple[int, date]]:
    """Every (monthly pack, month begun) without its allotment."""
    allotted = set(
        LedgerEntry.select(LedgerEntry.pack, LedgerEntry.month)
        .where(LedgerEntry.kind == LedgerKind.MONTHLY_ALLOTMENT)
        .tuples()
    )
    this_month = today.replace(day=1)
    due: set[tuple[int, date]] = set()
    for pack in Pack.select().where(Pack.kind == PackKind.MONTHLY):
        last = min(this_month, pack.last_month or this_month)
        due.update((pack.id, month) for month in month_days(pack.starts_on, last))
    return due - allotted


def assert_swept(clock: ManualClock) -> None:
    today = company_today(clock.now())
    assert lapsed_with_minutes_left(today) == {}
    assert allotments_missing(today) == set()


def entries(pack_id: int, kind: LedgerKind) -> list[tuple[date | None, int]]:
    query = (
        LedgerEntry.select(LedgerEntry.month, LedgerEntry.minutes)
        .where((LedgerEntry.pack == pack_id) & (LedgerEntry.kind == kind))
        .order_by(LedgerEntry.id)
    )
    return list(rows_of(query.tuples()))


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


# --- what lapsed while no desk swept --------------------------------------------------------------


def test_p14_p15_what_lapsed_while_the_program_was_closed_is_settled_at_start(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 120)  # 10 March 2025, valid until 10 March 2026
    monthly = sell_monthly(desk, customer.id, 60)
    timed(desk, clock, customer.id, lisbon(2025, 3, 11, 10), 15)  # from March's hours
    clock.set(lisbon(2026, 6, 15, 10))  # nobody opened the program for fifteen months

    assert run_sweeps(desk, thorough=True)

    allotted = [month for month, _minutes in entries(monthly, LedgerKind.MONTHLY_ALLOTMENT)]
    assert allotted == month_days(date(2025, 3, 1), date(2026, 6, 1))
    expired = entries(monthly, LedgerKind.EXPIRY)
    assert expired[0] == (date(2025, 3, 1), -45)
    assert expired[1:] == [(month, -60) for month in month_days(date(2025, 4, 1), date(2026, 5, 1))]
    assert entries(unit, LedgerKind.EXPIRY) == [(None, -120)]
    assert packs.balances(customer.id, date(2026, 6, 15)).monthly_minutes == 60
    assert_swept(clock)
    assert not run_sweeps(desk, thorough=True)  # once


def test_p15_months_of_an_ended_subscription_missed_while_closed_are_allotted_then_expired(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    ended = sell_monthly(desk, customer.id, 30, last_month=date(2025, 5, 1))
    clock.set(lisbon(2025, 9, 2, 9))
    run_sweeps(desk, thorough=True)
    assert [m for m, _ in entries(ended, LedgerKind.MONTHLY_ALLOTMENT)] == [
        date(2025, 3, 1),
        date(2025, 4, 1),
        date(2025, 5, 1),
    ]
    assert pack_total(ended) == 0
    assert_swept(clock)


def test_p15_allotments_left_with_a_hole_by_another_program_are_completed(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    monthly = factories.pack(
        customer,
        kind=PackKind.MONTHLY,
        minutes=60,
        purchased_on=date(2025, 1, 6),
        starts_on=date(2025, 1, 1),
        valid_until=None,
    )
    for month in (date(2025, 1, 1), date(2025, 3, 1)):  # February was never allotted
        factories.ledger_entry(monthly, kind=LedgerKind.MONTHLY_ALLOTMENT, minutes=60, month=month)
    clock.set(lisbon(2025, 4, 1, 9))
    assert packs.ensure_monthly_allotments(desk).entries == 2  # February and April
    allotted = [m for m, _ in entries(monthly.id, LedgerKind.MONTHLY_ALLOTMENT) if m is not None]
    assert sorted(allotted) == [date(2025, m, 1) for m in (1, 2, 3, 4)]


# --- credits after the end ------------------------------------------------------------------------


def test_p15_minutes_given_back_to_a_month_gone_expire_at_the_next_minute(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    monthly = sell_monthly(desk, customer.id, 60)
    march = timed(desk, clock, customer.id, lisbon(2025, 3, 20, 10), 30)
    clock.set(lisbon(2025, 4, 1, 9))
    run_sweeps(desk)
    assert entries(monthly, LedgerKind.EXPIRY) == [(date(2025, 3, 1), -30)]
    clock.set(lisbon(2025, 4, 2, 11))
    sessions.discard_session(desk, march.id, sessions.session(march.id).version)  # gives 30 back
    assert lapsed_with_minutes_left(date(2025, 4, 2)) == {(monthly, date(2025, 3, 1)): 30}

    clock.advance(timedelta(minutes=1))
    assert packs.expire_packs(desk).entries == 1
    assert entries(monthly, LedgerKind.EXPIRY)[-1] == (date(2025, 3, 1), -30)
    assert_swept(clock)
    assert packs.expire_packs(desk).entries == 0


def test_p14_minutes_given_back_long_ago_and_never_swept_expire_at_start(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 120, on=date(2024, 3, 1))  # valid until 1 March 2025
    used = timed(desk, clock, customer.id, lisbon(2025, 2, 27, 10), 60)
    clock.set(lisbon(2025, 3, 3, 9))
    run_sweeps(desk)
    assert entries(unit, LedgerKind.EXPIRY) == [(None, -60)]
    sessions.discard_session(desk, used.id, sessions.session(used.id).version)
    clock.advance(timedelta(days=packs.RECENT_DAYS + 30))  # this desk was asleep meanwhile

    run_sweeps(desk, thorough=True)

    assert entries(unit, LedgerKind.EXPIRY) == [(None, -60), (None, -60)]
    assert_swept(clock)


def test_p14_p15_sales_recorded_after_their_end_expire_at_the_next_minute(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 600, on=date(2023, 1, 10))  # last day 10 January 2024
    monthly = sell_monthly(desk, customer.id, 60, purchased_on=date(2024, 11, 5))
    clock.advance(timedelta(minutes=1))

    run_sweeps(desk)

    assert entries(unit, LedgerKind.EXPIRY) == [(None, -600)]
    assert entries(monthly, LedgerKind.EXPIRY) == [
        (month, -60) for month in month_days(date(2024, 11, 1), date(2025, 2, 1))
    ]
    assert_swept(clock)


# --- the cost of nothing to do --------------------------------------------------------------------


def test_the_pack_sweeps_only_read_when_there_is_nothing_to_do(
    desk: Desk, clock: ManualClock, customer: Customer, monkeypatch: pytest.MonkeyPatch
) -> None:
    sell_unit(desk, customer.id, 120, on=date(2024, 1, 5))
    sell_monthly(desk, customer.id, 60, purchased_on=date(2024, 12, 1))
    run_sweeps(desk, thorough=True)
    clock.advance(timedelta(hours=1))

    def no_write() -> AbstractContextManager[None]:
        raise AssertionError("a sweep with nothing to do took the write lock")

    monkeypatch.setattr(sweeps, "use_case", no_write)
    assert packs.ensure_monthly_allotments(desk).entries == 0
    assert packs.expire_packs(desk).entries == 0
    assert packs.expire_packs(desk, thorough=True).entries == 0


# --- any history ----------------------------------------------------------------------------------

_buyers = count(1)

Step = tuple[str, int, int]

steps = st.lists(
    st.one_of(
        st.tuples(st.just("wait"), st.integers(0, 45), st.integers(0, 23)),
        st.tuples(st.just("unit"), st.integers(0, 800), st.sampled_from([60, 120, 600])),
        st.tuples(st.just("monthly"), st.integers(0, 5), st.integers(-1, 3)),
        st.tuples(st.just("session"), st.integers(15, 150), st.just(0)),
        st.tuples(st.just("discard"), st.just(0), st.just(0)),
        st.tuples(st.just("sweep"), st.integers(0, 1), st.just(0)),
    ),
    min_size=1,
    max_size=14,
)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(history=steps)
def test_p14_p15_after_the_sweeps_no_lapsed_balance_keeps_minutes(
    desk: Desk, clock: ManualClock, company: object, history: list[Step]
) -> None:
    """Sales dated in the past, sessions, discarded sessions and time passing, in any order: the
    start sweep always settles every balance, and so does the minute sweep when the last sweep
    ran within ``RECENT_DAYS``."""
    buyer = factories.customer(name=f"Cliente das varreduras {next(_buyers)}")
    run_sweeps(desk, thorough=True)
    swept_at = clock.now()
    stopped: list[int] = []
    for action, first, second in history:
        today = company_today(clock.now())
        if action == "wait":
            clock.advance(timedelta(days=first, hours=second))
        elif action == "unit":
            sell_unit(desk, buyer.id, second, on=today - timedelta(days=first))
        elif action == "monthly":
            bought = Month.of(today).first_day
            for _ in range(first):
                bought = Month.of(bought - timedelta(days=1)).first_day
            last = None if second < 0 else _months_after(max(bought, today), second)
            sell_monthly(desk, buyer.id, 60, purchased_on=bought, last_month=last)
        elif action == "session":
            stopped.append(timed(desk, clock, buyer.id, clock.now(), first).id)
        elif action == "discard" and stopped:
            session_id = stopped.pop()
            sessions.discard_session(desk, session_id, sessions.session(session_id).version)
        elif action == "sweep":
            thorough = bool(first)
            recent = clock.now() - swept_at <= timedelta(days=packs.RECENT_DAYS) and (
                company_today(clock.now()) - company_today(swept_at)
            ) <= timedelta(days=packs.RECENT_DAYS)
            run_sweeps(desk, thorough=thorough)
            if thorough or recent:
                assert_swept(clock)
                swept_at = clock.now()
    run_sweeps(desk, thorough=True)
    assert_swept(clock)
    assert not run_sweeps(desk, thorough=True)


def _months_after(day: date, months: int) -> date:
    month = Month.of(day).first_day
    for _ in range(months):
        month = Month.of(month + timedelta(days=32)).first_day
    return month
