"""Definições: the company's data, business hours, holidays, rates, technicians, the database.

Each page of company settings saves with its own Guardar (``update_settings`` with the fields
of that page and the version it read); exceptions and technicians are saved as each is changed;
the database and the technician at this desk are kept on this computer (QSettings).
"""

from __future__ import annotations

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from app.i18n import _
from app.services import settings as company
from app.services.changes import Topic
from app.services.database import describe_open_database
from app.services.settings import Settings, SettingsResult
from ui.context import UiContext
from ui.resources import view_icon
from ui.views.base import View
from ui.views.settings.company import CompanyPage
from ui.views.settings.database import DatabasePage
from ui.views.settings.form import SettingsFormPage
from ui.views.settings.holidays import HolidaysPage
from ui.views.settings.hours import HoursPage
from ui.views.settings.invoicing import InvoicingPage
from ui.views.settings.mail import MailPage
from ui.views.settings.rates import RatesPage
from ui.views.settings.technicians import TechniciansPage


class SettingsView(View):
    """The Definições view.

    ``location`` is the database location the program opened (as given to ``open_database``):
    the technician at this desk is remembered under it. ``settings`` is the computer's
    QSettings (the database of the next start, the technician at this desk).
    """

    topics = frozenset({Topic.SETTINGS})
    #: The technician at this desk changed (already remembered in QSettings): their id.
    technician_changed = Signal(int)

    def __init__(
        self,
        context: UiContext,
        parent: QWidget | None = None,
        *,
        location: str | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__(context, parent)
        self.setObjectName("settings")
        self.location = location or describe_open_database()
        self.qsettings = settings or QSettings()
        self.company = CompanyPage(context)
        self.hours = HoursPage(context)
        self.holidays = HolidaysPage(context)
        self.rates = RatesPage(context)
        self.technicians = TechniciansPage(context, self.qsettings, self.location)
        self.database = DatabasePage(self.qsettings, self.location)
        self.invoicing = InvoicingPage(context)
        self.mail = MailPage(context)
        self.technicians.technician_changed.connect(self.technician_changed)
        self.form_pages: list[SettingsFormPage] = [
            self.company,
            self.hours,
            self.holidays,
            self.rates,
        ]
        for page in self.form_pages:
            page.saved.connect(self._page_saved)

        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.company, _("&Company"))
        self.tabs.addTab(self.hours, _("&Business hours"))
        self.tabs.addTab(self.holidays, _("&Holidays"))
        self.tabs.addTab(self.rates, _("&Rates and VAT"))
        self.tabs.addTab(self.technicians, _("&Technicians"))
        self.tabs.addTab(self.invoicing, _("Certified &invoicing"))
        self.tabs.addTab(self.mail, _("&Mail"))
        self.tabs.addTab(self.database, _("&Database"))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tabs)
        #: The holidays page waits to be shown before it reads: listing the districts and the
        #: year's holidays loads the ``holidays`` tables (about 200 ms), which the view's other
        #: pages do not need.
        self._holidays_stale = True
        self.tabs.currentChanged.connect(lambda _index: self._load_holidays())

    def title(self) -> str:
        return _("Settings")

    def icon(self) -> QIcon:
        return view_icon("settings")

    def reload(self) -> None:
        current = company.settings()
        for page in self.form_pages:
            if page is not self.holidays:
                page.show_settings(current)
        self._holidays_stale = True
        self._load_holidays(current)
        self.technicians.reload()
        self.invoicing.reload()
        self.mail.reload()
        self.database.reload()

    def _load_holidays(self, current: Settings | None = None) -> None:
        """Fills the holidays page if it is the one shown and missed a change."""
        if not self._holidays_stale or self.tabs.currentWidget() is not self.holidays:
            return
        self._holidays_stale = False
        self.holidays.show_settings(current or company.settings())
        self.holidays.show_exceptions(company.company_exceptions())

    def _page_saved(self, previous: int, result: SettingsResult) -> None:
        for page in self.form_pages:
            page.adopt(previous, result)
        self.context.sync()
