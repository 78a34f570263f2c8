"""The company's settings, its calendar exceptions (P1, P2) and the technicians.

Settings, exceptions and technicians are changed at an administrator's desk
(``Technician.is_admin``). A fresh database names its first administrator with
``add_first_administrator`` (the technician dialog, the demo); until an active administrator
exists, any desk passes these checks (an old database whose technicians are none of them
administrators can still name one). Once one exists, nobody else does: not even the program
itself (``Desk.technician_id is None``: the sweeps, the migrations), which the window and the
command line never use for a change. The last active administrator cannot be removed.

``business_calendar()`` is what every deadline and every bill is computed with; it is cached and
rebuilt when the settings or the exceptions it is made from change, at this desk or another.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any, TypedDict, Unpack
from zoneinfo import ZoneInfo

from peewee import fn

from app.clock import Clock
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
from app.i18n import _, format_date
from app.services import changes
from app.services.changes import Changes, Topic
from app.services.checks import amount as checked_amount
from app.services.checks import check_decimal, check_text, whole
from app.services.checks import day as checked_day
from app.services.context import Desk, use_case
from app.services.errors import NotFoundError, RuleError
from app.services.queries import get_or_missing, locked_or_missing
from app.store.base import delete_versioned, save_versioned
from app.store.models import SETTINGS_ID, CompanyException, CompanySettings, Technician

#: Opening intervals of one day, as the calendar takes them.
DayHours = tuple[tuple[time, time], ...]

_SERIES_MAX = 16
_NAME_MAX = 255
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
class SettingsResult:
    settings: Settings
    changes: Changes


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
    return _settings_of(CompanySettings.current())


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
        noted = changes.note(desk, {Topic.SETTINGS}, SETTINGS_ID)
        return SettingsResult(_settings_of(row), noted)


# --- company exceptions (P2) ----------------------------------------------------------------------


@dataclass(frozen=True)
class CompanyExceptionRecord:
    """A date the company is closed (no hours) or keeps special hours instead of the weekly ones."""

    id: int
    version: int
    day: date
    hours: DayHours
    note: str

    @property
    def closed(self) -> bool:
        return not self.hours


@dataclass(frozen=True)
class CompanyExceptionResult:
    exception: CompanyExceptionRecord
    changes: Changes


def _exception_of(row: CompanyException) -> CompanyExceptionRecord:
    return CompanyExceptionRecord(row.id, row.version, row.day, tuple(row.hours), row.note)


def company_exceptions(*, year: int | None = None) -> tuple[CompanyExceptionRecord, ...]:
    """The company's exceptions by date (of one ``year`` if given)."""
    query = CompanyException.select().order_by(CompanyException.day)
    if year is not None:
        query = query.where(CompanyException.day.between(date(year, 1, 1), date(year, 12, 31)))
    return tuple(_exception_of(row) for row in query)


def _exception_missing() -> str:
    return _("This calendar exception no longer exists.")


def _check_free_day(day: date, except_id: int | None = None) -> None:
    taken = CompanyException.select().where(CompanyException.day == day)
    if except_id is not None:
        taken = taken.where(CompanyException.id != except_id)
    if taken.exists():
        raise ValidationError(
            "day",
            _("{day} already has an exception: change that one.").format(day=format_date(day)),
        )


def _check_day(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError("day", _("Choose a date."))
    return checked_day("day", value)


def add_company_exception(
    desk: Desk, *, day: date, hours: Iterable[tuple[time, time]] = (), note: str = ""
) -> CompanyExceptionResult:
    """Closes the company on ``day`` (no ``hours``) or gives that day special hours (P2)."""
    with use_case():
        require_admin(desk, bootstrap=True)
        day = _check_day(day)
        checked = check_day_hours("hours", day, hours)
        text = check_text("note", note)
        _check_free_day(day)
        row = CompanyException.create(day=day, hours=checked, note=text)
        noted = changes.note(desk, {Topic.SETTINGS}, row.id)
        return CompanyExceptionResult(_exception_of(row), noted)


def update_company_exception(
    desk: Desk,
    exception_id: int,
    version: int,
    *,
    day: date | None = None,
    hours: Iterable[tuple[time, time]] | None = None,
    note: str | None = None,
) -> CompanyExceptionResult:
    """Changes an exception's date, hours or note (``None``: unchanged)."""
    with use_case():
        require_admin(desk, bootstrap=True)
        row = locked_or_missing(CompanyException, exception_id, _exception_missing())
        if day is not None:
            row.day = _check_day(day)
            _check_free_day(row.day, except_id=row.id)
        if hours is not None:
            row.hours = check_day_hours("hours", row.day, hours)
        if note is not None:
            row.note = check_text("note", note)
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.SETTINGS}, row.id)
        return CompanyExceptionResult(_exception_of(row), noted)


def remove_company_exception(desk: Desk, exception_id: int, version: int) -> Changes:
    """Removes an exception: the weekly hours apply to its date again."""
    with use_case():
        require_admin(desk, bootstrap=True)
        row = locked_or_missing(CompanyException, exception_id, _exception_missing())
        delete_versioned(row, version)
        return changes.note(desk, {Topic.SETTINGS}, exception_id)


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


def business_calendar() -> BusinessCalendar:
    """The company's business calendar (P1, P2): weekly hours, holidays, exceptions.

    Two small queries a call; the calendar itself is rebuilt only when what it is made of changed.
    """
    row = CompanySettings.current()
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


def company_zone() -> ZoneInfo:
    """The company's time zone (the business calendar's), read from the settings alone: what a
    date or a month needs, without building the calendar."""
    row = (
        CompanySettings.select(CompanySettings.time_zone)
        .where(CompanySettings.id == SETTINGS_ID)
        .get()
    )
    return ZoneInfo(row.time_zone)


