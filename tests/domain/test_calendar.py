"""Business hours (P1–P4, P13): the calendar, its holidays, and its arithmetic across DST nights."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import (
    DEFAULT_WEEKLY,
    BusinessCalendar,
    PortugueseClosedDays,
    elapsed,
    local_days,
    start_of_day,
)

LISBON = ZoneInfo("Europe/Lisbon")
AZORES = ZoneInfo("Atlantic/Azores")
NEW_YORK = ZoneInfo("America/New_York")
MICRO = timedelta(microseconds=1)
HOUR = timedelta(hours=1)

# A week of 2026 without holidays: Monday 9 March to Sunday 15 March.
MONDAY = date(2026, 3, 9)
# 2026's DST nights in Lisbon: 29 March 01:00 WET → 02:00 WEST, 25 October 02:00 WEST → 01:00 WET.
SPRING_FORWARD = date(2026, 3, 29)
FALL_BACK = date(2026, 10, 25)

CAL = BusinessCalendar.portugal(municipality="Lisboa")


def lisbon(day: date, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LISBON).replace(fold=fold)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def same_instant(a: datetime, b: datetime) -> bool:
    """Equality of instants, fold included (``==`` across zones ignores ambiguous instants)."""
    return a.astimezone(UTC) == b.astimezone(UTC)


# --- P1: the weekly schedule --------------------------------------------------------------------


def test_p1_default_hours_mon_fri_with_lunch() -> None:
    for offset in range(5):
        day = MONDAY + timedelta(days=offset)
        assert not CAL.is_open(lisbon(day, 8, 59) + timedelta(seconds=59, microseconds=999_999))
        assert CAL.is_open(lisbon(day, 9))
        assert CAL.is_open(lisbon(day, 13) - MICRO)
        assert not CAL.is_open(lisbon(day, 13))  # half-open: closing belongs to the break
        assert not CAL.is_open(lisbon(day, 13, 30))
        assert CAL.is_open(lisbon(day, 14))
        assert CAL.is_open(lisbon(day, 18) - MICRO)
        assert not CAL.is_open(lisbon(day, 18))
        assert CAL.between(lisbon(day), lisbon(day + timedelta(days=1))) == timedelta(hours=8)
    for weekend_day in (MONDAY + timedelta(days=5), MONDAY + timedelta(days=6)):
        assert not CAL.is_open(lisbon(weekend_day, 10))
        assert CAL.between(lisbon(weekend_day), lisbon(weekend_day, 23, 59)) == timedelta(0)


def test_p1_full_week_is_forty_hours() -> None:
    assert CAL.between(lisbon(MONDAY), lisbon(MONDAY + timedelta(days=7))) == timedelta(hours=40)


def test_p1_days_may_have_several_intervals_and_own_time_zone() -> None:
    weekly = {0: [(time(16), time(17)), (time(8), time(9)), (time(12), time(12, 30))]}
    calendar = BusinessCalendar(weekly, tz="Atlantic/Azores")
    monday = datetime.combine(MONDAY, time(), tzinfo=AZORES)
    assert calendar.between(monday, monday + timedelta(days=1)) == timedelta(hours=2, minutes=30)
    assert calendar.is_open(monday.replace(hour=12, minute=15))
    assert not calendar.is_open(monday.replace(hour=12, minute=30))
    # 08:00 in the Azores is 09:00 in Lisbon (winter): the zone is the calendar's, not the input's.
    assert calendar.is_open(lisbon(MONDAY, 9))
    assert not calendar.is_open(lisbon(MONDAY, 8, 30))


@pytest.mark.parametrize(
    "hours",
    [
        [(time(10), time(9))],  # closes before it opens
        [(time(9), time(9))],  # empty
        [(time(9), time(12)), (time(11), time(13))],  # overlap
        [(time(9, tzinfo=UTC), time(10, tzinfo=UTC))],  # hours are local times
    ],
)
def test_p1_invalid_hours_are_refused(hours: list[tuple[time, time]]) -> None:
    with pytest.raises(ValueError, match=r"\w"):
        BusinessCalendar({0: hours})
    with pytest.raises(ValueError, match=r"\w"):
        BusinessCalendar(DEFAULT_WEEKLY, special={MONDAY: hours})


# --- P2: holidays and company exceptions -------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 3), "Sexta-feira Santa"),  # Good Friday
        (date(2027, 3, 26), "Sexta-feira Santa"),
        (date(2026, 6, 4), "Corpo de Deus"),  # Corpus Christi
        (date(2027, 5, 27), "Corpo de Deus"),
        (date(2026, 12, 1), "Restauração da Independência"),
        (date(2026, 12, 8), "Imaculada Conceição"),
        (date(2026, 4, 25), "Dia da Liberdade"),
    ],
)
def test_p2_holiday_closed(day: date, name: str) -> None:
    calendar = BusinessCalendar.portugal()
    assert day in calendar.closed
    assert isinstance(calendar.closed, PortugueseClosedDays)
    assert calendar.closed.name(day) == name
    if day.weekday() < 5:
        assert not calendar.is_open(lisbon(day, 10))
        assert calendar.hours_on(day) == ()
        # The working day before is open as usual.
        before = day - timedelta(days=1)
        if before.weekday() < 5 and before not in calendar.closed:
            assert calendar.is_open(lisbon(before, 10))


def test_p2_ordinary_day_has_no_holiday_name() -> None:
    closed = PortugueseClosedDays()
    assert MONDAY not in closed
    assert closed.name(MONDAY) is None
    assert "2026-04-03" not in closed  # only dates answer


@pytest.mark.parametrize(
    ("municipality", "holiday", "not_holiday"),
    [
        ("Lisboa", date(2025, 6, 13), date(2025, 6, 24)),  # Santo António, a Friday in 2025
        ("11", date(2025, 6, 13), date(2025, 6, 24)),  # the district's code works too
        ("Porto", date(2025, 6, 24), date(2025, 6, 13)),  # São João, a Tuesday in 2025
    ],
)
def test_p2_municipal_holiday(municipality: str, holiday: date, not_holiday: date) -> None:
    calendar = BusinessCalendar.portugal(municipality=municipality)
    assert not calendar.is_open(lisbon(holiday, 10))
    assert calendar.is_open(lisbon(not_holiday, 10))
    assert holiday in calendar.closed
    assert not_holiday not in calendar.closed
    assert holiday.replace(year=2026) in calendar.closed  # every year
    assert isinstance(calendar.closed, PortugueseClosedDays)
    assert calendar.closed.name(holiday) in {"Dia de Santo António", "Dia de São João"}
    assert calendar.closed.name(not_holiday) is None


def test_p2_no_municipal_holiday_without_municipality() -> None:
    calendar = BusinessCalendar.portugal()
    assert calendar.is_open(lisbon(date(2025, 6, 13), 10))
    assert calendar.is_open(lisbon(date(2025, 6, 24), 10))


def test_p2_unknown_municipality_refused() -> None:
    with pytest.raises(ValueError, match="Atlantida"):
        PortugueseClosedDays("Atlantida")


@pytest.mark.parametrize(
    ("key", "day"),
    [
        ("carnival", date(2026, 2, 17)),
        ("carnival", date(2025, 3, 4)),
        ("christmas_eve", date(2026, 12, 24)),
        ("new_years_eve", date(2026, 12, 31)),
    ],
)
def test_p2_optional_days_only_when_asked(key: str, day: date) -> None:
    assert day.weekday() < 5
    ordinary = BusinessCalendar.portugal()
    assert ordinary.is_open(lisbon(day, 10))
    assert day not in ordinary.closed
    chosen = BusinessCalendar.portugal(optional=[key])
    assert not chosen.is_open(lisbon(day, 10))
    assert isinstance(chosen.closed, PortugueseClosedDays)
    assert chosen.closed.name(day)
    assert isinstance(ordinary.closed, PortugueseClosedDays)
    assert ordinary.closed.name(day) is None
    # Choosing one optional day closes none of the others.
    others = [k for k in ("carnival", "christmas_eve", "new_years_eve") if k != key]
    assert day not in PortugueseClosedDays(optional=others)


def test_p2_unknown_optional_day_refused() -> None:
    with pytest.raises(ValueError, match="easter_monday"):
        PortugueseClosedDays(optional=["easter_monday"])


def test_p2_closed_dates_of_the_company() -> None:
    calendar = BusinessCalendar.portugal(closed=[MONDAY])
    assert not calendar.is_open(lisbon(MONDAY, 10))
    assert calendar.next_opening(lisbon(MONDAY, 10)) == lisbon(MONDAY + timedelta(days=1), 9)
    plain = BusinessCalendar(DEFAULT_WEEKLY, closed={MONDAY})
    assert not plain.is_open(lisbon(MONDAY, 10))


def test_p2_special_hours_replace_weekly() -> None:
    christmas_eve = date(2026, 12, 24)  # a Thursday
    saturday = MONDAY + timedelta(days=5)
    calendar = BusinessCalendar.portugal(
        special={christmas_eve: [(time(9), time(13))], saturday: [(time(10), time(12))]}
    )
    assert calendar.is_open(lisbon(christmas_eve, 12, 59))
    assert not calendar.is_open(lisbon(christmas_eve, 13))
    assert not calendar.is_open(lisbon(christmas_eve, 15))
    # A special date opens a day that is closed every week.
    assert calendar.is_open(lisbon(saturday, 11))
    assert not calendar.is_open(lisbon(saturday, 9, 30))
    assert calendar.between(lisbon(saturday), lisbon(saturday, 23)) == timedelta(hours=2)
    # P5: a special-hours day closes at its own closing time.
    deadline = calendar.close_of_next_business_day(lisbon(date(2026, 12, 23), 10))
    assert deadline == lisbon(christmas_eve, 13)


def test_p2_special_empty_hours_close_the_day() -> None:
    calendar = BusinessCalendar.portugal(special={MONDAY: []})
    assert not calendar.is_open(lisbon(MONDAY, 10))
    assert calendar.next_opening(lisbon(MONDAY, 8)) == lisbon(MONDAY + timedelta(days=1), 9)


# --- P3: a contact outside hours counts from the next opening ----------------------------------


def test_p3_contact_outside_hours_counts_from_next_opening() -> None:
    friday = MONDAY + timedelta(days=4)
    next_monday = MONDAY + timedelta(days=7)
    assert CAL.next_opening(lisbon(friday, 20)) == lisbon(next_monday, 9)
    assert CAL.next_opening(lisbon(friday + timedelta(days=1), 12)) == lisbon(next_monday, 9)
    assert CAL.next_opening(lisbon(MONDAY, 7)) == lisbon(MONDAY, 9)
    assert CAL.next_opening(lisbon(MONDAY, 9) - MICRO) == lisbon(MONDAY, 9)
    # Lunch, exactly at 13:00, and exactly at closing.
    assert CAL.next_opening(lisbon(MONDAY, 13, 30)) == lisbon(MONDAY, 14)
    assert CAL.next_opening(lisbon(MONDAY, 13)) == lisbon(MONDAY, 14)
    assert CAL.next_opening(lisbon(MONDAY, 18)) == lisbon(MONDAY + timedelta(days=1), 9)
    # Over Good Friday and the weekend.
    assert CAL.next_opening(lisbon(date(2026, 4, 2), 18, 30)) == lisbon(date(2026, 4, 6), 9)


def test_p3_next_opening_is_at_itself_when_open() -> None:
    for at in (lisbon(MONDAY, 9), lisbon(MONDAY, 12, 59), lisbon(MONDAY, 18) - MICRO):
        assert CAL.next_opening(at) == at
    assert CAL.next_opening(utc(2026, 3, 9, 10, 7)) == utc(2026, 3, 9, 10, 7)


# --- P4: work carries over to the next business day --------------------------------------------


def test_p4_work_carries_over_to_next_business_day() -> None:
    tuesday = MONDAY + timedelta(days=1)
    assert CAL.add(lisbon(MONDAY, 17), timedelta(hours=2)) == lisbon(tuesday, 10)
    assert CAL.add(lisbon(MONDAY, 12), timedelta(hours=2)) == lisbon(MONDAY, 15)
    friday = MONDAY + timedelta(days=4)
    assert CAL.add(lisbon(friday, 17), timedelta(hours=3)) == lisbon(friday + timedelta(3), 11)
    # Thursday before Good Friday: carried over to Monday.
    assert CAL.add(lisbon(date(2026, 4, 2), 17), 2 * HOUR) == lisbon(date(2026, 4, 6), 10)


def test_p4_add_is_the_earliest_instant() -> None:
    # A full day of work ends at closing, not at the next morning's opening.
    assert CAL.add(lisbon(MONDAY, 9), timedelta(hours=8)) == lisbon(MONDAY, 18)
    # A morning's work ends at 13:00, not at 14:00.
    assert CAL.add(lisbon(MONDAY, 7), timedelta(hours=4)) == lisbon(MONDAY, 13)
    # Nothing to do: now, even when closed.
    assert CAL.add(lisbon(MONDAY, 20), timedelta(0)) == lisbon(MONDAY, 20)
    assert CAL.add(lisbon(MONDAY, 20), MICRO) == lisbon(MONDAY + timedelta(days=1), 9) + MICRO


def test_p4_add_far_ahead_grows_the_table() -> None:
    calendar = BusinessCalendar.portugal()
    start = lisbon(MONDAY, 9)
    # About fifteen years of open time: the table grows year after year.
    duration = timedelta(hours=30_000)
    end = calendar.add(start, duration)
    assert end.year >= 2026 + 14
    assert calendar.between(start, end) == duration


def test_calendar_without_hours_never_opens() -> None:
    calendar = BusinessCalendar({})
    assert not calendar.is_open(lisbon(MONDAY, 10))
    assert calendar.between(lisbon(MONDAY), lisbon(MONDAY + timedelta(days=400))) == timedelta(0)
    with pytest.raises(ValueError, match=r"\w"):
        calendar.add(lisbon(MONDAY, 10), HOUR)
    with pytest.raises(ValueError, match=r"\w"):
        calendar.next_opening(lisbon(MONDAY, 10))


def test_table_built_in_any_order_gives_the_same_answers() -> None:
    """The table grows lazily, forward and backward; the answers do not depend on the order."""
    forward = BusinessCalendar.portugal()
    backward = BusinessCalendar.portugal()
    assert backward.is_open(lisbon(date(2031, 6, 2), 10))
    start, end = lisbon(date(2024, 1, 3), 11), lisbon(date(2031, 6, 2), 10)
    assert backward.between(start, end) == forward.between(start, end)
    assert backward.add(start, 5000 * HOUR) == forward.add(start, 5000 * HOUR)


# --- boundaries and refusals -------------------------------------------------------------------


def test_between_and_split_are_half_open() -> None:
    assert CAL.between(lisbon(MONDAY, 9), lisbon(MONDAY, 9)) == timedelta(0)
    assert CAL.between(lisbon(MONDAY, 12, 59), lisbon(MONDAY, 14, 1)) == 2 * timedelta(minutes=1)
    assert CAL.between(lisbon(MONDAY, 18) - MICRO, lisbon(MONDAY, 18)) == MICRO
    assert CAL.split(lisbon(MONDAY, 8), lisbon(MONDAY, 19)) == (8 * HOUR, 3 * HOUR)


def test_close_of_next_business_day_boundaries() -> None:
    tuesday, wednesday = MONDAY + timedelta(days=1), MONDAY + timedelta(days=2)
    for received in (lisbon(MONDAY, 9), lisbon(MONDAY, 13), lisbon(MONDAY, 13, 30)):
        assert CAL.close_of_next_business_day(received) == lisbon(tuesday, 18)
    # Exactly at closing: received at the next opening (P3), so a day later.
    assert CAL.close_of_next_business_day(lisbon(MONDAY, 18)) == lisbon(wednesday, 18)
    assert CAL.close_of_next_business_day(lisbon(MONDAY, 18) - MICRO) == lisbon(tuesday, 18)
    assert CAL.close_of_business_day_after(lisbon(MONDAY, 10), 2) == lisbon(wednesday, 18)
    with pytest.raises(ValueError, match=r"\w"):
        CAL.close_of_business_day_after(lisbon(MONDAY, 10), 0)


NAIVE = datetime(2026, 3, 9, 10, 0)


@pytest.mark.parametrize(
    "call",
    [
        lambda: CAL.is_open(NAIVE),
        lambda: CAL.next_opening(NAIVE),
        lambda: CAL.add(NAIVE, HOUR),
        lambda: CAL.between(NAIVE, lisbon(MONDAY, 11)),
        lambda: CAL.between(lisbon(MONDAY, 9), NAIVE),
        lambda: CAL.split(NAIVE, lisbon(MONDAY, 11)),
        lambda: CAL.split(lisbon(MONDAY, 9), NAIVE),
        lambda: CAL.close_of_next_business_day(NAIVE),
        lambda: elapsed(NAIVE, lisbon(MONDAY, 11)),
        lambda: elapsed(lisbon(MONDAY, 9), NAIVE),
    ],
)
def test_naive_datetimes_are_refused(call: object) -> None:
    assert callable(call)
    with pytest.raises(ValueError, match="naive"):
        call()


def test_between_end_before_start_refused() -> None:
    with pytest.raises(ValueError, match=r"\w"):
        CAL.between(lisbon(MONDAY, 11), lisbon(MONDAY, 10))
    with pytest.raises(ValueError, match=r"\w"):
        CAL.split(lisbon(MONDAY, 11), lisbon(MONDAY, 10))


def test_negative_add_refused() -> None:
    with pytest.raises(ValueError, match=r"\w"):
        CAL.add(lisbon(MONDAY, 10), -MICRO)


# --- P13: DST nights of Europe/Lisbon -----------------------------------------------------------


def test_p13_dst_spring_forward_session_lasts_two_hours() -> None:
    start, end = lisbon(SPRING_FORWARD, 0, 30), lisbon(SPRING_FORWARD, 3, 30)
    assert end - start == 3 * HOUR  # the trap: wall-clock arithmetic on a shared zoneinfo
    assert elapsed(start, end) == 2 * HOUR
    assert CAL.split(start, end) == (timedelta(0), 2 * HOUR)
    assert CAL.between(start, end) == timedelta(0)


def test_p13_dst_fall_back_night_lasts_four_hours() -> None:
    start, end = lisbon(FALL_BACK, 0, 30), lisbon(FALL_BACK, 3, 30)
    assert elapsed(start, end) == 4 * HOUR
    assert CAL.split(start, end) == (timedelta(0), 4 * HOUR)
    # The repeated hour: 01:30 WEST and 01:30 WET are an hour apart.
    assert elapsed(lisbon(FALL_BACK, 1, 30), lisbon(FALL_BACK, 1, 30, fold=1)) == HOUR


def test_p13_business_hours_on_the_mondays_after_dst() -> None:
    after_spring, after_fall = date(2026, 3, 30), date(2026, 10, 26)
    # Summer time: 09:00 in Lisbon is 08:00 UTC.
    assert CAL.is_open(utc(2026, 3, 30, 8))
    assert not CAL.is_open(utc(2026, 3, 30, 8) - MICRO)
    assert not CAL.is_open(utc(2026, 3, 30, 17))
    opening = CAL.next_opening(lisbon(SPRING_FORWARD, 12))
    assert opening == lisbon(after_spring, 9)
    assert opening.utcoffset() == HOUR
    # Winter time: 09:00 in Lisbon is 09:00 UTC.
    assert not CAL.is_open(utc(2026, 10, 26, 8, 30))
    assert CAL.is_open(utc(2026, 10, 26, 9))
    assert CAL.is_open(utc(2026, 10, 26, 17, 30))
    opening = CAL.next_opening(lisbon(FALL_BACK, 12))
    assert opening == lisbon(after_fall, 9)
    assert opening.utcoffset() == timedelta(0)
    for monday in (after_spring, after_fall):
        assert CAL.between(lisbon(monday), lisbon(monday, 23)) == 8 * HOUR


def test_p13_split_between_add_across_dst_weekends() -> None:
    friday_spring, friday_fall = date(2026, 3, 27), date(2026, 10, 23)
    for friday in (friday_spring, friday_fall):
        monday = friday + timedelta(days=3)
        start = lisbon(friday, 17)
        assert CAL.between(start, lisbon(monday, 10)) == 2 * HOUR
        assert CAL.add(start, 4 * HOUR) == lisbon(monday, 12)
        inside, outside = CAL.split(start, lisbon(monday, 10))
        assert inside == 2 * HOUR
        assert inside + outside == elapsed(start, lisbon(monday, 10))
    # The weekend has 71 real hours in spring and 73 in autumn.
    assert CAL.split(lisbon(friday_spring, 18), lisbon(date(2026, 3, 30), 9))[1] == 62 * HOUR
    assert CAL.split(lisbon(friday_fall, 18), lisbon(date(2026, 10, 26), 9))[1] == 64 * HOUR


# --- properties ---------------------------------------------------------------------------------

YEARS = range(2024, 2030)


def _last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


#: Lisbon changes its clocks at 01:00 UTC on the last Sundays of March and October.
DST_CHANGES = [
    datetime.combine(_last_sunday(year, month), time(1), tzinfo=UTC)
    for year in YEARS
    for month in (3, 10)
]


def test_dst_changes_are_where_we_think() -> None:
    for change in DST_CHANGES:
        before, after = (change - MICRO).astimezone(LISBON), change.astimezone(LISBON)
        assert before.utcoffset() != after.utcoffset()


random_instants = st.datetimes(
    min_value=datetime(2024, 1, 1),
    max_value=datetime(2029, 12, 31),
    timezones=st.sampled_from([LISBON, UTC, AZORES, NEW_YORK]),
)
near_dst_nights = st.builds(
    lambda change, offset: (change + offset).astimezone(LISBON),
    st.sampled_from(DST_CHANGES),
    st.timedeltas(min_value=timedelta(days=-4), max_value=timedelta(days=4)),
)
instants = st.one_of(random_instants, near_dst_nights)
durations = st.timedeltas(min_value=timedelta(0), max_value=timedelta(weeks=3))

#: Calendars whose hours meet the DST nights. NIGHT's boundaries sit before, at and after Lisbon's
#: changed hour (01:00–02:00); GAP's also sit inside it, where the clock never shows them in spring.
NIGHT_WEEKLY = {
    weekday: [(time(0, 30), time(1)), (time(2), time(3)), (time(9), time(18))]
    for weekday in range(7)
}
GAP_WEEKLY = {
    weekday: [(time(0, 30), time(1, 30)), (time(1, 40), time(1, 50)), (time(2), time(3))]
    for weekday in range(7)
}
NIGHT = BusinessCalendar(NIGHT_WEEKLY)
GAP = BusinessCalendar(GAP_WEEKLY)
ROUND_THE_CLOCK = BusinessCalendar({weekday: [(time(0), time(23, 59))] for weekday in range(7)})
# New York changes its clocks at 02:00 local: 02:30 falls in the spring gap.
NEW_YORK_HOURS = BusinessCalendar(
    {weekday: [(time(1), time(2, 30)), (time(3), time(12))] for weekday in range(6)},
    tz=NEW_YORK,
)
calendars = st.sampled_from([CAL, NIGHT, GAP, ROUND_THE_CLOCK, NEW_YORK_HOURS])


@given(calendars, instants, durations)
def test_between_of_add_is_the_duration(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    end = calendar.add(start, duration)
    assert elapsed(start, end) >= duration
    assert calendar.between(start, end) == duration


@given(calendars, instants, durations.filter(bool))
def test_add_is_the_earliest_such_instant(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    end = calendar.add(start, duration)
    just_before = end.astimezone(UTC) - MICRO  # on UTC: ``end`` may be a repeated hour's instant
    # Either open, or the instant one of the calendar's intervals closes.
    assert calendar.is_open(end) or calendar.is_open(just_before)
    assert calendar.between(start, just_before) < duration


@given(calendars, instants)
def test_next_opening_is_open_and_nothing_open_before(
    calendar: BusinessCalendar, at: datetime
) -> None:
    opening = calendar.next_opening(at)
    assert calendar.is_open(opening)
    assert calendar.between(at, opening) == timedelta(0)
    assert calendar.is_open(at) == same_instant(opening, at)


@given(calendars, instants, durations)
def test_split_sums_to_real_duration(
    calendar: BusinessCalendar, start: datetime, duration: timedelta
) -> None:
    end = (start.astimezone(UTC) + duration).astimezone(start.tzinfo)
    inside, outside = calendar.split(start, end)
    assert inside >= timedelta(0)
    assert outside >= timedelta(0)
    assert inside + outside == duration


@given(calendars, instants, durations, durations)
def test_between_is_additive(
    calendar: BusinessCalendar, a: datetime, first: timedelta, second: timedelta
) -> None:
    b = a.astimezone(UTC) + first
    c = b + second
    assert calendar.between(a, b) + calendar.between(b, c) == calendar.between(a, c)


# Slow, obviously correct references.

PT_LISBOA = holidays.country_holidays("PT", subdiv="11", years=YEARS)
LUNCH_HOURS = ((time(9), time(13)), (time(14), time(18)))


def reference_between_by_day(start: datetime, end: datetime) -> timedelta:
    """Mon–Fri 09–13 and 14–18 in Lisbon, except holidays: each local day's intervals, each one
    converted to UTC and intersected with [start, end)."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta(0)
    day = start.astimezone(LISBON).date() - timedelta(days=1)
    while day <= end.astimezone(LISBON).date():
        if day.weekday() < 5 and day not in PT_LISBOA:
            for opening, closing in LUNCH_HOURS:
                lo = max(start, datetime.combine(day, opening, tzinfo=LISBON).astimezone(UTC))
                hi = min(end, datetime.combine(day, closing, tzinfo=LISBON).astimezone(UTC))
                total += max(hi - lo, timedelta(0))
        day += timedelta(days=1)
    return total


