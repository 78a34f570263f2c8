"""Issue 15, the desk's rough edges: the banner counts down with the queue, the title says
"Balcão" once, the status bar's timer shows an icon, quitting with a timer running asks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.domain.sla import Channel, Plan
from app.services.contacts import record_first_response, register_contact
from app.services.context import Desk
from app.services.customers import create_customer
from app.store.models import Technician
from ui.app import build_window
from ui.context import UiContext
from ui.main_window import MainWindow
from ui.views.queue.model import QueueColumn

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def window(
    qtbot: QtBot, context: UiContext, settings: QSettings, technician: Technician
) -> Iterator[MainWindow]:
    built = build_window(context, technician_name=technician.name, settings=settings)
    qtbot.addWidget(built)
    built.show()
    built.show_view(0)
    yield built
    built.close()


def _tick(window: MainWindow, clock: ManualClock, to: datetime) -> None:
    clock.set(to)
    window.tick()


def _queue_countdown(window: MainWindow) -> str:
    queue = window.view_named("contacts")
    return str(queue.proxy.index(0, QueueColumn.TIME_LEFT).data())  # type: ignore[attr-defined]


def test_the_banner_counts_down_with_the_queue(
    window: MainWindow, desk: Desk, clock: ManualClock
) -> None:
    """Point 1: on the 5-minute line of P7 the warning comes a minute before; from then on
    the banner says what the queue says, second by second, in the same words."""
    create_customer(desk, name="Transportes Costa", plan=Plan.PRIORITY_24_7, phones=["912345678"])
    register_contact(desk, channel=Channel.PRIORITY_PHONE, sender="912 345 678", subject="Servidor")
    window.poll()  # received 10:00, due 10:05
    _tick(window, clock, at(10, 10, 4))
    assert window.banner.isVisible()
    first = window.banner.text.text()
    assert _queue_countdown(window) in first
    _tick(window, clock, at(10, 10, 4, 22))
    countdown = _queue_countdown(window)
    assert "38" in countdown  # 0 min 38 s left
    assert countdown in window.banner.text.text()
    assert window.banner.text.text() != first


def test_the_banner_leaves_once_the_contact_is_answered(
    window: MainWindow, desk: Desk, clock: ManualClock
) -> None:
    create_customer(desk, name="Transportes Costa", plan=Plan.PRIORITY_24_7, phones=["912345678"])
    saved = register_contact(
        desk, channel=Channel.PRIORITY_PHONE, sender="912 345 678", subject="Servidor"
    ).contact
    window.poll()
    _tick(window, clock, at(10, 10, 4))
    assert window.banner.isVisible()
    record_first_response(desk, saved.id, saved.version)
    window.poll()
    _tick(window, clock, at(10, 10, 4, 5))
    assert not window.banner.isVisible()


def test_a_dismissed_banner_stays_dismissed(
    window: MainWindow, desk: Desk, clock: ManualClock
) -> None:
    create_customer(desk, name="Transportes Costa", plan=Plan.PRIORITY_24_7, phones=["912345678"])
    register_contact(desk, channel=Channel.PRIORITY_PHONE, sender="912 345 678", subject="Servidor")
    window.poll()
    _tick(window, clock, at(10, 10, 4))
    window.banner.dismiss()
    _tick(window, clock, at(10, 10, 4, 10))
    assert not window.banner.isVisible()
