"""Settings → Holidays (P2): the municipal holiday, the optional days, the company's exceptions,
and a preview of a year's days that do not follow the weekly hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.domain.calendar import OPTIONAL_DAYS, BusinessCalendar, PortugueseClosedDays
from app.i18n import N_, _, format_date
from app.services import settings as company
from app.services.settings import CompanyExceptionRecord, Settings, SettingsFields
from ui.context import UiContext
from ui.feedback import confirm
from ui.operations import op
from ui.table_model import KEY_ROLE, Column, RowTableModel, TableProxy
from ui.views.settings.exceptions import ExceptionDialog
from ui.views.settings.form import SettingsFormPage, add_row, form_layout, list_table, note_label
from ui.views.settings.hours import intervals_text, weekday_name

#: The label of each optional day (``OPTIONAL_DAYS`` keys), translated where shown.
OPTIONAL_DAY_LABELS = {
    "carnival": N_("Carnival (Shrove Tuesday)"),
    "christmas_eve": N_("24 December (Christmas Eve)"),
    "new_years_eve": N_("31 December (New Year's Eve)"),
}


@dataclass(frozen=True)
class DifferentDay:
    """A date that does not follow the weekly hours: a holiday or a company exception."""

    day: date
    name: str
    hours: tuple[tuple[time, time], ...]
    exception: bool


def different_days(
    year: int,
    current: Settings,
    district: str | None,
    optional: set[str],
    exceptions: tuple[CompanyExceptionRecord, ...],
) -> list[DifferentDay]:
    """The holidays of ``year`` (for the district and optional days as chosen, saved or not) and
    the company's exceptions, with the hours the calendar gives each of them."""
    closed = PortugueseClosedDays(district, optional)
    special = {record.day: record.hours for record in exceptions}
    calendar = BusinessCalendar(current.weekly_hours, closed=closed, special=special)
    notes = {record.day: record.note for record in exceptions}
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        holiday = closed.name(day)
        if day in special or holiday is not None:
            names = [holiday] if holiday else []
            note = notes.get(day) or (_("Company exception") if day in special else "")
            if note and note != holiday:
                names.append(note)
            rows.append(
                DifferentDay(day, " — ".join(names), calendar.hours_on(day), day in special)
            )
        day += timedelta(days=1)
    return rows


