"""Fixtures for the window's tests: the services' test database and desk, and a UiContext."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TypeVar

import pytest
from pytestqt.qtbot import QtBot

from app.services.context import Desk
from tests.services.conftest import (  # noqa: F401 - fixtures, used by name
    MONDAY_10H,
    admin,
    admin_desk,
    clock,
    database,
    db_location,
    desk,
    nothing_written,
    technician,
)
from ui import crash, operations
from ui.context import UiContext
from ui.operations import Operation

T = TypeVar("T")


@pytest.fixture
def context(desk: Desk) -> UiContext:  # noqa: F811 - the fixture imported above, by name
    return UiContext(desk)


@pytest.fixture(autouse=True)
def save_settings(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The save dialogs remember their folder in a settings file of the test's own, not in the
    user's (``ui.feedback``)."""
    from PySide6.QtCore import QSettings

    from ui import feedback

    path = tmp_path_factory.mktemp("settings") / "balcao.ini"
    monkeypatch.setattr(
        feedback, "_settings", lambda: QSettings(str(path), QSettings.Format.IniFormat)
    )
    return path


@pytest.fixture(autouse=True)
def quit_keeps_the_timer(monkeypatch: pytest.MonkeyPatch) -> None:
    """A window closed by a test with a timer running would ask (a modal box, waiting for no
    one): it keeps the timer, as the first answer does. Tests of the question set their own."""
    from ui.views.sessions import quitting

    monkeypatch.setattr(
        quitting, "ask_about_running_timer", lambda *_args: quitting.QuitChoice.KEEP
    )


@pytest.fixture(autouse=True)
def bugs(qtbot: QtBot) -> Iterator[list[BaseException]]:
    """The bugs the window reported (``ui.crash.report_bug``): a test that expects one takes it
    out of this list; any left at the end fail the test, as the exception would have. Also waits
    for background operations, so that none outlives the test's database."""
    reported: list[BaseException] = []
    crash.observers.append(reported.append)
    try:
        yield reported
        qtbot.waitUntil(lambda: operations.running() == 0, timeout=10_000)
    finally:
        crash.observers.remove(reported.append)
        dialog = crash.open_dialog()
        if dialog is not None:
            dialog.close()
    if reported:
        raise AssertionError("unexpected error in the window") from reported[0]


def finish(qtbot: QtBot, operation: Operation[T] | None) -> T | None:
    """Waits for a background operation to deliver; its result (None when it failed)."""
    assert operation is not None
    results: list[T] = []
    operation.success(results.append)
    qtbot.waitUntil(lambda: operation.finished, timeout=10_000)
    return results[0] if results else None
