"""``Month``: the one month value every month computation uses."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.months import Month

LISBON = ZoneInfo("Europe/Lisbon")
days = st.dates(min_value=date(1900, 1, 1), max_value=date(2200, 12, 31))


def test_a_month_is_parsed_from_its_iso_text() -> None:
    assert Month.parse("2026-03") == Month(2026, 3)
    assert Month.parse(" 2026-3 ") == Month(2026, 3)
    assert str(Month(2026, 3)) == "2026-03"
    for text in ("2026-13", "2026-00", "março", "2026/03", ""):
        with pytest.raises(ValueError):
            Month.parse(text)


def test_next_and_previous_cross_the_new_year() -> None:
    assert Month(2025, 12).next() == Month(2026, 1)
    assert Month(2026, 1).previous() == Month(2025, 12)
    assert list(Month.span(Month(2025, 11), Month(2026, 2))) == [
        Month(2025, 11),
        Month(2025, 12),
        Month(2026, 1),
        Month(2026, 2),
    ]
    assert list(Month.span(Month(2026, 2), Month(2026, 1))) == []


def test_february_of_a_leap_year_has_29_days() -> None:
    assert Month(2024, 2).last_day == date(2024, 2, 29)
    assert Month(2026, 2).last_day == date(2026, 2, 28)


def test_a_month_begins_and_ends_at_midnight_in_company_time() -> None:
    # March 2025: Lisbon on UTC+0 on the 1st, UTC+1 by the 31st.
    start, end = Month(2025, 3).instants(LISBON)
    assert start == datetime(2025, 3, 1, tzinfo=UTC)
    assert end == datetime(2025, 3, 31, 23, tzinfo=UTC)


@given(days)
def test_a_day_falls_in_its_month_and_no_other(day: date) -> None:
    month = Month.of(day)
    assert month.first_day <= day <= month.last_day
    assert month.contains(day)
    assert not month.next().contains(day) and not month.previous().contains(day)
    assert month.last_day + timedelta(days=1) == month.next().first_day
    assert Month.parse(str(month)) == month


@given(days, st.integers(-2400, 2400))
def test_moving_by_months_keeps_order_and_adds_up(day: date, step: int) -> None:
    month = Month.of(day)
    moved = month.plus(step)
    assert moved.plus(-step) == month
    assert (moved > month) == (step > 0)
    assert moved.ordinal - month.ordinal == step
