"""Who sits at this desk: chosen once per database and remembered on this computer."""

from __future__ import annotations

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.clock import Clock
from app.credentials import without_password
from app.i18n import _
from app.services import settings as company
from ui.operations import op
from ui.widgets import dialog_buttons

_NEW = -1


def _key(location: str) -> str:
    # Never the password of a PostgreSQL address: the settings file is plain text.
    return f"desks/{without_password(location)}/technician"


class TechnicianDialog(QDialog):
    """Picks an active technician; a new database names its first one, an administrator (later
    ones are added by an administrator in Definições)."""

    def __init__(self, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._clock = clock
        self.setWindowTitle(_("Who is at this desk?"))
        self.setMinimumWidth(380)
        self.chosen: int | None = None
        self.choice = QComboBox()
        self.choice.setAccessibleName(_("Technician"))
        for technician in company.technicians():
            self.choice.addItem(technician.name, technician.id)
        if self.choice.count() == 0:  # a new database (else only an administrator adds one)
            self.choice.addItem(_("New technician…"), _NEW)
        self.new_name = QLineEdit()
        self.new_name.setAccessibleName(_("Name of the new technician"))
        self.new_name.setPlaceholderText(_("Name"))
        self.choice.currentIndexChanged.connect(self._update)
        # One way to answer at a time (issue 15): the list of technicians, or, on a database
        # without any, the name of the first one; never both, leaving which counts to a guess.
        self.form = QFormLayout()
        self.form.addRow(_("&Technician:"), self.choice)
        self.form.addRow(_("&Your name:"), self.new_name)
        buttons = dialog_buttons(self, self._accept, QDialogButtonBox.StandardButton.Ok)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explanation)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self._update()

    def _update(self) -> None:
        naming = self.choice.currentData() == _NEW
        self.form.setRowVisible(self.choice, not naming)
        self.form.setRowVisible(self.new_name, naming)
        self.new_name.setEnabled(naming)
        self.explanation.setText(
            _(
                "This database has no technicians yet: type your name. You will be its "
                "administrator, and add the others in Definições."
            )
            if naming
            else _(
                "Choose who works at this desk: sessions and responses are recorded in their name."
            )
        )

    def _accept(self) -> None:
        selected = self.choice.currentData()
        if selected != _NEW:
            self.chosen = int(selected)
            self.accept()
            return
        name = self.new_name.text()
        added = op(self, lambda: company.add_first_administrator(self._clock, name=name)).run()
        if added is None:
            return
        self.chosen = added.technician.id
        self.accept()


def remembered_technician(settings: QSettings, location: str) -> int | None:
    """The technician this computer last chose for this database, if still active."""
    value = settings.value(_key(location))
    if value is None or not str(value).isdigit():
        return None
    active = {technician.id for technician in company.technicians()}
    return int(str(value)) if int(str(value)) in active else None


def remember_technician(settings: QSettings, location: str, technician_id: int) -> None:
    settings.setValue(_key(location), technician_id)
