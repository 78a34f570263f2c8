"""The tabs under a customer's record: contacts with their guarantee (P5, P8, P17), sessions with
what paid them (P11, P16a), balances with the packs about to expire (P14), invoices, the monthly
statement, and the records a double click opens."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QTableView, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan
from app.i18n import _, format_datetime, format_month, ngettext
from app.services import compensation, contacts, customers, invoices, packs, sessions, settings
from app.services.context import Desk
from app.services.customers import CustomerRecord
from tests.services.conftest import MONDAY_10H
from tests.ui.conftest import finish
from ui.context import UiContext
from ui.views.customers import statement as customer_statement
from ui.views.customers.tabs import EXPIRING_BACKGROUND, table_texts
from ui.views.customers.view import CustomersView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def view(qtbot: QtBot, context: UiContext) -> Iterator[CustomersView]:
    shown = CustomersView(context)
    qtbot.addWidget(shown)
    shown.resize(1186, 650)
    shown.show()
    yield shown


@pytest.fixture
def loja(desk: Desk) -> CustomerRecord:
    return customers.create_customer(
        desk,
        name="Loja do Zé",
        nif="501964843",
        address="Rua Direita, 5",
        postcode="4000-322",
        city="Porto",
        plan=Plan.STANDARD,
        emails=["ze@loja.pt"],
    ).customer


def open_tab(view: CustomersView, customer_id: int, tab: QWidget) -> None:
    view.show_customer(customer_id)
    view.panel.tabs.setCurrentWidget(tab)


def double_click(qtbot: QtBot, table: QTableView, row: int) -> None:
    """Qt 6's QTest double click sends no press first, and item views want one."""
    centre = table.visualRect(table.model().index(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


# --- contacts -------------------------------------------------------------------------------------


def test_p17_contacts_tab_shows_deadline_state_and_whether_the_guarantee_was_met(
    qtbot: QtBot, view: CustomersView, desk: Desk, clock: ManualClock, loja: CustomerRecord
) -> None:
    met = contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject="A")
    clock.advance(timedelta(hours=1))
    contacts.record_first_response(desk, met.contact.id, met.contact.version)
    late = contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject="B")
    clock.advance(timedelta(minutes=30))
    contacts.register_contact(
        desk, channel=Channel.EMAIL, sender="outro@loja.pt", subject="C", customer_id=loja.id
    )
    open_tab(view, loja.id, view.panel.contacts_tab)
    table = view.panel.contacts_tab.view
    subjects = [row[1] for row in table_texts(table)]
    assert subjects == ["C", "B", "A"]  # newest first
    assert [row[4] for row in table_texts(table)] == [_("No guarantee"), _("Pending"), _("Met")]
    # P5: received Monday, due at the close of Tuesday (18:00 Lisbon, UTC in March).
    assert table_texts(table)[1][3] == format_datetime(late.contact.deadline)  # type: ignore[arg-type]
    assert table_texts(table)[1][2] == _("Awaiting response")

    # Wednesday: B's deadline passed without a response; the sweep grants the free hour (P17).
    clock.set(MONDAY_10H + timedelta(days=2))
    compensation.sweep_breaches(desk)
    view.context.sync()
    guarantee = table_texts(table)[1][4]
    assert guarantee == _("{outcome}: {grant}").format(
        outcome=_("Missed"),
        grant=ngettext("{count} free hour", "{count} free hours", 1).format(count=1),
    )


def test_double_click_on_a_contact_asks_the_window_to_show_it(
    qtbot: QtBot, view: CustomersView, desk: Desk, loja: CustomerRecord
) -> None:
    made = contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject="A")
    open_tab(view, loja.id, view.panel.contacts_tab)
    with qtbot.waitSignal(view.context.show_record) as asked:
        double_click(qtbot, view.panel.contacts_tab.view, 0)
    assert asked.args == ["contact", made.contact.id]


# --- sessions and balances ------------------------------------------------------------------------


def _sell_expiring_pack(desk: Desk, customer_id: int) -> int:
    # P14: bought on 20/03/2024, valid until 20/03/2025: ten days left on MONDAY_10H.
    return packs.sell_pack(
        desk,
        customer_id=customer_id,
        kind=PackKind.UNIT,
        minutes=600,
        price=Decimal("400.00"),
        purchased_on=date(2024, 3, 20),
    ).pack.id


