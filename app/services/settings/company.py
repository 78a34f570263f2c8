"""The company's settings: hours, rates, blocks, series, zone; read and changed by an
administrator."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from app.domain.calendar import (
    OPTIONAL_DAYS,
    BusinessCalendar,
    PortugueseClosedDays,
    portugal_holidays,
)
from app.domain.contract import NO_CONTRACT, effective_rates
from app.domain.validation import (
    MAX_BLOCK_MINUTES,
    MAX_REVIEW_HOURS,
    ValidationError,
    normalize_email,
    normalize_iban,
    normalize_nif,
    normalize_phone,
)
from app.i18n import _
from app.services import changes
from app.services.changes import Changed, Topic
from app.services.checks import amount as checked_amount
from app.services.checks import check_decimal, check_text, whole
from app.services.context import Desk, use_case
from app.services.queries import locked_or_missing
from app.services.settings.calendar import DayHours, company_settings, forget_settings
from app.services.settings.technicians import require_admin
from app.store.base import save_versioned
from app.store.models import SETTINGS_ID, CompanySettings

_SERIES_MAX = 16
_LONG_TEXT = 5000


# --- settings -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Settings:
    """The company's data and the policy's settings, as last saved (``version`` for editing)."""

    version: int
    name: str
    nif: str | None
    address: str
    postcode: str
    city: str
    email: str
    phone: str
    iban: str
    vat_rate: Decimal  # P21
    rate_inside: Decimal  # P16a: per hour, time no pack covers
    rate_outside: Decimal | None  # None: the same as inside
    inside_block_minutes: int  # P11
    outside_block_minutes: int
    weekly_hours: Mapping[int, DayHours]  # P1: Monday = 0, every weekday present
    holiday_district: str | None  # P2: a ``districts()`` code, for its municipal holiday
    closed_optional_days: tuple[str, ...]  # P2: keys of ``calendar.OPTIONAL_DAYS``
    time_zone: str
    invoice_series: str
    credit_note_series: str
    invoice_legal_mention: str
    session_review_hours: int
    anydesk_path: str

    @property
    def effective_rate_outside(self) -> Decimal:
        """The out-of-hours rate in force: its own, or the inside rate (P16a)."""
        return effective_rates(NO_CONTRACT, self.rate_inside, self.rate_outside)[1]


class SettingsFields(TypedDict, total=False):
    """What ``update_settings`` may change; each key left out stays as it is."""

    name: str
    nif: str | None  # "" or None: no NIF
    address: str
    postcode: str
    city: str
    email: str  # "": none
    phone: str  # "": none
    iban: str  # "": none
    vat_rate: Decimal
    rate_inside: Decimal
    rate_outside: Decimal | None
    inside_block_minutes: int
    outside_block_minutes: int
    weekly_hours: Mapping[int, Iterable[tuple[time, time]]]
    holiday_district: str | None  # a code ("11") or a name ("Lisboa"); None or "": none
    closed_optional_days: Iterable[str]
    time_zone: str
    invoice_series: str
    credit_note_series: str
    invoice_legal_mention: str
    session_review_hours: int
    anydesk_path: str


@dataclass(frozen=True)
class SettingsResult(Changed):
    settings: Settings


@dataclass(frozen=True)
class District:
    """A district (or autonomous region) whose municipal holiday the company may keep (P2)."""

    code: str
    name: str


def _settings_of(row: CompanySettings) -> Settings:
    return Settings(
        version=row.version,
        name=row.name,
        nif=row.nif,
        address=row.address,
        postcode=row.postcode,
        city=row.city,
        email=row.email,
        phone=row.phone,
        iban=row.iban,
        vat_rate=row.vat_rate,
        rate_inside=row.rate_inside,
        rate_outside=row.rate_outside,
        inside_block_minutes=row.inside_block_minutes,
        outside_block_minutes=row.outside_block_minutes,
        weekly_hours={day: tuple(row.weekly_hours.get(day, ())) for day in range(7)},
        holiday_district=row.holiday_district,
        closed_optional_days=tuple(row.closed_optional_days),
        time_zone=row.time_zone,
        invoice_series=row.invoice_series,
        credit_note_series=row.credit_note_series,
        invoice_legal_mention=row.invoice_legal_mention,
        session_review_hours=row.session_review_hours,
        anydesk_path=row.anydesk_path,
    )


def settings() -> Settings:
    """The company's settings."""
    return _settings_of(company_settings())


def districts() -> tuple[District, ...]:
    """The districts and regions of ``holiday_district``, in the order the ``holidays`` package
    lists them."""
    portugal = portugal_holidays()
    names = {code: name for name, code in portugal.subdivisions_aliases.items()}
    return tuple(District(code, names.get(code, code)) for code in portugal.subdivisions)


# Validation of each field: input → the stored value, or a ValidationError naming the field.


