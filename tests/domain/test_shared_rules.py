"""The pure rules the services and the large demo both call: a balance's days and lapse (P14,
P15, P16), the review limit (P12, P13), the invoice lines of uncovered time and the date of
issue (P20)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.billing import active_time, needs_review
from app.domain.invoice import issue_date, uncovered_time
from app.domain.packs import (
    Balance,
    PackKind,
    balance_validity,
    first_live_month,
    lapses_at,
    month_bounds,
    month_key,
    unit_pack_valid_until,
    usable,
)

LISBON = ZoneInfo("Europe/Lisbon")
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2090, 12, 31))


@given(days, days)
def test_p15_a_monthly_balance_is_valid_in_its_month_only(starts_on: date, on: date) -> None:
    first, last = balance_validity(PackKind.MONTHLY, starts_on, None, on)
    assert (first, last) == month_bounds(month_key(on))
    assert first <= on <= last  # type: ignore[operator]


@given(days)
def test_p14_a_unit_pack_is_valid_from_its_start_to_its_last_day(bought: date) -> None:
    until = unit_pack_valid_until(bought)
    assert balance_validity(PackKind.UNIT, bought, until, bought) == (bought, until)
    # It lapses at the start of the day after its last day.
    assert lapses_at(until, LISBON).astimezone(LISBON).date() == until + timedelta(days=1)


def test_p14_a_unit_pack_needs_its_last_day() -> None:
    with pytest.raises(ValueError):
        balance_validity(PackKind.UNIT, date(2025, 1, 1), None, date(2025, 1, 1))


@given(days, days)
def test_p16_free_hours_never_end(granted: date, on: date) -> None:
    assert balance_validity(PackKind.FREE, granted, None, on) == (granted, None)


def test_p15_a_month_lapses_at_midnight_of_the_next_in_company_time() -> None:
    # 31 March 2025: Lisbon is on summer time (UTC+1) by then.
    assert lapses_at(date(2025, 3, 31), LISBON) == datetime(2025, 3, 31, 23, 0, tzinfo=UTC)
    assert lapses_at(date(2025, 1, 31), LISBON) == datetime(2025, 2, 1, 0, 0, tzinfo=UTC)


@given(days, days)
def test_p15_only_the_live_month_can_pay(month_day: date, today: date) -> None:
    first, last = month_bounds(month_key(month_day))
    balance = Balance(1, PackKind.MONTHLY, 60, first, last)
    assert usable(balance, today) == (first == first_live_month(today))


_SPRING = datetime(2025, 3, 30, 0, 30, tzinfo=LISBON)  # the clocks go forward at 01:00


def test_p13_active_time_is_real_time_across_the_clock_change() -> None:
    end = datetime(2025, 3, 30, 3, 30, tzinfo=LISBON)
    assert active_time([(_SPRING, end)]) == timedelta(hours=2)
    pause = [(_SPRING, _SPRING + timedelta(minutes=10)), (end - timedelta(minutes=5), end)]
    assert active_time(pause) == timedelta(minutes=15)


@given(st.integers(min_value=1, max_value=24 * 60))
def test_session_past_the_review_limit_is_flagged(minutes: int) -> None:
    limit = timedelta(hours=10)
    start = _SPRING.astimezone(UTC)  # adding to a UTC instant adds real time (P13)
    spans = [(start, start + timedelta(minutes=minutes))]
    assert needs_review(spans, limit) == (timedelta(minutes=minutes) > limit)


@given(st.integers(0, 600), st.integers(0, 600))
def test_p20_uncovered_time_makes_one_line_per_part(inside: int, outside: int) -> None:
    rate, night = Decimal("45.00"), Decimal("60.00")
    parts = uncovered_time(inside, outside, rate, night)
    assert [part for part in parts if not part[0]] == ([(False, inside, rate)] if inside else [])
    assert [part for part in parts if part[0]] == ([(True, outside, night)] if outside else [])
    assert [part[0] for part in parts] == sorted(part[0] for part in parts)  # inside first


def test_p20_the_date_of_issue_is_the_companys_day() -> None:
    # 23:30 UTC on 30 June is already 1 July in Lisbon (UTC+1): that year's and day's document.
    assert issue_date(datetime(2025, 6, 30, 23, 30, tzinfo=UTC), LISBON) == date(2025, 7, 1)
    assert issue_date(datetime(2025, 12, 31, 23, 30, tzinfo=UTC), LISBON) == date(2025, 12, 31)
    with pytest.raises(ValueError):
        issue_date(datetime(2025, 6, 30, 23, 30), LISBON)  # naive: refused
