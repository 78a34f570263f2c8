"""What every part of the large build shares: its size, the company, the clock, the rows.

``World`` holds the state one build walks through (the random source, the company's calendar
and settings, the technicians, the customers, the rows waiting to be written) and the few helpers
every part uses: local days and instants, the ledger's entries, the technicians' rota.
"""

from __future__ import annotations

import heapq
import random
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate

from dateutil.relativedelta import relativedelta

from app.clock import ManualClock
from app.demo import data
from app.demo.bulk import BulkWriter
from app.demo.company import add_technicians, set_up_company
from app.demo.large.rows import COLUMNS, Account
from app.domain.calendar import BusinessCalendar
from app.domain.states import LedgerKind
from app.services import settings
from app.services.context import Desk
from app.store.models import LedgerEntry

Progress = Callable[[str], None]
#: Plans an action at an instant of the month being written (see ``History``).
Schedule = Callable[[datetime, Callable[[], None]], None]

DAY = timedelta(days=1)
MINUTE = timedelta(minutes=1)


@dataclass(frozen=True)
class LargeSize:
    """How big the benchmark database is; ``scaled`` keeps its shape at another size."""

    customers: int = 10_000
    contacts: int = 200_000
    open_contacts: int = 10_000
    sessions: int = 300_000
    technicians: int = 60
    months: int = 60

    def scaled(self, scale: float) -> LargeSize:
        def part(count: int, least: int) -> int:
            return max(least, round(count * scale))

        return LargeSize(
            customers=part(self.customers, 20),
            contacts=part(self.contacts, 100),
            open_contacts=part(self.open_contacts, 10),
            sessions=part(self.sessions, 100),
            technicians=part(self.technicians, 4),
            months=self.months,
        )


class World:
    """The shared state of one build, ending at ``now``."""

    def __init__(self, now: datetime, size: LargeSize, progress: Progress) -> None:
        self.end = now.astimezone(UTC)
        self.size = size
        self.progress = progress
        self.rng = random.Random(data.SEED)
        self.clock = ManualClock(self.end)
        self.desk = Desk(self.clock)
        set_up_company(self.desk)
        self.calendar: BusinessCalendar = settings.business_calendar()
        self.company = settings.settings()
        self.tz = self.calendar.tz
        self.today = self.local_day(self.end)
        this_month = self.today.replace(day=1)
        self.first_month = this_month - relativedelta(months=size.months - 1)
        self.months = [self.first_month + relativedelta(months=m) for m in range(size.months)]
        names = self._technician_names(size.technicians)
        self.technicians = add_technicians(self.desk, names)
        self.technician_names = dict(zip(self.technicians, names, strict=True))
        self.admin = self.technicians[0]
        start = self.local(self.first_month, time(8))
        # When each technician is free again: sessions never overlap for one technician.
        self.rota = [(start, technician) for technician in self.technicians]
        heapq.heapify(self.rota)
        self.accounts: list[Account] = []
        self.writer = BulkWriter(COLUMNS)

    def _technician_names(self, count: int) -> list[str]:
        names = list(data.TECHNICIANS[:count])
        taken = set(names)
        while len(names) < count:
            name = f"{self.rng.choice(data.FIRST_NAMES)} {self.rng.choice(data.SURNAMES)}"
            if name not in taken:
                taken.add(name)
                names.append(name)
        return names

    # --- time ---------------------------------------------------------------------------------

    def local(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at, tzinfo=self.tz).astimezone(UTC)

    def local_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def before_end(self, at: datetime) -> bool:
        return at < self.end

    def soon_after(self, at: datetime, seconds: int) -> datetime:
        """``seconds`` after ``at`` (what a sweep does once something falls due), or halfway to
        now when now comes sooner: the sweeps' work is done whenever the demo ends."""
        delay = timedelta(seconds=seconds)
        return at + (min(delay, (self.end - at) / 2) if at < self.end else delay)

    def technician(self) -> int:
        return self.rng.choice(self.technicians)

    # --- rows ---------------------------------------------------------------------------------

    def entry(
        self,
        account_id: int,
        pack_id: int,
        kind: LedgerKind,
        minutes: int,
        at: datetime,
        *,
        month: date | None = None,
        outside: bool = False,
        session: int | None = None,
        contact: int | None = None,
        reverses: int | None = None,
        reason: str = "",
        by: int | None = None,
    ) -> int:
        """Writes one ledger entry; its id."""
        entry_id = self.writer.new_id(LedgerEntry)
        self.writer.add(
            LedgerEntry,
            (
                entry_id, account_id, pack_id, kind, minutes, month, outside, session, contact,
                reverses, reason, at, by,
            ),
        )  # fmt: skip
        return entry_id


class OpenHours:
    """The business hours of one month, to pick instants inside them quickly."""

    def __init__(
        self, calendar: BusinessCalendar, first: date, last: date, until: datetime
    ) -> None:
        self.starts: list[datetime] = []
        lengths: list[float] = []
        # A month that has had no open hour yet (now is its 1 January) picks its first instant.
        self.fallback = datetime.combine(first, time(0), tzinfo=calendar.tz).astimezone(UTC)
        day = first
        while day <= last:
            for opening, closing in calendar.hours_on(day):
                start = datetime.combine(day, opening, tzinfo=calendar.tz).astimezone(UTC)
                end = datetime.combine(day, closing, tzinfo=calendar.tz).astimezone(UTC)
                end = min(end, until)  # the month still running: only its past
                if end > start:
                    self.starts.append(start)
                    lengths.append((end - start).total_seconds())
            day += DAY
        self.cumulative = [0.0, *accumulate(lengths)]

    @property
    def total(self) -> float:
        """Open seconds in the month (before ``until``)."""
        return self.cumulative[-1]

    def instant(self, rng: random.Random) -> datetime:
        if not self.starts:
            return self.fallback
        offset = rng.random() * self.cumulative[-1]
        index = bisect_right(self.cumulative, offset) - 1
        return self.starts[index] + timedelta(seconds=int(offset - self.cumulative[index]))
