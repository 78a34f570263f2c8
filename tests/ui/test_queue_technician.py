"""The queue's "Técnico" column and "Os meus" filter, and the technician chooser of a contact's
window (issue 14)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.domain.sla import Channel, Plan
from app.i18n import _
from app.services import sessions
from app.services.changes import Changes, Topic
from app.services.contacts import assign_technician, contact, register_contact
from app.services.context import Desk
from app.services.customers import create_customer
from app.store.models import Technician
from ui.context import UiContext
from ui.views.queue.model import QueueColumn
from ui.views.queue.view import QueueView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def view(qtbot: QtBot, context: UiContext, desk: Desk) -> QueueView:
    create_customer(
        desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"], phones=["213000000"]
    )
    shown = QueueView(context)
    qtbot.addWidget(shown)
    shown.resize(1186, 600)
    shown.show()
    return shown


def register(desk: Desk, subject: str) -> int:
    return register_contact(
        desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject=subject
    ).contact.id


def subjects(view: QueueView) -> list[str]:
    return [
        str(view.proxy.index(row, QueueColumn.SUBJECT).data())
        for row in range(view.proxy.rowCount())
    ]


def technicians_shown(view: QueueView) -> dict[str, str]:
    return {
        str(view.proxy.index(row, QueueColumn.SUBJECT).data()): str(
            view.proxy.index(row, QueueColumn.TECHNICIAN).data()
        )
        for row in range(view.proxy.rowCount())
    }


def test_the_tecnico_column_shows_who_looks_after_each_contact(
    view: QueueView,
    context: UiContext,
    desk: Desk,
    technician: Technician,
    qtmodeltester: ModelTester,
) -> None:
    mine = register(desk, "Impressora")
    register(desk, "Rede")
    assign_technician(desk, mine, contact(mine).version, technician.id)
    context.sync()
    header = view.proxy.headerData(QueueColumn.TECHNICIAN, Qt.Orientation.Horizontal)
    assert header == _("Technician")
    assert technicians_shown(view) == {"Impressora": "Rui", "Rede": ""}
    # Shown, right after the customer.
    table_header = view.table.horizontalHeader()
    assert not table_header.isSectionHidden(QueueColumn.TECHNICIAN)
    assert table_header.visualIndex(QueueColumn.TECHNICIAN) == QueueColumn.CUSTOMER + 1
    qtmodeltester.check(view.model)


def test_os_meus_shows_only_the_desks_contacts_and_follows_changes(
    view: QueueView,
    *,
    context: UiContext,
    desk: Desk,
    admin_desk: Desk,
    technician: Technician,
    admin: Technician,
) -> None:
    first = register(desk, "Impressora")
    second = register(desk, "Rede")
    email = register(desk, "Email")
    assign_technician(desk, first, contact(first).version, technician.id)
    assign_technician(desk, second, contact(second).version, admin.id)
    context.sync()
    assert len(subjects(view)) == 3
    assert view.mine_action.isEnabled()

    view.mine_action.setChecked(True)
    assert subjects(view) == ["Impressora"]
    assert view.tabs.tabText(0) == _("&Queue ({count})").format(count=1)
    # Another desk gives Rede to Rui: it comes into "Os meus"; Impressora given away leaves.
    assign_technician(admin_desk, second, contact(second).version, technician.id)
    assign_technician(admin_desk, first, contact(first).version, admin.id)
    context.sync()
    assert subjects(view) == ["Rede"]
    # The alerts still watch every contact waiting, not only those shown, also after a change
    # of the whole queue (read again, "Os meus" still).
    assert view.alerts.watched() == 2 * 3  # a warning and a breach for each
    context.changed.emit(Changes(whole=frozenset({Topic.CONTACTS})))
    assert subjects(view) == ["Rede"]
    assert view.alerts.watched() == 2 * 3

    # A session started on a contact without technician makes it Rui's.
    sessions.start_session(desk, contact_id=email)
    context.sync()
    assert sorted(subjects(view)) == ["Email", "Rede"]

    view.mine_action.setChecked(False)
    assert len(subjects(view)) == 3


def test_os_meus_needs_a_technician_at_the_desk(
    qtbot: QtBot, clock: ManualClock, desk: Desk
) -> None:
    nobody = QueueView(UiContext(Desk(clock, None)))
    qtbot.addWidget(nobody)
    assert not nobody.mine_action.isEnabled()
    assert nobody.mine() is None


def test_the_contacts_window_chooser_assigns_the_technician(
    view: QueueView,
    context: UiContext,
    desk: Desk,
    technician: Technician,
    admin: Technician,
) -> None:
    contact_id = register(desk, "Impressora")
    context.sync()
    view.show_contact(contact_id)
    dialog = view.detail_dialog
    assert dialog is not None
    chooser = dialog.technician
    names = [chooser.itemText(i) for i in range(chooser.count())]
    assert names[0] == _("Nobody") and {"Rui", "Marta"} <= set(names)
    assert chooser.currentIndex() == 0

    # As a user picks one: ``activated`` with its index.
    chooser.activated.emit(names.index("Marta"))
    assert contact(contact_id).technician_id == admin.id
    assert chooser.currentText() == "Marta"
    assert technicians_shown(view) == {"Impressora": "Marta"}

    chooser.activated.emit(0)
    assert contact(contact_id).technician_id is None
    assert technicians_shown(view) == {"Impressora": ""}
