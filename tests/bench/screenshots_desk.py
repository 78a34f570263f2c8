"""Screenshots of the places issue 15 (points 5, 6) found cramped or jumping, on a real X display:

    xvfb-run -a -s "-screen 0 1366x768x24" \
        .venv/bin/python tests/bench/screenshots_desk.py DB OUTDIR

DB: a database filled by ``balcao demo``. Saves: the queue; a customer's record with a NIF
typed wrong (the error under the field); the Contrato tab of a Standard customer; Novo contacto
with a registered sender typed (the "Registado na ficha de" line); Vender pack; Novo rascunho.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QLineEdit

from app.clock import SystemClock
from app.domain.sla import Plan
from app.i18n import set_language
from app.services import customers
from app.services import settings as company
from app.services.context import Desk
from app.store.database import open_database
from ui.app import application, build_window
from ui.context import UiContext
from ui.views.customer_search import CustomerSearch


def grab(out: Path, name: str, wait: int = 500) -> None:
    QTest.qWait(wait)
    QGuiApplication.primaryScreen().grabWindow(0).save(str(out / f"{name}.png"))


def with_dialog(
    out: Path, name: str, opener: Callable[[], object], then: Callable[[QDialog], None]
) -> None:
    """Opens a dialog (the views open theirs window-modal and return at once), acts on it,
    screenshots it and closes it."""
    opener()
    QTest.qWait(500)
    dialogs = [
        w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog) and w.isVisible()
    ]
    if not dialogs:
        print(f"{name}: no dialog opened", file=sys.stderr)
        return
    then(dialogs[-1])
    grab(out, name, 700)
    dialogs[-1].reject()
    QTest.qWait(200)


def main(database: str, folder: str) -> None:
    set_language("pt_PT")
    qt = application()
    open_database(database, clock=SystemClock())
    people = company.technicians()
    chosen = next((person for person in people if person.is_admin), people[0])
    context = UiContext(Desk(SystemClock(), chosen.id))
    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    settings = QSettings(str(out / "screenshots.ini"), QSettings.Format.IniFormat)
    window = build_window(context, technician_name=chosen.name, settings=settings)
    window.setGeometry(0, 0, 1366, 740)
    window.show()
    window.start_timers()

    queue = window.view_named("contacts")
    window.show_view(window.views.index(queue))
    grab(out, "1-queue", 900)

    view = window.view_named("customers")
    window.show_view(window.views.index(view))
    standard = next(row for row in customers.search_customers("") if row.plan is Plan.STANDARD)
    view.show_customer(standard.id)  # type: ignore[attr-defined]
    form = view.panel.form  # type: ignore[attr-defined]
    grab(out, "2-customer")
    form.nif.setFocus()
    form.nif.selectAll()
    QTest.keyClicks(form.nif, "12345")
    QTest.keyClick(form.nif, Qt.Key.Key_Tab)  # the field is checked on leaving it
    grab(out, "3-customer-nif-error")
    form.nif.setText(standard.nif or "")
    view.panel.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    grab(out, "4-contract-standard")
    view.panel.tabs.setCurrentIndex(0)  # type: ignore[attr-defined]
    view.panel.discard_changes()  # type: ignore[attr-defined]

    window.show_view(window.views.index(queue))
    record = customers.customer(standard.id)
    sender = record.emails[0] if record.emails else ""

    def type_sender(dialog: QDialog) -> None:
        field = getattr(dialog, "sender_field", None)
        if isinstance(field, QLineEdit):
            field.setFocus()
            QTest.keyClicks(field, str(getattr(sender, "email", sender)))

    with_dialog(out, "5-new-contact", queue.new_contact, type_sender)  # type: ignore[attr-defined]

    packs = window.view_named("packs")
    window.show_view(window.views.index(packs))

    def choose(dialog: QDialog) -> None:
        picker = dialog.findChild(CustomerSearch)
        if picker is not None:
            picker.set_customer(longest.id)

    # The customer with the longest name, as the list shows it with the NIF.
    longest = max(customers.search_customers(""), key=lambda row: len(row.name))
    with_dialog(out, "6-sell-pack", packs.open_sell_dialog, choose)  # type: ignore[attr-defined]
    invoices = window.view_named("invoices")
    window.show_view(window.views.index(invoices))
    grab(out, "8-invoices")
    with_dialog(out, "7-new-draft", invoices.open_new_draft_dialog, choose)  # type: ignore[attr-defined]
    window.close()
    qt.quit()


if __name__ == "__main__":
    main(*sys.argv[1:])
