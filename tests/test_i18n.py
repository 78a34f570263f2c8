"""pt_PT formatting: money, dates, 24-hour times, durations and countdowns."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from app import i18n

NBSP = "\u00a0"


def test_money_has_no_break_spaces_and_comma() -> None:
    assert i18n.format_money(Decimal("1234.5")) == f"1{NBSP}234,50{NBSP}€"
    assert i18n.format_money(Decimal("0.05")) == f"0,05{NBSP}€"


def test_dates_are_day_month_year() -> None:
    assert i18n.format_date(date(2026, 3, 5)) == "05/03/2026"


def test_instants_are_shown_in_lisbon_time_24_hours() -> None:
    summer = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)  # WEST, UTC+1
    winter = datetime(2026, 12, 1, 16, 30, tzinfo=UTC)  # WET, UTC+0
    assert i18n.format_datetime(summer) == "01/07/2026 17:30"
    assert i18n.format_datetime(winter) == "01/12/2026 16:30"
    assert i18n.format_time(time(21, 5)) == "21:05"


def test_durations() -> None:
    assert i18n.format_duration(timedelta(hours=2, minutes=15)) == "2 h 15 min"
    assert i18n.format_duration(timedelta(minutes=45)) == "45 min"
    assert i18n.format_duration(timedelta(hours=3)) == "3 h"
    assert i18n.format_duration(timedelta(minutes=4, seconds=5), seconds=True) == "4 min 05 s"


def test_countdowns() -> None:
    assert i18n.format_countdown(timedelta(hours=3, minutes=12, seconds=40)) == "faltam 3 h 12 min"
    assert i18n.format_countdown(-timedelta(minutes=5)) == "excedido há 5 min"
    assert i18n.format_countdown(-timedelta(minutes=5, seconds=7)) == "excedido há 5 min 07 s"
    assert i18n.format_countdown(timedelta(days=1, hours=2)) == "faltam 1 d 2 h"


def test_clock() -> None:
    assert i18n.format_clock(timedelta(hours=1, minutes=5, seconds=9)) == "1:05:09"


def test_english_on_request() -> None:
    i18n.set_language("en")
    assert i18n.format_countdown(timedelta(minutes=90)) == "1 h 30 min left"
    assert i18n.format_money(Decimal("1234.5")) == "€1,234.50"


def test_month_names_in_portuguese() -> None:
    assert i18n.format_month(2026, 11) == "novembro de 2026"
