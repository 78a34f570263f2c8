"""Translations (gettext through Babel) and the pt_PT formatting of money, dates and durations.

English is the source language; European Portuguese is the default. Catalogs live in the
top-level ``i18n/`` folder; ``python i18n/update.py`` extracts, updates and compiles them.
A compiled ``.mo`` is used when it is up to date, otherwise the ``.po`` is compiled in memory,
so a fresh clone speaks Portuguese without a build step.
"""

from __future__ import annotations

import functools
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from io import BytesIO
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

from app.bundle import data_folder

DOMAIN = "balcao"
DEFAULT_LANGUAGE = "pt_PT"
LANGUAGES = ("pt_PT", "en")
COMPANY_TZ = ZoneInfo("Europe/Lisbon")


class _Current:
    """The language in use; one per process (the program shows one language at a time)."""

    translations: NullTranslations = NullTranslations()
    language = "en"
    # Parsed once: Babel would parse the identifier again on every number and date.
    locale = Locale.parse("en")


def catalog_dir() -> Path:
    """The ``i18n`` folder: beside the code in a checkout, inside the bundle when frozen."""
    return data_folder("i18n")


def _load(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    folder = catalog_dir() / language / "LC_MESSAGES"
    po_path, mo_path = folder / f"{DOMAIN}.po", folder / f"{DOMAIN}.mo"
    if mo_path.exists() and (
        not po_path.exists() or mo_path.stat().st_mtime >= po_path.stat().st_mtime
    ):
        with mo_path.open("rb") as mo_file:
            return Translations(mo_file, domain=DOMAIN)
    with po_path.open("rb") as po_file:
        catalog = read_po(po_file, locale=language, domain=DOMAIN)
    buffer = BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return Translations(buffer, domain=DOMAIN)


def set_language(language: str) -> None:
    """Switch every later ``_()`` to ``language`` ("pt_PT" or "en")."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; known: {', '.join(LANGUAGES)}")
    _Current.translations = _load(language)
    _Current.language = language
    _Current.locale = Locale.parse(language)
    _countdown_text.cache_clear()


def language() -> str:
    return _Current.language


def locale() -> Locale:
    return _Current.locale


def _(message: str) -> str:
    return _Current.translations.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return _Current.translations.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    return str(_Current.translations.pgettext(context, message))


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


# --- formatting -------------------------------------------------------------------------------


def format_money(amount: Decimal) -> str:
    """``1 234,50 €`` in pt_PT (no-break spaces, as Babel gives)."""
    return babel_numbers.format_currency(
        amount, "EUR", locale=_Current.locale, group_separator=True
    )


def format_decimal(value: Decimal | float, digits: int = 2) -> str:
    return babel_numbers.format_decimal(
        value, format=f"#,##0.{'#' * digits}" if digits else "#,##0", locale=_Current.locale
    )


def format_percent(rate: Decimal) -> str:
    """A VAT rate such as ``Decimal("0.23")`` as ``23%``."""
    return babel_numbers.format_percent(rate, format="#,##0.##%", locale=_Current.locale)


def format_date(value: date | datetime, tz: ZoneInfo = COMPANY_TZ) -> str:
    """``dd/mm/aaaa``; an instant is shown in the company's time zone."""
    if isinstance(value, datetime):
        value = value.astimezone(tz).date()
    return babel_dates.format_date(value, "dd/MM/yyyy", locale=_Current.locale)


def format_time(value: time | datetime, tz: ZoneInfo = COMPANY_TZ) -> str:
    """24-hour ``HH:mm``."""
    if isinstance(value, datetime):
        value = value.astimezone(tz).time()
    return babel_dates.format_time(value, "HH:mm", locale=_Current.locale)


def format_datetime(value: datetime, tz: ZoneInfo = COMPANY_TZ) -> str:
    """``dd/mm/aaaa HH:mm`` in the company's time zone."""
    return f"{format_date(value, tz)} {format_time(value, tz)}"


def format_month(year: int, month: int) -> str:
    """``novembro de 2026``."""
    return babel_dates.format_date(date(year, month, 1), "LLLL 'de' yyyy", locale=_Current.locale)


def _parts(delta: timedelta) -> tuple[int, int, int, int]:
    seconds = int(abs(delta).total_seconds())
    days, seconds = divmod(seconds, 86_400)
    hours, seconds = divmod(seconds, 3_600)
    minutes, seconds = divmod(seconds, 60)
    return days, hours, minutes, seconds


def format_duration(delta: timedelta, *, seconds: bool = False) -> str:
    """``2 h 15 min``; ``45 min``; ``0 min``. With ``seconds``, under an hour: ``4 min 05 s``
    (whole minutes stay ``5 min``)."""
    days, hours, minutes, secs = _parts(delta)
    hours += days * 24
    if hours and minutes:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=minutes)
    if hours:
        return _("{hours} h").format(hours=hours)
    if seconds and secs:
        return _("{minutes} min {seconds:02d} s").format(minutes=minutes, seconds=secs)
    return _("{minutes} min").format(minutes=minutes)


def format_clock(delta: timedelta) -> str:
    """A running timer: ``1:05:09``."""
    total = int(delta.total_seconds())
    hours, rest = divmod(max(total, 0), 3_600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def _span(delta: timedelta) -> str:
    """The countdown's span: days and hours past a day, seconds under an hour."""
    days, hours, _minutes, _secs = _parts(delta)
    if days:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    return format_duration(delta, seconds=not hours)


def format_countdown(remaining: timedelta) -> str:
    """``faltam 3 h 12 min`` before the deadline, ``excedido há 5 min`` after it."""
    # To the second, as shown: the queue's countdowns ask every second for texts it had before.
    return _countdown_text(remaining < timedelta(0), int(abs(remaining).total_seconds()))


@functools.lru_cache(maxsize=8192)
def _countdown_text(overdue: bool, seconds: int) -> str:
    span = _span(timedelta(seconds=seconds))
    if overdue:
        return _("overdue by {span}").format(span=span)
    return _("{span} left").format(span=span)


def format_minutes_as_hours(minutes: int) -> str:
    """A balance in hours and minutes: ``12 h 30 min``; negative never happens (P16a)."""
    return format_duration(timedelta(minutes=minutes))


set_language(DEFAULT_LANGUAGE)
