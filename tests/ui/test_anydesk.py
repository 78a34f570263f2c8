"""Remote sessions: ``anydesk ADDRESS`` launched with the timer, and the question when it ends.

AnyDesk itself is replaced by ``fake_anydesk.py`` behind a small shell script (the settings'
``anydesk_path``): it records its arguments and exits when its standard input closes.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.domain import states
from app.domain.sla import Plan
from app.i18n import _
from app.services import customers, sessions
from app.services import settings as company
from app.services.context import Desk
from tests.ui import fake_anydesk
from ui.anydesk import AnyDeskError, RemoteSession, anydesk_program
from ui.context import UiContext
from ui.views.sessions.view import SessionsView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ADDRESS = "123 456 789"
#: Long enough for a process to start and write a file on a loaded machine; no test sleeps.
PROCESS_TIMEOUT_MS = 10_000


@pytest.fixture
def program(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An executable stand-in for ``anydesk`` whose arguments land in ``record``."""
    script = tmp_path / "anydesk"
    script.write_text(
        f'#!/bin/sh\nexec "{sys.executable}" "{Path(fake_anydesk.__file__)}" "$@"\n',
        encoding="utf-8",
    )
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv(fake_anydesk.RECORD_ENV, str(tmp_path / "record.txt"))
    return script


def record(program: Path) -> Path:
    return program.parent / "record.txt"


def set_anydesk_path(admin_desk: Desk, path: str) -> None:
    company.update_settings(admin_desk, company.settings().version, anydesk_path=path)


@pytest.fixture
def remote_customer(desk: Desk) -> int:
    return customers.create_customer(
        desk, name="Farmácia Central", plan=Plan.STANDARD, anydesk=ADDRESS
    ).customer.id


@pytest.fixture
def view(qtbot: QtBot, context: UiContext, remote_customer: int) -> Iterator[SessionsView]:
    shown = SessionsView(context)
    qtbot.addWidget(shown)
    shown.resize(1186, 700)
    shown.show()
    yield shown
    for remote in list(shown.timer.remotes):  # never leave a process behind
        if remote.running():
            remote.process.kill()
            remote.process.waitForFinished(PROCESS_TIMEOUT_MS)


def choose(view: SessionsView, customer_id: int) -> None:
    view.timer.chooser.set_customer(customer_id)
    assert view.timer.chooser.customer_id() == customer_id


def answer(monkeypatch: pytest.MonkeyPatch, reply: QMessageBox.StandardButton) -> list[str]:
    asked: list[str] = []

    def question(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return reply

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def end_remote(qtbot: QtBot, remote: RemoteSession) -> None:
    """Tells the stand-in to exit, as a technician closing AnyDesk would."""
    with qtbot.waitSignal(remote.ended, timeout=PROCESS_TIMEOUT_MS):
        remote.process.closeWriteChannel()


def the_remote(view: SessionsView) -> RemoteSession:
    [remote] = view.timer.remotes
    return remote


# --- finding the program --------------------------------------------------------------------------


def test_the_path_in_the_settings_wins(*, program: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: "/usr/bin/anydesk")
    assert anydesk_program(str(program)) == str(program)
    assert anydesk_program("") == "/usr/bin/anydesk"


def test_a_missing_program_is_explained(*, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)
    with pytest.raises(AnyDeskError) as nowhere:
        anydesk_program("")
    assert "AnyDesk" in str(nowhere.value)
    missing = tmp_path / "no-such-anydesk"
    with pytest.raises(AnyDeskError) as wrong_path:
        anydesk_program(str(missing))
    assert str(missing) in str(wrong_path.value)
    not_executable = tmp_path / "anydesk.txt"
    not_executable.write_text("", encoding="utf-8")
    with pytest.raises(AnyDeskError):
        anydesk_program(str(not_executable))


# --- the remote session ---------------------------------------------------------------------------


def test_remote_session_launches_anydesk_and_times_it(
    *,
    qtbot: QtBot,
    view: SessionsView,
    context: UiContext,
    program: Path,
    desk: Desk,
    admin_desk: Desk,
    remote_customer: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_anydesk_path(admin_desk, str(program))
    choose(view, remote_customer)
    assert view.timer.remote_button.isEnabled()
    qtbot.mouseClick(view.timer.remote_button, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(record(program).exists, timeout=PROCESS_TIMEOUT_MS)
    assert record(program).read_text(encoding="utf-8").splitlines() == [ADDRESS]
    assert desk.technician_id is not None
    started = sessions.running_session(desk.technician_id)
    assert started is not None and started.customer_id == remote_customer
    remote = the_remote(view)
    assert view.timer.remotes[remote] == started.id

    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    end_remote(qtbot, remote)
    assert asked == [_("The AnyDesk session has ended. Stop the timer?")]
    assert sessions.session(started.id).state is states.SessionState.STOPPED
    assert sessions.running_session(desk.technician_id) is None
    assert view.timer.remotes == {}
    assert "Farmácia Central" in view.summary.text.text()


def test_answering_no_keeps_the_timer_running(
    *,
    qtbot: QtBot,
    view: SessionsView,
    program: Path,
    desk: Desk,
    admin_desk: Desk,
    remote_customer: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_anydesk_path(admin_desk, str(program))
    choose(view, remote_customer)
    started = view.timer.start_remote()
    assert started is not None
    asked = answer(monkeypatch, QMessageBox.StandardButton.No)
    end_remote(qtbot, the_remote(view))
    assert len(asked) == 1
    assert sessions.session(started.id).state is states.SessionState.RUNNING


def test_remote_session_joins_the_running_timer(
    *,
    qtbot: QtBot,
    view: SessionsView,
    program: Path,
    desk: Desk,
    admin_desk: Desk,
    remote_customer: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A session started from the queue, then a remote connection: one session, not two."""
    set_anydesk_path(admin_desk, str(program))
    started = view.start_for_customer(remote_customer)
    assert started is not None
    assert view.timer.remote_button.isEnabled()
    assert view.timer.start_remote() == started
    qtbot.waitUntil(record(program).exists, timeout=PROCESS_TIMEOUT_MS)
    # Stopped by hand before AnyDesk ends: nothing to ask then.
    view.timer.stop()
    asked = answer(monkeypatch, QMessageBox.StandardButton.Yes)
    end_remote(qtbot, the_remote(view))
    assert asked == []


def test_a_missing_anydesk_starts_nothing(
    *,
    qtbot: QtBot,
    view: SessionsView,
    desk: Desk,
    admin_desk: Desk,
    tmp_path: Path,
    remote_customer: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_anydesk_path(admin_desk, str(tmp_path / "nowhere" / "anydesk"))
    view.reload()
    shown: list[str] = []

    def warning(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    choose(view, remote_customer)
    qtbot.mouseClick(view.timer.remote_button, Qt.MouseButton.LeftButton)
    assert len(shown) == 1 and "nowhere" in shown[0]
    assert desk.technician_id is not None
    assert sessions.running_session(desk.technician_id) is None
    assert view.timer.remotes == {}


def test_remote_session_needs_an_address(
    *, qtbot: QtBot, view: SessionsView, desk: Desk, remote_customer: int
) -> None:
    other = customers.create_customer(desk, name="Talho Moderno").customer.id
    view.reload()
    choose(view, other)
    assert not view.timer.remote_button.isEnabled()
    choose(view, remote_customer)
    assert view.timer.remote_button.isEnabled()
    assert ADDRESS in view.timer.remote_button.toolTip()
