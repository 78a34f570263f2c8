"""Preset periods of local days (the pack ledger's filter): this month, last month, the last three
months, this year, or any time. Pure: the caller gives today (``company_today``)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from zoneinfo import ZoneInfo

from app.domain.calendar import start_of_day
from app.domain.months import Month


class Period(StrEnum):
    EVERYTHING = "everything"
    THIS_MONTH = "this_month"
    LAST_MONTH = "last_month"
    LAST_3_MONTHS = "last_3_months"
    THIS_YEAR = "this_year"


def period_days(period: Period, today: date) -> tuple[date, date] | None:
    """The period's first day and the day after its last, as seen on ``today``; None: no limit
    (``EVERYTHING``)."""
    this_month = Month.of(today)
    month, next_month = this_month.first_day, this_month.next().first_day
    ranges = {
        Period.THIS_MONTH: (month, next_month),
        Period.LAST_MONTH: (this_month.previous().first_day, month),
        Period.LAST_3_MONTHS: (this_month.plus(-2).first_day, next_month),
        Period.THIS_YEAR: (today.replace(month=1, day=1), date(today.year + 1, 1, 1)),
    }
    return ranges.get(Period(period))


def period_instants(
    period: Period, today: date, zone: ZoneInfo
) -> tuple[datetime, datetime] | tuple[None, None]:
    """The period as UTC instants ``[since, until)``: its days begin and end in the company's
    ``zone``; ``(None, None)``: no limit."""
    days = period_days(period, today)
    if days is None:
        return None, None
    return start_of_day(days[0], zone), start_of_day(days[1], zone)
