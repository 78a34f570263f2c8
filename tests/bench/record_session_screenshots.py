"""Screenshots of "Registar sessão" on a real X display, to look at it in Portuguese.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python \
        tests/bench/record_session_screenshots.py DB OUTDIR

On a demo database (``balcao demo``): opens the Sessions view, fills the dialog for a customer
with a pack (yesterday 17:40–18:40, a pause 18:00–18:10) and saves ``1-dialog.png``; after
Guardar, ``2-list.png`` (the month's list with the mark, the billing beside the timer).
"""

from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, QTime
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialogButtonBox

from app.clock import SystemClock
from app.i18n import set_language
from app.services import settings as company
from app.services.context import Desk
from app.store.database import open_database
from app.store.models import Pack
from ui.app import application, build_window
from ui.context import UiContext
from ui.views.sessions.view import SessionsView


def _grab(path: Path) -> None:
    QTest.qWait(500)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(path))


def main(database: str, folder: str, language: str = "pt_PT") -> None:
    set_language(language)
    qt = application()
    open_database(database, clock=SystemClock())
    people = company.technicians()
    chosen = next((person for person in people if person.is_admin), people[0])
    context = UiContext(Desk(SystemClock(), chosen.id))
    settings = QSettings(str(Path(folder) / "screenshots.ini"), QSettings.Format.IniFormat)
    window = build_window(context, technician_name=chosen.name, settings=settings)
    window.setGeometry(0, 0, 1366, 740)
    window.show()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    position, view = next((i, v) for i, v in enumerate(window.views) if isinstance(v, SessionsView))
    window.show_view(position)
    QTest.qWait(300)

    customer_id = Pack.select(Pack.customer).order_by(Pack.id).first().customer_id
    dialog = view.record_session(customer_id=customer_id)
    dialog.move(300, 40)
    yesterday = context.now().astimezone(company.company_zone()).date() - timedelta(days=1)
    dialog.day.setDate(QDate(yesterday.year, yesterday.month, yesterday.day))
    dialog.start.setTime(QTime(17, 40))
    dialog.end.setTime(QTime(18, 40))
    dialog.add_pause_button.click()
    dialog.pauses[0].start.setTime(QTime(18, 0))
    dialog.pauses[0].end.setTime(QTime(18, 10))
    dialog.note.setText("Impressora reparada por telefone")
    _grab(out / "1-dialog.png")
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    QTest.mouseClick(save, Qt.MouseButton.LeftButton)
    _grab(out / "2-list.png")
    window.close()
    qt.quit()


if __name__ == "__main__":
    main(*sys.argv[1:])