class HolidaysPage(SettingsFormPage):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("settings_holidays")
        self.body.setMaximumWidth(16_777_215)  # two panels: use the width
        self._current: Settings | None = None
        self._exceptions: tuple[CompanyExceptionRecord, ...] = ()
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(self._holidays_group())
        left_layout.addWidget(self._exceptions_group(), 1)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(left)
        splitter.addWidget(self._preview_group())
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self.body)
        layout.addWidget(splitter, 1)
        self._update_buttons()

    def _holidays_group(self) -> QGroupBox:
        self.district = QComboBox()
        self.district.addItem(_("None (national holidays only)"), None)
        # The districts come with the settings (``fill``): listing them loads the ``holidays``
        # package, which the window need not wait for at start.
        self.district.currentIndexChanged.connect(self._edited)
        self.optional: dict[str, QCheckBox] = {}
        optional_box = QWidget()
        optional_layout = QVBoxLayout(optional_box)
        optional_layout.setContentsMargins(0, 0, 0, 0)
        for key in OPTIONAL_DAYS:
            box = QCheckBox(_(OPTIONAL_DAY_LABELS[key]))
            box.toggled.connect(self._edited)
            optional_layout.addWidget(box)
            self.optional[key] = box
        holidays = QGroupBox(_("Public holidays"))
        form = form_layout()
        add_row(form, _("&Municipal holiday of:"), self.district, self.errors, "holiday_district")
        form.addRow(
            "",
            note_label(
                _(
                    "National holidays always close the company. The municipal holiday is "
                    "the one of the district's capital."
                )
            ),
        )
        add_row(
            form,
            _("Also closed on:"),
            optional_box,
            self.errors,
            "closed_optional_days",
            buddy=self.optional[OPTIONAL_DAYS[0]],
        )
        holidays.setLayout(form)
        return holidays

    def _exceptions_group(self) -> QGroupBox:
        self.exception_model: RowTableModel[CompanyExceptionRecord] = RowTableModel(
            [
                Column(_("Date"), lambda row: format_date(row.day), lambda row: row.day),
                Column(_("Weekday"), lambda row: weekday_name(row.day.weekday())),
                Column(_("Hours"), lambda row: intervals_text(row.hours)),
                Column(_("Note"), lambda row: row.note, tooltip=lambda row: row.note),
            ],
            key=lambda row: row.id,
        )
        self.exception_proxy = TableProxy(self.exception_model, self)
        self.exception_table = list_table(self.exception_proxy, _("Company exceptions"))
        self.exception_table.doubleClicked.connect(lambda _index: self.edit_exception())
        self.add_exception_button = QPushButton(_("&Add…"))
        self.edit_exception_button = QPushButton(_("C&hange…"))
        self.remove_exception_button = QPushButton(_("Re&move"))
        self.add_exception_button.clicked.connect(self.add_exception)
        self.edit_exception_button.clicked.connect(self.edit_exception)
        self.remove_exception_button.clicked.connect(self.remove_exception)
        self.exception_table.selectionModel().selectionChanged.connect(self._update_buttons)
        exception_buttons = QHBoxLayout()
        for button in (
            self.add_exception_button,
            self.edit_exception_button,
            self.remove_exception_button,
        ):
            exception_buttons.addWidget(button)
        exception_buttons.addStretch(1)
        exceptions = QGroupBox(_("Company exceptions"))
        exceptions_layout = QVBoxLayout(exceptions)
        exceptions_layout.addWidget(
            note_label(
                _(
                    "Dates the company closes, or opens with other hours, instead of the weekly "
                    "hours. Saved as soon as you add, change or remove one."
                )
            )
        )
        exceptions_layout.addWidget(self.exception_table, 1)
        exceptions_layout.addLayout(exception_buttons)
        return exceptions

    def _preview_group(self) -> QGroupBox:
        self.year = QSpinBox()
        self.year.setRange(2000, 2100)
        self.year.setValue(company.company_today(self.context.now()).year)
        self.year.setAccessibleName(_("Year of the preview"))
        self.year.valueChanged.connect(self.refresh_preview)
        self.preview_model: RowTableModel[DifferentDay] = RowTableModel(
            [
                Column(_("Date"), lambda row: format_date(row.day), lambda row: row.day),
                Column(_("Weekday"), lambda row: weekday_name(row.day.weekday())),
                Column(_("Hours"), lambda row: intervals_text(row.hours)),
                Column(_("Reason"), lambda row: row.name, tooltip=lambda row: row.name),
            ],
            key=lambda row: row.day,
        )
        self.preview_proxy = TableProxy(self.preview_model, self)
        self.preview_table = list_table(self.preview_proxy, _("Days with other hours"))
        year_row = QHBoxLayout()
        year_label = QLabel(_("&Year:"))
        year_label.setBuddy(self.year)
        year_row.addWidget(year_label)
        year_row.addWidget(self.year)
        year_row.addStretch(1)
        preview = QGroupBox(_("Days that do not follow the weekly hours"))
        preview_layout = QVBoxLayout(preview)
        preview_layout.addLayout(year_row)
        preview_layout.addWidget(self.preview_table, 1)
        preview_layout.addWidget(
            note_label(_("Shows the choices on the left as they are, before they are saved."))
        )
        return preview

    # --- the form -----------------------------------------------------------------------------

    def fill(self, current: Settings) -> None:
        self._current = current
        if self.district.count() == 1:
            for district in company.districts():
                self.district.addItem(district.name, district.code)
        position = self.district.findData(current.holiday_district)
        self.district.setCurrentIndex(max(position, 0))
        for key, box in self.optional.items():
            box.setChecked(key in current.closed_optional_days)
        self.refresh_preview()

    def fields(self) -> SettingsFields:
        return {
            "holiday_district": self.district.currentData(),
            "closed_optional_days": self.chosen_optional_days(),
        }

    def chosen_optional_days(self) -> list[str]:
        return [key for key, box in self.optional.items() if box.isChecked()]

    def _edited(self) -> None:
        self.mark_modified()
        self.refresh_preview()

    # --- exceptions and preview ----------------------------------------------------------------

    def show_exceptions(self, exceptions: tuple[CompanyExceptionRecord, ...]) -> None:
        self._exceptions = exceptions
        self.exception_model.set_rows(exceptions)
        self._update_buttons()
        self.refresh_preview()

    def refresh_preview(self) -> None:
        if self._current is None:
            return
        self.preview_model.set_rows(
            different_days(
                self.year.value(),
                self._current,
                self.district.currentData(),
                set(self.chosen_optional_days()),
                self._exceptions,
            )
        )

    def selected_exception(self) -> CompanyExceptionRecord | None:
        rows = self.exception_table.selectionModel().selectedRows()
        if not rows:
            return None
        position = self.exception_model.position_of(rows[0].data(KEY_ROLE))
        return None if position is None else self.exception_model.row_at(position)

    def _update_buttons(self) -> None:
        chosen = self.selected_exception() is not None
        self.edit_exception_button.setEnabled(chosen)
        self.remove_exception_button.setEnabled(chosen)

    def exception_dialog(self, record: CompanyExceptionRecord | None) -> ExceptionDialog:
        """The dialog that adds (``record`` None) or changes an exception; tests drive it."""
        today = company.company_today(self.context.now())
        dialog = ExceptionDialog(self.context.desk, record, today, self)
        dialog.accepted.connect(self.context.sync)
        return dialog

    def add_exception(self) -> None:
        self._open(self.exception_dialog(None))

    def edit_exception(self) -> None:
        record = self.selected_exception()
        if record is not None:
            self._open(self.exception_dialog(record))

    @staticmethod
    def _open(dialog: ExceptionDialog) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def remove_exception(self) -> None:
        record = self.selected_exception()
        if record is None:
            return
        question = _("Remove the exception of {day}? The weekly hours apply to it again.").format(
            day=format_date(record.day)
        )
        if not confirm(self, _("Remove the exception"), question):
            return
        op(
            self,
            lambda: company.remove_company_exception(self.context.desk, record.id, record.version),
            sync=self.context,
        ).run()
