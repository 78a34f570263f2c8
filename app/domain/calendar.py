"""Business hours (P1–P3): when the company is open, and open time between instants.

All arithmetic is done on integer microseconds since the Unix epoch (UTC), so results are exact
and right across daylight-saving changes. Each local day's opening intervals are converted to UTC
once and kept in a flat table with a running total of open time; ``add`` and ``between`` are then
a binary search and a subtraction, whatever the distance.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.i18n import _

if TYPE_CHECKING:
    from holidays.countries.portugal import Portugal

Hours = Sequence[tuple[time, time]]
Weekly = Mapping[int, Hours]

#: The shipped default (P1): Monday to Friday, 09:00–13:00 and 14:00–18:00.
DEFAULT_WEEKLY: dict[int, list[tuple[time, time]]] = {
    weekday: [(time(9), time(13)), (time(14), time(18))] for weekday in range(5)
}

#: Portuguese optional days a company may close on (P2), by key.
OPTIONAL_DAYS = ("carnival", "christmas_eve", "new_years_eve")

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICRO = timedelta(microseconds=1)
# A calendar with no open time at all would make add() search forever: after this many years
# without an opening (and past its last special date) it is declared never open.
_MAX_YEARS_WITHOUT_OPENING = 10


def require_aware(at: datetime) -> datetime:
    """``at`` itself, or a ValueError when it is naive: the domain reasons on instants only."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("naive datetime: the domain needs timezone-aware instants")
    return at


def _to_micros(at: datetime) -> int:
    return (require_aware(at) - _EPOCH) // _MICRO


def elapsed(start: datetime, end: datetime) -> timedelta:
    """Real time from ``start`` to ``end`` (P13), whatever their time zones."""
    return timedelta(microseconds=_to_micros(end) - _to_micros(start))


def start_of_day(day: date, tz: ZoneInfo) -> datetime:
    """The UTC instant the local ``day`` begins at."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(UTC)


def local_days(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The UTC instants the local days ``first`` to ``last`` (inclusive) begin and end at: the
    period is ``[start, end)``."""
    return start_of_day(first, tz), start_of_day(last + timedelta(days=1), tz)


def _check_hours(hours: Iterable[tuple[time, time]]) -> tuple[tuple[time, time], ...]:
    """Sorted, non-overlapping, non-empty intervals, or a ValueError that says what is wrong."""
    checked = tuple(sorted(hours))
    previous_close: time | None = None
    for opening, closing in checked:
        if opening.tzinfo is not None or closing.tzinfo is not None:
            raise ValueError(_("Opening hours are local times, without a time zone."))
        if closing <= opening:
            raise ValueError(
                _("An interval closes at {closing} before it opens at {opening}.").format(
                    closing=closing.strftime("%H:%M"), opening=opening.strftime("%H:%M")
                )
            )
        if previous_close is not None and opening < previous_close:
            raise ValueError(_("Two intervals of the same day overlap."))
        previous_close = closing
    return checked


