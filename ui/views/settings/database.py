"""Settings → Database: where this computer's data is, and the database for the next start.

The location chosen here is tested (``app.services.database.probe_location``, without touching
the database in use) and kept in the computer's settings under ``LOCATION_KEY``, without its
password (which goes to the system keyring, or stays in memory where there is none:
``app.services.database.keep_address``); the start-up opens it when neither ``--db`` nor
``BALCAO_DB`` names one (``saved_location``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.credentials import without_password
from app.i18n import _
from app.services import database as databases
from app.services.database import LOCATION_VARIABLE, Probe, default_location, describe_location
from ui.operations import Operation, op
from ui.views.settings.form import (
    FORM_MAX_WIDTH,
    SUCCESS_COLOUR,
    add_row,
    form_layout,
    note_label,
)
from ui.widgets import ERROR_COLOUR

#: The computer's setting that names the database of the next start.
LOCATION_KEY = "database/location"


def saved_location(settings: QSettings) -> str | None:
    """The database chosen in the settings for the next start, if any (without its password)."""
    value = settings.value(LOCATION_KEY)
    text = "" if value is None else str(value).strip()
    return without_password(text) or None


class DatabasePage(QWidget):
    def __init__(self, settings: QSettings, location: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("settings_database")
        self._settings = settings
        self.last_probe: Probe | None = None

        self.in_use = QLabel(describe_location(location))
        self.in_use.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.in_use.setAccessibleName(_("Database in use"))
        self.in_use.setWordWrap(True)
        current = QGroupBox(_("Database in use"))
        current_layout = QVBoxLayout(current)
        current_layout.addWidget(self.in_use)

        body = QWidget()
        body.setMaximumWidth(FORM_MAX_WIDTH + 240)
        body_layout = QVBoxLayout(body)
        body_layout.addWidget(current)
        body_layout.addWidget(self._following_group())
        body_layout.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(body, 1)
        layout.addStretch(0)
        self.reload()

    def _following_group(self) -> QGroupBox:
        self.next_start = QLabel()
        self.next_start.setWordWrap(True)
        self.next_start.setAccessibleName(_("Database of the next start"))
        self.location = QLineEdit()
        self.location.setPlaceholderText(
            _("/folder/balcao.sqlite or postgresql://user:password@server/balcao")
        )
        self.location.textEdited.connect(self._forget_probe)
        self.location.returnPressed.connect(self.test)
        self.browse = QPushButton(_("&Browse…"))
        self.browse.clicked.connect(self.choose_file)
        self.test_button = QPushButton(_("&Test the connection"))
        self.test_button.clicked.connect(self.test)
        self.result = QLabel()
        self.result.setWordWrap(True)
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setAccessibleName(_("Result of the test"))
        self.result.hide()
        self.save_button = QPushButton(_("&Use at the next start"))
        self.save_button.clicked.connect(self.save)
        self.default_button = QPushButton(_("Use the &default"))
        self.default_button.clicked.connect(self.use_default)

        choose = QWidget()
        choose_layout = QVBoxLayout(choose)
        choose_layout.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        line.addWidget(self.location, 1)
        line.addWidget(self.browse)
        line.addWidget(self.test_button)
        choose_layout.addLayout(line)
        choose_layout.addWidget(self.result)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.default_button)
        buttons.addWidget(self.save_button)

        following = QGroupBox(_("Database of the next start"))
        form = form_layout()
        form.addRow(_("Now:"), self.next_start)
        add_row(form, _("&Other database:"), choose, buddy=self.location)
        form.addRow(
            "",
            note_label(
                _(
                    "A file on this computer, or the address of the team's PostgreSQL "
                    "database (every desk that gives the same address shares the data). The "
                    "address is kept on this computer without its password, which goes to the "
                    "system keyring (where there is none, Balcão asks for it at each start). "
                    "--db and {variable} take precedence over this choice."
                ).format(variable=LOCATION_VARIABLE)
            ),
        )
        following_layout = QVBoxLayout(following)
        following_layout.addLayout(form)
        following_layout.addLayout(buttons)

        return following

    def reload(self) -> None:
        saved = saved_location(self._settings)
        if saved is None:
            self.next_start.setText(
                _("the default file, {location}").format(location=default_location())
            )
        else:
            self.next_start.setText(describe_location(saved))

    def choose_file(self) -> None:
        path, _filter = QFileDialog.getSaveFileName(
            self,
            _("Database file"),
            self.location.text() or str(default_location()),
            _("Balcão databases (*.sqlite *.db);;All files (*)"),
            options=QFileDialog.Option.DontConfirmOverwrite,
        )
        if path:
            self.location.setText(path)
            self._forget_probe()

    def test(self, then: Callable[[Probe], object] | None = None) -> Operation[Probe]:
        """Tests the location typed, in the background (a server may take seconds to answer),
        shows the result, then calls ``then`` with it."""
        typed = self.location.text()
        self.test_button.setEnabled(False)
        self.save_button.setEnabled(False)
        operation = (
            op(self, lambda: databases.probe_location(typed))
            .in_background(_("Testing the connection…"))
            .success(self._show_probe)
            .finally_(self._probed)
        )
        if then is not None:
            operation.success(then)
        operation.run()
        return operation

    def _show_probe(self, probe: Probe) -> None:
        self.last_probe = probe
        self.result.setStyleSheet(f"color: {SUCCESS_COLOUR if probe.ok else ERROR_COLOUR};")
        self.result.setText(probe.message)
        self.result.show()

    def _probed(self) -> None:
        self.test_button.setEnabled(True)
        self.save_button.setEnabled(True)

    def save(self) -> Operation[Probe]:
        """Tests the location and, when it works, keeps it for the next start."""
        return self.test(then=self._keep)

    def _keep(self, probe: Probe) -> None:
        if probe.ok:
            self._keep_address()

    def _keep_address(self) -> None:
        """Keeps the address tested for the next start: without its password, which goes to the
        keyring (or stays in memory, where there is none)."""
        kept_address = databases.keep_address(self.location.text())
        kept = ""
        if kept_address.in_keyring is True:
            kept = " " + _("Its password is kept in the system keyring.")
        elif kept_address.in_keyring is False:
            kept = " " + _(
                "This computer has no keyring: Balcão will ask for the password at the next start."
            )
        self._settings.setValue(LOCATION_KEY, kept_address.address)  # never the password
        self._settings.sync()
        self.reload()
        self.location.setText(kept_address.address)
        self.result.setText(
            _("{result} Balcão will open it at the next start.").format(result=self.result.text())
            + kept
        )

    def use_default(self) -> None:
        self._settings.remove(LOCATION_KEY)
        self._settings.sync()
        self.reload()
        self._forget_probe()

    def _forget_probe(self) -> None:
        self.last_probe = None
        self.result.clear()
        self.result.hide()
