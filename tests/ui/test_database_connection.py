"""A window left open through a PostgreSQL restart comes back by itself; a read-only file opens
read-only and says so.

The server is the test's own (``.ci/postgres`` on a new folder and port), really stopped and
started; the window's polls are called by the test, as the timer would.
"""

from __future__ import annotations

import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.services import customers
from app.services.changes import Changes, Topic
from app.services.context import Desk
from app.store.database import close_database, open_database
from app.store.models import Customer, Technician
from tests.services.conftest import MONDAY_10H
from tests.store.pg_cluster import Cluster, own_cluster
from ui.app import build_window
from ui.context import UiContext
from ui.main_window import POLL_MAX_MS, POLL_MS, MainWindow

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

CLOCK = ManualClock(MONDAY_10H)
NO_CONNECTION = "Sem ligação à base de dados — a tentar de novo…"


def _window(qtbot: QtBot, tmp_path: Path, location: str) -> tuple[MainWindow, Desk]:
    open_database(location, clock=CLOCK)
    technician = Technician.get_or_none() or Technician.create(
        name="Rui", is_admin=True, created_at=MONDAY_10H
    )
    desk = Desk(CLOCK, technician.id)
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    window = build_window(UiContext(desk), technician_name="Rui", settings=settings)
    qtbot.addWidget(window)
    window.show()
    return window, desk


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with own_cluster() as started:
        yield started
    close_database()


@pytest.mark.slow
def test_the_window_says_the_database_is_gone_and_comes_back_by_itself(
    qtbot: QtBot,
    tmp_path: Path,
    cluster: Cluster,
    capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    window, desk = _window(qtbot, tmp_path, cluster.url)
    customers.create_customer(desk, name="Antes")
    window.poll()
    assert window.database_banner.isHidden()
    capfd.readouterr()

    cluster.stop()
    intervals = []
    with caplog.at_level(logging.INFO, logger="ui.context"):
        for _attempt in range(7):
            window.poll()
            intervals.append(window.poll_interval)
        window.sweep()  # skipped while the database is gone; no error either
    assert window.database_banner.isVisible()
    assert window.database_banner.text.text() == NO_CONNECTION
    assert intervals == [6_000, 12_000, 24_000, 48_000, POLL_MAX_MS, POLL_MAX_MS, POLL_MAX_MS]
    outage_lines = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(outage_lines) == 1  # once for the whole outage
    assert outage_lines[0].exc_info is None  # and no traceback: it is not a bug
    assert capfd.readouterr().err == ""

    cluster.start()
    caplog.clear()
    with qtbot.waitSignal(window.context.changed) as announced:
        window.poll()
    assert window.database_banner.isHidden()
    assert window.poll_interval == POLL_MS
    assert announced.args == [Changes(frozenset(Topic))]  # every view reloads what it missed
    customers.create_customer(desk, name="Depois")  # the same desk, no restart
    assert [c.name for c in Customer.select().order_by(Customer.id)] == ["Antes", "Depois"]
    assert capfd.readouterr().err == ""
    window.close()


def test_a_read_only_file_opens_a_window_that_says_so(qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "balcao.sqlite"
    open_database(str(path), clock=CLOCK)
    Technician.create(name="Rui", is_admin=True, created_at=MONDAY_10H)
    close_database()
    mounted = subprocess.run(
        ["mount", "--bind", str(path), str(path)], capture_output=True, text=True, check=False
    )
    if mounted.returncode != 0:
        pytest.skip(f"this machine does not let the tests mount ({mounted.stderr.strip()})")
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(path)], check=True)
        window, _desk = _window(qtbot, tmp_path, str(path))
        assert window.read_only_label.isVisible()
        assert window.read_only_label.text() == "Só de leitura"
        assert window.database_banner.isVisible()
        assert "só pode ser lida" in window.database_banner.text.text()
        window.close()
    finally:
        close_database()
        subprocess.run(["umount", "-l", str(path)], capture_output=True, check=False)
