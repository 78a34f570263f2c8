"""The Packs view, driven as a technician would: choosing a customer, selling a pack by typing,
the amber of packs about to expire, the ledger's filters, and what only administrators may do."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QInputDialog, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

import ui.views.packs.view as packs_view
from app.clock import ManualClock
from app.domain.packs import PackKind
from app.domain.periods import Period
from app.domain.states import LedgerKind
from app.i18n import _, format_minutes_as_hours
from app.services import compensation, customers, packs
from app.services.context import Desk
from app.services.labels import ledger_kind_label
from app.store.models import Customer
from tests.store import factories
from ui.context import UiContext
from ui.table_model import TableProxy
from ui.views.packs.sell_dialog import SellPackDialog
from ui.views.packs.tables import AMBER
from ui.views.packs.view import PacksView
from ui.widgets import RowTable, combo_index

TODAY = date(2025, 3, 10)  # MONDAY_10H

# Showing a window offscreen makes Qt say "This plugin does not support propagateSizeHints()".
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


# --- helpers --------------------------------------------------------------------------------------


def texts(table: RowTable, column: int) -> list[str]:
    """What the table shows in a column, top to bottom."""
    proxy: TableProxy = table.proxy
    return [str(proxy.index(row, column).data()) for row in range(proxy.rowCount())]


def row_texts(table: RowTable) -> list[list[str]]:
    proxy = table.proxy
    return [
        [str(proxy.index(row, column).data()) for column in range(proxy.columnCount())]
        for row in range(proxy.rowCount())
    ]


def double_click(qtbot: QtBot, table: RowTable, row: int) -> None:
    """Qt 6's QTest double-click sends no press first, and item views want one."""
    centre = table.visualRect(table.proxy.index(row, 0)).center()
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=centre)


def new_customer(desk: Desk, name: str) -> int:
    return customers.create_customer(desk, name=name).customer.id


def sell(desk: Desk, customer_id: int, minutes: int, **fields: object) -> int:
    result = packs.sell_pack(
        desk,
        customer_id=customer_id,
        kind=fields.pop("kind", PackKind.UNIT),  # type: ignore[arg-type]
        minutes=minutes,
        price=Decimal("100.00"),
        **fields,  # type: ignore[arg-type]
    )
    return result.pack.id


@pytest.fixture
def view(qtbot: QtBot, context: UiContext) -> Iterator[PacksView]:
    shown = PacksView(context)
    qtbot.addWidget(shown)
    shown.resize(1366, 700)
    shown.show()
    yield shown


def open_dialog(view: PacksView, qtbot: QtBot) -> SellPackDialog:
    dialog = view.open_sell_dialog()
    qtbot.waitExposed(dialog)
    return dialog


