"""The company's settings, its calendar exceptions (P1, P2) and the technicians.

One module a concern: ``company`` (the settings), ``exceptions`` (P2), ``calendar`` (the
business calendar, the company's zone and today) and ``technicians`` (with ``require_admin``).
The services import from those modules; the window knows them by this package's names.

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

from app.services.settings.calendar import DayHours, business_calendar, company_today, company_zone
from app.services.settings.company import (
    District,
    Settings,
    SettingsFields,
    SettingsResult,
    check_day_hours,
    districts,
    settings,
    update_settings,
)
from app.services.settings.exceptions import (
    CompanyExceptionRecord,
    CompanyExceptionResult,
    add_company_exception,
    company_exceptions,
    remove_company_exception,
    update_company_exception,
)
from app.services.settings.technicians import (
    TechnicianRecord,
    TechnicianResult,
    add_first_administrator,
    add_technician,
    deactivate_technician,
    find_technician,
    reactivate_technician,
    rename_technician,
    require_admin,
    set_technician_admin,
    technician,
    technicians,
)

__all__ = [
    "CompanyExceptionRecord",
    "CompanyExceptionResult",
    "DayHours",
    "District",
    "Settings",
    "SettingsFields",
    "SettingsResult",
    "TechnicianRecord",
    "TechnicianResult",
    "add_company_exception",
    "add_first_administrator",
    "add_technician",
    "business_calendar",
    "check_day_hours",
    "company_exceptions",
    "company_today",
    "company_zone",
    "deactivate_technician",
    "districts",
    "find_technician",
    "reactivate_technician",
    "remove_company_exception",
    "rename_technician",
    "require_admin",
    "set_technician_admin",
    "settings",
    "technician",
    "technicians",
    "update_company_exception",
    "update_settings",
]
