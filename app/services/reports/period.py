"""The period of a report: whole months, in the company's time zone, and the SQL that sorts an
instant or a date into its month."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from peewee import Case

from app.domain.calendar import start_of_day
from app.i18n import _
from app.services.errors import InputError
from app.services.statements import parse_month
from app.store.database import current_database, execute_sql


def month_text(day: date) -> str:
    """``2026-03``: a month as the reports write it."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class Period:
    """From the first day of ``first`` to the last day of ``last`` (both months included)."""

    first: date  # the first day of the first month
    last: date  # the first day of the last month

    @classmethod
    def of(cls, start: str, end: str) -> Period:
        """``--from 2026-01 --to 2026-03``; ``InputError`` for a month that is not one or a
        period that ends before it starts."""
        first = date(*parse_month(start.strip()), 1)
        last = date(*parse_month(end.strip()), 1)
        if last < first:
            raise InputError(_("The period ends before it starts."), field="month")
        return cls(first, last)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        day = date(year, month, 1)
        return cls(day, day)

    def months(self) -> list[date]:
        found, day = [], self.first
        while day <= self.last:
            found.append(day)
            day += relativedelta(months=1)
        return found

    @property
    def end(self) -> date:
        """The first day after the period."""
        return self.last + relativedelta(months=1)

    @property
    def last_day(self) -> date:
        return self.end - relativedelta(days=1)

    def instants(self, zone: ZoneInfo) -> tuple[datetime, datetime]:
        """The period as UTC instants ``[start, end)``: local midnight of its first and next day."""
        return start_of_day(self.first, zone), start_of_day(self.end, zone)

    def month_of_instant(self, column: Any, zone: ZoneInfo) -> Any:
        """SQL: the month (``YYYY-MM``, company time) of an instant column inside the period."""
        return _month_case(column, [start_of_day(day, zone) for day in self.months()[1:]], self)

    def month_of_date(self, column: Any) -> Any:
        """SQL: the month (``YYYY-MM``) of a date column inside the period."""
        return _month_case(column, self.months()[1:], self)


def dict_rows(query: Any) -> list[dict[str, Any]]:
    """A query's rows as dictionaries keyed by its selected columns' names or aliases, as the
    driver returns them (no peewee conversion: the reports read tens of thousands of aggregated
    rows, and converting each cell through its field costs more than the query)."""
    sql, params = query.sql()
    cursor = execute_sql(sql, tuple(params), current_database())
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def as_date(value: object) -> date | None:
    """A date column as read by the driver: a ``date`` (PostgreSQL) or ISO text (SQLite)."""
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))


def _month_case(column: Any, starts: Sequence[object], period: Period) -> Any:
    """``CASE WHEN col < start of month 2 THEN 'month 1' … ELSE 'last month' END``: a few
    comparisons per row, the same SQL on SQLite and PostgreSQL (no time-zone function needed)."""
    labels = [month_text(day) for day in period.months()]
    if len(labels) == 1:
        return Case(None, [(column.is_null(False), labels[0])], labels[0])
    return Case(
        None, list(zip([column < start for start in starts], labels, strict=False)), labels[-1]
    )
