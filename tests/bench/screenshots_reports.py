"""Screenshots of the Relatórios view, one per report tab, on a real X display:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/bench/screenshots_reports.py \
        DB OUTDIR [month|quarter|year]

As ``screenshots.py``: the first administrator at the desk, the window at 1366×740, pt_PT.
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
from ui.views.reports.view import ReportsView


def main(database: str, folder: str, kind: str = "quarter") -> None:
    set_language("pt_PT")
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
    (view,) = (v for v in window.views if isinstance(v, ReportsView))
    window.show_view(window.views.index(view))
    view.kind.setCurrentIndex(view.kind.findData(kind))
    for position in range(view.tabs.count()):
        view.tabs.setCurrentIndex(position)
        name = view.current_name()
        for _ in range(240):  # the first load imports the holidays' modules: seconds under Xvfb
            QTest.qWait(250)
            if view.is_loaded(name):
                break
        QTest.qWait(500)
        QGuiApplication.primaryScreen().grabWindow(0).save(str(out / f"reports-{name}.png"))
    window.close()
    qt.quit()


if __name__ == "__main__":
    main(*sys.argv[1:])
