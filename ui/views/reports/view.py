"""The Relatórios view: a period picker, then one tab per report with its table and its chart,
"Exportar CSV" and "Exportar PDF"; the guarantees tab lists the missed contacts, each opening
its contact. Every report is computed by the database, in the background (``ui.operations``)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

from dateutil.relativedelta import relativedelta
from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import N_, _, format_datetime
from app.services import exports
from app.services.changes import Topic
from app.services.reports.guarantees import MissedContact
from app.services.reports.period import Period, month_text
from app.services.reports.tables import BY_TECHNICIAN, REPORTS, Table
from app.services.settings import company_today, technicians
from ui.context import UiContext
from ui.feedback import ask_csv_path, ask_pdf_path, offer_to_open
from ui.operations import op
from ui.resources import view_icon
from ui.table_model import RIGHT, Column, RowTableModel
from ui.views.base import View
from ui.views.reports.charts import ReportChart
from ui.views.reports.data import Loaded, Series, column_title, load_report
from ui.views.reports.pdf import write_report_pdf
from ui.widgets import RowTable

#: How far back the month pickers go.
MONTHS_BACK = 36

TAB_TITLES = {
    "guarantees": N_("Guarantees"),
    "response-times": N_("Response times"),
    "hours": N_("Hours"),
    "packs": N_("Packs"),
    "revenue": N_("Revenue"),
}
CHART_TITLES = {
    "guarantees": N_("Guarantees met and missed per month"),
    "response-times": N_("First response per plan and channel"),
    "hours": N_("Hours billed per technician"),
    "packs": N_("Monthly hours lapsed unused"),
    "revenue": N_("Invoiced per month (credit notes netted)"),
}
#: The period picker's kinds.
KINDS = (
    ("month", N_("Month")),
    ("quarter", N_("Quarter")),
    ("year", N_("Year")),
    ("custom", N_("Custom")),
)

_DECIMAL = re.compile(r"-?\d+\.\d+")

#: A table row: its position (the key) and its cells.
Line = tuple[int, tuple[str, ...]]


def table_model(header: tuple[str, ...]) -> RowTableModel[Line]:
    """The model of a report's table: one column per code, the cells as the command prints."""
    columns = [
        Column[Line](
            column_title(code),
            _cell(i),
            sort_key=_sort_key(i),
            align=RIGHT
            if code not in {"month", "plan", "channel", "kind", "expires"}
            else Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
        )
        for i, code in enumerate(header)
    ]
    return RowTableModel(columns, key=lambda line: line[0])


def _cell(position: int) -> Callable[[Line], str]:
    return lambda line: line[1][position]


def _sort_key(position: int) -> Callable[[Line], object]:
    return lambda line: _sort_value(line[1][position])


def spreadsheet_cell(cell: str) -> str:
    """A cell for the CSV the way the exports write numbers (``decimal_text``: a decimal comma,
    so that a Portuguese spreadsheet reads ``-41,25`` as a number)."""
    return cell.replace(".", ",") if _DECIMAL.fullmatch(cell) else cell


def _sort_value(cell: str) -> object:
    try:
        return float(cell)
    except ValueError:
        return cell


def missed_model() -> RowTableModel[MissedContact]:
    return RowTableModel(
        [
            Column[MissedContact](
                _("Received"),
                lambda row: format_datetime(row.received_at),
                sort_key=lambda row: row.received_at.timestamp(),
            ),
            Column[MissedContact](_("Plan"), lambda row: row.plan.value),
            Column[MissedContact](_("Subject"), lambda row: row.subject),
        ],
        key=lambda row: row.id,
    )


