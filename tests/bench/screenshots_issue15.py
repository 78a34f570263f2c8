"""Screenshots of issue 15's desk points (1, 2, 3, 7, 13) on a real X display.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/bench/screenshots_issue15.py OUT

Builds a new database in OUT: a 24/7 customer whose priority call came 4 min 20 s ago (its
5-minute deadline is a minute away: the banner warns), a running session, and saves:
1-banner-a.png and 1-banner-b.png (3 s apart: the banner counts down with the queue),
2-undo.png (the bar after Responder), 3-quit.png (the question when quitting with a timer),
7-status.png (the status bar's timer icon), 13-technician-new.png and 13-technician-pick.png
(the desk's dialog, on an empty and a peopled database); the window titles go to stdout.
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from app.clock import SystemClock
from app.domain.sla import Channel, Plan
from app.i18n import set_language
from app.services import sessions
from app.services import settings as company
from app.services.contacts import register_contact
from app.services.context import Desk
from app.services.customers import create_customer
from app.store.database import open_database
from ui.app import application, build_window
from ui.context import UiContext
from ui.technician_dialog import TechnicianDialog


def _grab(path: Path, widget: QWidget | None = None) -> None:
    QTest.qWait(400)
    screen = QGuiApplication.primaryScreen()
    if widget is None:
        screen.grabWindow(0).save(str(path))
    else:
        widget.grab().save(str(path))


def _dialog_shot(dialog: TechnicianDialog, path: Path) -> None:
    dialog.show()
    _grab(path, dialog)
    print(f"{path.name}: title {dialog.windowTitle()!r}")
    dialog.close()


def main(folder: str) -> None:
    set_language("pt_PT")
    qt = application()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    clock = SystemClock()
    open_database(str(out / "issue15.sqlite"), clock=clock)
    _dialog_shot(TechnicianDialog(clock), out / "13-technician-new.png")
    admin = company.add_first_administrator(clock, name="Marta Silva").technician
    _dialog_shot(TechnicianDialog(clock), out / "13-technician-pick.png")

    desk = Desk(clock, admin.id)
    create_customer(
        desk, name="Transportes Costa, Lda.", plan=Plan.PRIORITY_24_7, phones=["912345678"]
    )
    create_customer(desk, name="Ótica Visão Clara", plan=Plan.STANDARD, emails=["loja@otica.pt"])
    register_contact(
        desk,
        channel=Channel.PRIORITY_PHONE,
        sender="912 345 678",
        subject="Servidor em baixo",
        received_at=clock.now() - timedelta(minutes=4, seconds=20),
    )
    register_contact(desk, channel=Channel.EMAIL, sender="loja@otica.pt", subject="Impressora")
    context = UiContext(Desk(clock, admin.id))
    settings = QSettings(str(out / "screenshots.ini"), QSettings.Format.IniFormat)
    window = build_window(context, technician_name=admin.name, settings=settings)
    window.set_database(str(out / "issue15.sqlite"))
    window.setGeometry(0, 0, 1366, 740)
    window.show()
    window.start_timers()
    QTest.qWait(1500)
    _grab(out / "1-banner-a.png")
    QTest.qWait(3000)
    _grab(out / "1-banner-b.png")
    print("title:", window.windowTitle())
    print("banner:", window.banner.text.text())

    queue = window.view_named("contacts")
    queue.table.selectRow(1)  # type: ignore[attr-defined]
    queue.respond_action.trigger()  # type: ignore[attr-defined]
    _grab(out / "2-undo.png")

    otica = next(row for row in sessions_customers(desk) if row[1].startswith("Ótica"))
    sessions.start_session(desk, customer_id=otica[0])
    context.sync()
    QTest.qWait(1500)
    _grab(out / "7-status.png")
    _grab(out / "7-status-running-bar.png", window.statusBar())
    print("status:", window.timer_label.text(), window.timer_icon.property("state"))
    running = sessions.running_session(admin.id)
    assert running is not None
    sessions.pause_session(desk, running.id, running.version)
    context.sync()
    QTest.qWait(1500)
    _grab(out / "7-status-paused-bar.png", window.statusBar())
    print("status:", window.timer_label.text(), window.timer_icon.property("state"))
    paused = sessions.running_session(admin.id) or next(iter(sessions_open(admin.id)))
    sessions.resume_session(desk, paused.id, paused.version)
    context.sync()
    QTest.qWait(1200)

    def shoot_question() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            _grab(out / "3-quit.png")
            box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(800, shoot_question)
    print("closed:", window.close())
    window.hide()
    qt.quit()


def sessions_open(technician_id: int) -> list[sessions.SessionRecord]:
    return [state for state in sessions.open_sessions(technician_id)]


def sessions_customers(desk: Desk) -> list[tuple[int, str]]:
    from app.services.customers import search_customers

    return [(row.id, row.name) for row in search_customers("")]


if __name__ == "__main__":
    main(*sys.argv[1:])
