"""The calendar's whole-second grid (P1–P4, P13): the fast path of ``add`` and ``between`` gives the
table's exact answers, to the microsecond and the fold, for any hours, zone and DST night."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.domain.calendar import DEFAULT_WEEKLY, BusinessCalendar

LISBON = ZoneInfo("Europe/Lisbon")
MONDAY = date(2026, 3, 9)
HOUR = timedelta(hours=1)

#: Zones whose clocks make the grid's life hard: DST of 30 minutes (Lord Howe), changes at local
#: midnight (Santiago), offsets on a quarter or half hour (Chatham, Kolkata, St John's).
ZONES = [
    "Europe/Lisbon",
    "America/New_York",
    "Australia/Lord_Howe",
    "America/Santiago",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "America/St_Johns",
]
YEAR = 2026


def _clock_changes(zone: ZoneInfo) -> list[datetime]:
    """The UTC instants (to the minute) at which ``zone`` changes its offset during YEAR."""
    changes = []
    hour = datetime(YEAR, 1, 1, tzinfo=UTC)
    while hour.year == YEAR:
        following = hour + HOUR
        if hour.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            minute = hour
            while minute.astimezone(zone).utcoffset() == hour.astimezone(zone).utcoffset():
                minute += timedelta(minutes=1)
            changes.append(minute)
        hour = following
    return changes


CHANGES = {name: _clock_changes(ZoneInfo(name)) for name in ZONES}


def test_every_zone_here_changes_its_clocks_or_has_an_odd_offset() -> None:
    for name in ZONES:
        offset = datetime(YEAR, 1, 15, tzinfo=UTC).astimezone(ZoneInfo(name)).utcoffset()
        assert CHANGES[name] or offset is None or offset % HOUR


def same(a: datetime, b: datetime) -> bool:
    """The same datetime in every respect the caller can see: fields, fold, zone, offset."""
    return (a.replace(tzinfo=None), a.fold, a.tzinfo, a.utcoffset()) == (
        b.replace(tzinfo=None),
        b.fold,
        b.tzinfo,
        b.utcoffset(),
    )


# Boundaries on a grid of quarter hours, minutes or seconds: the grid's buckets follow the first;
# the others put boundaries inside its buckets, where the exact path must answer.
STEPS = [900, 900, 60, 1]


@st.composite
def day_hours(draw: st.DrawFn, step: int) -> list[tuple[time, time]]:
    points = draw(st.lists(st.integers(0, 86_400 // step - 1), unique=True, max_size=6).map(sorted))
    clock = [time(s // 3600, s // 60 % 60, s % 60) for s in (p * step for p in points)]
    return list(zip(clock[::2], clock[1::2], strict=False))


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    step = draw(st.sampled_from(STEPS))
    weekly = {weekday: draw(day_hours(step)) for weekday in range(7)}
    days = st.dates(min_value=date(YEAR, 1, 1), max_value=date(YEAR, 12, 31))
    closed = draw(st.sets(days, max_size=20))
    special = draw(st.dictionaries(days, day_hours(step), max_size=10))
    return BusinessCalendar(weekly, tz=draw(st.sampled_from(ZONES)), closed=closed, special=special)


@st.composite
def instants(draw: st.DrawFn, zone: str) -> datetime:
    """Whole seconds mostly (the grid's), near the zone's clock changes often, in any zone."""
    changes = CHANGES[zone]
    if draw(st.booleans()) and changes:
        near = draw(st.sampled_from(changes))
        at = near + timedelta(seconds=draw(st.integers(-2 * 86_400, 2 * 86_400)))
    else:
        at = datetime(YEAR, 1, 1, tzinfo=UTC) + timedelta(
            seconds=draw(st.integers(0, 365 * 86_400))
        )
    if draw(st.integers(0, 9)) == 0:
        at += timedelta(microseconds=draw(st.integers(1, 999_999)))
    shown_in = draw(st.sampled_from([UTC, ZoneInfo(zone), LISBON]))
    return at.astimezone(shown_in)


durations = st.one_of(
    st.integers(1, 4 * 86_400).map(lambda s: timedelta(seconds=s)),
    st.integers(0, 30 * 86_400).map(lambda s: timedelta(seconds=s)),
    st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=400)),
)


@settings(max_examples=40)
@given(st.data(), calendars())
def test_grid_add_and_between_are_the_exact_answers(
    data: st.DataObject, calendar: BusinessCalendar
) -> None:
    zone = str(calendar.tz)
    # Durations up to a few weeks of the calendar's open time: a second a week is a calendar too,
    # but a year of its open time is further than the table can grow.
    weekly = sum(
        (datetime.combine(MONDAY, closing) - datetime.combine(MONDAY, opening)).total_seconds()
        for hours in calendar.weekly.values()
        for opening, closing in hours
    )
    longest = timedelta(seconds=3 * weekly) if weekly else timedelta(days=1)
    for _ in range(10):
        start = data.draw(instants(zone))
        duration = min(data.draw(durations), longest)
        try:
            exact = calendar._add_exactly(start, duration)
        except ValueError:  # hours that never open: the grid path must refuse the same way
            with pytest.raises(ValueError, match=r"\w"):
                calendar.add(start, duration)
            continue
        assert same(calendar.add(start, duration), exact)
        end = data.draw(instants(zone))
        first, last = sorted((start, end), key=lambda at: at.astimezone(UTC))
        assert calendar.between(first, last) == calendar._between_exactly(first, last)
        assert calendar.between(start, exact) == duration


# --- the grid answers alone, where it can -------------------------------------------------------


def refuse(*_args: object) -> object:
    raise AssertionError("the exact path was asked")


def lisbon(day: date, hour: int = 0, minute: int = 0, *, fold: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=LISBON).replace(fold=fold)


def on_grid_only(calendar: BusinessCalendar, monkeypatch: pytest.MonkeyPatch) -> None:
    calendar.between(lisbon(MONDAY), lisbon(MONDAY + timedelta(days=1)))  # builds the table
    calendar.add(lisbon(MONDAY), HOUR)  # and then the grid
    monkeypatch.setattr(calendar, "_add_exactly", refuse)
    monkeypatch.setattr(calendar, "_between_exactly", refuse)


def test_p4_grid_answers_whole_seconds_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    calendar = BusinessCalendar.portugal()
    on_grid_only(calendar, monkeypatch)
    tuesday = MONDAY + timedelta(days=1)
    assert same(calendar.add(lisbon(MONDAY, 17), 4 * HOUR), lisbon(tuesday, 12))
    assert same(calendar.add(lisbon(MONDAY, 7), 4 * HOUR), lisbon(MONDAY, 13))  # closing, not 14:00
    assert same(calendar.add(lisbon(MONDAY, 13, 30), HOUR), lisbon(MONDAY, 15))
    at = datetime(2026, 3, 9, 16, 59, 59, tzinfo=UTC)  # a UTC instant, answered in Lisbon
    assert same(calendar.add(at, timedelta(seconds=2)), lisbon(MONDAY, 17) + timedelta(seconds=1))
    assert calendar.between(lisbon(MONDAY, 8), lisbon(tuesday, 10)) == 9 * HOUR
    assert calendar.between(lisbon(MONDAY, 12, 59), lisbon(MONDAY, 14, 1)) == timedelta(minutes=2)
    # Friday before the clocks go forward, to the Monday after: summer time's answers.
    friday, after = date(2026, 3, 27), date(2026, 3, 30)
    assert same(calendar.add(lisbon(friday, 17), 4 * HOUR), lisbon(after, 12))
    assert calendar.add(lisbon(friday, 17), 4 * HOUR).utcoffset() == HOUR
    assert calendar.between(lisbon(friday, 17), lisbon(after, 10)) == 2 * HOUR


@pytest.mark.parametrize(
    ("hours", "at", "duration", "expected"),
    [
        # Fractions of a second go to the exact path, which alone knows them.
        (
            (time(9), time(18)),
            lisbon(MONDAY, 10) + timedelta(microseconds=1),
            HOUR,
            lisbon(MONDAY, 11) + timedelta(microseconds=1),
        ),
        (
            (time(9), time(18)),
            lisbon(MONDAY, 10),
            HOUR + timedelta(microseconds=1),
            lisbon(MONDAY, 11) + timedelta(microseconds=1),
        ),
        # A boundary inside a bucket (09:10 is no quarter hour): the exact path answers there.
        ((time(9, 10), time(18)), lisbon(MONDAY, 9, 5), HOUR, lisbon(MONDAY, 10, 10)),
    ],
)
def test_grid_hands_over_what_it_cannot_answer(
    hours: tuple[time, time], at: datetime, duration: timedelta, expected: datetime
) -> None:
    calendar = BusinessCalendar({weekday: [hours] for weekday in range(5)})
    calls: list[object] = []
    exact = calendar._add_exactly

    def counted(at: datetime, duration: timedelta) -> datetime:
        calls.append(at)
        return exact(at, duration)

    calendar.add(at, duration)  # builds the table and the grid
    calendar._add_exactly = counted  # type: ignore[method-assign]
    assert same(calendar.add(at, duration), expected)
    assert calls


@pytest.mark.parametrize(
    "weekly",
    [
        DEFAULT_WEEKLY,
        {0: [(time(9, 0, 0, 500), time(18))]},  # a boundary off the second: no grid at all
        {0: [(time(9, 10), time(18, 5))]},  # minutes: hourly buckets, some handed over
    ],
)
def test_grid_and_table_agree_after_the_table_grows(
    weekly: dict[int, list[tuple[time, time]]],
) -> None:
    """Far questions grow the table (forward, backward, past the grid's ten years): every answer
    after them is still the table's."""
    calendar = BusinessCalendar(weekly)
    start = lisbon(MONDAY, 10)
    for far in (
        lisbon(date(2031, 1, 6), 10),
        lisbon(date(2019, 1, 7), 10),
        lisbon(date(2045, 1, 2)),
    ):
        calendar.between(min(start, far), max(start, far))
        for hours in (1, 4, 9, 30, 1000):
            assert same(
                calendar.add(start, hours * HOUR), calendar._add_exactly(start, hours * HOUR)
            )
            end = start + hours * HOUR
            assert calendar.between(start, end) == calendar._between_exactly(start, end)