def test_p16a_sessions_tab_shows_time_billed_and_the_pack_that_paid(
    view: CustomersView, desk: Desk, clock: ManualClock, loja: CustomerRecord
) -> None:
    _sell_expiring_pack(desk, loja.id)
    started = sessions.start_session(desk, customer_id=loja.id)
    clock.advance(timedelta(minutes=40))
    sessions.stop_session(desk, started.id, started.version)
    open_tab(view, loja.id, view.panel.sessions_tab)
    (row,) = table_texts(view.panel.sessions_tab.view)
    assert row[0] == format_datetime(MONDAY_10H)
    assert row[1] == "Rui"
    assert row[2] == _("{inside} / {outside}").format(
        inside=_("{minutes} min").format(minutes=40), outside=_("{minutes} min").format(minutes=0)
    )
    assert row[3] == _("{minutes} min").format(minutes=45)  # P11: 15-minute blocks
    assert row[4] == _("{pack}: {time}").format(
        pack=_("Unit pack"), time=_("{minutes} min").format(minutes=45)
    )


def test_p11_time_no_pack_covers_is_shown_as_not_covered(
    view: CustomersView, desk: Desk, clock: ManualClock, loja: CustomerRecord
) -> None:
    started = sessions.start_session(desk, customer_id=loja.id)
    clock.advance(timedelta(minutes=20))
    sessions.stop_session(desk, started.id, started.version)
    open_tab(view, loja.id, view.panel.sessions_tab)
    (row,) = table_texts(view.panel.sessions_tab.view)
    assert row[4] == _("not covered: {time}").format(time=_("{minutes} min").format(minutes=30))


def test_p14_balances_tab_highlights_the_pack_about_to_expire_and_counts_free_hours(
    view: CustomersView, desk: Desk, clock: ManualClock, loja: CustomerRecord
) -> None:
    _sell_expiring_pack(desk, loja.id)
    packs.sell_pack(
        desk,
        customer_id=loja.id,
        kind=PackKind.UNIT,
        minutes=300,
        price=Decimal("200.00"),
        purchased_on=date(2025, 3, 1),
    )
    packs.sell_pack(
        desk, customer_id=loja.id, kind=PackKind.MONTHLY, minutes=240, price=Decimal("150.00")
    )
    late = contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject="X")
    clock.set(MONDAY_10H + timedelta(days=2))
    compensation.sweep_breaches(desk)
    open_tab(view, loja.id, view.panel.balances_tab)
    tab = view.panel.balances_tab
    rows = table_texts(tab.view)
    assert [row[0] for row in rows] == [
        _("Monthly pack"),
        _("Unit pack"),
        _("Unit pack"),
        _("Free hours"),
    ]  # the order they pay in (P16a)
    assert rows[0][1] == format_month(2025, 3)
    assert rows[1][1] == _("until {date}").format(date="20/03/2025")
    assert rows[3][1] == _("never expires")
    backgrounds = [
        tab.view.model().index(row, 3).data(Qt.ItemDataRole.BackgroundRole) for row in range(4)
    ]
    assert [b is not None and b.color() == EXPIRING_BACKGROUND for b in backgrounds] == [
        False,
        True,
        False,
        False,
    ]
    assert _("{hours} h").format(hours=1) in tab.summary.text()
    (grant,) = table_texts(tab.grants_view)
    assert grant[0] == format_datetime(clock.now())  # granted by the sweep
    assert grant[1].startswith(late.contact.subject)
    assert grant[3] == _("Granted")


def test_p17_a_revoked_grant_says_by_whom_and_why(
    view: CustomersView,
    desk: Desk,
    admin_desk: Desk,
    clock: ManualClock,
    loja: CustomerRecord,
) -> None:
    contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject="X")
    clock.set(MONDAY_10H + timedelta(days=2))
    (granted,) = compensation.sweep_breaches(desk).granted
    compensation.revoke_grant(admin_desk, granted.id, "Cliente fechado", version=granted.version)
    open_tab(view, loja.id, view.panel.balances_tab)
    (grant,) = table_texts(view.panel.balances_tab.grants_view)
    assert "Marta" in grant[3] and "Cliente fechado" in grant[3]


# --- invoices -------------------------------------------------------------------------------------


