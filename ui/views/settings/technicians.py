"""Settings → Technicians: who works here, who administers, and who sits at this desk."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from app.i18n import _, format_date
from app.services import settings as company
from app.services.settings import TechnicianRecord, TechnicianResult
from ui.context import UiContext
from ui.operations import op
from ui.table_model import KEY_ROLE, Column, RowTableModel, TableProxy
from ui.technician_dialog import remember_technician
from ui.views.settings.form import add_row, list_table, note_label
from ui.widgets import FieldErrors

_INACTIVE = QColor("#8a8a8a")


def _greyed(row: TechnicianRecord) -> tuple[QColor | None, QColor | None]:
    return (None if row.active else _INACTIVE), None


def technician_model() -> RowTableModel[TechnicianRecord]:
    return RowTableModel(
        [
            Column(
                _("Name"), lambda row: row.name, lambda row: row.name.casefold(), colours=_greyed
            ),
            Column(
                _("Role"),
                lambda row: _("Administrator") if row.is_admin else _("Technician"),
                colours=_greyed,
            ),
            Column(
                _("State"),
                lambda row: _("Active") if row.active else _("Inactive"),
                colours=_greyed,
            ),
            Column(
                _("Since"),
                lambda row: format_date(row.created_at),
                lambda row: row.created_at,
                colours=_greyed,
            ),
        ],
        key=lambda row: row.id,
    )


class TechniciansPage(QWidget):
    """The technicians (every change is saved at once) and the technician at this desk."""

    #: The technician at this desk changed (remembered on this computer): their id.
    technician_changed = Signal(int)

    def __init__(
        self,
        context: UiContext,
        settings: QSettings,
        location: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settings_technicians")
        self.context = context
        self._settings = settings
        self._location = location
        self.desk_technician: int | None = context.desk.technician_id
        self.errors = FieldErrors(self)

        self.at_desk = QComboBox()
        self.at_desk.setMinimumContentsLength(24)
        self.at_desk.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.at_desk.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.at_desk.activated.connect(self._choose_desk_technician)
        desk_label = QLabel(_("Technician at &this desk:"))
        desk_label.setBuddy(self.at_desk)
        self.desk_note = note_label(
            _(
                "Sessions and first responses are recorded in the name of the technician "
                "at this desk. The choice is kept on this computer, for this database."
            )
        )
        desk_row = QHBoxLayout()
        desk_row.addWidget(desk_label)
        desk_row.addWidget(self.at_desk)
        desk_row.addWidget(self.desk_note, 1)
        desk = QGroupBox(_("This desk"))
        desk_layout = QVBoxLayout(desk)
        desk_layout.addLayout(desk_row)

        layout = QVBoxLayout(self)
        layout.addWidget(desk)
        layout.addWidget(self._team_group(), 1)
        self._update_buttons()

    def _team_group(self) -> QGroupBox:
        self.model = technician_model()
        self.proxy = TableProxy(self.model, self)
        self.table = list_table(self.proxy, _("Technicians"))
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.rename())

        self.rename_button = QPushButton(_("&Rename…"))
        self.active_button = QPushButton(_("&Deactivate"))
        self.admin_button = QPushButton(_("Make a&dministrator"))
        self.rename_button.clicked.connect(self.rename)
        self.active_button.clicked.connect(self.toggle_active)
        self.admin_button.clicked.connect(self.toggle_admin)
        actions = QVBoxLayout()
        for button in (self.rename_button, self.active_button, self.admin_button):
            actions.addWidget(button)
        actions.addStretch(1)

        self.new_name = QLineEdit()
        self.new_name.setPlaceholderText(_("Name of the new technician"))
        self.new_name.returnPressed.connect(self.add)
        self.new_admin = QCheckBox(_("A&dministrator"))
        self.add_button = QPushButton(_("&Add technician"))
        self.add_button.clicked.connect(self.add)
        new_row = QWidget()
        new_layout = QHBoxLayout(new_row)
        new_layout.setContentsMargins(0, 0, 0, 0)
        new_layout.addWidget(self.new_name, 1)
        new_layout.addWidget(self.new_admin)
        new_layout.addWidget(self.add_button)
        add_form = QFormLayout()
        add_row(add_form, _("&New:"), new_row, self.errors, "name", buddy=self.new_name)

        team = QGroupBox(_("Technicians"))
        team_layout = QVBoxLayout(team)
        list_row = QHBoxLayout()
        list_row.addWidget(self.table, 1)
        list_row.addLayout(actions)
        team_layout.addLayout(list_row, 1)
        team_layout.addLayout(add_form)
        team_layout.addWidget(
            note_label(
                _(
                    "Only administrators change the settings and the technicians. A technician "
                    "who leaves is deactivated: what they did keeps their name."
                )
            )
        )

        return team

    # --- showing ------------------------------------------------------------------------------

    def reload(self) -> None:
        everyone = company.technicians(include_inactive=True)
        self.model.set_rows(everyone)
        self._update_buttons()
        self.at_desk.clear()
        for technician in everyone:
            if technician.active:
                self.at_desk.addItem(technician.name, technician.id)
        self.at_desk.setCurrentIndex(self.at_desk.findData(self.desk_technician))

    def selected(self) -> TechnicianRecord | None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return None
        position = self.model.position_of(rows[0].data(KEY_ROLE))
        return None if position is None else self.model.row_at(position)

    def select(self, technician_id: int) -> None:
        for row in range(self.proxy.rowCount()):
            if self.proxy.key_at(row) == technician_id:
                self.table.selectRow(row)

    def _update_buttons(self) -> None:
        chosen = self.selected()
        for button in (self.rename_button, self.active_button, self.admin_button):
            button.setEnabled(chosen is not None)
        active = chosen is None or chosen.active
        self.active_button.setText(_("&Deactivate") if active else _("Reac&tivate"))
        admin = chosen is not None and chosen.is_admin
        self.admin_button.setText(
            _("Stop being a&dministrator") if admin else _("Make a&dministrator")
        )

    # --- changing -----------------------------------------------------------------------------

    def add(self) -> None:
        self.errors.clear()
        op(
            self,
            lambda: company.add_technician(
                self.context.desk, name=self.new_name.text(), is_admin=self.new_admin.isChecked()
            ),
            sync=self.context,
        ).success(self._added).failure(self.errors.report).run()

    def _added(self, result: TechnicianResult) -> None:
        self.new_name.clear()
        self.new_admin.setChecked(False)
        self.select(result.technician.id)

    def rename(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        name, accepted = QInputDialog.getText(
            self,
            _("Rename the technician"),
            _("New name of {name}:").format(name=chosen.name),
            QLineEdit.EchoMode.Normal,
            chosen.name,
        )
        if not accepted or name.strip() == chosen.name:
            return
        self._change(
            lambda: company.rename_technician(self.context.desk, chosen.id, chosen.version, name)
        )

    def toggle_active(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        change = company.deactivate_technician if chosen.active else company.reactivate_technician
        self._change(lambda: change(self.context.desk, chosen.id, chosen.version))

    def toggle_admin(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        self._change(
            lambda: company.set_technician_admin(
                self.context.desk, chosen.id, chosen.version, not chosen.is_admin
            )
        )

    def _change(self, use_case: Callable[[], TechnicianResult]) -> None:
        op(self, use_case, sync=self.context).success(
            lambda result: self.select(result.technician.id)
        ).run()

    def _choose_desk_technician(self, position: int) -> None:
        chosen = self.at_desk.itemData(position)
        if chosen is None or chosen == self.desk_technician:
            return
        self.desk_technician = int(chosen)
        remember_technician(self._settings, self._location, self.desk_technician)
        self.technician_changed.emit(self.desk_technician)
