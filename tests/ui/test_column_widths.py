"""Issue 15, point 6: columns of closed sets (channels, guarantees, plans) and the titles show
whole; only free text (names, senders, the subject) is cut, with a tooltip."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from app.domain.sla import Channel, Plan, Reason
from app.services.context import Desk
from app.services.customers import create_customer
from app.services.labels import channel_label, plan_short_label, reason_short
from ui.context import UiContext
from ui.views.customer_search import CustomerSearch
from ui.views.customers.view import CustomersView
from ui.views.queue.model import QueueColumn
from ui.views.queue.view import QueueView


def shows_whole(table: QTableView, column: int, texts: list[str]) -> list[str]:
    """The texts (and the title) that the column's starting width cuts."""
    width = table.columnWidth(column)
    title = str(table.model().headerData(column, Qt.Orientation.Horizontal))
    cut = [text for text in texts if table.fontMetrics().horizontalAdvance(text) + 8 > width]
    title_width = table.horizontalHeader().fontMetrics().horizontalAdvance(title)
    return cut + ([title] if title_width + 8 > width else [])


def test_the_queue_shows_every_channel_and_guarantee_whole(
    qtbot: QtBot, context: UiContext
) -> None:
    view = QueueView(context)
    qtbot.addWidget(view)
    view.resize(1186, 600)
    view.show()
    table = view.table
    assert shows_whole(table, QueueColumn.CHANNEL, [channel_label(c) for c in Channel]) == []
    assert shows_whole(table, QueueColumn.GUARANTEE, [reason_short(r) for r in Reason]) == []
    assert shows_whole(table, QueueColumn.RECEIVED, []) == []
    # The subject takes what is left, and some is left at 1366 px (beside the technician's
    # column: names, senders and technicians are cut, with a tooltip, to leave it room).
    assert table.columnWidth(QueueColumn.SUBJECT) >= 120


def test_the_customer_list_shows_the_plans_and_its_titles_whole(
    qtbot: QtBot, context: UiContext
) -> None:
    view = CustomersView(context)
    qtbot.addWidget(view)
    view.resize(1186, 650)
    view.show()
    table = view.table
    assert shows_whole(table, 2, [plan_short_label(plan) for plan in Plan]) == []
    assert shows_whole(table, 4, []) == []  # "Em aberto" showed "aberto"
    assert shows_whole(table, 1, ["123456789"]) == []
    assert table.columnWidth(0) >= 140  # the name keeps room


def test_the_customer_choice_is_wide_enough_for_name_and_nif(qtbot: QtBot, desk: Desk) -> None:
    name = "Oficina Auto Santos & Filhos, Lda."
    create_customer(desk, name=name, nif="501964843")
    search = CustomerSearch()
    qtbot.addWidget(search)
    search.show()
    search.set_customer(search.choice.itemData(0))
    label = search.choice.currentText()
    assert name in label and "501964843" in label
    needed = search.choice.fontMetrics().horizontalAdvance(label)
    assert search.choice.minimumSizeHint().width() >= needed