class Warnings:
    """QMessageBox.warning replaced: the messages the view showed (no dialog blocks the test)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.messages: list[str] = []

        def warn(_parent: QWidget | None, _title: str, text: str, *_rest: object) -> object:
            self.messages.append(text)
            return QMessageBox.StandardButton.Ok

        monkeypatch.setattr(QMessageBox, "warning", warn)


def answer_reason(monkeypatch: pytest.MonkeyPatch, reason: str) -> list[str]:
    """QInputDialog.getMultiLineText replaced: answers ``reason``; returns the questions asked."""
    asked: list[str] = []

    def ask(_parent: QWidget, _title: str, question: str, _text: str = "") -> tuple[str, bool]:
        asked.append(question)
        return reason, True

    monkeypatch.setattr(QInputDialog, "getMultiLineText", ask)
    return asked


# --- choosing the customer --------------------------------------------------------------------


def test_typing_in_the_search_chooses_the_customer(
    qtbot: QtBot, view: PacksView, desk: Desk
) -> None:
    new_customer(desk, "Oficina Auto Mendes")
    flor = new_customer(desk, "Padaria Flor de Sal")
    sell(desk, flor, 600)
    view.reload()
    assert view.customer_id() is None
    assert view.no_customer.isVisible()

    qtbot.keyClicks(view.picker.search, "flor")

    assert view.customer_id() == flor
    assert view.figures.isVisible()
    assert texts(view.balance_table, 6) == [format_minutes_as_hours(600)]


def test_focus_search_puts_the_cursor_in_the_customer_search(qtbot: QtBot, view: PacksView) -> None:
    view.activateWindow()
    view.focus_search()
    assert view.focusWidget() is view.picker.search


# --- selling ------------------------------------------------------------------------------------


def test_p14_selling_a_pack_by_typing_shows_it_in_the_balances(
    qtbot: QtBot, view: PacksView, desk: Desk
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    view.reload()
    view.show_customer_packs(flor)
    dialog = open_dialog(view, qtbot)
    assert dialog.picker.customer_id() == flor

    qtbot.keyClicks(dialog.hours, "1,5")
    qtbot.keyClicks(dialog.price, "60,50")
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    stored = packs.balances(flor, TODAY)
    assert stored.unit_minutes == 90
    (pack,) = packs.packs_of_customer(flor)
    assert pack.price == Decimal("60.50")
    assert pack.valid_until == date(2026, 3, 10)
    assert texts(view.balance_table, 6) == [format_minutes_as_hours(90)]
    assert view.unit_figure.value.text() == format_minutes_as_hours(90)
    assert texts(view.ledger_table, 4) == ["+" + format_minutes_as_hours(90)]


def test_p15_selling_a_monthly_pack_with_its_last_month(
    qtbot: QtBot, view: PacksView, desk: Desk
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    view.reload()
    view.show_customer_packs(flor)
    dialog = open_dialog(view, qtbot)
    qtbot.mouseClick(dialog.monthly, Qt.MouseButton.LeftButton)
    assert dialog.first_month_row.isVisible()
    assert not dialog.valid_until.isVisible()

    qtbot.keyClicks(dialog.hours, "5")
    qtbot.keyClicks(dialog.price, "180")
    dialog.last_month.setCurrentIndex(combo_index(dialog.last_month, date(2025, 6, 1)))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    (pack,) = packs.packs_of_customer(flor)
    assert (pack.kind, pack.minutes, pack.starts_on) == (PackKind.MONTHLY, 300, date(2025, 3, 1))
    assert pack.last_month == date(2025, 6, 1)
    assert view.month_figure.value.text() == _("{left} left").format(
        left=format_minutes_as_hours(300)
    )


def test_negative_hours_show_a_message_and_write_nothing(
    qtbot: QtBot,
    view: PacksView,
    desk: Desk,
    nothing_written: Callable[[], AbstractContextManager[None]],
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    view.reload()
    view.show_customer_packs(flor)
    dialog = open_dialog(view, qtbot)

    with nothing_written():
        qtbot.keyClicks(dialog.hours, "-2")
        qtbot.keyClicks(dialog.price, "80,00")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.errors.labels["hours"].isVisible()
    assert dialog.errors.labels["hours"].text() == _("The number of hours cannot be negative.")
    assert dialog.hours.text() == "-2"  # what was typed stays, to be corrected
    assert packs.packs_of_customer(flor) == ()


def test_zero_hours_are_refused_by_the_service_next_to_the_field(
    qtbot: QtBot,
    view: PacksView,
    desk: Desk,
    nothing_written: Callable[[], AbstractContextManager[None]],
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    view.reload()
    view.show_customer_packs(flor)
    dialog = open_dialog(view, qtbot)

    with nothing_written():
        qtbot.keyClicks(dialog.hours, "0")
        qtbot.keyClicks(dialog.price, "80,001")
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    assert dialog.isVisible()
    assert dialog.errors.labels["hours"].text() == _("A pack must have more than zero hours.")


def test_a_price_that_is_not_a_number_is_shown_as_typed(
    qtbot: QtBot,
    view: PacksView,
    desk: Desk,
    nothing_written: Callable[[], AbstractContextManager[None]],
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    view.reload()
    view.show_customer_packs(flor)
    dialog = open_dialog(view, qtbot)

    with nothing_written():
        qtbot.keyClicks(dialog.hours, "10")
        qtbot.keyClicks(dialog.price, "dez euros")
        assert dialog.errors.labels["price"].isVisible()  # checked while typing
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)

    expected = _("{text} is not a number; write it as 45,50.").format(text="dez euros")
    assert dialog.errors.labels["price"].text() == expected


# --- expiring packs (P14) -----------------------------------------------------------------------


def test_p14_packs_expiring_within_30_days_are_amber(
    view: PacksView, desk: Desk, database: object
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    hotel = new_customer(desk, "Hotel Miradouro")
    old = sell(desk, flor, 600, purchased_on=date(2024, 3, 20))  # last day 20/03/2025
    fresh = sell(desk, flor, 300)
    sell(desk, hotel, 120, purchased_on=date(2024, 4, 30))  # last day 30/04/2025: not yet
    view.reload()
    view.show_customer_packs(flor)

    backgrounds = {}
    for row in range(view.balance_table.proxy.rowCount()):
        index = view.balance_table.proxy.index(row, 0)
        brush = index.data(Qt.ItemDataRole.BackgroundRole)
        backgrounds[view.balance_table.proxy.key_at(row)] = None if brush is None else brush.color()
    assert backgrounds == {old: AMBER[1], fresh: None}
    assert view.unit_figure.styleSheet()  # the figure is amber too
    # The overview across customers lists the one pack that expires within 30 days.
    assert row_texts(view.expiring_table) == [
        [
            "Padaria Flor de Sal",
            f"#{old}",
            "20/03/2025",
            _("{left} of {hours}").format(
                left=format_minutes_as_hours(600), hours=format_minutes_as_hours(600)
            ),
        ]
    ]


def test_double_clicking_an_expiring_pack_shows_its_customer(
    qtbot: QtBot, view: PacksView, desk: Desk
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    sell(desk, flor, 600, purchased_on=date(2024, 3, 20))
    view.reload()
    assert view.customer_id() is None

    table = view.expiring_table
    double_click(qtbot, table, 0)

    assert view.customer_id() == flor


def test_a_new_day_refreshes_the_balances(
    view: PacksView, desk: Desk, clock: ManualClock, context: UiContext
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    sell(desk, flor, 600, purchased_on=date(2024, 4, 20))  # last day 20/04/2025
    view.reload()
    view.show_customer_packs(flor)
    assert view.expiring.rows() == ()

    clock.advance(timedelta(days=12))  # 22/03: within 30 days of the last day
    context.ticked.emit()

    assert len(view.expiring.rows()) == 1


# --- the ledger -----------------------------------------------------------------------------------


def test_the_ledger_filters_by_customer_kind_and_period(
    view: PacksView, desk: Desk, clock: ManualClock
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    hotel = new_customer(desk, "Hotel Miradouro")
    sell(desk, flor, 600)
    sell(desk, flor, 300, kind=PackKind.MONTHLY)
    sell(desk, hotel, 120)
    view.reload()
    view.show_customer_packs(flor)

    assert view.ledger_table.isColumnHidden(1)  # one customer: no customer column
    assert sorted(texts(view.ledger_table, 2)) == sorted(
        [ledger_kind_label(LedgerKind.PURCHASE), ledger_kind_label(LedgerKind.MONTHLY_ALLOTMENT)]
    )

    view.only_customer.setChecked(False)
    assert not view.ledger_table.isColumnHidden(1)
    assert sorted(texts(view.ledger_table, 1)) == [
        "Hotel Miradouro",
        "Padaria Flor de Sal",
        "Padaria Flor de Sal",
    ]

    view.kind_filter.setCurrentIndex(combo_index(view.kind_filter, LedgerKind.PURCHASE))
    assert sorted(texts(view.ledger_table, 1)) == ["Hotel Miradouro", "Padaria Flor de Sal"]

    view.period_filter.setCurrentIndex(combo_index(view.period_filter, Period.LAST_MONTH))
    assert view.ledger.rows() == ()
    view.period_filter.setCurrentIndex(combo_index(view.period_filter, Period.THIS_MONTH))
    assert len(view.ledger.rows()) == 2


# --- what only administrators may do --------------------------------------------------------


@pytest.fixture
def missed_guarantee(desk: Desk, clock: ManualClock) -> int:
    """A customer whose Standard guarantee was missed (deadline 11/03 18:00): 1 free hour."""
    flor = new_customer(desk, "Padaria Flor de Sal")
    factories.contact(Customer.get_by_id(flor), subject="A caixa não liga")
    clock.advance(timedelta(days=2))
    assert compensation.sweep_breaches(desk).granted
    return flor


def test_p17_revoking_a_compensation_needs_an_administrator(
    qtbot: QtBot,
    *,
    context: UiContext,
    admin_desk: Desk,
    missed_guarantee: int,
    monkeypatch: pytest.MonkeyPatch,
    nothing_written: Callable[[], AbstractContextManager[None]],
) -> None:
    warnings = Warnings(monkeypatch)
    answer_reason(monkeypatch, "O cliente foi atendido por telefone a tempo.")
    view = PacksView(context)
    qtbot.addWidget(view)
    view.show()
    view.show_customer_packs(missed_guarantee)
    view.tabs.setCurrentIndex(1)
    view.grant_table.selectRow(0)
    assert view.revoke_button.isEnabled()

    with nothing_written():
        qtbot.mouseClick(view.revoke_button, Qt.MouseButton.LeftButton)

    assert warnings.messages == [_("Only an administrator may do this.")]
    assert not compensation.grants_of_customer(missed_guarantee)[0].revoked

    admin_view = PacksView(UiContext(admin_desk))
    qtbot.addWidget(admin_view)
    admin_view.show()
    admin_view.show_customer_packs(missed_guarantee)
    admin_view.tabs.setCurrentIndex(1)
    admin_view.grant_table.selectRow(0)
    qtbot.mouseClick(admin_view.revoke_button, Qt.MouseButton.LeftButton)

    (grant,) = compensation.grants_of_customer(missed_guarantee)
    assert grant.revoked
    assert grant.revoke_reason == "O cliente foi atendido por telefone a tempo."
    assert packs.balances(missed_guarantee, TODAY + timedelta(days=2)).free_minutes == 0
    assert texts(admin_view.grant_table, 4)[0].startswith(
        _("Revoked on {date} by {name}: {reason}").split("{", 1)[0]
    )
    assert not admin_view.revoke_button.isEnabled()


def test_an_empty_reason_is_asked_again_with_the_services_message(
    qtbot: QtBot,
    admin_desk: Desk,
    missed_guarantee: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    warnings = Warnings(monkeypatch)
    answers = iter([("   ", True), ("", False)])
    monkeypatch.setattr(QInputDialog, "getMultiLineText", lambda *_args: next(answers))
    view = PacksView(UiContext(admin_desk))
    qtbot.addWidget(view)
    view.show()
    view.show_customer_packs(missed_guarantee)
    view.grant_table.selectRow(0)

    assert view.revoke_selected_grant() is False

    assert warnings.messages == [_("Write why the compensation is revoked.")]
    assert not compensation.grants_of_customer(missed_guarantee)[0].revoked


def test_correcting_a_ledger_entry_needs_an_administrator(
    qtbot: QtBot,
    *,
    context: UiContext,
    desk: Desk,
    admin_desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
    nothing_written: Callable[[], AbstractContextManager[None]],
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    sell(desk, flor, 600)
    sell(desk, flor, 600)  # sold twice by mistake
    warnings = Warnings(monkeypatch)
    asked = answer_reason(monkeypatch, "Pack registado duas vezes.")
    view = PacksView(context)
    qtbot.addWidget(view)
    view.show()
    view.show_customer_packs(flor)
    view.ledger_table.selectRow(0)

    with nothing_written():
        qtbot.mouseClick(view.correct_button, Qt.MouseButton.LeftButton)
    assert warnings.messages == [_("Only an administrator may do this.")]

    admin_view = PacksView(UiContext(admin_desk))
    qtbot.addWidget(admin_view)
    admin_view.show()
    admin_view.show_customer_packs(flor)
    admin_view.ledger_table.selectRow(0)
    qtbot.mouseClick(admin_view.correct_button, Qt.MouseButton.LeftButton)

    assert "−" + format_minutes_as_hours(600) in asked[-1]
    assert packs.balances(flor, TODAY).unit_minutes == 600
    assert ledger_kind_label(LedgerKind.CORRECTION) in texts(admin_view.ledger_table, 2)
    assert "Pack registado duas vezes." in " ".join(texts(admin_view.ledger_table, 7))


def test_ending_a_subscription(
    qtbot: QtBot, view: PacksView, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    pack_id = sell(desk, flor, 300, kind=PackKind.MONTHLY)
    view.reload()
    view.show_customer_packs(flor)
    assert not view.end_button.isEnabled()
    view.balance_table.select_key(pack_id)
    assert view.end_button.isEnabled()
    monkeypatch.setattr(QInputDialog, "getItem", lambda _p, _t, _q, items, *_rest: (items[2], True))

    assert view.end_subscription()

    assert packs.pack(pack_id).last_month == date(2025, 5, 1)


# --- the models -------------------------------------------------------------------------------


def test_the_views_models_pass_qt_model_tester(
    qtmodeltester: ModelTester, view: PacksView, desk: Desk, missed_guarantee: int
) -> None:
    sell(desk, missed_guarantee, 600, purchased_on=date(2024, 4, 1))
    sell(desk, missed_guarantee, 300, kind=PackKind.MONTHLY)
    view.reload()
    view.show_customer_packs(missed_guarantee)
    for model in (view.balances, view.expiring, view.ledger, view.grants):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    qtmodeltester.check(view.ledger_table.proxy)


def test_the_window_gets_the_sell_action(view: PacksView) -> None:
    ((menu, action),) = view.window_actions()
    assert menu and action.text()
    assert view.objectName() == "packs"
    assert view.title() == _("Packs")
    assert not view.icon().isNull()


def test_a_sale_at_another_desk_shows_after_sync(
    view: PacksView, desk: Desk, admin_desk: Desk, context: UiContext
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    view.reload()
    view.show_customer_packs(flor)
    context.sync()
    assert view.balances.rows() == ()

    sell(admin_desk, flor, 300)
    context.sync()  # what the window's poll does every few seconds

    assert texts(view.balance_table, 6) == [format_minutes_as_hours(300)]


def test_the_ledger_reads_by_pages_up_to_its_limit_and_says_when_cut_short(
    view: PacksView, desk: Desk, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    flor = new_customer(desk, "Padaria Flor de Sal")
    for minutes in (60, 120, 180, 240, 300):
        sell(desk, flor, minutes)
    monkeypatch.setattr(packs, "LIST_PAGE", 2)
    monkeypatch.setattr(packs_view, "LEDGER_PAGE", 4)
    reads: list[tuple[int, int]] = []
    ledger = packs.ledger

    def counted(*args: Any, **kwargs: Any) -> tuple[packs.LedgerRow, ...]:
        reads.append((kwargs["offset"], kwargs["limit"]))
        return ledger(*args, **kwargs)

    monkeypatch.setattr(packs, "ledger", counted)
    view.period_filter.setCurrentIndex(combo_index(view.period_filter, Period.LAST_MONTH))
    reads.clear()
    view.period_filter.setCurrentIndex(combo_index(view.period_filter, Period.EVERYTHING))
    assert reads[0] == (0, 2)
    # The table asks for the next page while its last row shows, up to the newest 4.
    qtbot.waitUntil(lambda: not view.ledger.canFetchMore())
    assert len(view.ledger.rows()) == 4
    assert reads == [(0, 2), (2, 2)]  # past the limit no query is made
    assert view.ledger_note.text() == _(
        "The {count} newest movements: narrow the filters to see older ones."
    ).format(count=4)
    assert [row.minutes for row in view.ledger.rows()] == [300, 240, 180, 120]
