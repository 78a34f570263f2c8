"""Screenshots of issue 14's technician on a real X display: the queue with its "Técnico" column,
then with "Os meus"; a contact's window with its chooser; the response-time chart against the
plans' guarantees, for everyone and for one technician:

    xvfb-run -a -s "-screen 0 1366x768x24" .venv/bin/python tests/bench/screenshots_technician.py \
        DB OUTDIR

As ``screenshots.py``, the window at 1366×740, pt_PT; at the desk, the technician with most
contacts in the queue.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest

from app.clock import SystemClock
from app.i18n import set_language
from app.services import settings as company
from app.services.contacts import open_contacts
from app.services.context import Desk
from app.store.database import open_database
from ui.app import application, build_window
from ui.context import UiContext
from ui.views.queue.view import QueueView
from ui.views.reports.view import ReportsView


def _grab(path: Path) -> None:
    QTest.qWait(600)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(path))


def main(database: str, folder: str) -> None:
    set_language("pt_PT")
    qt = application()
    open_database(database, clock=SystemClock())
    people = company.technicians()
    # At the desk: who looks after most of the queue, so that "Os meus" shows some.
    counts = Counter(row.technician_id for row in open_contacts() if row.technician_id)
    busiest = counts.most_common(1)[0][0] if counts else None
    chosen = next((person for person in people if person.id == busiest), people[0])
    context = UiContext(Desk(SystemClock(), chosen.id))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(out / "screenshots.ini"), QSettings.Format.IniFormat)
    window = build_window(context, technician_name=chosen.name, settings=settings)
    window.setGeometry(0, 0, 1366, 740)
    window.show()

    (queue,) = (v for v in window.views if isinstance(v, QueueView))
    window.show_view(window.views.index(queue))
    _grab(out / "queue.png")
    queue.mine_action.setChecked(True)
    _grab(out / "queue-os-meus.png")
    queue.mine_action.setChecked(False)
    QTest.qWait(300)
    queue.show_contact(queue.model.row_at(0).id)
    _grab(out / "contact-chooser.png")
    if queue.detail_dialog is not None:
        queue.detail_dialog.close()

    (reports,) = (v for v in window.views if isinstance(v, ReportsView))
    window.show_view(window.views.index(reports))
    reports.kind.setCurrentIndex(reports.kind.findData("quarter"))
    reports.tabs.setCurrentIndex(1)  # response times
    for suffix, index in (("everyone", 0), ("technician", 1)):
        reports.technician.setCurrentIndex(index)
        for _ in range(240):
            QTest.qWait(250)
            if reports.is_loaded("response-times"):
                break
        _grab(out / f"reports-response-times-{suffix}.png")
    window.close()
    qt.quit()


if __name__ == "__main__":
    main(*sys.argv[1:])
