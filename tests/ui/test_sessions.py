"""The Sessions view: the timer (P11–P13), the billing at stop (P16a), the running session found
again after a restart, the sessions to review, and the month's list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from peewee import Database
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.domain import states
from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan
from app.i18n import _, format_date, format_datetime, format_money, format_month, ngettext
from app.services import contacts, customers, invoices, packs, sessions
from app.services.context import Desk
from app.store.models import CompanySettings, Customer
from tests.services.b_fixtures import LISBON, RATE_INSIDE, company, customer, lisbon, sell_unit
from ui import operations
from ui.context import UiContext
from ui.views.sessions.intervals import IntervalsDialog, to_qt
from ui.views.sessions.lists import REAL_TIME_COLUMN
from ui.views.sessions.summary import summary_lines
from ui.views.sessions.view import SessionsView

__all__ = ["company", "customer"]

# Showing a window offscreen makes Qt say "This plugin does not support propagateSizeHints()"
# at WARNING level: the offscreen platform's limit, nothing of ours.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

Answers = list[str]


# --- helpers ----------------------------------------------------------------------------------


def make_view(qtbot: QtBot, context: UiContext) -> SessionsView:
    view = SessionsView(context)
    qtbot.addWidget(view)
    view.resize(1186, 700)
    view.show()
    settled(qtbot)
    return view


def settled(qtbot: QtBot) -> None:
    """Waits for any work the view left in the background (none today) to be delivered."""
    qtbot.waitUntil(lambda: operations.running() == 0, timeout=10_000)


@pytest.fixture
def view(qtbot: QtBot, context: UiContext, customer: Customer) -> SessionsView:
    return make_view(qtbot, context)


@pytest.fixture
def statuses(context: UiContext) -> list[str]:
    """What the view told the status bar, in order."""
    shown: list[str] = []
    context.timer_status.connect(shown.append)
    return shown


@pytest.fixture
def questions(monkeypatch: pytest.MonkeyPatch) -> Iterator[Answers]:
    """Answers every QMessageBox question with Yes, remembering the questions asked."""
    asked: Answers = []

    def answer(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", answer)
    yield asked


@pytest.fixture
def warnings_shown(monkeypatch: pytest.MonkeyPatch) -> Answers:
    shown: Answers = []

    def warn(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warn)
    return shown


def choose_customer(qtbot: QtBot, view: SessionsView, name: str) -> None:
    """Picks ``name`` in the customer search's list."""
    choice = view.timer.chooser.choice
    choice.setCurrentIndex(choice.findText(name, Qt.MatchFlag.MatchStartsWith))
    assert view.timer.chooser.customer_name().startswith(name)


def click(qtbot: QtBot, button: QWidget) -> None:
    assert button.isEnabled() and button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def tick(context: UiContext, clock: ManualClock, delta: timedelta) -> None:
    clock.advance(delta)
    context.ticked.emit()


def cell(view: SessionsView, row: int, column: int) -> str:
    return str(view.month.sessions.proxy.index(row, column).data())


def running(desk: Desk) -> sessions.SessionRecord | None:
    assert desk.technician_id is not None
    return sessions.running_session(desk.technician_id)


# --- the timer ----------------------------------------------------------------------------------


def test_p11_timer_shows_elapsed_time_and_the_block_it_bills(
    *,
    qtbot: QtBot,
    view: SessionsView,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    customer: Customer,
    statuses: list[str],
) -> None:
    context.ticked.emit()
    assert statuses[-1] == ""  # no timer yet
    choose_customer(qtbot, view, "Padaria Central")
    click(qtbot, view.timer.start_button)
    started = running(desk)
    assert started is not None and started.customer_id == customer.id

    tick(context, clock, timedelta(minutes=12, seconds=41))

    assert view.timer.clock.text() == "0:12:41"
    assert "0:12:41 → 15 min" in view.timer.billing.text()
    assert "0:00:00 → 0 min" in view.timer.billing.text()
    assert "15 min" in view.timer.total.text()
    assert statuses[-1] == _("{customer} — {elapsed}").format(
        customer="Padaria Central", elapsed="0:12:41"
    )
    assert not view.timer.start_button.isEnabled()
    # The month's list shows the running session, its real time live.
    assert cell(view, 0, 1) == "Padaria Central"
    assert cell(view, 0, REAL_TIME_COLUMN) == "0:12:41"
    tick(context, clock, timedelta(seconds=1))
    assert cell(view, 0, REAL_TIME_COLUMN) == "0:12:42"