def reference_between_by_minute(
    weekly: dict[int, list[tuple[time, time]]], start: datetime, end: datetime
) -> timedelta:
    """Open time as the technician sees it: walk real (UTC) minutes; a minute is open when the
    Lisbon wall clock then shows a time inside that weekday's hours. Exact when every boundary is
    a whole minute of UTC, as Lisbon's are."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    minute = start.replace(second=0, microsecond=0)
    total = timedelta(0)
    while minute < end:
        following = minute + timedelta(minutes=1)
        wall = minute.astimezone(LISBON)
        if any(o <= wall.time() < c for o, c in weekly.get(wall.weekday(), ())):
            total += min(following, end) - max(minute, start)
        minute = following
    return total


@given(instants, durations)
def test_between_matches_day_by_day_reference(start: datetime, duration: timedelta) -> None:
    end = start.astimezone(UTC) + duration
    assert CAL.between(start, end) == reference_between_by_day(start, end)


near_spring_nights = st.builds(
    lambda change, offset: (change + offset).astimezone(LISBON),
    st.sampled_from([change for change in DST_CHANGES if change.month == 3]),
    st.timedeltas(min_value=timedelta(days=-2), max_value=timedelta(days=1)),
)
# Up to two days, spread over the whole range (st.timedeltas favours tiny ones), with microseconds.
short = st.builds(
    timedelta,
    minutes=st.integers(min_value=0, max_value=2 * 24 * 60),
    microseconds=st.integers(min_value=0, max_value=60_000_000),
)


@settings(max_examples=100)
@given(near_dst_nights, short)
def test_between_matches_minute_reference_on_dst_nights(
    start: datetime, duration: timedelta
) -> None:
    end = start.astimezone(UTC) + duration
    assert NIGHT.between(start, end) == reference_between_by_minute(NIGHT_WEEKLY, start, end)


@settings(max_examples=100)
@given(near_spring_nights, short)
def test_between_matches_minute_reference_when_hours_meet_the_spring_gap(
    start: datetime, duration: timedelta
) -> None:
    end = start.astimezone(UTC) + duration
    assert GAP.between(start, end) == reference_between_by_minute(GAP_WEEKLY, start, end)


def test_interval_swallowed_by_spring_forward_is_no_interval() -> None:
    # 01:10–01:50 never shows on Lisbon's clocks on 29 March 2026.
    weekly = {weekday: [(time(1, 10), time(1, 50))] for weekday in range(7)}
    calendar = BusinessCalendar(weekly)
    assert calendar.between(lisbon(SPRING_FORWARD), lisbon(SPRING_FORWARD, 4)) == timedelta(0)
    assert not calendar.is_open(utc(2026, 3, 29, 1, 20))
    assert calendar.between(lisbon(MONDAY), lisbon(MONDAY, 4)) == timedelta(minutes=40)


def test_intervals_meeting_the_spring_forward_gap() -> None:
    # 00:30–01:30 loses its last half hour to the gap; 02:00–03:00 follows without overlap.
    start, end = lisbon(SPRING_FORWARD, 0), lisbon(SPRING_FORWARD, 4)
    inside, outside = GAP.split(start, end)
    assert inside == timedelta(minutes=30) + HOUR
    assert outside == elapsed(start, end) - inside
    assert GAP.add(start, timedelta(minutes=45)) == lisbon(SPRING_FORWARD, 2, 15)
    assert GAP.next_opening(lisbon(SPRING_FORWARD, 0, 40)) == lisbon(SPRING_FORWARD, 0, 40)
    assert GAP.next_opening(lisbon(SPRING_FORWARD, 3)) == lisbon(
        SPRING_FORWARD + timedelta(1), 0, 30
    )
    # Asked at a time the clock skips, the answer is a time the clock shows.
    opening = GAP.next_opening(lisbon(SPRING_FORWARD, 1, 15))
    assert same_instant(opening, lisbon(SPRING_FORWARD, 2, 15))
    assert (opening.hour, opening.minute) == (2, 15)


def test_fall_back_hours_run_from_the_first_showing_of_the_opening() -> None:
    """Decision: an interval opens the first time the clock shows its opening and closes the
    first time it shows its closing; the repeated hour does not reopen a closed interval."""
    night = lisbon(FALL_BACK), lisbon(FALL_BACK, 4)
    before = BusinessCalendar({6: [(time(0, 30), time(1, 30))]})
    assert before.between(*night) == HOUR
    across = BusinessCalendar({6: [(time(1, 30), time(3))]})
    assert across.between(*night) == timedelta(hours=2, minutes=30)
    assert across.is_open(lisbon(FALL_BACK, 1, 10, fold=1))


def test_p13_local_days_are_real_utc_instants_across_clock_changes() -> None:
    spring = date(2026, 3, 29)  # 01:00 → 02:00: a 23-hour day
    start, end = local_days(spring, spring, LISBON)
    assert (start, end) == (start_of_day(spring, LISBON), start_of_day(date(2026, 3, 30), LISBON))
    assert start == datetime(2026, 3, 29, 0, 0, tzinfo=UTC)
    assert end - start == timedelta(hours=23)
    autumn_start, autumn_end = local_days(date(2026, 10, 25), date(2026, 10, 25), LISBON)
    assert autumn_end - autumn_start == timedelta(hours=25)
    assert start_of_day(date(2026, 7, 1), LISBON) == datetime(2026, 6, 30, 23, tzinfo=UTC)