def company_today(at: datetime) -> date:
    """The date ``at`` falls on in the company's time zone."""
    return at.astimezone(company_zone()).date()


# --- technicians ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TechnicianRecord:
    id: int
    version: int
    name: str
    active: bool
    is_admin: bool
    created_at: datetime


@dataclass(frozen=True)
class TechnicianResult:
    technician: TechnicianRecord
    changes: Changes


def _technician_of(row: Technician) -> TechnicianRecord:
    return TechnicianRecord(row.id, row.version, row.name, row.active, row.is_admin, row.created_at)


def _technician_missing() -> str:
    return _("This technician no longer exists.")


def technicians(*, include_inactive: bool = False) -> tuple[TechnicianRecord, ...]:
    """The technicians by name; only the active ones unless ``include_inactive``."""
    query = Technician.select().order_by(Technician.name, Technician.id)
    if not include_inactive:
        query = query.where(Technician.active == True)  # noqa: E712 -- SQL, not Python
    return tuple(_technician_of(row) for row in query)


def find_technician(text: str) -> TechnicianRecord:
    """An active technician by id or by exact name (case-insensitive), as typed on the command
    line."""
    wanted = text.strip()
    for person in technicians():
        if str(person.id) == wanted or person.name.casefold() == wanted.casefold():
            return person
    raise NotFoundError(_("No active technician is called {name}.").format(name=wanted))


def technician(technician_id: int) -> TechnicianRecord:
    return _technician_of(get_or_missing(Technician, technician_id, _technician_missing()))


def _active_admins() -> int:
    return int(
        Technician.select()
        .where((Technician.active == True) & (Technician.is_admin == True))  # noqa: E712
        .count()
    )


def require_admin(desk: Desk, *, bootstrap: bool = False) -> None:
    """Refuses (``RuleError``) unless the desk's technician is an active administrator.

    With ``bootstrap`` (settings and technicians), any desk is let through while the database has
    no active administrator, so that one can be named; never once there is one.
    """
    if bootstrap and _active_admins() == 0:
        return
    row = None if desk.technician_id is None else Technician.get_or_none(id=desk.technician_id)
    if row is None or not row.active or not row.is_admin:
        raise RuleError(_("Only an administrator may do this."))


def _technician_name(value: object, except_id: int | None = None) -> str:
    name = check_text("name", value, required=True)
    clash = Technician.select(Technician.id).where(fn.LOWER(Technician.name) == name.lower())
    if except_id is not None:
        clash = clash.where(Technician.id != except_id)
    if clash.exists():
        raise ValidationError(
            "name", _("There is already a technician called {name}.").format(name=name)
        )
    return name


def add_technician(desk: Desk, *, name: str, is_admin: bool = False) -> TechnicianResult:
    """A new, active technician."""
    with use_case():
        require_admin(desk, bootstrap=True)
        row = Technician.create(
            name=_technician_name(name), is_admin=bool(is_admin), created_at=desk.now()
        )
        noted = changes.note(desk, {Topic.SETTINGS}, row.id)
        return TechnicianResult(_technician_of(row), noted)


def add_first_administrator(clock: Clock, *, name: str) -> TechnicianResult:
    """The first technician of a fresh database, an administrator: the one way a database with
    no technician gets one (the technician dialog, the demo). Refused once any technician exists:
    from then on an administrator adds them in Definições."""
    desk = Desk(clock)  # nobody sits at a desk yet: the program records it
    with use_case():
        # Locks the settings row: two desks naming the first administrator at once queue up.
        locked_or_missing(CompanySettings, SETTINGS_ID, _("The settings are missing."))
        if Technician.select().exists():
            raise RuleError(
                _(
                    "This database already has technicians: an administrator adds new ones in "
                    "the settings."
                )
            )
        row = Technician.create(name=_technician_name(name), is_admin=True, created_at=desk.now())
        noted = changes.note(desk, {Topic.SETTINGS}, row.id)
        return TechnicianResult(_technician_of(row), noted)


def _change_technician(
    desk: Desk, technician_id: int, version: int, **values: object
) -> TechnicianResult:
    with use_case():
        require_admin(desk, bootstrap=True)
        row = locked_or_missing(Technician, technician_id, _technician_missing())
        if "name" in values:
            values["name"] = _technician_name(values["name"], except_id=row.id)
        stays_admin = values.get("active", row.active) and values.get("is_admin", row.is_admin)
        if row.active and row.is_admin and not stays_admin and _active_admins() <= 1:
            raise RuleError(_("The last active administrator cannot stop being one."))
        for field, value in values.items():
            setattr(row, field, value)
        save_versioned(row, version)
        noted = changes.note(desk, {Topic.SETTINGS}, row.id)
        return TechnicianResult(_technician_of(row), noted)


def rename_technician(desk: Desk, technician_id: int, version: int, name: str) -> TechnicianResult:
    return _change_technician(desk, technician_id, version, name=name)


def deactivate_technician(desk: Desk, technician_id: int, version: int) -> TechnicianResult:
    """The technician leaves the lists; what they did keeps their name."""
    return _change_technician(desk, technician_id, version, active=False)


def reactivate_technician(desk: Desk, technician_id: int, version: int) -> TechnicianResult:
    return _change_technician(desk, technician_id, version, active=True)


def set_technician_admin(
    desk: Desk, technician_id: int, version: int, is_admin: bool
) -> TechnicianResult:
    return _change_technician(desk, technician_id, version, is_admin=bool(is_admin))