def test_p12_session_across_closing_time_bills_15_plus_30(
    *, qtbot: QtBot, view: SessionsView, context: UiContext, clock: ManualClock
) -> None:
    clock.set(lisbon(2025, 3, 10, 17, 50))
    choose_customer(qtbot, view, "Padaria Central")
    click(qtbot, view.timer.start_button)
    tick(context, clock, timedelta(minutes=30))
    billing = view.timer.billing.text()
    assert "0:10:00 → 15 min" in billing
    assert "0:20:00 → 30 min" in billing
    assert "45 min" in view.timer.total.text()
    assert view.timer.clock.text() == "0:30:00"


def test_p12_the_pause_is_not_counted(
    *,
    qtbot: QtBot,
    view: SessionsView,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    statuses: list[str],
) -> None:
    choose_customer(qtbot, view, "Padaria Central")
    click(qtbot, view.timer.start_button)
    tick(context, clock, timedelta(minutes=5))
    click(qtbot, view.timer.pause_button)
    assert view.timer.resume_button.isVisible() and not view.timer.pause_button.isVisible()
    tick(context, clock, timedelta(minutes=20))
    assert view.timer.clock.text() == "0:05:00"
    assert statuses[-1] == _("{customer} — {elapsed} (paused)").format(
        customer="Padaria Central", elapsed="0:05:00"
    )
    click(qtbot, view.timer.resume_button)
    tick(context, clock, timedelta(minutes=3, seconds=2))
    assert view.timer.clock.text() == "0:08:02"

    click(qtbot, view.timer.stop_button)
    assert running(desk) is None
    stopped = sessions.sessions_by_month(2025, 3)[0]
    assert stopped.billing is not None
    assert stopped.billing.inside == timedelta(minutes=8, seconds=2)
    assert stopped.billing.inside_billed_minutes == 15
    assert statuses[-1] == ""
    assert view.timer.clock.text() == "0:00:00"


def test_p16a_stop_shows_which_pack_paid_and_what_stays_uncovered(
    *,
    qtbot: QtBot,
    view: SessionsView,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    customer: Customer,
) -> None:
    pack_id = sell_unit(desk, customer.id, 60)
    valid_until = packs.pack(pack_id).valid_until
    assert valid_until is not None
    context.sync()
    choose_customer(qtbot, view, "Padaria Central")
    click(qtbot, view.timer.start_button)
    tick(context, clock, timedelta(minutes=70))  # → 75 min: 60 from the pack, 15 uncovered
    click(qtbot, view.timer.stop_button)

    summary = view.summary.text.text()
    assert format_date(valid_until) in summary
    assert (
        _("Taken from {source}: {minutes}.").format(
            source=_("{kind} valid until {date}").format(
                kind=_("Unit pack"), date=format_date(valid_until)
            ),
            minutes="1 h",
        )
        in summary
    )
    assert format_money(RATE_INSIDE) in summary
    assert "15 min" in summary
    # The month's list: billed, paid by packs, uncovered.
    assert [cell(view, 0, column) for column in (7, 8, 9)] == ["1 h 15 min", "1 h", "15 min"]


