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
from app.services import sessions
from app.services.contacts import record_first_response, register_contact
from app.services.context import Desk
from app.services.customers import create_customer
from app.store.models import Technician
from ui.app import build_window
from ui.context import UiContext
from ui.main_window import MainWindow
from ui.views.queue.model import QueueColumn
from ui.views.sessions import quitting

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


def _as_the_desktop_shows_it(title: str) -> str:
    """Qt adds the application's display name to a title that does not end with it."""
    return title if title.endswith("Balcão") else f"{title} — Balcão"


def test_the_title_names_the_view_and_says_balcao_once(window: MainWindow) -> None:
    """Point 13: "Balcão — Balcão" was the title; now the view, the database, the program."""
    window.set_database("/home/ana/balcao.sqlite")
    shown = _as_the_desktop_shows_it(window.windowTitle())
    assert shown == "Contactos — /home/ana/balcao.sqlite — Balcão"
    window.show_view(1)
    shown = _as_the_desktop_shows_it(window.windowTitle())
    assert shown.startswith("Clientes — ") and shown.count("Balcão") == 1


def test_the_status_bar_shows_the_timer_as_an_icon_not_a_glyph(
    window: MainWindow, desk: Desk
) -> None:
    """Point 7: ⏱ and ⏸ showed as empty boxes where no font carries them."""
    customer = create_customer(desk, name="Padaria Central", plan=Plan.STANDARD).customer
    started = sessions.start_session(desk, customer_id=customer.id)
    window.poll()
    window.tick()
    assert window.timer_icon.isVisible() and not window.timer_icon.pixmap().isNull()
    assert window.timer_icon.property("state") == "running"
    assert not any(glyph in window.timer_label.text() for glyph in "⏱⏸")
    assert window.timer_label.text().startswith("Padaria Central")
    sessions.pause_session(desk, started.id, started.version)
    window.poll()
    window.tick()
    assert window.timer_icon.property("state") == "paused"
    assert not any(glyph in window.timer_label.text() for glyph in "⏱⏸")


@pytest.mark.parametrize(
    ("choice", "closed", "still_running"),
    [
        (quitting.QuitChoice.KEEP, True, True),
        (quitting.QuitChoice.STOP, True, False),
        (quitting.QuitChoice.CANCEL, False, True),
    ],
)
def test_quitting_with_a_timer_running_asks(
    monkeypatch: pytest.MonkeyPatch,
    window: MainWindow,
    desk: Desk,
    *,
    choice: quitting.QuitChoice,
    closed: bool,
    still_running: bool,
) -> None:
    """Point 3: keep it running (it counts on in the database), stop and bill it, or stay."""
    customer = create_customer(desk, name="Padaria Central", plan=Plan.STANDARD).customer
    sessions.start_session(desk, customer_id=customer.id)
    window.poll()
    asked: list[str] = []

    def answer(_parent: object, customer: str, _elapsed: object) -> quitting.QuitChoice:
        asked.append(customer)
        return choice

    monkeypatch.setattr(quitting, "ask_about_running_timer", answer)
    assert window.close() is closed
    assert asked == ["Padaria Central"]
    assert (sessions.running_session(desk.technician_id or 0) is not None) is still_running


def test_quitting_without_a_timer_asks_nothing(
    monkeypatch: pytest.MonkeyPatch, window: MainWindow
) -> None:
    monkeypatch.setattr(quitting, "ask_about_running_timer", pytest.fail)
    assert window.close()


def test_customers_sort_by_the_portuguese_collation(window: MainWindow, desk: Desk) -> None:
    """Point 8: "Ótica Visão Clara" sorted after "Transportes…" (by code point)."""
    for name in ("Transportes Costa, Lda.", "Ótica Visão Clara", "Oficina Auto", "Zé Cafés"):
        create_customer(desk, name=name, plan=Plan.STANDARD)
    window.show_view(1)
    customers = window.view_named("customers")
    customers.run_search()  # type: ignore[attr-defined]
    proxy = customers.proxy  # type: ignore[attr-defined]
    names = [proxy.index(row, 0).data() for row in range(proxy.rowCount())]
    assert names == ["Oficina Auto", "Ótica Visão Clara", "Transportes Costa, Lda.", "Zé Cafés"]