def period_of(kind: str, first: date, last: date) -> Period:
    """The period the picker means: the month, quarter or year of ``first``, or first..last."""
    month = first.replace(day=1)
    if kind == "month":
        return Period(month, month)
    if kind == "quarter":
        start = month.replace(month=(month.month - 1) // 3 * 3 + 1)
        return Period(start, start + relativedelta(months=2))
    if kind == "year":
        return Period(month.replace(month=1), month.replace(month=12))
    end = last.replace(day=1)
    return Period(min(month, end), max(month, end))


def _technician_picker() -> QComboBox:
    """Whose part of the reports kept per technician (issue 14); everyone's by default."""
    picker = QComboBox()
    picker.setAccessibleName(_("Technician"))
    _fill_technicians(picker)
    return picker


def _fill_technicians(picker: QComboBox) -> None:
    """Everyone, then every technician (those gone too: their past work is in the reports);
    the one chosen stays chosen."""
    chosen = picker.currentData()
    picker.blockSignals(True)
    try:
        picker.clear()
        picker.addItem(_("Everyone"), None)
        for person in technicians(include_inactive=True):
            picker.addItem(person.name, person.id)
        picker.setCurrentIndex(max(0, picker.findData(chosen)) if chosen is not None else 0)
    finally:
        picker.blockSignals(False)


class ReportTab(QWidget):
    """One report: buttons, its chart above its table."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.table_data: Table | None = None
        self.model: RowTableModel[Line] | None = None
        self.chart = ReportChart(_(CHART_TITLES[name]))
        self.csv_button = QPushButton(_("Export CSV"))
        self.pdf_button = QPushButton(_("Export PDF"))
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(False)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.csv_button)
        buttons.addWidget(self.pdf_button)
        self.split = QSplitter(Qt.Orientation.Vertical)
        self.split.setChildrenCollapsible(False)
        self.split.addWidget(self.chart)
        #: The table, and beside it whatever the tab adds (the missed guarantees).
        self.bottom = QSplitter(Qt.Orientation.Horizontal)
        self.bottom.setChildrenCollapsible(False)
        self.split.addWidget(self.bottom)
        self.split.setSizes([300, 300])
        self.table: RowTable | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addLayout(buttons)
        layout.addWidget(self.split, 1)

    def show_table(self, table: Table, series: Series) -> None:
        self.table_data = table
        if self.model is None:
            self.model = table_model(table.header)
            self.table = RowTable(self.model, _(TAB_TITLES[self.name]))
            self.bottom.insertWidget(0, self.table)
            self.bottom.setStretchFactor(0, 2)
        self.model.set_rows(enumerate(table.rows))
        assert self.table is not None
        self.table.resizeColumnsToContents()
        self.chart.show_series(series)
        for button in (self.csv_button, self.pdf_button):
            button.setEnabled(True)


class ReportsView(View):
    # Settings: the technicians, and the business hours the response times are counted in.
    topics = frozenset(
        {Topic.CONTACTS, Topic.SESSIONS, Topic.PACKS, Topic.INVOICES, Topic.SETTINGS}
    )

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("reports")
        #: The reports shown, by name: loaded when their tab is first shown for a period.
        self.reports: dict[str, Loaded] = {}
        self._loading: set[tuple[str, Period, int | None]] = set()
        today = company_today(context.now())
        months = [today.replace(day=1) - relativedelta(months=n) for n in range(MONTHS_BACK)]
        self.kind = QComboBox()
        for code, title in KINDS:
            self.kind.addItem(_(title), code)
        self.first = QComboBox()
        self.last = QComboBox()
        for picker in (self.first, self.last):
            for month in months:
                picker.addItem(month_text(month), month)
        self.last.setEnabled(False)
        self.technician = _technician_picker()
        self.state = QLabel()
        self.state.setStyleSheet("color: #5f6d78;")
        top = QHBoxLayout()
        period_label = QLabel(_("&Period:"))
        period_label.setBuddy(self.kind)
        top.addWidget(period_label)
        top.addWidget(self.kind)
        top.addWidget(self.first)
        top.addWidget(QLabel(_("to")))
        top.addWidget(self.last)
        top.addSpacing(16)
        technician_label = QLabel(_("&Technician:"))
        technician_label.setBuddy(self.technician)
        top.addWidget(technician_label)
        top.addWidget(self.technician)
        top.addSpacing(16)
        top.addWidget(self.state, 1)
        self.tabs = QTabWidget()
        self.report_tabs: dict[str, ReportTab] = {}
        for name in REPORTS:
            tab = ReportTab(name)
            tab.csv_button.clicked.connect(lambda _c=False, tab=tab: self.export_csv(tab))
            tab.pdf_button.clicked.connect(lambda _c=False, tab=tab: self.export_pdf(tab))
            self.report_tabs[name] = tab
            self.tabs.addTab(tab, _(TAB_TITLES[name]))
        self.missed = missed_model()
        self.missed_table = RowTable(self.missed, _("Missed guarantees"))
        self.missed_table.doubleClicked.connect(self._open_missed)
        self.report_tabs["guarantees"].bottom.addWidget(self.missed_table)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 10)
        layout.addLayout(top)
        layout.addWidget(self.tabs, 1)
        self.kind.currentIndexChanged.connect(self._period_changed)
        self.first.currentIndexChanged.connect(self._period_changed)
        self.last.currentIndexChanged.connect(self._period_changed)
        self.technician.currentIndexChanged.connect(lambda _index: self._load_current())
        self.tabs.currentChanged.connect(lambda _index: self._load_current())

    def title(self) -> str:
        return _("Reports")

    def icon(self) -> QIcon:
        return view_icon("reports")

    def period(self) -> Period:
        return period_of(self.kind.currentData(), self.first.currentData(), self.last.currentData())

    def period_text(self) -> str:
        period = self.period()
        first, last = month_text(period.first), month_text(period.last)
        return first if first == last else f"{first} – {last}"

    def _period_changed(self) -> None:
        self.last.setEnabled(self.kind.currentData() == "custom")
        self.reload()

    def current_name(self) -> str:
        tab = self.tabs.currentWidget()
        assert isinstance(tab, ReportTab)
        return tab.name

    def technician_of(self, name: str) -> int | None:
        """Whose part of report ``name`` is asked for: None for everyone's, and for the reports
        not kept per technician (packs, revenue)."""
        chosen = self.technician.currentData()
        return chosen if name in BY_TECHNICIAN and isinstance(chosen, int) else None

    def is_loaded(self, name: str) -> bool:
        shown = self.reports.get(name)
        return (
            shown is not None
            and shown.period == self.period()
            and shown.technician_id == self.technician_of(name)
        )

    def reload(self) -> None:
        """The period or the data changed: every tab is out of date; the visible one loads."""
        self.reports = {}
        _fill_technicians(self.technician)  # one added or renamed meanwhile
        self._load_current()

    def _load_current(self) -> None:
        name, period, now = self.current_name(), self.period(), self.context.now()
        # The technician applies to some reports only: say so by greying it out elsewhere.
        self.technician.setEnabled(name in BY_TECHNICIAN)
        whose = self.technician_of(name)
        key = (name, period, whose)
        if self.is_loaded(name) or key in self._loading:
            return
        self._loading.add(key)
        self.state.setText(_("Computing the reports…"))
        op(self, lambda: load_report(name, period, now, whose)).in_background(
            _("Computing the reports…")
        ).success(self.show_report).finally_(lambda: self._loading.discard(key)).run()

    def show_report(self, loaded: Loaded) -> None:
        if loaded.period != self.period() or loaded.technician_id != self.technician_of(
            loaded.name
        ):
            return  # the pickers moved on meanwhile: their own load follows
        self.reports[loaded.name] = loaded
        self.report_tabs[loaded.name].show_table(loaded.table, loaded.chart)
        if loaded.name == "guarantees":
            self.missed.set_rows(loaded.missed)
        self.state.setText(self.period_text())

    def _open_missed(self, index: QModelIndex) -> None:
        contact_id = self.missed_table.proxy.key_at(index.row())
        if contact_id is not None:
            self.context.show_record.emit("contact", int(contact_id))

    def _file_name(self, tab: ReportTab, suffix: str) -> str:
        return f"{tab.name}-{self.period_text().replace(' – ', '_')}.{suffix}"

    def export_csv(self, tab: ReportTab, path: Path | None = None) -> None:
        table = tab.table_data
        if table is None:
            return
        if path is None:
            path = ask_csv_path(self, _("Export CSV"), self._file_name(tab, "csv"))
            if path is None:
                return
        header = [column_title(code) for code in table.header]
        target = path
        rows = [[spreadsheet_cell(cell) for cell in row] for row in table.rows]
        op(self, lambda: exports.write_table_csv(target, header, rows)).writes(
            target
        ).in_background(_("Exporting…")).success(lambda _r: offer_to_open(self, target)).run()

    def export_pdf(self, tab: ReportTab, path: Path | None = None) -> None:
        table = tab.table_data
        if table is None:
            return
        if path is None:
            path = ask_pdf_path(self, _("Export PDF"), self._file_name(tab, "pdf"))
            if path is None:
                return
        header = [column_title(code) for code in table.header]
        title, period_text, target = _(TAB_TITLES[tab.name]), self.period_text(), path
        rows = list(table.rows)
        op(self, lambda: write_report_pdf(target, title, period_text, header, rows)).writes(
            target
        ).in_background(_("Exporting…")).success(lambda _r: offer_to_open(self, target)).run()
