"""The PostgreSQL password in the window (issue 9, part 6): never in the computer's settings nor
in the log; in the keyring, or asked for where there is none."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app import credentials
from app.clock import ManualClock
from app.credentials import with_password
from app.services import database as databases
from app.services.database import Probe
from app.store.errors import DatabaseOpenError
from tests.keyrings import MemoryKeyring, memory_keyring, no_keyring
from ui import passwords
from ui.passwords import scrub_settings
from ui.technician_dialog import remember_technician
from ui.views.settings.database import LOCATION_KEY, DatabasePage, saved_location

__all__ = ["memory_keyring", "no_keyring"]

PASSWORD = "Pw4Balcao9x"  # plain letters and digits: the file would show it as it is
ADDRESS = "postgresql://ana@db.example.pt:5432/balcao"
WITH_PASSWORD = with_password(ADDRESS, PASSWORD)
CLOCK = ManualClock(datetime(2025, 3, 3, tzinfo=UTC))


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    """The computer's settings, in a folder of the test's own."""
    folder = tmp_path / "config" / "Balcao"
    folder.mkdir(parents=True)
    return QSettings(str(folder / "balcao.conf"), QSettings.Format.IniFormat)


@pytest.fixture
def log_folder(tmp_path: Path) -> Iterator[Path]:
    """Everything logged, down to DEBUG, into a log file as the program's would be."""
    folder = tmp_path / "log"
    folder.mkdir()
    handler = logging.FileHandler(folder / "balcao.log", encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield folder
    root.removeHandler(handler)
    root.setLevel(level)
    handler.close()


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every address tests well (no server is needed to see where the password goes)."""
    monkeypatch.setattr(databases, "probe_location", lambda location: Probe(True, "Ligado."))


def contents(folder: Path) -> str:
    return "\n".join(
        path.read_text(encoding="utf-8", errors="replace")
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    )


def test_old_settings_lose_their_passwords(
    qsettings: QSettings, memory_keyring: MemoryKeyring
) -> None:
    # What an older Balcão wrote: the address with its password, and the technician's key.
    qsettings.setValue(LOCATION_KEY, WITH_PASSWORD)
    qsettings.setValue(f"desks/{WITH_PASSWORD}/technician", 7)
    qsettings.setValue(f"desks/{ADDRESS}?password={PASSWORD}&sslmode=require/technician", 8)
    qsettings.setValue("desks//home/ana/balcao.sqlite/technician", 3)
    qsettings.sync()
    assert PASSWORD in Path(qsettings.fileName()).read_text()  # the test can fail

    assert scrub_settings(qsettings) == 3
    assert PASSWORD not in Path(qsettings.fileName()).read_text()
    assert saved_location(qsettings) == ADDRESS
    assert memory_keyring.passwords == {(credentials.SERVICE, ADDRESS): PASSWORD}
    # The technicians stay remembered, under the password-free address.
    assert qsettings.value(f"desks/{ADDRESS}/technician") == 7
    assert qsettings.value(f"desks/{ADDRESS}?sslmode=require/technician") == 8
    assert qsettings.value("desks//home/ana/balcao.sqlite/technician") == 3
    assert scrub_settings(qsettings) == 0  # once is enough


def test_the_technician_key_has_no_password(qsettings: QSettings) -> None:
    remember_technician(qsettings, WITH_PASSWORD, 5)
    qsettings.sync()
    assert qsettings.allKeys() == ["desks/postgresql:/ana@db.example.pt:5432/balcao/technician"]
    assert PASSWORD not in Path(qsettings.fileName()).read_text()


def test_a_saved_address_keeps_its_password_in_the_keyring(
    qtbot: QtBot, qsettings: QSettings, memory_keyring: MemoryKeyring, connects: None
) -> None:
    page = DatabasePage(qsettings, "/home/ana/balcao.sqlite")
    qtbot.addWidget(page)
    page.location.setText(WITH_PASSWORD)
    page.save()  # the test may run in the background: waited for
    qtbot.waitUntil(lambda: qsettings.value(LOCATION_KEY) == ADDRESS)
    assert memoryless_password(ADDRESS) == PASSWORD
    assert page.location.text() == ADDRESS  # not left on the screen either
    assert "keyring" in page.result.text() or "porta-chaves" in page.result.text()


def memoryless_password(address: str) -> str | None:
    """The password a new process would find."""
    credentials._memory.clear()
    return credentials.saved_password(address)


def test_without_a_keyring_a_saved_address_is_asked_for_at_the_next_start(
    qtbot: QtBot, qsettings: QSettings, no_keyring: None, connects: None
) -> None:
    page = DatabasePage(qsettings, "/home/ana/balcao.sqlite")
    qtbot.addWidget(page)
    page.location.setText(WITH_PASSWORD)
    page.save()  # the test may run in the background: waited for
    qtbot.waitUntil(lambda: qsettings.value(LOCATION_KEY) == ADDRESS)
    assert credentials.saved_password(ADDRESS) == PASSWORD  # this process may use it
    assert memoryless_password(ADDRESS) is None  # the next one asks


@pytest.mark.usefixtures("no_keyring", "connects")
def test_the_password_is_in_no_file_balcao_writes(
    qtbot: QtBot, qsettings: QSettings, log_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settings file and the log, grepped after a whole round: an old settings file, the
    start (asked for the password), the technician remembered, the address saved again."""
    from app.store import database

    def server(location: str, *, clock: Any) -> None:
        _address, password = credentials.split_password(location)
        logging.getLogger("app.store.database").info(
            "opening %s", database.describe_location(location)
        )
        if password != PASSWORD:
            raise DatabaseOpenError("fe_sendauth: no password supplied")

    monkeypatch.setattr(database, "open_database", server)
    qsettings.setValue(LOCATION_KEY, WITH_PASSWORD)
    qsettings.setValue(f"desks/{WITH_PASSWORD}/technician", 7)
    qsettings.sync()

    scrub_settings(qsettings)
    credentials._memory.clear()  # a new start, with no keyring: the password is asked for
    chosen = saved_location(qsettings)
    assert chosen == ADDRESS
    opened = credentials.open_with_password(chosen, clock=CLOCK, ask=lambda a, r: PASSWORD)
    remember_technician(qsettings, opened, 7)
    page = DatabasePage(qsettings, opened)
    qtbot.addWidget(page)
    page.location.setText(opened)
    page.save()
    qtbot.waitUntil(lambda: page.location.text() == ADDRESS)  # saved, password taken out
    qsettings.sync()

    assert PASSWORD not in Path(qsettings.fileName()).read_text()
    logged = contents(log_folder)
    assert "opening" in logged  # the log was written
    assert PASSWORD not in logged


def test_the_password_dialog_gives_up_without_a_screen() -> None:
    assert passwords.asker()(ADDRESS, "no password supplied") is None


@pytest.mark.parametrize(
    ("typed", "accept", "expected"), [("segredo", True, "segredo"), ("x", False, None)]
)
def test_the_password_dialog_returns_what_was_typed(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch, typed: str, accept: bool, expected: str | None
) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit

    monkeypatch.setattr(QGuiApplication, "platformName", staticmethod(lambda: "xcb"))

    def answer() -> None:
        dialogs = [
            w
            for w in QApplication.topLevelWidgets()
            if isinstance(w, QInputDialog) and w.isVisible()
        ]
        for dialog in dialogs:  # never left open, whatever is checked below
            seen.append(dialog.labelText())
            modes.append(dialog.textEchoMode())
            dialog.setTextValue(typed)
            dialog.accept() if accept else dialog.reject()

    seen: list[str] = []
    modes: list[QLineEdit.EchoMode] = []
    QTimer.singleShot(0, answer)
    assert passwords.asker()(ADDRESS, "fe_sendauth: no password supplied") == expected
    assert modes == [QLineEdit.EchoMode.Password]
    assert ADDRESS in seen[0] and "no password supplied" in seen[0]
