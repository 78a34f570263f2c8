"""Clientes › Importar…: customers from a WHMCS client export or a Balcão CSV (issue 15).

The file is first imported as a dry run in the background (``run_import(dry_run=True)``, which
rolls back): the table shows, line by line, what would be created, updated, left as it is, or
refused and why. "Importar" then writes it, in the background with the count, and the table
shows what was done.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import _
from app.progress import Progress
from app.services import imports
from app.services.imports import ImportFile, ImportReport, RowOutcome
from ui.context import UiContext
from ui.operations import op_with_progress
from ui.table_model import RIGHT, Column, RowTableModel
from ui.widgets import setup_table, stretch_columns

FAILED_COLOUR = QColor("#b3261e")


def _action_text(outcome: RowOutcome, *, done: bool) -> str:
    if done:
        texts = {
            "created": _("Created"),
            "updated": _("Updated"),
            "unchanged": _("Unchanged"),
            "failed": _("Not imported"),
        }
    else:
        texts = {
            "created": _("Will be created"),
            "updated": _("Will be updated"),
            "unchanged": _("Unchanged"),
            "failed": _("Will not be imported"),
        }
    return texts[outcome.action]


def outcome_columns(done: bool) -> list[Column[RowOutcome]]:
    def failed(row: RowOutcome) -> tuple[QColor | None, QColor | None]:
        return (FAILED_COLOUR, None) if row.action == "failed" else (None, None)

    return [
        Column(_("Line"), lambda row: str(row.line), lambda row: row.line, align=RIGHT),
        Column(_("Name"), lambda row: row.name, tooltip=lambda row: row.name),
        Column(
            _("Result"),
            lambda row: _action_text(row, done=done),
            lambda row: row.action,
            colours=failed,
        ),
        Column(_("Reason"), lambda row: row.reason, tooltip=lambda row: row.reason),
    ]


class ImportCustomersDialog(QDialog):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle(_("Import customers"))
        self.setObjectName("import-customers")
        self.file: ImportFile | None = None
        self.report: ImportReport | None = None

        self.path = QLineEdit()
        self.path.setReadOnly(True)
        self.path.setPlaceholderText(_("A WHMCS client export or a Balcão CSV file"))
        self.path.setAccessibleName(_("File to import"))
        self.choose_button = QPushButton(_("&Choose file…"))
        self.choose_button.clicked.connect(self.choose_file)
        self.summary = QLabel(
            _(
                "Rows are matched to the customers already here by NIF, then by email: a "
                "customer found is updated, never duplicated. Nothing is written before "
                "“Import”."
            )
        )
        self.summary.setWordWrap(True)
        self.model: RowTableModel[RowOutcome] = RowTableModel(
            outcome_columns(done=False), key=lambda row: row.line, parent=self
        )
        self.table = QTableView()
        setup_table(self.table, self.model, _("Rows of the file"))
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        stretch_columns(self.table, 3)
        self.table.setColumnWidth(0, 60)
        self.table.setColumnWidth(1, 220)
        self.table.setColumnWidth(2, 150)
        self.table.setWordWrap(False)

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            _("&Import"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.import_file)
        self.close_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        self.close_button.clicked.connect(self.reject)

        chooser = QHBoxLayout()
        chooser.addWidget(self.path, 1)
        chooser.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.addLayout(chooser)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 560)

    # --- the preview ---------------------------------------------------------------------------

    def choose_file(self) -> None:
        chosen, _filter = QFileDialog.getOpenFileName(
            self,
            _("Import customers"),
            str(Path(self.path.text()).parent) if self.path.text() else str(Path.home()),
            _("CSV files (*.csv);;All files (*)"),
        )
        if chosen:
            self.preview(Path(chosen))

    def preview(self, path: Path) -> None:
        """Reads ``path`` and imports it as a dry run, in the background."""
        self.path.setText(str(path))
        self.file = None
        self.report = None
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        self.model.set_rows(())
        self.summary.setText(_("Reading {file}…").format(file=path.name))
        desk = self.context.desk

        def work(progress: Progress) -> tuple[ImportFile, ImportReport]:
            file = imports.read_customers(path)
            return file, imports.run_import(desk, file, dry_run=True, progress=progress)

        (
            op_with_progress(self, work)
            .in_background(_("Checking the file…"), cancellable=True)
            .success(self._show_preview)
            .failure(self._show_refusal)
            .cancelled(lambda: self.summary.setText(_("Checking the file was cancelled.")))
            .finally_(lambda: self.choose_button.setEnabled(True))
            .run()
        )

    def _show_refusal(self, error: KnownError) -> None:
        self.summary.setText(str(error))

    def _show_preview(self, result: tuple[ImportFile, ImportReport]) -> None:
        self.file, preview = result
        self.model.set_rows(preview.outcomes)
        writes = preview.count("created") + preview.count("updated")
        self.summary.setText(
            _("If imported: {summary}").format(summary=preview.summary().rstrip("."))
            + ("" if writes else " " + _("There is nothing to write."))
        )
        self.import_button.setEnabled(writes > 0)

    # --- the import -----------------------------------------------------------------------------

    def import_file(self) -> None:
        file = self.file
        if file is None:
            return
        desk = self.context.desk
        self.import_button.setEnabled(False)
        self.choose_button.setEnabled(False)
        (
            op_with_progress(
                self,
                lambda progress: imports.run_import(desk, file, progress=progress),
                sync=self.context,
            )
            .in_background(_("Importing customers…"))
            .success(self._show_report)
            .finally_(lambda: self.choose_button.setEnabled(True))
            .run()
        )

    def _show_report(self, report: ImportReport) -> None:
        self.report = report
        self.file = None
        # The columns say what was done now, not what would be: a model of its own.
        self.model = RowTableModel(
            outcome_columns(done=True), key=lambda row: row.line, parent=self
        )
        self.model.set_rows(report.outcomes)
        self.table.setModel(self.model)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.summary.setText(_("Imported: {summary}").format(summary=report.summary()))
        self.close_button.setFocus(Qt.FocusReason.OtherFocusReason)
