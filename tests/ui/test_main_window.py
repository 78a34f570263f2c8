"""The whole window: its views in Portuguese, navigation between records, the timer from the
queue, what another desk records showing up at the next poll, and what it remembers."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

import ui.app
import ui.operations
from app.clock import ManualClock
from app.domain.sla import Channel, Plan
from app.services import compensation, sessions
from app.services.changes import Changes, Topic
from app.services.contacts import register_contact
from app.services.context import Desk
from app.services.customers import create_customer
from app.store.models import Technician
from ui.app import build_window
from ui.context import UiContext
from ui.main_window import MainWindow
from ui.operations import op

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


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
    yield built
    built.close()


def test_views_are_in_portuguese_and_the_status_bar_names_the_technician(
    window: MainWindow, technician: Technician
) -> None:
    titles = [window.navigation.item(row).text() for row in range(window.navigation.count())]
    assert titles == [
        "Contactos",
        "Clientes",
        "Sessões",
        "Packs",
        "Faturas",
        "Relatórios",
        "Definições",
    ]
    assert window.technician_label.text() == f"Técnico: {technician.name}"
    assert window.timer_label.text() == "Nenhum cronómetro a decorrer"
    menus = [action.text().replace("&", "") for action in window.menuBar().actions()]
    assert menus[0] == "Programa" and "Ajuda" in menus


def test_a_record_link_switches_to_its_view(window: MainWindow, desk: Desk) -> None:
    customer = create_customer(desk, name="Padaria Lusitana", plan=Plan.STANDARD).customer
    window.context.show_record.emit("customer", customer.id)
    assert window.current_view().objectName() == "customers"


def test_another_desks_contact_shows_at_the_next_poll(
    window: MainWindow, desk: Desk, clock: ManualClock, admin: Technician
) -> None:
    create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"])
    queue = window.view_named("contacts")
    window.show_view(0)
    before = queue.model.rowCount()  # type: ignore[attr-defined]
    other_desk = Desk(clock, admin.id)
    register_contact(other_desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject="Sem email")
    window.poll()
    assert queue.model.rowCount() == before + 1  # type: ignore[attr-defined]


def test_the_queue_starts_the_timer_for_the_selected_contact(
    window: MainWindow, desk: Desk
) -> None:
    create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"])
    register_contact(desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject="Impressora")
    window.poll()
    queue = window.view_named("contacts")
    window.show_view(0)
    queue.table.selectRow(0)  # type: ignore[attr-defined]
    queue.session_action.trigger()  # type: ignore[attr-defined]
    running = sessions.running_session(desk.technician_id or 0)
    assert running is not None and running.contact_subject == "Impressora"
    assert window.current_view().objectName() == "sessions"


def test_the_window_remembers_its_size_and_last_view(
    qtbot: QtBot, context: UiContext, settings: QSettings, technician: Technician
) -> None:
    first = build_window(context, technician_name=technician.name, settings=settings)
    qtbot.addWidget(first)
    first.resize(1000, 640)
    first.show()
    first.show_view(3)
    size = first.size()
    first.close()
    second = build_window(context, technician_name=technician.name, settings=settings)
    qtbot.addWidget(second)
    assert second.current_view().objectName() == "packs"
    # The offscreen screen is small: the size is whatever fits there, but the same one again.
    assert second.size() == size


def test_p17_the_minute_sweep_runs_in_the_background_and_the_views_follow(
    qtbot: QtBot, window: MainWindow, desk: Desk, clock: ManualClock, context: UiContext
) -> None:
    customer = create_customer(
        desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"]
    ).customer
    register_contact(desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject="Impressora")
    window.poll()
    clock.advance(timedelta(days=2))  # the next business day's close has passed (P5)
    announced: list[Changes] = []
    context.changed.connect(announced.append)

    window.sweep()  # returns at once: the sweep runs on the pool

    qtbot.waitUntil(lambda: any(Topic.PACKS in changes for changes in announced))
    assert len(compensation.grants_of_customer(customer.id)) == 1


def test_start_ups_objects_are_frozen_once_the_background_reads_end(
    qtbot: QtBot, context: UiContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read still under way at start (the rest of a long queue) is frozen with the rest:
    rows left to the cycle collector made a full collection stall a keystroke 35–47 ms."""
    monkeypatch.setattr(ui.app, "run_sweeps", lambda _desk, *, thorough=False: Changes())
    monkeypatch.setattr(ui.app, "FREEZE_RETRY_MS", 10)
    frozen: list[int] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(ui.operations.running()))
    release = threading.Event()
    reading = QWidget()
    op(reading, lambda: release.wait(10)).in_background("a long read").run()
    ui.app.finish_starting(context, ui.app.Sweeper(context))
    qtbot.wait(200)  # the sweep ended long ago; the read has not
    assert frozen == []
    release.set()
    qtbot.waitUntil(lambda: frozen == [0])


def test_the_start_sweep_is_thorough_and_never_runs_twice_at_once(
    qtbot: QtBot, context: UiContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    release = threading.Event()
    calls: list[bool] = []

    def slow_sweep(_desk: Desk, *, thorough: bool = False) -> Changes:
        calls.append(thorough)
        release.wait(10)
        return Changes()

    monkeypatch.setattr(ui.app, "run_sweeps", slow_sweep)
    sweeper = ui.app.Sweeper(context)
    ui.app.finish_starting(context, sweeper)
    qtbot.waitUntil(lambda: calls == [True])
    assert sweeper.running is not None
    sweeper.minute()  # the minute timer while the start sweep still runs: skipped
    release.set()
    qtbot.waitUntil(lambda: sweeper.running is None)
    assert calls == [True]