class BusinessCalendar:
    """The company's opening hours in its time zone, with closed days and special hours (P1, P2)."""

    def __init__(
        self,
        weekly: Weekly,
        tz: str | ZoneInfo = "Europe/Lisbon",
        closed: Container[date] = (),
        special: Mapping[date, Hours] | None = None,
    ) -> None:
        self.tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        self.weekly = {weekday: _check_hours(weekly.get(weekday, ())) for weekday in range(7)}
        self.closed = closed
        self.special = {day: _check_hours(hours) for day, hours in (special or {}).items()}
        # The flat table covers whole local years [_first_year, _end_year).
        self._first_year = 0
        self._end_year = 0
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._open_before: list[int] = []  # open time before interval i, since the table's start
        self._open_through: list[int] = []  # open time up to the end of interval i
        self._day_of: list[int] = []  # interval i belongs to local day number _day_of[i]
        self._last_open_year: int | None = None  # the table's last year with an interval
        # Instants whose year-of-margin the table already covers: the cheap test every call makes.
        self._safe_from = self._safe_to = 0
        self._last_special_year = max(
            (day.year for day, hours in self.special.items() if hours), default=0
        )

    @classmethod
    def portugal(
        cls,
        weekly: Weekly | None = None,
        municipality: str | None = None,
        closed: Iterable[date] = (),
        special: Mapping[date, Hours] | None = None,
        *,
        optional: Iterable[str] = (),
        tz: str = "Europe/Lisbon",
    ) -> BusinessCalendar:
        """The default hours, closed on Portuguese public holidays (P2).

        ``municipality``: a district's name or code ("Lisboa" or "11") for its municipal holiday.
        ``optional``: keys of OPTIONAL_DAYS the company also closes on.
        """
        return cls(
            DEFAULT_WEEKLY if weekly is None else weekly,
            tz=tz,
            closed=PortugueseClosedDays(municipality, optional, closed),
            special=special,
        )

    # --- the table ----------------------------------------------------------------------------

    def hours_on(self, day: date) -> tuple[tuple[time, time], ...]:
        """The opening intervals of one local date, exceptions applied."""
        if day in self.special:
            return self.special[day]
        if day in self.closed:
            return ()
        return self.weekly[day.weekday()]

    def _wall(self, micros: int) -> datetime:
        """What the local clock shows at ``micros``, as a naive datetime."""
        return self._instant(micros).replace(tzinfo=None)

    def _first_showing(self, day: date, clock: time) -> int:
        """The first instant at which the local clock shows ``clock`` of ``day``, or later.

        Opening hours are wall-clock times; this reads them so that every day's intervals stay
        ordered and apart in real time across DST nights. A time shown twice (the repeated hour
        of autumn) is its first showing; a time the clock skips (the lost hour of spring) is the
        clock change itself, so an interval that lies inside the skipped hour has no length.
        """
        wall = datetime.combine(day, clock).replace(fold=0)
        micros = _to_micros(wall.replace(tzinfo=self.tz))
        if self._wall(micros) == wall:
            return micros  # the usual case; fold=0 is the first of two showings
        # Skipped: fold=0 read ``wall`` with the offset before the change, fold=1 with the one
        # after; the change lies between the two readings.
        shown_before, shown_after = _to_micros(wall.replace(tzinfo=self.tz, fold=1)), micros
        while shown_after - shown_before > 1:
            middle = (shown_before + shown_after) // 2
            if self._wall(middle) >= wall:
                shown_after = middle
            else:
                shown_before = middle
        return shown_after

    def _year_rows(self, year: int) -> list[tuple[int, int, int]]:
        rows = []
        day = date(year, 1, 1)
        while day.year == year:
            ordinal = day.toordinal()
            for opening, closing in self.hours_on(day):
                start = self._first_showing(day, opening)
                end = self._first_showing(day, closing)
                if end > start:  # an interval swallowed by a clock change is no interval
                    rows.append((start, end, ordinal))
            day += timedelta(days=1)
        return rows

    def _cover_years(self, first_year: int, end_year: int) -> None:
        if self._end_year and self._first_year <= first_year and end_year <= self._end_year:
            return
        if self._end_year and first_year >= self._first_year:
            # Growing forward keeps the running totals: append.
            years = range(self._end_year, end_year)
        else:
            first_year = min(first_year, self._first_year or first_year)
            end_year = max(end_year, self._end_year)
            self._starts, self._ends, self._day_of = [], [], []
            self._open_before, self._open_through = [], []
            self._first_year = first_year
            self._last_open_year = None
            years = range(first_year, end_year)
        total = self._open_through[-1] if self._open_through else 0
        for year in years:
            for start, end, ordinal in self._year_rows(year):
                self._starts.append(start)
                self._ends.append(end)
                self._day_of.append(ordinal)
                self._open_before.append(total)
                total += end - start
                self._open_through.append(total)
                self._last_open_year = year
        self._end_year = max(end_year, self._end_year)
        # _cover() needs nothing for an instant whose UTC year y has y - 1 and y + 1 covered.
        self._safe_from = _to_micros(datetime(self._first_year + 1, 1, 1, tzinfo=UTC))
        self._safe_to = _to_micros(datetime(self._end_year - 1, 1, 1, tzinfo=UTC))

    def _cover(self, micros: int) -> None:
        """Makes the table cover ``micros``'s year and one year each side."""
        if self._safe_from <= micros < self._safe_to:
            return
        year = (_EPOCH + timedelta(microseconds=micros)).year
        # One year of margin each side: local new year is not UTC new year.
        self._cover_years(year - 1, year + 2)

    def _open_until(self, micros: int) -> int:
        """Open time from the table's start to ``micros``, which the table must cover: callers
        cover all their instants first, as covering an earlier year rebuilds the running totals.
        """
        i = bisect_right(self._starts, micros) - 1
        if i < 0:
            return 0
        return self._open_before[i] + min(micros, self._ends[i]) - self._starts[i]

    def _instant(self, micros: int) -> datetime:
        return (_EPOCH + timedelta(microseconds=micros)).astimezone(self.tz)

    def _grow_forward(self) -> None:
        """Adds the next year to the table, or refuses hours that never open again."""
        last_open = self._first_year - 1 if self._last_open_year is None else self._last_open_year
        if (
            self._end_year - last_open > _MAX_YEARS_WITHOUT_OPENING
            and self._end_year > self._last_special_year
        ):
            raise ValueError(_("The business hours never open."))
        self._cover_years(self._first_year, self._end_year + 1)

    # --- the contract -------------------------------------------------------------------------

    def is_open(self, at: datetime) -> bool:
        micros = _to_micros(at)
        self._cover(micros)
        i = bisect_right(self._starts, micros) - 1
        return i >= 0 and micros < self._ends[i]

    def next_opening(self, at: datetime) -> datetime:
        """``at`` itself when open, else the start of the next opening interval (P3)."""
        micros = _to_micros(at)
        self._cover(micros)
        i = bisect_right(self._starts, micros) - 1
        if i >= 0 and micros < self._ends[i]:
            return self._instant(micros)  # normalised: ``at`` may be a time the clock skips
        return self._instant(self._starts[self._reach(i + 1)])

    def add(self, at: datetime, duration: timedelta) -> datetime:
        """The earliest instant by which ``duration`` of open time has passed since ``at``."""
        if duration < timedelta(0):
            raise ValueError(_("A duration cannot be negative."))
        micros = _to_micros(at)
        if not duration:
            return self._instant(micros)
        self._cover(micros)
        target = self._open_until(micros) + duration // _MICRO
        while not self._open_through or self._open_through[-1] < target:
            self._grow_forward()
        i = bisect_left(self._open_through, target)
        return self._instant(self._starts[i] + target - self._open_before[i])

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Open time in ``[start, end)``."""
        start_micros, end_micros = _to_micros(start), _to_micros(end)
        if end_micros < start_micros:
            raise ValueError(_("The end is before the start."))
        self._cover(start_micros)
        self._cover(end_micros)
        return timedelta(microseconds=self._open_until(end_micros) - self._open_until(start_micros))

    def split(self, start: datetime, end: datetime) -> tuple[timedelta, timedelta]:
        """``(inside, outside)`` business hours of ``[start, end)``, in real elapsed time (P13)."""
        inside = self.between(start, end)
        # Not ``end - start``: two datetimes sharing a zoneinfo subtract as wall-clock times.
        return inside, elapsed(start, end) - inside

    def close_of_business_day_after(self, at: datetime, business_days: int) -> datetime:
        """Closing time of the ``business_days``-th business day after the effective receipt's day.

        P5 uses 1 (the next business day); P8's indicative target uses 2. A business day is a day
        with opening hours; it closes at the end of its last interval.
        """
        if business_days < 1:
            raise ValueError(_("The number of business days must be at least one."))
        effective = _to_micros(self.next_opening(at))
        i = bisect_right(self._starts, effective) - 1
        day = self._day_of[i]
        for _counted in range(business_days):
            # Skip the rest of this day's intervals: the next one opens the next business day.
            while self._day_of[self._reach(i)] == day:
                i += 1
            day = self._day_of[i]
        # The business day closes at the end of its last interval.
        while self._day_of[self._reach(i + 1)] == day:
            i += 1
        return self._instant(self._ends[i])

    def _reach(self, i: int) -> int:
        """Grows the table until interval ``i`` exists; returns ``i``."""
        while i >= len(self._starts):
            self._grow_forward()
        return i

    def close_of_next_business_day(self, at: datetime) -> datetime:
        """P5: the closing time of the business day after the (effective) day of receipt."""
        return self.close_of_business_day_after(at, 1)


def portugal_holidays() -> type[Portugal]:
    """The ``holidays`` package's Portugal, imported when a calendar is first built: importing
    any of its countries imports them all (a tenth of a second the window need not wait for)."""
    from holidays.countries.portugal import Portugal

    return Portugal


class PortugueseClosedDays:
    """Days closed all day: Portuguese public holidays, a district's municipal holiday, the
    optional days the company chose, and its own closed dates. Answers ``day in closed``."""

    def __init__(
        self,
        municipality: str | None = None,
        optional: Iterable[str] = (),
        extra: Iterable[date] = (),
    ) -> None:
        import holidays  # late, as in portugal_holidays

        portugal = portugal_holidays()
        subdivision = None
        if municipality:
            aliases = portugal.subdivisions_aliases
            subdivision = aliases.get(municipality, municipality)
            if subdivision not in portugal.subdivisions:
                raise ValueError(_("Unknown district: {name}.").format(name=municipality))
        self.optional = frozenset(optional)
        unknown = self.optional - set(OPTIONAL_DAYS)
        if unknown:
            raise ValueError(_("Unknown optional day: {name}.").format(name=", ".join(unknown)))
        self.public = holidays.country_holidays("PT", subdiv=subdivision, language="pt_PT")
        self._optional_days = holidays.country_holidays(
            "PT", categories=("optional",), language="pt_PT"
        )
        self.extra = frozenset(extra)

    def _optional_key(self, day: date) -> str | None:
        if day not in self._optional_days:
            return None
        if (day.month, day.day) == (12, 24):
            return "christmas_eve"
        if (day.month, day.day) == (12, 31):
            return "new_years_eve"
        if day.month in (2, 3):
            return "carnival"
        return None

    def __contains__(self, day: object) -> bool:
        if not isinstance(day, date):
            return False
        if day in self.extra or day in self.public:
            return True
        return self._optional_key(day) in self.optional

    def name(self, day: date) -> str | None:
        """The holiday's Portuguese name, for showing why a day is closed."""
        if day in self.public:
            return str(self.public.get(day))
        if self._optional_key(day) in self.optional:
            return str(self._optional_days.get(day))
        return None
