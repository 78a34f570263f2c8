"""Screenshots of every view on a real X display, to look at what was built.

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/bench/screenshots.py DB OUTDIR

Opens the database with the first administrator at the desk, shows the main window at 1366×768
and saves one PNG per view (grabbed from the screen, as a user would see it).
"""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from app.clock import SystemClock
from app.i18n import set_language
from app.services import settings as company
from app.services.context import Desk
from app.store.database import open_database
from ui.app import application, build_window
from ui.context import UiContext


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
    window.start_timers()
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    for position, view in enumerate(window.views):
        window.show_view(position)
        QTest.qWait(600)
        screen = QGuiApplication.primaryScreen()
        screen.grabWindow(0).save(str(out / f"{position + 1}-{view.objectName()}.png"))
    window.close()
    qt.quit()


if __name__ == "__main__":
    main(*sys.argv[1:])
