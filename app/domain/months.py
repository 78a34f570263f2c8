"""A calendar month as one value: parsing ``2026-03``, the next and previous month, its first and
last day, its first instant and its end in the company's time zone, whether it holds a day.

Every month computed in Balcão is a ``Month``: the services' month filters, the sweeps of monthly
packs (P15), the statements, the sessions of a month, and the views' month pickers.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from app.domain.calendar import start_of_day
from app.i18n import _

_TEXT = re.compile(r"\s*(\d{4})-(\d{1,2})\s*")


@dataclass(frozen=True, order=True)
class Month:
    """One calendar month; months order by time."""

    year: int
    number: int  # 1 to 12

    def __post_init__(self) -> None:
        if not 1 <= self.number <= 12:
            raise ValueError(
                _("A month must be between 1 and 12, not {month}.").format(month=self.number)
            )
        if not 1 <= self.year <= 9999:
            raise ValueError(f"no month in the year {self.year}")

    # --- making one ---------------------------------------------------------------------------

    @classmethod
    def of(cls, day: date) -> Month:
        """The month ``day`` falls in."""
        return cls(day.year, day.month)

    @classmethod
    def parse(cls, text: str) -> Month:
        """``2026-03``; ``ValueError`` for anything else."""
        found = _TEXT.fullmatch(text)
        if found is None:
            raise ValueError(f"not a month: {text!r}")
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def from_ordinal(cls, ordinal: int) -> Month:
        return cls(ordinal // 12, ordinal % 12 + 1)

    @classmethod
    def span(cls, first: Month, last: Month) -> Iterator[Month]:
        """The months from ``first`` to ``last``, both included, in order."""
        for ordinal in range(first.ordinal, last.ordinal + 1):
            yield cls.from_ordinal(ordinal)

    # --- moving -------------------------------------------------------------------------------

    @property
    def ordinal(self) -> int:
        """Months since the year 0: consecutive months have consecutive ordinals."""
        return self.year * 12 + self.number - 1

    def plus(self, months: int) -> Month:
        return Month.from_ordinal(self.ordinal + months)

    def next(self) -> Month:
        return self.plus(1)

    def previous(self) -> Month:
        return self.plus(-1)

    # --- its days and instants ----------------------------------------------------------------

    @property
    def first_day(self) -> date:
        return date(self.year, self.number, 1)

    @property
    def last_day(self) -> date:
        return date(self.year, self.number, calendar.monthrange(self.year, self.number)[1])

    def contains(self, day: date) -> bool:
        return (day.year, day.month) == (self.year, self.number)

    def first_instant(self, zone: ZoneInfo) -> datetime:
        """The UTC instant the month begins in ``zone``."""
        return start_of_day(self.first_day, zone)

    def end_instant(self, zone: ZoneInfo) -> datetime:
        """The UTC instant the month ends in ``zone`` (exclusive: the next month's first)."""
        return self.next().first_instant(zone)

    def instants(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """``[first_instant, end_instant)`` in UTC."""
        return self.first_instant(zone), self.end_instant(zone)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.number:02d}"
