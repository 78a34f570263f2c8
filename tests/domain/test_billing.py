"""Billing of session time (P11–P13): blocks inside and outside hours, rounded up once."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.billing import INSIDE_BLOCK, OUTSIDE_BLOCK, BilledTime, bill, round_up
from app.domain.calendar import BusinessCalendar, elapsed

LISBON = ZoneInfo("Europe/Lisbon")
MICRO = timedelta(microseconds=1)
CAL = BusinessCalendar.portugal(municipality="Lisboa")
MONDAY = date(2026, 3, 9)  # a week without holidays
SATURDAY = MONDAY + timedelta(days=5)


def lisbon(day: date, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LISBON).replace(fold=fold)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def session(
    day: date, *spans: tuple[tuple[int, int], tuple[int, int]]
) -> list[tuple[datetime, datetime]]:
    return [(lisbon(day, *start), lisbon(day, *end)) for start, end in spans]


def test_p11_blocks_15_inside_30_outside() -> None:
    one_inside = bill(session(MONDAY, ((10, 0), (10, 1))), CAL)
    assert one_inside == BilledTime(minutes(1), minutes(0), minutes(15), minutes(0))
    one_outside = bill(session(MONDAY, ((20, 0), (20, 1))), CAL)
    assert one_outside == BilledTime(minutes(0), minutes(1), minutes(0), minutes(30))
    assert bill(session(MONDAY, ((10, 0), (10, 16))), CAL).inside_billed == minutes(30)
    assert bill(session(SATURDAY, ((10, 0), (10, 31))), CAL).outside_billed == minutes(60)
    assert (minutes(15), minutes(30)) == (INSIDE_BLOCK, OUTSIDE_BLOCK)


def test_p12_session_across_closing_time() -> None:
    billed = bill(session(MONDAY, ((17, 50), (18, 20))), CAL)
    assert (billed.inside, billed.outside) == (minutes(10), minutes(20))
    assert (billed.inside_billed, billed.outside_billed) == (minutes(15), minutes(30))
    assert billed.total == minutes(45)
    assert billed.actual == minutes(30)


def test_p12_session_across_lunch_and_opening() -> None:
    billed = bill(session(MONDAY, ((12, 50), (14, 10)), ((8, 40), (9, 5))), CAL)
    assert (billed.inside, billed.outside) == (minutes(25), minutes(80))
    assert billed.total == minutes(30) + minutes(90)


def test_p12_rounded_once_per_session_not_per_interval() -> None:
    # Three 5-minute runs inside hours with pauses between: 15 minutes, one block, not three.
    inside = session(MONDAY, ((10, 0), (10, 5)), ((11, 0), (11, 5)), ((15, 0), (15, 5)))
    assert bill(inside, CAL).inside_billed == minutes(15)
    # Two 10-minute runs at night: 20 minutes, one 30-minute block.
    outside = session(MONDAY, ((20, 0), (20, 10)), ((22, 0), (22, 10)))
    assert bill(outside, CAL).outside_billed == minutes(30)
    # Nor once per day: an evening and the next morning, both outside, are one total.
    overnight = [
        (lisbon(MONDAY, 23, 50), lisbon(MONDAY + timedelta(days=1), 0, 10)),
        (lisbon(MONDAY + timedelta(days=1), 7), lisbon(MONDAY + timedelta(days=1), 7, 5)),
    ]
    assert bill(overnight, CAL).outside_billed == minutes(30)


def test_p12_zero_class_bills_zero() -> None:
    inside_only = bill(session(MONDAY, ((10, 0), (10, 20))), CAL)
    assert (inside_only.outside, inside_only.outside_billed) == (minutes(0), minutes(0))
    outside_only = bill(session(SATURDAY, ((10, 0), (10, 20))), CAL)
    assert (outside_only.inside, outside_only.inside_billed) == (minutes(0), minutes(0))
    empty = bill([], CAL)
    assert empty == BilledTime(minutes(0), minutes(0), minutes(0), minutes(0))
    assert empty.total == minutes(0)
    # A zero-length run bills nothing either.
    assert bill(session(MONDAY, ((10, 0), (10, 0))), CAL).total == minutes(0)


@pytest.mark.parametrize("blocks", [1, 2, 7])
def test_p12_exact_blocks_bill_exactly_and_one_microsecond_more_bills_a_block(
    blocks: int,
) -> None:
    start = lisbon(MONDAY, 9)
    exact = bill([(start, start + blocks * INSIDE_BLOCK)], CAL)
    assert exact.inside_billed == blocks * INSIDE_BLOCK
    over = bill([(start, start + blocks * INSIDE_BLOCK + MICRO)], CAL)
    assert over.inside_billed == (blocks + 1) * INSIDE_BLOCK
    night = lisbon(SATURDAY, 1)
    exact = bill([(night, night + blocks * OUTSIDE_BLOCK)], CAL)
    assert exact.outside_billed == blocks * OUTSIDE_BLOCK
    over = bill([(night, night + blocks * OUTSIDE_BLOCK + MICRO)], CAL)
    assert over.outside_billed == (blocks + 1) * OUTSIDE_BLOCK


def test_p12_holiday_time_is_outside_hours() -> None:
    good_friday = date(2026, 4, 3)
    billed = bill(session(good_friday, ((10, 0), (10, 40))), CAL)
    assert (billed.inside, billed.outside, billed.total) == (minutes(0), minutes(40), minutes(60))


def test_p13_dst_spring_forward_session_lasts_two_hours() -> None:
    night = date(2026, 3, 29)
    billed = bill([(lisbon(night, 0, 30), lisbon(night, 3, 30))], CAL)
    assert billed.actual == timedelta(hours=2)
    assert billed.outside_billed == timedelta(hours=2)


def test_p13_dst_fall_back_session_lasts_four_hours() -> None:
    night = date(2026, 10, 25)
    billed = bill([(lisbon(night, 0, 30), lisbon(night, 3, 30))], CAL)
    assert billed.actual == timedelta(hours=4)
    assert billed.total == timedelta(hours=4)
    # 01:40 summer time to 01:20 winter time: 40 real minutes, not minus twenty.
    repeated = bill([(lisbon(night, 1, 40), lisbon(night, 1, 20, fold=1))], CAL)
    assert repeated.outside == minutes(40)
    assert repeated.outside_billed == minutes(60)


def test_round_up() -> None:
    assert round_up(timedelta(0), INSIDE_BLOCK) == timedelta(0)
    assert round_up(MICRO, INSIDE_BLOCK) == INSIDE_BLOCK
    assert round_up(INSIDE_BLOCK, INSIDE_BLOCK) == INSIDE_BLOCK
    assert round_up(minutes(61), timedelta(hours=1)) == timedelta(hours=2)
    with pytest.raises(ValueError, match=r"\w"):
        round_up(-MICRO, INSIDE_BLOCK)
    with pytest.raises(ValueError, match=r"\w"):
        round_up(minutes(5), timedelta(0))
    with pytest.raises(ValueError, match=r"\w"):
        bill(session(MONDAY, ((10, 0), (10, 5))), CAL, inside_block=-INSIDE_BLOCK)


def test_bill_refuses_naive_and_backward_intervals() -> None:
    naive = datetime(2026, 3, 9, 10, 0)
    with pytest.raises(ValueError, match="naive"):
        bill([(naive, lisbon(MONDAY, 11))], CAL)
    with pytest.raises(ValueError, match=r"\w"):
        bill([(lisbon(MONDAY, 11), lisbon(MONDAY, 10))], CAL)


# --- properties ---------------------------------------------------------------------------------

starts = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2029, 12, 31),
    timezones=st.sampled_from([LISBON, UTC]),
)
steps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(hours=20))
blocks = st.sampled_from([INSIDE_BLOCK, OUTSIDE_BLOCK, minutes(1), minutes(10), minutes(60)])


@given(starts, st.lists(st.tuples(steps, steps), max_size=6), blocks, blocks)
def test_billed_covers_the_actual_time_by_less_than_a_block(
    first: datetime,
    runs_and_pauses: list[tuple[timedelta, timedelta]],
    inside_block: timedelta,
    outside_block: timedelta,
) -> None:
    intervals = []
    at = first.astimezone(UTC)
    for run, pause in runs_and_pauses:
        intervals.append((at, at + run))
        at += run + pause
    billed = bill(intervals, CAL, inside_block=inside_block, outside_block=outside_block)
    assert billed.actual == sum((elapsed(a, b) for a, b in intervals), timedelta(0))
    assert billed.inside == sum((CAL.between(a, b) for a, b in intervals), timedelta(0))
    for actual, billed_part, block in (
        (billed.inside, billed.inside_billed, inside_block),
        (billed.outside, billed.outside_billed, outside_block),
    ):
        assert actual <= billed_part < actual + block
        assert billed_part % block == timedelta(0)
        assert (billed_part == timedelta(0)) == (actual == timedelta(0))
    assert billed.total == billed.inside_billed + billed.outside_billed