def test_summary_names_the_month_of_a_monthly_pack(
    *, desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    packs.sell_pack(
        desk,
        customer_id=customer.id,
        kind=PackKind.MONTHLY,
        minutes=30,
        price=Decimal("50.00"),
    )
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(timedelta(minutes=40))
    stopped = sessions.stop_session(desk, started.id, started.version)
    lines = summary_lines(stopped, LISBON)
    assert any(format_month(2025, 3) in line for line in lines)
    assert any(format_money(RATE_INSIDE) in line for line in lines)  # 15 min uncovered


def test_restart_shows_the_running_session(
    *, qtbot: QtBot, context: UiContext, clock: ManualClock, desk: Desk, customer: Customer
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(timedelta(hours=1, minutes=5, seconds=9))
    statuses: list[str] = []
    restarted = UiContext(desk)  # a new program on the same database
    restarted.timer_status.connect(statuses.append)
    view = make_view(qtbot, restarted)
    restarted.ticked.emit()
    assert view.timer.current is not None and view.timer.current.id == started.id
    assert view.timer.clock.text() == "1:05:09"
    assert statuses[-1].endswith("Padaria Central — 1:05:09")
    click(qtbot, view.timer.stop_button)
    assert running(desk) is None


def test_outside_hours_start_asks_first(
    *,
    qtbot: QtBot,
    view: SessionsView,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.set(lisbon(2025, 3, 10, 20, 0))
    asked: Answers = []

    def say_no(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.No

    monkeypatch.setattr(QMessageBox, "question", say_no)
    choose_customer(qtbot, view, "Padaria Central")
    click(qtbot, view.timer.start_button)
    assert len(asked) == 1 and "Padaria Central" in asked[0]
    assert running(desk) is None

    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    click(qtbot, view.timer.start_button)
    assert running(desk) is not None
    tick(context, clock, timedelta(minutes=1))
    assert view.timer.warning.isVisible()
    assert "0:01:00 → 30 min" in view.timer.billing.text()


def test_outside_hours_no_question_for_a_24_7_customer(
    *,
    qtbot: QtBot,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    customer: Customer,
    questions: Answers,
) -> None:
    customer.plan = Plan.PRIORITY_24_7
    customer.save()
    clock.set(lisbon(2025, 3, 10, 22, 0))
    view = make_view(qtbot, context)
    assert view.start_for_customer(customer.id) is not None
    context.ticked.emit()
    assert questions == []
    assert not view.timer.warning.isVisible()


def test_start_for_a_contact_from_the_queue(
    *, qtbot: QtBot, view: SessionsView, context: UiContext, desk: Desk, customer: Customer
) -> None:
    contact = contacts.register_contact(
        desk,
        channel=Channel.EMAIL,
        sender="loja@padaria.pt",
        subject="Impressora não imprime",
        customer_id=customer.id,
    ).contact
    started = view.start_for_contact(contact.id)
    assert started is not None and started.contact_id == contact.id
    assert "Impressora não imprime" in view.timer.title.text()
    now_running = running(desk)
    assert now_running is not None and now_running.id == started.id


def test_a_contact_without_a_customer_is_refused_in_a_message(
    *, qtbot: QtBot, view: SessionsView, desk: Desk, warnings_shown: Answers
) -> None:
    unknown = contacts.register_contact(
        desk, channel=Channel.EMAIL, sender="alguem@desconhecido.pt", subject="Ajuda"
    ).contact
    assert unknown.customer_id is None
    assert view.start_for_contact(unknown.id) is None
    assert warnings_shown == [_("Choose the customer the session is for.")]
    assert not view.timer.customer_error.isVisible()
    assert running(desk) is None


def test_starting_twice_is_refused_with_the_services_message(
    *, qtbot: QtBot, view: SessionsView, desk: Desk, customer: Customer, warnings_shown: Answers
) -> None:
    assert view.start_for_customer(customer.id) is not None
    other = customers.create_customer(desk, name="Talho Moderno").customer
    assert view.start_for_customer(other.id) is None
    assert len(warnings_shown) == 1 and "Padaria Central" in warnings_shown[0]


def test_the_customer_search_finds_as_the_technician_types(
    *,
    qtbot: QtBot,
    view: SessionsView,
    desk: Desk,
    customer: Customer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("ui.views.customer_search.SEARCH_LIMIT", 1)
    talho = customers.create_customer(desk, name="Talho Moderno").customer
    customers.add_customer_email(desk, talho.id, talho.version, "encomendas@talho.pt")
    zulmira = customers.create_customer(desk, name="Zulmira Flores").customer.id
    chooser = view.timer.chooser
    chooser.refresh()
    (listed,) = chooser.listed()  # the first by name: ten thousand customers never load
    assert listed.startswith("Padaria Central")

    qtbot.keyClicks(chooser.search, "encomendas@")  # a registered email finds its customer
    assert chooser.search.text() == "encomendas@"  # what is typed stays
    assert chooser.listed() == ["Talho Moderno"]
    assert chooser.customer_id() == talho.id  # the first match is chosen

    assert view.start_for_customer(zulmira) is not None  # not listed: chosen all the same
    assert chooser.customer_id() == zulmira
    running_now = running(desk)
    assert running_now is not None and running_now.customer_id == zulmira


def test_an_archived_customer_is_not_chosen_for_a_session(
    *, view: SessionsView, desk: Desk, customer: Customer
) -> None:
    record = customers.customer(customer.id)
    customers.archive_customer(desk, customer.id, record.version)
    view.reload()  # what the change log makes every view do
    view.timer.chooser.set_customer(customer.id)
    assert view.timer.chooser.customer_id() is None


def test_start_without_a_customer_says_so_next_to_the_field(
    *, qtbot: QtBot, view: SessionsView, desk: Desk
) -> None:
    line = view.timer.chooser.search
    line.setText("Ninguém")  # QTest types ASCII only
    click(qtbot, view.timer.start_button)
    assert view.timer.customer_error.isVisible()
    assert view.timer.customer_error.text() == _("Choose the customer the session is for.")
    assert line.text() == "Ninguém"  # kept as typed
    assert running(desk) is None


def test_ctrl_t_starts_and_stops_the_timer(
    *, qtbot: QtBot, view: SessionsView, context: UiContext, clock: ManualClock, desk: Desk
) -> None:
    [(menu, toggle), *_rest] = view.window_actions()
    assert menu == _("&Sessions")
    assert toggle.shortcut().toString() == "Ctrl+T"
    attention: list[bool] = []
    view.wants_attention.connect(lambda: attention.append(True))
    toggle.trigger()  # no customer chosen: the view asks for one
    assert attention == [True] and running(desk) is None

    choose_customer(qtbot, view, "Padaria Central")
    toggle.trigger()
    assert running(desk) is not None
    tick(context, clock, timedelta(minutes=3))
    toggle.trigger()
    assert running(desk) is None
    assert "15 min" in view.summary.text.text()


def test_several_open_sessions_can_be_chosen(
    *, qtbot: QtBot, view: SessionsView, desk: Desk, customer: Customer, questions: Answers
) -> None:
    first = view.start_for_customer(customer.id)
    assert first is not None
    click(qtbot, view.timer.pause_button)
    other = customers.create_customer(desk, name="Talho Moderno").customer
    view.reload()
    second = view.start_for_customer(other.id)
    assert second is not None
    assert view.timer.open_choice.isVisible() and view.timer.open_choice.count() == 2
    assert view.timer.current is not None and view.timer.current.id == second.id
    view.timer.open_choice.setCurrentIndex(view.timer.open_choice.findData(first.id))
    assert view.timer.current.id == first.id
    # The other one runs: this one waits.
    assert not view.timer.resume_button.isEnabled()


# --- review -------------------------------------------------------------------------------------


def test_a_session_past_the_review_limit_waits_for_an_administrator(
    *,
    qtbot: QtBot,
    clock: ManualClock,
    desk: Desk,
    admin_desk: Desk,
    customer: Customer,
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(timedelta(hours=11))
    stopped = sessions.stop_session(desk, started.id, started.version)
    assert stopped.flagged_for_review

    # An ordinary technician sees it, and that only an administrator corrects it.
    technician_view = make_view(qtbot, UiContext(desk))
    assert "(1)" in technician_view.tabs.tabText(1)
    assert technician_view.review.model.rowCount() == 0  # counted: read once its tab shows
    technician_view.tabs.setCurrentIndex(1)
    assert technician_view.review.model.rowCount() == 1
    technician_view.review.sessions.table.selectRow(0)
    assert not technician_view.review.correct_button.isEnabled()

    view = make_view(qtbot, UiContext(admin_desk))
    view.tabs.setCurrentIndex(1)
    view.review.sessions.table.selectRow(0)
    assert (
        _(
            "Longer than the review limit: not billed until an administrator checks "
            "its times (Sessions to review)."
        )
        in view.summary.text.text()
    )
    click(qtbot, view.review.correct_button)
    dialog = view.review.dialog
    assert isinstance(dialog, IntervalsDialog) and dialog.isVisible()

    # An end before its start says so, and nothing is saved.
    [row] = dialog.rows
    row.end.setDateTime(to_qt(lisbon(2025, 3, 10, 9, 0), LISBON))
    assert dialog.error.isVisible()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    expected = _("A period cannot end at {end}, before or when it starts at {start}.").format(
        end=format_datetime(lisbon(2025, 3, 10, 9, 0), LISBON),
        start=format_datetime(lisbon(2025, 3, 10, 10, 0), LISBON),
    )
    assert dialog.error.text() == expected
    assert dialog.isVisible()
    assert sessions.sessions_to_review() != ()

    # The timer was left running: it was 1 h 10 min of work.
    row.end.setDateTime(to_qt(lisbon(2025, 3, 10, 11, 10), LISBON))
    assert not dialog.error.isVisible()
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert not dialog.isVisible()
    assert sessions.sessions_to_review() == ()
    settled(qtbot)
    corrected = sessions.session(started.id)
    assert corrected.billing is not None and corrected.billing.inside_billed_minutes == 75
    assert view.review.model.rowCount() == 0
    assert view.tabs.tabText(1) == _("Sessions to review")


# --- the month's list ---------------------------------------------------------------------------


def _timed(desk: Desk, clock: ManualClock, customer_id: int, minutes: int) -> int:
    started = sessions.start_session(desk, customer_id=customer_id)
    clock.advance(timedelta(minutes=minutes))
    return sessions.stop_session(desk, started.id, started.version).id


def test_editing_a_session_bills_it_again(
    *, qtbot: QtBot, context: UiContext, clock: ManualClock, desk: Desk, customer: Customer
) -> None:
    session_id = _timed(desk, clock, customer.id, 20)
    view = make_view(qtbot, context)
    view.month.sessions.table.selectRow(0)
    assert cell(view, 0, 7) == "30 min"
    click(qtbot, view.month.edit_button)
    dialog = view.month.dialog
    assert dialog is not None and dialog.note is not None
    [row] = dialog.rows
    row.end.setDateTime(to_qt(lisbon(2025, 3, 10, 10, 10), LISBON))
    dialog.note.setText("Só 10 minutos")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert not dialog.isVisible()
    edited = sessions.session(session_id)
    assert edited.note == "Só 10 minutos"
    assert edited.billing is not None and edited.billing.inside_billed_minutes == 15
    assert cell(view, 0, 7) == "15 min"


def test_editing_keeps_the_times_when_only_the_note_changes(
    *, qtbot: QtBot, context: UiContext, clock: ManualClock, desk: Desk, customer: Customer
) -> None:
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(timedelta(minutes=7, seconds=30, microseconds=250_000))
    stopped = sessions.stop_session(desk, started.id, started.version)
    view = make_view(qtbot, context)
    view.month.sessions.table.selectRow(0)
    click(qtbot, view.month.edit_button)
    dialog = view.month.dialog
    assert dialog is not None and dialog.note is not None
    dialog.note.setText("Nota")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert sessions.session(stopped.id).intervals == stopped.intervals


def test_adding_and_removing_periods_in_the_dialog(
    *, qtbot: QtBot, context: UiContext, clock: ManualClock, desk: Desk, customer: Customer
) -> None:
    session_id = _timed(desk, clock, customer.id, 10)
    clock.advance(timedelta(hours=2))
    view = make_view(qtbot, context)
    view.month.sessions.table.selectRow(0)
    click(qtbot, view.month.edit_button)
    dialog = view.month.dialog
    assert dialog is not None
    assert not dialog.rows[0].remove.isEnabled()
    click(qtbot, dialog.add_button)
    assert len(dialog.rows) == 2
    assert dialog.total.text() == _("Total: {time}").format(time="0:25:00")
    dialog.buttons.button(dialog.buttons.StandardButton.Save).click()
    assert len(sessions.session(session_id).intervals) == 2
    assert sessions.session(session_id).billing.inside_billed_minutes == 30  # type: ignore[union-attr]


def test_discarding_from_the_list(
    *,
    qtbot: QtBot,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    customer: Customer,
    questions: Answers,
) -> None:
    session_id = _timed(desk, clock, customer.id, 10)
    view = make_view(qtbot, context)
    view.month.sessions.table.selectRow(0)
    click(qtbot, view.month.discard_button)
    assert len(questions) == 1
    assert sessions.session(session_id).state is states.SessionState.DISCARDED
    assert view.month.model.rowCount() == 0
    view.month.show_discarded.setChecked(True)
    assert view.month.model.rowCount() == 1
    assert cell(view, 0, 4) == _("Discarded")


def test_an_invoiced_session_cannot_be_edited_nor_discarded(
    *,
    qtbot: QtBot,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    admin_desk: Desk,
    customer: Customer,
    company: CompanySettings,
) -> None:
    session_id = _timed(desk, clock, customer.id, 10)
    today = clock.now().date()
    draft = invoices.draft_invoice(
        admin_desk, customer_id=customer.id, period_start=today, period_end=today
    )
    invoices.issue_invoice(admin_desk, draft.id, draft.version)
    number = sessions.session(session_id).invoice_number
    assert number is not None
    view = make_view(qtbot, context)
    view.month.sessions.table.selectRow(0)
    assert cell(view, 0, 10) == number
    assert number in view.summary.text.text()
    assert not view.month.edit_button.isEnabled()
    assert not view.month.discard_button.isEnabled()


def test_the_month_picker(
    *, qtbot: QtBot, context: UiContext, clock: ManualClock, desk: Desk, customer: Customer
) -> None:
    clock.set(lisbon(2025, 2, 20, 10))
    _timed(desk, clock, customer.id, 10)
    clock.set(lisbon(2025, 3, 10, 10))
    _timed(desk, clock, customer.id, 20)
    _timed(desk, clock, customer.id, 20)
    view = make_view(qtbot, context)
    assert view.month.model.rowCount() == 2
    click(qtbot, view.month.previous)
    assert view.month.month == (2025, 2)
    assert view.month.model.rowCount() == 1
    click(qtbot, view.month.next)
    click(qtbot, view.month.next)
    assert view.month.month == (2025, 4)
    assert view.month.model.rowCount() == 0
    click(qtbot, view.month.this_month)
    assert view.month.month == (2025, 3)


def test_the_models_pass_the_model_tester(
    *,
    qtbot: QtBot,
    qtmodeltester: ModelTester,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    customer: Customer,
) -> None:
    _timed(desk, clock, customer.id, 10)
    started = sessions.start_session(desk, customer_id=customer.id)
    clock.advance(timedelta(hours=11))
    sessions.stop_session(desk, started.id, started.version)
    sessions.start_session(desk, customer_id=customer.id)
    view = make_view(qtbot, context)
    view.tabs.setCurrentIndex(1)  # the sessions to review are read when their tab shows
    assert view.month.model.rowCount() == 3
    assert view.review.model.rowCount() == 1
    for model in (view.month.model, view.month.sessions.proxy):
        qtmodeltester.check(model)
    for model in (view.review.model, view.review.sessions.proxy):
        qtmodeltester.check(model)


def test_the_sessions_of_another_desk_show_up_on_sync(
    *,
    qtbot: QtBot,
    database: Database,
    view: SessionsView,
    context: UiContext,
    admin_desk: Desk,
    customer: Customer,
) -> None:
    assert view.month.model.rowCount() == 0
    sessions.start_session(admin_desk, customer_id=customer.id)
    context.sync()
    assert view.month.model.rowCount() == 1
    assert view.timer.current is None  # another technician's timer


def test_the_month_reads_its_sessions_by_pages_as_they_come_into_sight(
    *,
    qtbot: QtBot,
    context: UiContext,
    clock: ManualClock,
    desk: Desk,
    customer: Customer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.set(lisbon(2025, 3, 10, 10))
    made = [_timed(desk, clock, customer.id, 10) for _ in range(5)]
    reads: list[tuple[int, int]] = []
    page = sessions.month_sessions_page

    def counted_page(*args: Any, **kwargs: Any) -> tuple[sessions.SessionRecord, ...]:
        reads.append((kwargs["offset"], kwargs["limit"]))
        return page(*args, **kwargs)

    monkeypatch.setattr(sessions, "SESSIONS_PAGE", 2)
    monkeypatch.setattr(sessions, "month_sessions_page", counted_page)
    view = make_view(qtbot, context)
    # The count is the month's, not the rows read so far.
    assert view.month.count.text() == ngettext("{count} session", "{count} sessions", 5).format(
        count=5
    )
    # The table fills its height: the view asked for the next pages while the last row showed.
    qtbot.waitUntil(lambda: view.month.model.rowCount() == 5)
    assert reads[:3] == [(0, 2), (2, 2), (4, 2)]
    assert [view.month.model.row_at(row).id for row in range(5)] == made[::-1]
    # Changes re-read the rows shown in one read.
    reads.clear()
    view.month.reload()
    assert reads == [(0, 5)]
