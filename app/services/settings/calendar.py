"""The business calendar every deadline and bill is computed with (P1, P2), cached and rebuilt
when the settings or the exceptions it is made from change; the company's zone and today.

Inside a use case the settings row and the exceptions are read once (``app.services.memo``)."""

from __future__ import annotations

import threading
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from app.domain.calendar import BusinessCalendar
from app.services import memo
from app.store.models import SETTINGS_ID, CompanyException, CompanySettings

#: Opening intervals of one day, as the calendar takes them.
DayHours = tuple[tuple[time, time], ...]


_SETTINGS = "company_settings"
_EXCEPTIONS = "company_exceptions"


def company_settings() -> CompanySettings:
    """The company settings row; read once per use case. Read it to look, never to change it
    (a change locks the row: ``locked_or_missing``)."""
    return memo.remembered(_SETTINGS, CompanySettings.current)


def forget_settings() -> None:
    """The settings or the exceptions were written in this use case: read them again."""
    memo.forget()


def _exceptions() -> list[tuple[date, DayHours]]:
    return [
        (row.day, tuple(row.hours))
        for row in CompanyException.select(CompanyException.day, CompanyException.hours).order_by(
            CompanyException.day
        )
    ]


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

    Two small queries a call (one when the caller already read the ``settings``; none when the
    use case already read both); the calendar itself is rebuilt only when what it is made of
    changed.
    """
    row = settings or company_settings()
    exceptions = memo.remembered(_EXCEPTIONS, _exceptions)
    key = _calendar_key(row, exceptions)
    with _cache.lock:
        if _cache.calendar is None or _cache.key != key:
            # From the exceptions just read (``row.calendar()`` would read them again).
            _cache.calendar = BusinessCalendar.portugal(
                weekly=row.weekly_hours,
                municipality=row.holiday_district,
                special={day: list(hours) for day, hours in exceptions},
                optional=row.closed_optional_days,
                tz=row.time_zone,
            )
            _cache.key = key
        return _cache.calendar


def company_zone(settings: CompanySettings | None = None) -> ZoneInfo:
    """The company's time zone (the business calendar's), read from the settings alone: what a
    date or a month needs, without building the calendar. No query when the caller already
    read the ``settings`` or the use case did (each query is a round trip to a team's server)."""
    if settings is not None:
        return ZoneInfo(settings.time_zone)
    if memo.active():  # the whole row, kept for the use case's other reads: one round trip too
        return ZoneInfo(company_settings().time_zone)
    row = (
        CompanySettings.select(CompanySettings.time_zone)
        .where(CompanySettings.id == SETTINGS_ID)
        .get()
    )
    return ZoneInfo(row.time_zone)


def company_today(at: datetime, settings: CompanySettings | None = None) -> date:
    """The date ``at`` falls on in the company's time zone."""
    return at.astimezone(company_zone(settings)).date()
