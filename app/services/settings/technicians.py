"""The technicians, and the check every administrator's change makes (``require_admin``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import fn

from app.clock import Clock
from app.domain.validation import ValidationError
from app.i18n import _
from app.services import changes
from app.services.changes import Changed, Topic
from app.services.checks import check_text
from app.services.context import Desk, use_case
from app.services.errors import NotFoundError, RuleError
from app.services.queries import get_or_missing, locked_or_missing
from app.store.base import save_versioned
from app.store.models import SETTINGS_ID, CompanySettings, Technician

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
class TechnicianResult(Changed):
    technician: TechnicianRecord


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
        return TechnicianResult(_technician_of(row), changes=noted)


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
        return TechnicianResult(_technician_of(row), changes=noted)


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
        return TechnicianResult(_technician_of(row), changes=noted)


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
