"""Business hours (P1–P3): when the company is open, and open time between instants.

All arithmetic is done on integer microseconds since the Unix epoch (UTC), so results are exact
and right across daylight-saving changes. Each local day's opening intervals are converted to UTC
once and kept in a flat table with a running total of open time; ``add`` and ``between`` are then
a binary search and a subtraction, whatever the distance. For whole seconds, the usual question,
a grid over that table (``_calendar_grid``) answers them with a few list lookups instead, and
hands whatever it cannot answer to the table.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Container, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from app.domain._calendar_grid import Grid, build_grid
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
_ONE_SECOND = timedelta(seconds=1)
_SECOND = 1_000_000  # microseconds
# ``datetime.fromtimestamp`` of a whole second, the quick way back to a datetime, works on every
# platform for instants in [1970, 2106) (Windows refuses negative ones); others take astimezone.
_FAST_SECONDS = 2**32
# The grid (see _calendar_grid) is kept for tables of up to this many years: its lists grow with
# the table, and a table that long was grown by an unusual question (decades ahead or back).
_GRID_YEARS = 10
_ZERO = timedelta(0)
# A calendar with no open time at all would make add() search forever: after this many years
# without an opening (and past its last special date) it is declared never open.
_MAX_YEARS_WITHOUT_OPENING = 10


def require_aware(at: datetime) -> datetime:
    """``at`` itself, or a ValueError when it is naive: the domain reasons on instants only."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("naive datetime: the domain needs timezone-aware instants")
    return at


def _to_micros(at: datetime) -> int:
    """Microseconds since the epoch of an aware ``at``, exactly; a ValueError when it is naive."""
    try:
        since = at - _EPOCH  # cheaper than at.timestamp(), and exact
    except TypeError:
        require_aware(at)  # naive (no offset to subtract): refused with the reason
        raise
    return (since.days * 86_400 + since.seconds) * _SECOND + since.microseconds


def _micros_of(duration: timedelta) -> int:
    """``duration // _MICRO``, at a quarter of its cost."""
    return (duration.days * 86_400 + duration.seconds) * _SECOND + duration.microseconds


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
        self._grid: Grid | None = None  # None: the exact path only (or the grid is due)
        self._grid_due = False  # the table changed since the grid was built
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
        self._grid, self._grid_due = None, True  # built on the next question that can use it

    def _build_grid(self) -> Grid | None:
        """The grid over the table as it is now, or None when the exact path must serve."""
        self._grid_due = False
        if self._end_year - self._first_year <= _GRID_YEARS:
            self._grid = build_grid(
                self.tz,
                self._safe_from,
                self._safe_to,
                starts=self._starts,
                ends=self._ends,
                open_before=self._open_before,
            )
        return self._grid

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
        """The instant ``micros`` as the calendar's local time (fold set in the repeated hour)."""
        seconds, micro = divmod(micros, _SECOND)
        if 0 <= seconds < _FAST_SECONDS:
            # Whole seconds: fromtimestamp and astimezone both ask the zone's fromutc.
            moment = datetime.fromtimestamp(seconds, self.tz)
            # Offsets change on whole seconds: the microsecond changes neither offset nor fold.
            return moment.replace(microsecond=micro) if micro else moment
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
        if duration.days < 0:
            raise ValueError(_("A duration cannot be negative."))
        # The hot path of every deadline: whole seconds on the grid, a few list lookups. What the
        # grid cannot answer (a fraction of a second, a bucket with a boundary inside, an index
        # past its end, a naive ``at`` that cannot be subtracted) goes to the exact path, which
        # answers it or refuses it with the reason.
        grid = self._grid
        if grid is None and self._grid_due:
            grid = self._build_grid()
        if grid is not None:
            origin, width, forward, backward, steps, fromutc = grid
            try:
                since = at - _EPOCH
                span = duration.days * 86_400 + duration.seconds
                if span and not (since.microseconds or duration.microseconds):
                    seconds = since.days * 86_400 + since.seconds
                    k = (seconds - origin) // width
                    if k >= 0 and (x := forward[k]) is not None:
                        target = (seconds - x if x >= 0 else ~x) + span - 1
                        if (base := backward[target // width]) is not None:
                            return fromutc(base + steps[target % width])
            except (TypeError, IndexError):
                pass
        return self._add_exactly(at, duration)

    def _add_exactly(self, at: datetime, duration: timedelta) -> datetime:
        """``add`` on the table, to the microsecond, growing it as far as needed."""
        micros = _to_micros(at)
        span = _micros_of(duration)
        if not span:
            return self._instant(micros)
        if not self._safe_from <= micros < self._safe_to:
            self._cover(micros)
        starts = self._starts
        i = bisect_right(starts, micros) - 1
        if i >= 0:
            span += self._open_before[i] + min(micros, self._ends[i]) - starts[i]
        through = self._open_through
        while not through or through[-1] < span:
            self._grow_forward()
            starts, through = self._starts, self._open_through
        i = bisect_left(through, span)
        result = starts[i] + span - self._open_before[i]
        if result % _SECOND == 0 and 0 <= result < _FAST_SECONDS * _SECOND:
            return datetime.fromtimestamp(result // _SECOND, self.tz)
        return self._instant(result)

    def between(self, start: datetime, end: datetime) -> timedelta:
        """Open time in ``[start, end)``."""
        # As in add: whole seconds on the grid, else the exact path.
        grid = self._grid
        if grid is None and self._grid_due:
            grid = self._build_grid()
        if grid is not None:
            origin, width, forward, _backward, _steps, _fromutc = grid
            try:
                since, until = start - _EPOCH, end - _EPOCH
                if not (since.microseconds or until.microseconds):
                    first = since.days * 86_400 + since.seconds
                    last = until.days * 86_400 + until.seconds
                    k = (first - origin) // width
                    if (
                        k >= 0
                        and first <= last
                        and (x := forward[k]) is not None
                        and (end_x := forward[(last - origin) // width]) is not None
                    ):
                        return _ONE_SECOND * (
                            (last - end_x if end_x >= 0 else ~end_x) - (first - x if x >= 0 else ~x)
                        )
            except (TypeError, IndexError):
                pass
        return self._between_exactly(start, end)

    def _between_exactly(self, start: datetime, end: datetime) -> timedelta:
        """``between`` on the table, to the microsecond."""
        start_micros, end_micros = _to_micros(start), _to_micros(end)
        if end_micros < start_micros:
            raise ValueError(_("The end is before the start."))
        if not self._safe_from <= start_micros < self._safe_to:
            self._cover(start_micros)
        if not self._safe_from <= end_micros < self._safe_to:
            self._cover(end_micros)
        starts, ends, before = self._starts, self._ends, self._open_before
        i = bisect_right(starts, end_micros) - 1
        if i < 0:
            return _ZERO  # nothing opens before the end, so nothing before the start either
        open_time = before[i] + min(end_micros, ends[i]) - starts[i]
        i = bisect_right(starts, start_micros, 0, i + 1) - 1
        if i >= 0:
            open_time -= before[i] + min(start_micros, ends[i]) - starts[i]
        return _MICRO * open_time

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