def _optional(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _money(field: str, value: object) -> Decimal:
    amount = checked_amount(field, value)
    if amount < 0:
        raise ValidationError(field, _("An hourly rate cannot be negative."))
    return amount


def _vat_rate(value: object) -> Decimal:
    rate = check_decimal("vat_rate", value, 4)
    if not Decimal(0) <= rate < 1:
        raise ValidationError("vat_rate", _("A VAT rate must be between 0% and 100%."))
    return rate


def _block_minutes(field: str, value: object) -> int:
    """A billing block: a positive whole number of minutes (P11), at most a day."""
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(field, _("A billing block must be a whole number of minutes."))
    return whole(field, value, minimum=1, maximum=MAX_BLOCK_MINUTES)


def _positive_hours(field: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise ValidationError(field, _("Enter a whole number of hours greater than zero."))
    return whole(field, value, minimum=1, maximum=MAX_REVIEW_HOURS)


def _bad_hours(error: Exception) -> str:
    """The calendar's own message for hours it refuses; a generic one for values of a wrong type."""
    if type(error) is ValueError:
        return str(error)
    return _("Opening hours are pairs of times: opening, closing.")


def check_day_hours(field: str, day: date, hours: Iterable[tuple[time, time]]) -> list[Any]:
    """One date's opening intervals, checked as the calendar checks them (sorted on return)."""
    try:
        checked = BusinessCalendar({}, special={day: list(hours)}).special[day]
    except (AttributeError, TypeError, ValueError) as error:
        raise ValidationError(field, _bad_hours(error)) from None
    return list(checked)


def _weekly_hours(value: object) -> dict[int, list[tuple[time, time]]]:
    if not isinstance(value, Mapping) or not all(
        isinstance(day, int) and 0 <= day <= 6 for day in value
    ):
        raise ValidationError("weekly_hours", _("The weekly hours name weekdays 0 to 6."))
    try:
        calendar = BusinessCalendar({day: list(hours) for day, hours in value.items()})
    except (AttributeError, TypeError, ValueError) as error:
        raise ValidationError("weekly_hours", _bad_hours(error)) from None
    weekly = {day: list(calendar.weekly[day]) for day in range(7)}
    if not any(weekly.values()):
        # A calendar that never opens would leave every deadline unreachable.
        raise ValidationError(
            "weekly_hours", _("The business hours must open on at least one day of the week.")
        )
    return weekly


def _district(value: object) -> str | None:
    if _optional(value):
        return None
    name = check_text("holiday_district", value)
    code = portugal_holidays().subdivisions_aliases.get(name, name)
    try:
        PortugueseClosedDays(code)
    except ValueError as error:
        raise ValidationError("holiday_district", str(error)) from None
    return code


def _optional_days(value: object) -> list[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError("closed_optional_days", _("Expected a list of optional days."))
    chosen = {str(key) for key in value}
    try:
        PortugueseClosedDays(optional=chosen)
    except ValueError as error:
        raise ValidationError("closed_optional_days", str(error)) from None
    return [key for key in OPTIONAL_DAYS if key in chosen]


def _time_zone(value: object) -> str:
    name = check_text("time_zone", value, required=True)
    try:
        ZoneInfo(name)
    except (KeyError, ValueError, OSError):  # unknown key, malformed key, a folder of zones
        raise ValidationError(
            "time_zone", _("Unknown time zone: {name}.").format(name=name)
        ) from None
    return name


def _series(field: str, value: object) -> str:
    series = check_text(field, value, max_length=_SERIES_MAX, required=True).upper()
    if not all(char.isascii() and (char.isalnum() or char in "-/") for char in series):
        raise ValidationError(
            field, _("A series has only letters, digits, - and /: {series}.").format(series=series)
        )
    return series


#: How each settings field is checked and turned into its stored form.
_SETTINGS_FIELDS: dict[str, Callable[[object], object]] = {
    "name": lambda value: check_text("name", value, required=True),
    "nif": lambda value: None if _optional(value) else normalize_nif(check_text("nif", value)),
    "address": lambda value: check_text("address", value, max_length=_LONG_TEXT, multiline=True),
    "postcode": lambda value: check_text("postcode", value, max_length=16),
    "city": lambda value: check_text("city", value),
    "email": lambda value: "" if _optional(value) else normalize_email(check_text("email", value)),
    "phone": lambda value: "" if _optional(value) else normalize_phone(check_text("phone", value)),
    "iban": lambda value: "" if _optional(value) else normalize_iban(check_text("iban", value)),
    "vat_rate": _vat_rate,
    "rate_inside": lambda value: _money("rate_inside", value),
    "rate_outside": lambda value: None if value is None else _money("rate_outside", value),
    "inside_block_minutes": lambda value: _block_minutes("inside_block_minutes", value),
    "outside_block_minutes": lambda value: _block_minutes("outside_block_minutes", value),
    "weekly_hours": _weekly_hours,
    "holiday_district": _district,
    "closed_optional_days": _optional_days,
    "time_zone": _time_zone,
    "invoice_series": lambda value: _series("invoice_series", value),
    "credit_note_series": lambda value: _series("credit_note_series", value),
    "invoice_legal_mention": lambda value: check_text(
        "invoice_legal_mention", value, max_length=_LONG_TEXT, multiline=True
    ),
    "session_review_hours": lambda value: _positive_hours("session_review_hours", value),
    "anydesk_path": lambda value: check_text("anydesk_path", value, max_length=1024),
}


def update_settings(desk: Desk, version: int, **fields: Unpack[SettingsFields]) -> SettingsResult:
    """Changes the given settings if nobody saved them since ``version`` was read.

    Raises ``InputError`` naming the first bad field, ``RuleError`` for a technician who is not
    an administrator, ``ConflictError`` for a stale ``version``.
    """
    unknown = set(fields) - set(_SETTINGS_FIELDS)
    if unknown:
        raise TypeError(f"unknown settings: {', '.join(sorted(unknown))}")
    with use_case():
        require_admin(desk, bootstrap=True)
        values = {field: _SETTINGS_FIELDS[field](value) for field, value in fields.items()}
        row = locked_or_missing(CompanySettings, SETTINGS_ID, _("The settings are missing."))
        for field, value in values.items():
            setattr(row, field, value)
        if row.invoice_series == row.credit_note_series:
            raise ValidationError(
                "credit_note_series",
                _("Credit notes need a series of their own, not the invoices' series."),
            )
        save_versioned(row, version)
        forget_settings()
        noted = changes.note(desk, {Topic.SETTINGS}, SETTINGS_ID)
        return SettingsResult(_settings_of(row), changes=noted)
