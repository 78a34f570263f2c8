"""The Contactos view: the queue by time left with its live countdown, the rejected list, the
new-contact dialog, Responder / Fechar / Reabrir and the contact's detail."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.domain.sla import Channel, Plan, Reason
from app.domain.states import ContactState
from app.i18n import _, format_countdown, ngettext
from app.services.compensation import sweep_breaches
from app.services.contacts import close_contact, contact, open_contacts, register_contact
from app.services.context import Desk
from app.services.customers import CustomerRecord, change_plan, create_customer
from app.services.labels import channel_label, contact_state_label, plan_label, reason_text
from ui import feedback
from ui.context import UiContext
from ui.views.queue import detail as queue_detail
from ui.views.queue.model import (
    QueueColumn,
    RejectedColumn,
    compensation_text_of,
)
from ui.views.queue.new_contact import NewContactDialog, from_editor, to_editor
from ui.views.queue.view import QueueView

#: The offscreen platform's own limits (window size hints, popups raising and grabbing keys).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

NothingWritten = Callable[[], AbstractContextManager[None]]
AMBER = QColor("#fff1cc")
RED = QColor("#fde2e1")


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant of March 2025 in Lisbon (UTC+0 until the 30th)."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=UTC)


def a_customer(desk: Desk, name: str, plan: Plan, email: str, phone: str) -> CustomerRecord:
    return create_customer(desk, name=name, plan=plan, emails=[email], phones=[phone]).customer


@pytest.fixture
def loja(desk: Desk) -> CustomerRecord:
    return a_customer(desk, "Loja da Ana", Plan.STANDARD, "ana@loja.pt", "213000000")


@pytest.fixture
def clinica(desk: Desk) -> CustomerRecord:
    return a_customer(desk, "Clínica Sorriso", Plan.PRIORITY, "rececao@clinica.pt", "217000000")


@pytest.fixture
def view(qtbot: QtBot, context: UiContext) -> QueueView:
    shown = QueueView(context)
    qtbot.addWidget(shown)
    shown.resize(1186, 600)
    shown.show()
    return shown


def cell(view: QueueView, row: int, column: int, role: int = Qt.ItemDataRole.DisplayRole) -> object:
    return view.proxy.index(row, column).data(role)


def column_texts(view: QueueView, column: int) -> list[str]:
    return [str(cell(view, row, column)) for row in range(view.proxy.rowCount())]


def background(view: QueueView, row: int) -> QColor | None:
    brush = cell(view, row, QueueColumn.TIME_LEFT, Qt.ItemDataRole.BackgroundRole)
    return None if brush is None else brush.color()  # type: ignore[attr-defined]


def register(desk: Desk, channel: Channel, sender: str, subject: str, **fields: object) -> int:
    return register_contact(
        desk,
        channel=channel,
        sender=sender,
        subject=subject,
        **fields,  # type: ignore[arg-type]
    ).contact.id


def tick(context: UiContext, clock: ManualClock, to: datetime) -> None:
    clock.set(to)
    context.ticked.emit()


# --- the queue ------------------------------------------------------------------------------


def test_p10b_queue_lists_open_contacts_by_time_left_in_words(
    view: QueueView, context: UiContext, desk: Desk, loja: CustomerRecord, clinica: CustomerRecord
) -> None:
    register(desk, Channel.EMAIL, "Ana <ana@loja.pt>", "Impressora")  # P5: Tue 18:00
    register(desk, Channel.PRIORITY_EMAIL, "rececao@clinica.pt", "Lento")  # P6: Mon 15:00
    register(desk, Channel.EMAIL, "rui@gmail.com", "Password")  # P8: indicative Wed 18:00
    register(desk, Channel.SMS, "+351 961 222 333", "Ligue-me")  # P10: no guarantee at all
    context.sync()

    # Timed contacts by their instant; the SMS, with neither deadline nor target, after them.
    assert column_texts(view, QueueColumn.SUBJECT) == [
        "Lento",
        "Impressora",
        "Password",
        "Ligue-me",
    ]
    assert column_texts(view, QueueColumn.TIME_LEFT) == [
        format_countdown(timedelta(hours=5)),
        format_countdown(timedelta(hours=32)),
        _("indicative: {when}").format(when="12/03/2025 18:00"),
        _("no guarantee"),
    ]
    assert format_countdown(timedelta(hours=5)) == "faltam 5 h"  # pt_PT by default
    assert column_texts(view, QueueColumn.CUSTOMER) == [
        "Clínica Sorriso",
        "Loja da Ana",
        _("(unknown)"),
        _("(unknown)"),
    ]
    assert column_texts(view, QueueColumn.CHANNEL) == [
        channel_label(Channel.PRIORITY_EMAIL),
        channel_label(Channel.EMAIL),
        channel_label(Channel.EMAIL),
        channel_label(Channel.SMS),
    ]
    assert column_texts(view, QueueColumn.SENDER)[1] == "Ana <ana@loja.pt>"  # as received
    assert column_texts(view, QueueColumn.RECEIVED) == ["10/03/2025 10:00"] * 4
    assert column_texts(view, QueueColumn.DEADLINE) == [
        "10/03/2025 15:00",
        "11/03/2025 18:00",
        "",
        "",
    ]
    assert column_texts(view, QueueColumn.STATE) == [contact_state_label(ContactState.OPEN)] * 4
    # P10b: why, in a short column and in full as its tooltip.
    assert cell(view, 2, QueueColumn.GUARANTEE, Qt.ItemDataRole.ToolTipRole) == reason_text(
        Reason.NO_PLAN
    )
    assert reason_text(Reason.GUARANTEED) in str(
        cell(view, 0, QueueColumn.TIME_LEFT, Qt.ItemDataRole.ToolTipRole)
    )
    assert view.tabs.tabText(0) == _("&Queue ({count})").format(count=4)


def test_countdown_ticks_and_turns_amber_then_red(
    view: QueueView, context: UiContext, desk: Desk, clock: ManualClock, clinica: CustomerRecord
) -> None:
    register(desk, Channel.PRIORITY_EMAIL, "rececao@clinica.pt", "Lento")  # due 15:00, 5 h window
    context.sync()
    assert background(view, 0) is None

    tick(context, clock, at(10, 13, 44))  # 1 h 16 min left: more than a quarter of 5 h
    assert cell(view, 0, QueueColumn.TIME_LEFT) == format_countdown(timedelta(hours=1, minutes=16))
    assert background(view, 0) is None

    tick(context, clock, at(10, 14, 59, 30))
    assert cell(view, 0, QueueColumn.TIME_LEFT) == format_countdown(timedelta(seconds=30))
    assert background(view, 0) == AMBER

    tick(context, clock, at(10, 15, 5))
    assert cell(view, 0, QueueColumn.TIME_LEFT) == format_countdown(-timedelta(minutes=5))
    assert format_countdown(-timedelta(minutes=5)) == "excedido há 5 min"
    assert background(view, 0) == RED


def test_a_tick_repaints_only_the_countdowns_on_screen_that_changed(
    view: QueueView, context: UiContext, desk: Desk, clock: ManualClock, loja: CustomerRecord
) -> None:
    register(desk, Channel.EMAIL, "ana@loja.pt", "Real one")
    context.sync()
    template = view.model.rows()[0]
    now = clock.now()
    # One contact due in 10 minutes (its countdown shows seconds), 2,000 due hours away.
    view.model.set_rows(
        replace(
            template,
            id=n,
            deadline=now + (timedelta(hours=n, minutes=30) if n else timedelta(minutes=10)),
        )
        for n in range(2001)
    )
    table, header = view.table, view.table.horizontalHeader()
    column = (
        header.sectionViewportPosition(QueueColumn.TIME_LEFT),
        header.sectionSize(QueueColumn.TIME_LEFT),
    )
    row_height = table.rowHeight(0)

    tick(context, clock, now + timedelta(seconds=1))  # every countdown on screen changed
    shown = view.visible_rows()
    assert 5 < len(shown) < 100
    assert [row.id for _position, row in shown][:2] == [0, 1]
    painted = view.last_repaint.boundingRect()
    assert (painted.left(), painted.width()) == column  # the countdown column only
    assert painted.top() == 0 and painted.height() >= (len(shown) - 1) * row_height
    assert cell(view, 1, QueueColumn.TIME_LEFT) == format_countdown(
        timedelta(hours=1, minutes=29, seconds=59)
    )

    tick(context, clock, now + timedelta(seconds=2))  # only the one under an hour changed
    painted = view.last_repaint.boundingRect()
    assert (painted.top(), painted.height(), painted.left(), painted.width()) == (
        0,
        row_height,
        *column,
    )
    assert cell(view, 0, QueueColumn.TIME_LEFT) == format_countdown(
        timedelta(minutes=9, seconds=58)
    )

    tick(context, clock, now + timedelta(seconds=61))  # a minute went by: all of them again
    assert view.last_repaint.boundingRect().height() >= (len(shown) - 1) * row_height

    view.tabs.setCurrentIndex(1)  # the queue is not on screen: nothing to repaint
    tick(context, clock, now + timedelta(seconds=121))
    assert view.last_repaint.isEmpty()


def test_search_filters_the_lists_and_ctrl_f_focuses_it(
    qtbot: QtBot,
    view: QueueView,
    *,
    context: UiContext,
    desk: Desk,
    loja: CustomerRecord,
    clinica: CustomerRecord,
) -> None:
    register(desk, Channel.EMAIL, "ana@loja.pt", "Impressora")
    register(desk, Channel.PRIORITY_EMAIL, "rececao@clinica.pt", "Lento")
    register(desk, Channel.PRIORITY_EMAIL, "intruso@example.com", "Spam")  # P10a: rejected
    context.sync()
    view.focus_search()
    assert view.search.hasFocus()
    qtbot.keyClicks(view.search, "sorriso")
    assert column_texts(view, QueueColumn.SUBJECT) == ["Lento"]
    view.search.clear()
    qtbot.keyClicks(view.search, "intruso")
    assert view.proxy.rowCount() == 0
    assert view.rejected_proxy.rowCount() == 1
    # A tick does not filter again (the search looks at a role the tick leaves alone).
    context.ticked.emit()
    assert view.rejected_proxy.rowCount() == 1


def test_models_pass_qt_model_tester(
    qtmodeltester: ModelTester,
    view: QueueView,
    *,
    context: UiContext,
    desk: Desk,
    loja: CustomerRecord,
    clinica: CustomerRecord,
) -> None:
    register(desk, Channel.EMAIL, "ana@loja.pt", "Impressora")
    register(desk, Channel.PRIORITY_EMAIL, "rececao@clinica.pt", "Lento")
    register(desk, Channel.PRIORITY_EMAIL, "intruso@example.com", "Spam")
    context.sync()
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)
    qtmodeltester.check(view.rejected_model)
    qtmodeltester.check(view.rejected_proxy)


def test_window_actions_carry_the_global_shortcuts(view: QueueView) -> None:
    actions = view.window_actions()
    assert {menu for menu, _action in actions} == {_("&Contacts")}
    shortcuts = {action.shortcut().toString() for _menu, action in actions}
    assert {"Ctrl+N", "Ctrl+R"} <= shortcuts
    assert view.objectName() == "contacts"
    assert view.title() == _("Contacts")
    assert not view.icon().isNull()


# --- rejected -------------------------------------------------------------------------------


def test_p10a_rejected_contacts_are_listed_apart_with_the_reason(
    view: QueueView, context: UiContext, desk: Desk, loja: CustomerRecord
) -> None:
    # A Standard customer's sender on the priority line: rejected, not queued.
    register(desk, Channel.PRIORITY_EMAIL, "ana@loja.pt", "Urgente")
    context.sync()
    assert view.proxy.rowCount() == 0
    assert view.rejected_proxy.rowCount() == 1
    index = view.rejected_proxy.index(0, RejectedColumn.REASON)
    assert index.data() == reason_text(Reason.REJECTED)
    assert view.rejected_proxy.index(0, RejectedColumn.CUSTOMER).data() == "Loja da Ana"
    assert view.rejected_proxy.index(0, RejectedColumn.SUBJECT).data() == "Urgente"
    assert view.tabs.tabText(1) == _("Re&jected ({count})").format(count=1)
    # Nothing to respond to or close there; the detail opens.
    view.tabs.setCurrentIndex(1)
    view.rejected_table.selectRow(0)
    assert not view.respond_action.isEnabled()
    assert not view.close_action.isEnabled()
    assert view.details_action.isEnabled()


# --- Responder, Fechar, Reabrir, detail -----------------------------------------------------


def test_respond_records_the_first_response_and_stops_the_countdown(
    qtbot: QtBot,
    view: QueueView,
    *,
    context: UiContext,
    desk: Desk,
    clock: ManualClock,
    loja: CustomerRecord,
) -> None:
    contact_id = register(desk, Channel.EMAIL, "ana@loja.pt", "Impressora")
    context.sync()
    view.table.selectRow(0)
    assert view.respond_action.isEnabled()
    clock.advance(timedelta(minutes=20))
    view.respond_action.trigger()

    saved = contact(contact_id)
    assert (saved.state, saved.first_response_at) == (ContactState.ANSWERED, clock.now())
    assert saved.first_response_by_id == desk.technician_id
    assert cell(view, 0, QueueColumn.TIME_LEFT) == contact_state_label(ContactState.ANSWERED)
    assert cell(view, 0, QueueColumn.STATE) == contact_state_label(ContactState.ANSWERED)
    assert background(view, 0) is None
    assert not view.respond_action.isEnabled()  # once only


def test_respond_by_ctrl_r(
    qtbot: QtBot, view: QueueView, context: UiContext, desk: Desk, loja: CustomerRecord
) -> None:
    contact_id = register(desk, Channel.EMAIL, "ana@loja.pt", "Impressora")
    context.sync()
    view.table.selectRow(0)
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert contact(contact_id).state is ContactState.ANSWERED


def test_closing_an_unanswered_contact_asks_first(
    view: QueueView,
    context: UiContext,
    desk: Desk,
    loja: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contact_id = register(desk, Channel.EMAIL, "ana@loja.pt", "Impressora")
    context.sync()
    view.table.selectRow(0)
    asked: list[str] = []

    def answer(reply: bool) -> Callable[..., bool]:
        def ask(_parent: object, _title: str, question: str) -> bool:
            asked.append(question)
            return reply

        return ask

    monkeypatch.setattr(queue_detail, "confirm", answer(False))
    view.close_action.trigger()
    assert contact(contact_id).state is ContactState.OPEN
    monkeypatch.setattr(queue_detail, "confirm", answer(True))
    view.close_action.trigger()
    assert len(asked) == 2
    assert contact(contact_id).state is ContactState.CLOSED
    assert view.proxy.rowCount() == 0


def test_p19_detail_shows_the_terms_frozen_at_receipt_and_reopens(
    qtbot: QtBot,
    view: QueueView,
    *,
    context: UiContext,
    desk: Desk,
    loja: CustomerRecord,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    contact_id = register(desk, Channel.EMAIL, "Ana <ANA@loja.pt>", "Impressora", notes="Ligou")
    change_plan(desk, loja.id, loja.version, Plan.PRIORITY)  # later: history stays
    context.sync()
    rect = view.table.visualRect(view.proxy.index(0, QueueColumn.SUBJECT))
    # A double-click is a press, a release, then the double-click event.
    qtbot.mouseClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(view.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = view.detail_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.value_of(_("Plan at receipt")) == plan_label(Plan.STANDARD)
    assert dialog.value_of(_("Channel")) == channel_label(Channel.EMAIL)
    assert "Ana <ANA@loja.pt>" in dialog.value_of(_("Sender as received"))
    assert dialog.value_of(_("Received at")) == "10/03/2025 10:00"
    assert dialog.value_of(_("Terms")) == _("Guaranteed until {deadline}").format(
        deadline="11/03/2025 18:00"
    )
    assert dialog.value_of(_("Why")) == reason_text(Reason.GUARANTEED)
    assert dialog.value_of(_("If missed")) == ngettext(
        "{count} free hour", "{count} free hours", 1
    ).format(count=1)
    assert dialog.notes.toPlainText() == "Ligou"

    monkeypatch.setattr(queue_detail, "confirm", lambda *_args: True)
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert contact(contact_id).state is ContactState.CLOSED
    assert view.proxy.rowCount() == 0  # out of the queue
    assert dialog.reopen_button.isEnabled() and not dialog.respond_button.isEnabled()
    assert dialog.value_of(_("State")) == contact_state_label(ContactState.CLOSED)

    qtbot.mouseClick(dialog.reopen_button, Qt.MouseButton.LeftButton)
    assert contact(contact_id).state is ContactState.ANSWERED  # it had its response at closing
    assert column_texts(view, QueueColumn.SUBJECT) == ["Impressora"]


def test_show_contact_opens_a_closed_one_for_reopening(
    view: QueueView, context: UiContext, desk: Desk, loja: CustomerRecord
) -> None:
    contact_id = register(desk, Channel.EMAIL, "ana@loja.pt", "Impressora")
    record = contact(contact_id)
    close_contact(desk, contact_id, record.version)
    view.show_contact(contact_id)
    dialog = view.detail_dialog
    assert dialog is not None
    dialog.reopen_button.click()
    assert contact(contact_id).state is ContactState.ANSWERED
    assert view.proxy.rowCount() == 1


def test_p17_compensation_granted_is_shown_on_the_contact(
    view: QueueView, context: UiContext, desk: Desk, clock: ManualClock, loja: CustomerRecord
) -> None:
    register(desk, Channel.EMAIL, "ana@loja.pt", "Impressora")  # deadline Tue 18:00
    context.sync()
    assert cell(view, 0, QueueColumn.COMPENSATION) == ""
    clock.set(at(11, 18, 1))
    sweep_breaches(desk)
    context.sync()
    assert cell(view, 0, QueueColumn.COMPENSATION) == compensation_text_of(1, revoked=False)
    assert "1" in str(cell(view, 0, QueueColumn.COMPENSATION, Qt.ItemDataRole.ToolTipRole))


# --- Novo contacto ------------------------------------------------------------------------------


def new_dialog(view: QueueView) -> NewContactDialog:
    view.new_action.trigger()
    dialog = view.new_contact_dialog
    assert dialog is not None and dialog.isVisible()
    return dialog


def test_the_registered_sender_hint_moves_no_field(
    qtbot: QtBot, view: QueueView, loja: CustomerRecord
) -> None:
    """Issue 15: "Registado na ficha de:" appearing under the sender pushed the fields down."""
    dialog = new_dialog(view)
    fields = (dialog.subject, dialog.notes)
    before = [field.mapTo(dialog, field.rect().topLeft()) for field in fields]
    qtbot.keyClicks(dialog.sender_field, "ana@loja.pt")
    assert "Loja da Ana" in dialog.sender_found.text() and dialog.sender_found.isVisible()
    qtbot.wait(10)
    assert [field.mapTo(dialog, field.rect().topLeft()) for field in fields] == before


def test_new_contact_finds_the_customer_and_shows_the_deadline_before_saving(
    qtbot: QtBot, view: QueueView, context: UiContext, desk: Desk, loja: CustomerRecord
) -> None:
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.sender_field, "Ana Lopes <ana@loja.pt>")
    assert dialog.customer.customer_name() == "Loja da Ana"
    assert dialog.customer.customer_id() == loja.id
    assert not dialog.customer.by_hand  # suggested by the sender
    assert "Loja da Ana" in dialog.sender_found.text()
    assert dialog.terms_headline.text() == _("Guaranteed until {deadline}").format(
        deadline="11/03/2025 18:00"
    )
    assert open_contacts() == ()  # nothing saved yet
    qtbot.keyClicks(dialog.subject, "Impressora avariada")
    qtbot.keyClicks(dialog.notes, "Ligou a seguir")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert not dialog.isVisible()
    (saved,) = open_contacts()
    assert (saved.customer_id, saved.subject, saved.sender) == (
        loja.id,
        "Impressora avariada",
        "Ana Lopes <ana@loja.pt>",
    )
    assert contact(saved.id).notes == "Ligou a seguir"
    assert column_texts(view, QueueColumn.SUBJECT) == ["Impressora avariada"]
    assert view.selected() == view.model.rows()[0]


def test_new_contact_with_an_invalid_sender_says_why_and_saves_nothing(
    qtbot: QtBot,
    view: QueueView,
    desk: Desk,
    loja: CustomerRecord,
    nothing_written: NothingWritten,
) -> None:
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.sender_field, "912 34")
    error = dialog.errors.labels["sender"]
    assert error.isVisibleTo(dialog) and "912 34" in error.text()
    qtbot.keyClicks(dialog.subject, "Sem internet")
    with nothing_written():
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert error.isVisibleTo(dialog)
    assert dialog.sender_field.text() == "912 34"  # what was typed stays
    assert dialog.subject.text() == "Sem internet"


def test_new_contact_needs_a_sender(
    qtbot: QtBot, view: QueueView, nothing_written: NothingWritten
) -> None:
    dialog = new_dialog(view)
    with nothing_written():
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.labels["sender"].isVisibleTo(dialog)


def test_p9_unknown_sender_with_the_customer_picked_by_hand(
    qtbot: QtBot, view: QueueView, desk: Desk, loja: CustomerRecord, clinica: CustomerRecord
) -> None:
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.sender_field, "joana@gmail.com")
    assert dialog.customer.customer_id() is None
    assert dialog.terms_headline.text() == _("No guarantee")
    assert reason_text(Reason.NO_PLAN) in dialog.terms_detail.text()

    qtbot.keyClicks(dialog.customer.search, "loja")
    assert dialog.customer.listed() == ["Loja da Ana"]
    assert dialog.isVisible()
    assert dialog.customer.customer_id() == loja.id
    assert dialog.customer.by_hand
    # P9: registered only if in THAT customer's record.
    assert reason_text(Reason.UNREGISTERED_SENDER) in dialog.terms_detail.text()
    # Typing another sender leaves the customer picked by hand.
    dialog.sender_field.setText("rececao@clinica.pt")
    assert dialog.customer.customer_id() == loja.id
    dialog.sender_field.setText("joana@gmail.com")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (saved,) = open_contacts()
    record = contact(saved.id)
    assert (record.customer_id, record.registered, record.reason) == (
        loja.id,
        False,
        Reason.UNREGISTERED_SENDER,
    )


def test_customer_search_by_phone_digits(
    qtbot: QtBot, view: QueueView, loja: CustomerRecord, clinica: CustomerRecord
) -> None:
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.customer.search, "217 000")
    assert dialog.customer.listed() == ["Clínica Sorriso"]
    assert dialog.customer.customer_id() == clinica.id


def test_clearing_the_customer_search_gives_the_choice_back_to_the_sender(
    qtbot: QtBot, view: QueueView, loja: CustomerRecord, clinica: CustomerRecord
) -> None:
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.sender_field, "ana@loja.pt")
    assert dialog.customer.customer_id() == loja.id
    qtbot.keyClicks(dialog.customer.search, "217 000")
    assert dialog.customer.customer_id() == clinica.id
    assert dialog.customer.by_hand
    dialog.customer.search.selectAll()
    qtbot.keyClick(dialog.customer.search, Qt.Key.Key_Backspace)
    assert not dialog.customer.by_hand
    assert dialog.customer.customer_id() == loja.id


def test_new_contact_received_late_keeps_the_time_typed(
    qtbot: QtBot, view: QueueView, desk: Desk, loja: CustomerRecord
) -> None:
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.sender_field, "ana@loja.pt")
    # A call on Friday afternoon logged on Monday: due by Monday's close (P5).
    dialog.received.setDateTime(to_editor(datetime(2025, 3, 7, 16, 30, tzinfo=UTC)))
    assert dialog.terms_headline.text() == _("Guaranteed until {deadline}").format(
        deadline="10/03/2025 18:00"
    )
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    (saved,) = open_contacts()
    assert saved.received_at == datetime(2025, 3, 7, 16, 30, tzinfo=UTC)


def test_new_contact_in_the_future_is_refused_next_to_the_field(
    qtbot: QtBot, view: QueueView, loja: CustomerRecord, nothing_written: NothingWritten
) -> None:
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.sender_field, "ana@loja.pt")
    dialog.received.setDateTime(to_editor(at(10, 12)))
    assert dialog.errors.labels["received_at"].isVisibleTo(dialog)
    with nothing_written():
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()


def test_p10a_new_contact_preview_says_rejected_and_saves_to_the_rejected_list(
    qtbot: QtBot, view: QueueView, loja: CustomerRecord
) -> None:
    dialog = new_dialog(view)
    dialog.channel.setCurrentIndex(dialog.channel.findData(Channel.PRIORITY_EMAIL.value))
    qtbot.keyClicks(dialog.sender_field, "ana@loja.pt")
    assert dialog.preview is not None and dialog.preview.rejected
    assert reason_text(Reason.REJECTED) in dialog.terms_detail.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert view.proxy.rowCount() == 0
    assert view.rejected_proxy.rowCount() == 1
    assert view.tabs.currentIndex() == 1  # shown where it went


def test_editor_times_are_the_company_wall_clock() -> None:
    summer = datetime(2025, 7, 1, 9, 15, tzinfo=UTC)  # 10:15 in Lisbon
    edited = to_editor(summer)
    assert (edited.time().hour(), edited.time().minute()) == (10, 15)
    assert from_editor(edited) == summer


def test_error_dialogs_are_not_used_for_field_errors(
    qtbot: QtBot, view: QueueView, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown: list[object] = []
    monkeypatch.setattr(feedback.QMessageBox, "warning", lambda *args: shown.append(args))
    dialog = new_dialog(view)
    qtbot.keyClicks(dialog.sender_field, "nobody")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert shown == []
