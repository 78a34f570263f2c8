"""Issue 15: "Responder" can be undone for a moment ("Anular", a bar, not a dialog); after a
change the queue shows each contact in its part at once (points 2 and 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.domain.responses import UNDO_WINDOW
from app.domain.sla import Channel, Plan
from app.domain.states import ContactState
from app.services.contacts import contact, record_first_response, register_contact
from app.services.context import Desk
from app.services.customers import create_customer
from ui.context import UiContext
from ui.views.queue.correction import CorrectResponseDialog
from ui.views.queue.detail import ContactDetailDialog
from ui.views.queue.model import QueueColumn
from ui.views.queue.view import QueueView


@pytest.fixture
def view(qtbot: QtBot, context: UiContext, desk: Desk) -> QueueView:
    create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"])
    shown = QueueView(context)
    qtbot.addWidget(shown)
    shown.resize(1186, 600)
    shown.show()
    return shown


def _contact(desk: Desk, subject: str) -> int:
    return register_contact(
        desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject=subject
    ).contact.id


def test_respond_offers_undo_for_ten_seconds(
    qtbot: QtBot, view: QueueView, context: UiContext, desk: Desk, clock: ManualClock
) -> None:
    contact_id = _contact(desk, "Impressora")
    context.sync()
    view.table.selectRow(0)
    view.respond_action.trigger()
    assert contact(contact_id).state is ContactState.ANSWERED
    assert view.undo_bar.isVisible()
    assert "Impressora" in view.undo_bar.text.text()
    clock.advance(UNDO_WINDOW - timedelta(seconds=1))
    context.ticked.emit()
    assert view.undo_bar.isVisible()
    view.undo_bar.undo_button.click()
    undone = contact(contact_id)
    assert (undone.state, undone.first_response_at) == (ContactState.OPEN, None)
    assert not view.undo_bar.isVisible()
    # The queue shows it waiting again, with its countdown.
    position = view.model.position_of(contact_id)
    assert position is not None and view.model.row_at(position).state is ContactState.OPEN


def test_the_undo_bar_leaves_after_the_window(
    view: QueueView, context: UiContext, desk: Desk, clock: ManualClock
) -> None:
    contact_id = _contact(desk, "Impressora")
    context.sync()
    view.table.selectRow(0)
    view.respond_action.trigger()
    clock.advance(UNDO_WINDOW + timedelta(seconds=1))
    context.ticked.emit()
    assert not view.undo_bar.isVisible()
    assert contact(contact_id).state is ContactState.ANSWERED


def test_an_answered_contact_leaves_the_waiting_part_on_a_full_re_read(
    view: QueueView, context: UiContext, desk: Desk, clock: ManualClock
) -> None:
    """Point 4: read again as a whole (another desk's change, a wholesale poll), the queue put
    the changed row back where it was, among the contacts still waiting."""
    first = _contact(desk, "Primeiro")
    clock.advance(timedelta(minutes=1))
    _contact(desk, "Segundo")
    clock.advance(timedelta(minutes=1))
    _contact(desk, "Terceiro")
    context.sync()
    shown = [view.proxy.index(row, QueueColumn.SUBJECT).data() for row in range(3)]
    assert shown == ["Primeiro", "Segundo", "Terceiro"]
    saved = contact(first)
    record_first_response(desk, saved.id, saved.version)
    view.reload()
    shown = [view.proxy.index(row, QueueColumn.SUBJECT).data() for row in range(3)]
    assert shown == ["Segundo", "Terceiro", "Primeiro"]


def test_an_administrator_corrects_the_response_and_the_window_shows_the_history(
    qtbot: QtBot, desk: Desk, admin_desk: Desk, clock: ManualClock
) -> None:
    """After the undo window: the correction, with a reason, by an administrator only."""
    create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"])
    contact_id = _contact(desk, "Impressora")
    saved = contact(contact_id)
    record_first_response(desk, saved.id, saved.version)
    clock.advance(timedelta(minutes=10))

    as_technician = ContactDetailDialog(UiContext(desk), contact_id)
    qtbot.addWidget(as_technician)
    as_technician.show()
    assert not as_technician.correct_button.isVisible()

    admin_context = UiContext(admin_desk)
    detail = ContactDetailDialog(admin_context, contact_id)
    qtbot.addWidget(detail)
    detail.show()
    assert detail.correct_button.isVisible()
    assert detail.record is not None
    dialog = CorrectResponseDialog(admin_context, detail.record, detail)
    qtbot.addWidget(dialog)
    dialog.none.setChecked(True)
    dialog.reason.setPlainText("Clique por engano")
    dialog.save()
    assert dialog.result_ is not None
    assert contact(contact_id).state is ContactState.OPEN
    detail.reload()
    history = detail.value_of("Histórico da resposta")
    assert "Clique por engano" in history and "Marta" in history


def test_respond_in_the_contact_window_offers_undo_too(
    qtbot: QtBot, context: UiContext, desk: Desk, clock: ManualClock
) -> None:
    create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"])
    contact_id = _contact(desk, "Impressora")
    detail = ContactDetailDialog(context, contact_id)
    qtbot.addWidget(detail)
    detail.show()
    detail.respond_button.click()
    assert contact(contact_id).state is ContactState.ANSWERED
    assert detail.undo_bar.isVisible()
    clock.advance(timedelta(seconds=3))
    detail.undo_bar.undo_button.click()
    assert contact(contact_id).state is ContactState.OPEN
    assert detail.respond_button.isEnabled()  # shown as it now is
