"""Settings → Database: where this computer's data is, and the database for the next start.

The location chosen here is tested (without touching the database in use) and kept in the
computer's settings under ``LOCATION_KEY``, without its password (which goes to the system
keyring, or stays in memory where there is none: ``app.credentials``); the start-up opens it when
neither ``--db`` nor ``BALCAO_DB`` names one (``saved_location``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

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

from app.credentials import complete, save_password, split_password, without_password
from app.errors import KnownError
from app.i18n import _
from app.store.database import (
    LOCATION_VARIABLE,
    connect_database,
    default_location,
    describe_location,
    execute_sql,
    is_sqlite,
)
from app.store.errors import DatabaseOpenError
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
#: A server that does not answer must not freeze the window for minutes.
CONNECT_TIMEOUT_SECONDS = 5
_POSTGRES_SCHEMES = ("postgresql", "postgres")


def saved_location(settings: QSettings) -> str | None:
    """The database chosen in the settings for the next start, if any (without its password)."""
    value = settings.value(LOCATION_KEY)
    text = "" if value is None else str(value).strip()
    return without_password(text) or None


@dataclass(frozen=True)
class Probe:
    """What testing a location found: whether it can be used, and a sentence saying so."""

    ok: bool
    message: str


def _with_timeout(location: str) -> str:
    try:
        parsed = urlparse(location)
    except ValueError:  # "[::1": connect_database says what is wrong with it
        return location
    if parsed.scheme not in _POSTGRES_SCHEMES:
        return location
    query = parse_qsl(parsed.query, keep_blank_values=True)
    if any(key == "connect_timeout" for key, _value in query):
        return location
    query.append(("connect_timeout", str(CONNECT_TIMEOUT_SECONDS)))
    return urlunparse(parsed._replace(query=urlencode(query)))


def _sqlite_file_problem(path: Path, shown: str) -> Probe | None:
    """The answer for a SQLite location that is not an existing file; None for a file to open."""
    if str(path) == ":memory:":
        return Probe(False, _("A database in memory is lost when Balcão closes: give a file."))
    if path.exists():
        return None
    if not os.access(path.parent, os.W_OK):
        return Probe(
            False,
            _("Balcão cannot create files in the folder {folder}.").format(folder=path.parent),
        )
    return Probe(
        True,
        _(
            "There is no database at {location} yet: Balcão will create an empty one "
            "there at the next start."
        ).format(location=shown),
    )


def probe_location(location: str) -> Probe:
    """Connects to ``location`` on a connection of its own, runs a trivial query and closes it:
    the database in use stays open and bound. A SQLite file that does not exist yet is not
    created: the folder only must let Balcão create it at the next start."""
    # An address typed without its password (as the settings show it) uses the one kept for it.
    typed = complete(location.strip())
    if not typed:
        return Probe(False, _("Write the path of a database file or a postgresql:// address."))
    shown = describe_location(typed)
    try:
        candidate = connect_database(_with_timeout(typed))
    except DatabaseOpenError as error:
        return Probe(False, str(error))
    if is_sqlite(candidate):
        refused = _sqlite_file_problem(Path(str(candidate.database)), shown)
        if refused is not None:
            return refused
    try:
        candidate.connect()
        execute_sql("SELECT 1", database=candidate)
    except KnownError as error:  # unreachable, damaged, busy…: already in the user's words
        return Probe(False, str(error))
    except Exception as error:  # peewee's and the drivers' own classes; ui imports neither
        return Probe(
            False,
            _("Cannot connect to {location}: {detail}").format(
                location=shown, detail=" ".join(str(error).split())
            ),
        )
    finally:
        candidate.close()
    return Probe(True, _("Connected to {location}.").format(location=shown))


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
            op(self, lambda: probe_location(typed))
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
        address, password = split_password(self.location.text().strip())
        kept = ""
        if password is not None:
            if save_password(address, password):
                kept = " " + _("Its password is kept in the system keyring.")
            else:
                kept = " " + _(
                    "This computer has no keyring: Balcão will ask for the password at the "
                    "next start."
                )
        self._settings.setValue(LOCATION_KEY, address)  # never the password
        self._settings.sync()
        self.reload()
        self.location.setText(address)
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
