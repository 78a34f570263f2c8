"""Registar sessão: a session recorded after the fact, from the Sessions view: the form, its
preview as the fields change, Guardar, and the mark in the month's list."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTime
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.i18n import _
from app.services import sessions
from app.services.context import Desk
from app.services.statements import customer_statement
from app.store.models import Customer, Session
from tests.services.b_fixtures import company, customer, lisbon, sell_unit
from tests.store import factories
from tests.ui.pdf_fixtures import pdf_text
from tests.ui.test_sessions import make_view, settled
from ui.context import UiContext
from ui.pdf import write_statement_pdf
from ui.views.queue.detail import ContactDetailDialog
from ui.views.sessions.recording import RecordSessionDialog
from ui.views.sessions.view import SessionsView

__all__ = ["company", "customer"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def column_titled(view: SessionsView, title: str) -> int:
    model = view.month.sessions.model
    titles = [
        model.headerData(c, Qt.Orientation.Horizontal, Qt.ItemDataRole.DisplayRole)
        for c in range(model.columnCount())
    ]
    return titles.index(title)


@pytest.fixture
def view(qtbot: QtBot, context: UiContext, clock: ManualClock, customer: Customer) -> SessionsView:
    clock.set(lisbon(2025, 3, 11, 9, 30))
    return make_view(qtbot, context)


def fill(dialog: RecordSessionDialog, customer: Customer) -> None:
    """Padaria Central, Monday 10 March 17:50–18:40 with a pause 18:00–18:20."""
    choice = dialog.customer.choice
    choice.setCurrentIndex(choice.findText(customer.name, Qt.MatchFlag.MatchStartsWith))
    dialog.day.setDate(QDate(2025, 3, 10))
    dialog.start.setTime(QTime(17, 50))
    dialog.end.setTime(QTime(18, 40))
    dialog.add_pause_button.click()
    pause = dialog.pauses[0]
    pause.start.setTime(QTime(18, 0))
    pause.end.setTime(QTime(18, 20))
    dialog.note.setText("Impressora reparada por telefone")


def test_record_a_session_with_its_preview_and_the_mark_in_the_list(
    qtbot: QtBot, view: SessionsView, desk: Desk, customer: Customer
) -> None:
    sell_unit(desk, customer.id, 60, on=date(2025, 3, 1))
    dialog = view.record_session()
    qtbot.waitExposed(dialog)
    assert dialog.technician.currentData() == desk.technician_id  # the desk's by default
    fill(dialog, customer)

    # 10 min inside → 15, 20 min outside (18:20–18:40) → 30: the pack pays both.
    preview = dialog.preview
    assert preview is not None and preview.billing is not None
    assert (preview.billing.inside_billed_minutes, preview.billing.outside_billed_minutes) == (
        15,
        30,
    )
    shown = dialog.preview_text.text()
    assert _("Nothing left to invoice.") in shown
    assert "17:50–18:00, 18:20–18:40" in shown
    assert Session.select().count() == 0  # the preview wrote nothing

    saved = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(saved, Qt.MouseButton.LeftButton)
    settled(qtbot)

    assert dialog.saved is not None and dialog.result() == dialog.DialogCode.Accepted
    recorded = sessions.session(dialog.saved.id)
    assert recorded.recorded_by_hand and recorded.note == "Impressora reparada por telefone"
    assert recorded.billing == preview.billing
    # The month of the session is shown, the session chosen, marked as recorded by hand.
    assert view.month.month == (2025, 3)
    row = view.month.sessions.selected()
    assert row is not None and row.id == recorded.id
    position = view.month.sessions.model.position_of(recorded.id)
    assert position is not None
    mark = view.month.sessions.model.index(position, column_titled(view, _("How recorded"))).data()
    assert mark == _("By hand")
    assert _("Recorded by hand after the fact, not timed.") in view.summary.text.text()


def test_refusals_show_in_the_preview_and_save_keeps_the_dialog(
    qtbot: QtBot, view: SessionsView, desk: Desk, customer: Customer, clock: ManualClock
) -> None:
    # Rui timed Padaria Central on Monday 17:52–17:55: the recording overlaps it.
    clock.set(lisbon(2025, 3, 10, 17, 52))
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.set(lisbon(2025, 3, 10, 17, 55))
    timed = sessions.stop_session(desk, started.id, started.version)
    clock.set(lisbon(2025, 3, 11, 9, 30))

    dialog = view.record_session()
    fill(dialog, customer)
    assert dialog.preview is None
    assert f"{timed.id}" in dialog.preview_text.text()

    dialog.pauses[0].remove.click()
    dialog.end.setTime(QTime(17, 40))  # before the start
    assert dialog.preview is None and len(dialog.pauses) == 0
    saved = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.mouseClick(saved, Qt.MouseButton.LeftButton)
    settled(qtbot)
    assert dialog.isVisible() and dialog.saved is None
    assert "17:40" in dialog.error.text()
    assert Session.select().where(Session.recorded_by_hand == True).count() == 0  # noqa: E712


def test_the_statement_pdf_marks_the_session_recorded_by_hand(
    desk: Desk, clock: ManualClock, customer: Customer, tmp_path: Path, qapp: QApplication
) -> None:
    clock.set(lisbon(2025, 3, 11, 9))
    sessions.record_session(
        desk,
        customer_id=customer.id,
        start=lisbon(2025, 3, 10, 10, 0),
        end=lisbon(2025, 3, 10, 10, 40),
        note="Telefonema",
    )
    path = tmp_path / "extrato.pdf"
    write_statement_pdf(customer_statement(customer.id, 2025, 3, now=clock.now()), path)
    words = " ".join(pdf_text(path).split())
    assert " ".join(_("Recorded by hand").split()) in words
    assert "Telefonema" in words


def test_the_contacts_window_records_a_session_for_that_contact(
    qtbot: QtBot, context: UiContext, desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    clock.set(lisbon(2025, 3, 11, 9, 30))
    contact = factories.contact(customer, subject="Impressora não imprime")
    detail = ContactDetailDialog(context, contact.id)
    qtbot.addWidget(detail)
    assert detail.record_session_button.isEnabled()
    detail.record_session_button.click()
    dialog = detail.record_dialog
    assert dialog is not None
    assert dialog.customer.customer_id() == customer.id
    assert dialog.contact.currentData() == contact.id
    dialog.day.setDate(QDate(2025, 3, 10))
    dialog.start.setTime(QTime(10, 0))
    dialog.end.setTime(QTime(10, 20))
    assert dialog.preview is not None and dialog.preview.contact_id == contact.id
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    settled(qtbot)
    assert dialog.saved is not None
    recorded = sessions.session(dialog.saved.id)
    assert (recorded.contact_id, recorded.recorded_by_hand) == (contact.id, True)
