"""The company's calendar exceptions (P2): days closed, or open at other hours."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time

from app.domain.validation import ValidationError
from app.i18n import _, format_date
from app.services import changes
from app.services.changes import Changed, Changes, Topic
from app.services.checks import check_text
from app.services.checks import day as checked_day
from app.services.context import Desk, use_case
from app.services.queries import locked_or_missing
from app.services.settings.calendar import DayHours, forget_settings
from app.services.settings.company import check_day_hours
from app.services.settings.technicians import require_admin
from app.store.base import delete_versioned, save_versioned
from app.store.models import CompanyException

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
class CompanyExceptionResult(Changed):
    exception: CompanyExceptionRecord


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
        forget_settings()
        noted = changes.note(desk, {Topic.SETTINGS}, row.id)
        return CompanyExceptionResult(_exception_of(row), changes=noted)


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
        forget_settings()
        noted = changes.note(desk, {Topic.SETTINGS}, row.id)
        return CompanyExceptionResult(_exception_of(row), changes=noted)


def remove_company_exception(desk: Desk, exception_id: int, version: int) -> Changes:
    """Removes an exception: the weekly hours apply to its date again."""
    with use_case():
        require_admin(desk, bootstrap=True)
        row = locked_or_missing(CompanyException, exception_id, _exception_missing())
        delete_versioned(row, version)
        forget_settings()
        return changes.note(desk, {Topic.SETTINGS}, exception_id)