def test_invoices_tab_lists_number_date_total_and_state(
    view: CustomersView, desk: Desk, admin_desk: Desk, loja: CustomerRecord
) -> None:
    company = settings.settings()
    settings.update_settings(
        admin_desk,
        company.version,
        name="WebPlug, Lda.",
        nif="509442013",
        address="Rua do Comércio, 10",
    )
    packs.sell_pack(
        desk, customer_id=loja.id, kind=PackKind.UNIT, minutes=600, price=Decimal("400.00")
    )
    draft = invoices.draft_invoice(
        desk, customer_id=loja.id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31)
    )
    issued = invoices.issue_invoice(desk, draft.id, draft.version)
    invoices.draft_invoice(
        desk, customer_id=loja.id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31)
    )
    open_tab(view, loja.id, view.panel.invoices_tab)
    rows = table_texts(view.panel.invoices_tab.view)
    assert rows[0][0] == issued.number_text
    assert rows[0][2] == "10/03/2025"
    assert rows[0][4].startswith("492,00")  # 400 € + 23 % VAT
    assert rows[0][5] == _("Issued")
    assert rows[1][0] == _("Draft") and rows[1][5] == _("Draft")


# --- refreshing, models, the statement ------------------------------------------------------------


def test_tabs_follow_changes_made_elsewhere(
    view: CustomersView, desk: Desk, loja: CustomerRecord
) -> None:
    open_tab(view, loja.id, view.panel.contacts_tab)
    assert table_texts(view.panel.contacts_tab.view) == []
    contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject="Novo")
    view.context.sync()
    assert [row[1] for row in table_texts(view.panel.contacts_tab.view)] == ["Novo"]


def test_the_tab_models_pass_qt_model_tester(
    qtmodeltester: ModelTester,
    view: CustomersView,
    desk: Desk,
    clock: ManualClock,
    loja: CustomerRecord,
) -> None:
    _sell_expiring_pack(desk, loja.id)
    contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject="A")
    started = sessions.start_session(desk, customer_id=loja.id)
    clock.advance(timedelta(minutes=10))
    sessions.stop_session(desk, started.id, started.version)
    invoices.draft_invoice(
        desk, customer_id=loja.id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31)
    )
    panel = view.panel
    view.show_customer(loja.id)
    for tab in (panel.contacts_tab, panel.sessions_tab, panel.balances_tab, panel.invoices_tab):
        panel.tabs.setCurrentWidget(tab)
        assert tab.model.rowCount() >= 1
        qtmodeltester.check(tab.model)
        qtmodeltester.check(tab.proxy)
    qtmodeltester.check(panel.balances_tab.grants)


def test_tabs_are_empty_and_disabled_for_a_new_customer(view: CustomersView) -> None:
    panel = view.panel
    assert panel.record is None
    for tab in (panel.contacts_tab, panel.sessions_tab, panel.balances_tab, panel.invoices_tab):
        assert not panel.tabs.isTabEnabled(panel.tabs.indexOf(tab))
    assert not panel.statement_button.isEnabled()


def test_the_statement_of_the_month_is_written_where_the_technician_says(
    qtbot: QtBot,
    view: CustomersView,
    loja: CustomerRecord,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = tmp_path / "extrato"
    offered: list[str] = []

    def save_file_name(*args: object) -> tuple[str, str]:
        offered.append(str(args[2]))
        return str(chosen), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_file_name)
    view.show_customer(loja.id)
    months = customer_statement.months_up_to(date(2025, 3, 10), 3)
    assert months == [(2025, 3), (2025, 2), (2025, 1)]
    written = finish(qtbot, view.panel.statement_button.export(2025, 3))  # in the background
    assert written == tmp_path / "extrato.pdf"
    assert written.read_bytes().startswith(b"%PDF")
    assert Path(offered[0]).name == customer_statement.suggested_file_name("Loja do Zé", 2025, 3)
    assert "loja-do-ze" in offered[0]


def test_a_statement_of_a_month_not_begun_is_refused_with_its_reason(
    qtbot: QtBot,
    view: CustomersView,
    loja: CustomerRecord,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    shown: list[str] = []
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", lambda *_args: (str(tmp_path / "x.pdf"), "")
    )
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_r: shown.append(text))
    view.show_customer(loja.id)
    assert finish(qtbot, view.panel.statement_button.export(2025, 4)) is None
    assert len(shown) == 1  # once
    assert shown and format_month(2025, 4) in shown[0]
    assert not (tmp_path / "x.pdf").exists()
