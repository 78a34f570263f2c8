"""The business calendar every deadline and bill is computed with (P1, P2), cached and rebuilt
when the settings or the exceptions it is made from change; the company's zone and today."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from app.domain.calendar import BusinessCalendar
from app.store.models import SETTINGS_ID, CompanyException, CompanySettings

#: Opening intervals of one day, as the calendar takes them.
DayHours = tuple[tuple[time, time], ...]


# --- the business calendar ------------------------------------------------------------------------


class _CalendarCache:
    """The last calendar built, and what it was built from.

    The key is the content itself (weekly hours, district, optional days, time zone and every
    exception's date and hours): a change made at another desk gives another key, and a new
    database with the same content may share the calendar, which is then the same calendar.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.key: object = None
        self.calendar: BusinessCalendar | None = None


_cache = _CalendarCache()


def _calendar_key(row: CompanySettings, exceptions: list[tuple[date, DayHours]]) -> object:
    weekly = tuple((day, tuple(hours)) for day, hours in sorted((row.weekly_hours or {}).items()))
    return (
        weekly,
        row.holiday_district,
        tuple(row.closed_optional_days),
        row.time_zone,
        tuple(exceptions),
    )


def business_calendar(settings: CompanySettings | None = None) -> BusinessCalendar:
    """The company's business calendar (P1, P2): weekly hours, holidays, exceptions.

    Two small queries a call (one when the caller already read the ``settings``); the calendar
    itself is rebuilt only when what it is made of changed.
    """
    row = settings or CompanySettings.current()
    exceptions = [
        (row.day, tuple(row.hours))
        for row in CompanyException.select(CompanyException.day, CompanyException.hours).order_by(
            CompanyException.day
        )
    ]
    key = _calendar_key(row, exceptions)
    with _cache.lock:
        if _cache.calendar is None or _cache.key != key:
            _cache.calendar = row.calendar()
            _cache.key = key
        return _cache.calendar


def company_zone(settings: CompanySettings | None = None) -> ZoneInfo:
    """The company's time zone (the business calendar's), read from the settings alone: what a
    date or a month needs, without building the calendar. No query when the caller already
    read the ``settings`` (each query is a round trip to a team's server)."""
    if settings is not None:
        return ZoneInfo(settings.time_zone)
    row = (
        CompanySettings.select(CompanySettings.time_zone)
        .where(CompanySettings.id == SETTINGS_ID)
        .get()
    )
    return ZoneInfo(row.time_zone)


def company_today(at: datetime, settings: CompanySettings | None = None) -> date:
    """The date ``at`` falls on in the company's time zone."""
    return at.astimezone(company_zone(settings)).date()
