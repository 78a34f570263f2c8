"""Hour packs: validity (P14–P16) and which balance pays (P16a)."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.months import Month
from app.domain.packs import (
    EXPIRY_WARNING_DAYS,
    Allocation,
    Balance,
    Draw,
    PackKind,
    allocate,
    balance_after,
    balance_validity,
    covering,
    covers_month,
    expiring_soon,
    lapsed,
    lapses_at,
    last_lapsed_day,
    month_bounds,
    month_key,
    payment_order,
    unit_pack_valid_until,
    usable,
    warning_horizon,
)

LISBON = ZoneInfo("Europe/Lisbon")
TODAY = date(2026, 3, 10)


def unit(key: int, purchased_on: date, remaining: int) -> Balance:
    return Balance(key, PackKind.UNIT, remaining, purchased_on, unit_pack_valid_until(purchased_on))


def monthly_balance(key: int, month: Month, minutes_per_month: int, used: int) -> Balance:
    """One month of a subscription as the services build it: its days from ``balance_validity``
    (P15), its hours less what was drawn."""
    first, last = balance_validity(PackKind.MONTHLY, month.first_day, None, month.first_day)
    return Balance(key, PackKind.MONTHLY, balance_after(minutes_per_month, -used), first, last)


def free(key: int, granted_on: date, remaining: int) -> Balance:
    return Balance(key, PackKind.FREE, remaining, granted_on, None)


def drawn(allocation: Allocation) -> Counter[tuple[PackKind, int]]:
    used: Counter[tuple[PackKind, int]] = Counter()
    for draw in allocation.draws:
        used[draw.kind, draw.key] += draw.minutes
    return used


# --- P14 ----------------------------------------------------------------------------------------


def test_p14_unit_pack_valid_one_year_until_end_of_day() -> None:
    pack = unit(1, date(2025, 3, 10), 600)
    assert pack.valid_until == date(2026, 3, 10)
    assert usable(pack, date(2026, 3, 10))
    assert not usable(pack, date(2026, 3, 11))
    # It lapses at the end of that day, Lisbon time (UTC+0 in March before the clocks change).
    assert lapses_at(pack.valid_until, LISBON) == datetime(2026, 3, 11, tzinfo=UTC)
    assert not lapsed(date(2026, 3, 10), date(2026, 3, 10))
    assert lapsed(date(2026, 3, 10), date(2026, 3, 11))


def test_p14_unit_pack_expires_at_lisbon_midnight_in_summer_time() -> None:
    expires = lapses_at(unit_pack_valid_until(date(2025, 7, 1)), LISBON)
    assert expires == datetime(2026, 7, 1, 23, tzinfo=UTC)  # 2 July 00:00 WEST
    assert expires.tzinfo is UTC


def test_p14_unit_pack_bought_on_29_february_valid_until_28_february() -> None:
    assert unit_pack_valid_until(date(2024, 2, 29)) == date(2025, 2, 28)
    assert unit_pack_valid_until(date(2023, 2, 28)) == date(2024, 2, 28)


def test_p14_unit_pack_not_usable_before_purchase() -> None:
    assert not usable(unit(1, date(2026, 3, 11), 60), TODAY)


# --- P15 ----------------------------------------------------------------------------------------


def test_p15_month_key_and_bounds() -> None:
    assert month_key(date(2026, 2, 17)) == Month(2026, 2)
    assert month_bounds(Month(2024, 2)) == (date(2024, 2, 1), date(2024, 2, 29))
    assert month_bounds(Month(2026, 12)) == (date(2026, 12, 1), date(2026, 12, 31))
    with pytest.raises(ValueError, match="13"):
        Month(2026, 13)


def test_p15_subscription_covers_months_from_first_to_last() -> None:
    assert covers_month(Month(2025, 11), Month(2026, 2), Month(2025, 11))
    assert covers_month(Month(2025, 11), Month(2026, 2), Month(2026, 1))  # across the new year
    assert covers_month(Month(2025, 11), Month(2026, 2), Month(2026, 2))
    assert not covers_month(Month(2025, 11), Month(2026, 2), Month(2025, 10))
    assert not covers_month(Month(2025, 11), Month(2026, 2), Month(2026, 3))
    assert covers_month(Month(2025, 11), None, Month(2030, 1))
    assert not covers_month(Month(2025, 11), None, Month(2025, 10))


def test_p15_monthly_hours_do_not_carry_over() -> None:
    def month(day: date, remaining: int) -> Balance:
        first, last = balance_validity(PackKind.MONTHLY, date(2025, 1, 1), None, day)
        return Balance(3, PackKind.MONTHLY, remaining, first, last)

    january = month(date(2026, 1, 15), 500)
    february = month(date(2026, 2, 1), 600)
    allocation = allocate(700, 0, [january, february], on=date(2026, 2, 1))
    assert allocation.draws == (Draw(3, PackKind.MONTHLY, 600, outside=False),)
    assert allocation.uncovered_inside == 100
    assert not usable(january, date(2026, 2, 1))


# --- P16 ----------------------------------------------------------------------------------------


def test_p16_free_hours_never_expire() -> None:
    hours = free(1, date(2020, 1, 1), 60)
    assert usable(hours, date(2020, 1, 1))
    assert usable(hours, date(2099, 12, 31))
    assert allocate(60, 0, [hours], on=date(2099, 12, 31)).uncovered == 0


# --- P16a ---------------------------------------------------------------------------------------


def test_p16a_order_monthly_then_unit_by_expiry_then_free() -> None:
    free_hours = free(1, date(2025, 1, 1), 60)
    newer_unit = unit(2, date(2026, 1, 5), 60)
    older_unit = unit(3, date(2025, 6, 1), 60)
    month = monthly_balance(4, month_key(TODAY), minutes_per_month=60, used=0)
    allocation = allocate(240, 0, [free_hours, newer_unit, older_unit, month], on=TODAY)
    assert [(draw.kind, draw.key) for draw in allocation.draws] == [
        (PackKind.MONTHLY, 4),
        (PackKind.UNIT, 3),
        (PackKind.UNIT, 2),
        (PackKind.FREE, 1),
    ]
    assert allocation.uncovered == 0


def test_p16a_payment_order_ranks_kinds_then_expiry() -> None:
    ranked = sorted(
        [
            (PackKind.FREE, None),
            (PackKind.UNIT, date(2027, 1, 5)),
            (PackKind.UNIT, date(2026, 6, 1)),
            (PackKind.MONTHLY, date(2026, 3, 31)),
        ],
        key=lambda balance: payment_order(*balance),
    )
    assert ranked == [
        (PackKind.MONTHLY, date(2026, 3, 31)),
        (PackKind.UNIT, date(2026, 6, 1)),
        (PackKind.UNIT, date(2027, 1, 5)),
        (PackKind.FREE, None),
    ]


def test_p16a_draws_partially_from_the_last_balance_it_needs() -> None:
    allocation = allocate(
        90, 0, [unit(1, date(2025, 6, 1), 60), unit(2, date(2025, 7, 1), 60)], TODAY
    )
    assert allocation.draws == (
        Draw(1, PackKind.UNIT, 60, outside=False),
        Draw(2, PackKind.UNIT, 30, outside=False),
    )


def test_p16a_unit_packs_by_expiry_not_by_purchase() -> None:
    # A contract (P18) gave the older pack two years: the newer one expires first and pays first.
    two_years = Balance(1, PackKind.UNIT, 60, date(2025, 1, 10), date(2027, 1, 10))
    one_year = unit(2, date(2025, 6, 1), 60)
    keys = [draw.key for draw in allocate(90, 0, [two_years, one_year], TODAY).draws]
    assert keys == [2, 1]


def test_p16a_unit_packs_with_the_same_expiry_by_purchase_then_key() -> None:
    day = date(2026, 6, 30)
    same_expiry = [
        Balance(9, PackKind.UNIT, 30, date(2025, 8, 1), day),
        Balance(5, PackKind.UNIT, 30, date(2025, 7, 1), day),
        Balance(4, PackKind.UNIT, 30, date(2025, 8, 1), day),
    ]
    keys = [draw.key for draw in allocate(90, 0, same_expiry, TODAY).draws]
    assert keys == [5, 4, 9]


def test_p16a_packs_cover_out_of_hours_first() -> None:
    # 45 min inside and 30 min outside (P12), one pack of 60 min: the outside half is covered.
    allocation = allocate(45, 30, [unit(1, date(2025, 6, 1), 60)], TODAY)
    assert allocation.draws == (
        Draw(1, PackKind.UNIT, 30, outside=True),
        Draw(1, PackKind.UNIT, 30, outside=False),
    )
    assert (allocation.uncovered_inside, allocation.uncovered_outside) == (15, 0)
    assert (allocation.covered_inside, allocation.covered_outside) == (30, 30)


def test_p16a_out_of_hours_time_larger_than_the_packs_leaves_inside_uncovered() -> None:
    allocation = allocate(15, 90, [unit(1, date(2025, 6, 1), 60)], TODAY)
    assert allocation.draws == (Draw(1, PackKind.UNIT, 60, outside=True),)
    assert (allocation.uncovered_inside, allocation.uncovered_outside) == (15, 30)


def test_p16a_expired_and_future_packs_never_used() -> None:
    expired = unit(1, date(2025, 3, 9), 600)  # valid until 9 March 2026
    future = unit(2, date(2026, 3, 11), 600)
    last_month = monthly_balance(3, Month(2026, 2), minutes_per_month=600, used=0)
    next_month = monthly_balance(4, Month(2026, 4), minutes_per_month=600, used=0)
    allocation = allocate(60, 30, [expired, future, last_month, next_month], TODAY)
    assert allocation.draws == ()
    assert (allocation.uncovered_inside, allocation.uncovered_outside) == (60, 30)


def test_p16a_empty_balances_are_skipped_and_nothing_billed_draws_nothing() -> None:
    empty = unit(1, date(2025, 6, 1), 0)
    assert not usable(empty, TODAY)
    assert allocate(30, 0, [empty], TODAY).draws == ()
    assert allocate(0, 0, [unit(2, date(2025, 6, 1), 60)], TODAY) == Allocation((), 0, 0)


def test_p16a_negative_billed_time_is_refused() -> None:
    with pytest.raises(ValueError):
        allocate(-15, 0, [], TODAY)
    with pytest.raises(ValueError):
        allocate(0, -30, [], TODAY)


def test_p16a_balance_never_goes_below_zero() -> None:
    assert balance_after(60, -60) == 0
    assert balance_after(60, 30) == 90  # a reversing entry gives minutes back
    with pytest.raises(ValueError):
        balance_after(60, -61)
    with pytest.raises(ValueError):
        Balance(1, PackKind.FREE, -1, TODAY, None)


def test_balance_cannot_expire_before_it_is_valid() -> None:
    with pytest.raises(ValueError):
        Balance(1, PackKind.UNIT, 60, TODAY, TODAY - timedelta(days=1))


def test_two_usable_balances_with_one_key_are_refused() -> None:
    with pytest.raises(ValueError):
        allocate(30, 0, [free(1, TODAY, 60), free(1, TODAY, 30)], TODAY)
    # The same key in two kinds is two different packs.
    allocation = allocate(90, 0, [free(1, TODAY, 60), unit(1, TODAY, 30)], TODAY)
    assert allocation.uncovered == 0


# --- properties -------------------------------------------------------------------------------

KIND_RANK = {PackKind.MONTHLY: 0, PackKind.UNIT: 1, PackKind.FREE: 2}


@st.composite
def balances(draw: st.DrawFn) -> list[Balance]:
    """Balances of every kind around TODAY, some expired, some not yet valid, some empty."""
    result = []
    for key in range(draw(st.integers(0, 10))):
        kind = draw(st.sampled_from(PackKind))
        remaining = draw(st.integers(0, 300))
        if kind is PackKind.MONTHLY:
            month = month_key(TODAY + timedelta(days=draw(st.integers(-45, 45))))
            result.append(monthly_balance(key, month, remaining, used=0))
        elif kind is PackKind.UNIT:
            # Rounded to every third day, so that some packs share a date (the tie-breaks).
            purchased = TODAY + timedelta(days=3 * draw(st.integers(-130, 3)))
            if draw(st.booleans()):
                result.append(unit(key, purchased, remaining))
            else:  # a contract's own validity (P18): the expiry need not follow the purchase
                until = max(purchased, TODAY + timedelta(days=3 * draw(st.integers(-5, 250))))
                result.append(Balance(key, PackKind.UNIT, remaining, purchased, until))
        else:
            result.append(free(key, TODAY + timedelta(days=draw(st.integers(-400, 10))), remaining))
    return result


billed = st.integers(0, 1500)


@given(billed, billed, balances())
def test_p16a_allocation_conserves_minutes(inside: int, outside: int, pool: list[Balance]) -> None:
    allocation = allocate(inside, outside, pool, TODAY)
    assert allocation.covered + allocation.uncovered == inside + outside
    assert allocation.covered_inside + allocation.uncovered_inside == inside
    assert allocation.covered_outside + allocation.uncovered_outside == outside
    assert all(draw.minutes > 0 for draw in allocation.draws)
    assert allocation.uncovered_inside >= 0
    assert allocation.uncovered_outside >= 0


@given(billed, billed, balances())
def test_p16a_never_overdraws_nor_uses_an_unusable_balance(
    inside: int, outside: int, pool: list[Balance]
) -> None:
    by_id = {(balance.kind, balance.key): balance for balance in pool}
    for (kind, key), minutes in drawn(allocate(inside, outside, pool, TODAY)).items():
        balance = by_id[kind, key]
        assert usable(balance, TODAY)
        assert minutes <= balance.remaining


@given(billed, billed, balances())
def test_p16a_order_is_respected(inside: int, outside: int, pool: list[Balance]) -> None:
    allocation = allocate(inside, outside, pool, TODAY)
    used = drawn(allocation)
    payers = [balance for balance in pool if usable(balance, TODAY)]

    def rank(balance: Balance) -> tuple[int, date, date, int]:
        return (
            KIND_RANK[balance.kind],
            balance.valid_until or date.max,
            balance.valid_from,
            balance.key,
        )

    # A balance is drawn from only once every balance before it in the order is empty.
    for later in payers:
        if used[later.kind, later.key]:
            for earlier in payers:
                if rank(earlier) < rank(later):
                    assert used[earlier.kind, earlier.key] == earlier.remaining
    # Time is left uncovered only when every usable balance is empty.
    if allocation.uncovered:
        assert all(used[b.kind, b.key] == b.remaining for b in payers)
    # Out-of-hours time is covered first.
    if allocation.covered_inside:
        assert allocation.uncovered_outside == 0


# --- the bounds the services filter with (P14, P15) ----------------------------------------------

_days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(_days, _days)
def test_p14_a_balance_has_lapsed_once_its_last_day_is_before_today(
    last: date, today: date
) -> None:
    assert lapsed(last, today) == (last <= last_lapsed_day(today)) == (last < today)


@given(_days, _days)
def test_p14_expiring_soon_is_usable_and_within_the_warning_days(last: date, on: date) -> None:
    soon = expiring_soon(last, on)
    assert soon == (on <= last <= warning_horizon(on))
    assert soon == (0 <= (last - on).days <= EXPIRY_WARNING_DAYS)


@given(_days, st.none() | _days, _days)
def test_p15_the_sql_bounds_say_what_covers_month_says(
    first: date, last: date | None, on: date
) -> None:
    month = Month.of(on)
    bounds = covering(month)
    first_month = Month.of(first)
    last_month = None if last is None else Month.of(last)
    by_bounds = first_month.first_day <= bounds.latest_first and (
        last_month is None or last_month.first_day >= bounds.earliest_last
    )
    assert covers_month(first_month, last_month, month) == by_bounds
    in_span = first_month <= month and (last_month is None or month <= last_month)
    assert covers_month(first_month, last_month, month) == in_span
