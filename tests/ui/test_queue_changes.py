"""The queue applies a change by fetching only the rows the change log names.

Another desk's change (here: a use case and ``context.sync``, as the poll runs it) must update
that row and no other: the queue never reads the whole list again, the model announces one row,
and the order stays the queue's.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from PySide6.QtCore import QModelIndex
from PySide6.QtTest import QSignalSpy
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

import ui.context
from app.clock import ManualClock
from app.domain.sla import Channel, Plan
from app.i18n import _
from app.services import changes
from app.services.changes import Topic
from app.services.contacts import (
    close_contact,
    contact,
    open_contacts,
    record_first_response,
    register_contact,
    update_contact,
)
from app.services.context import Desk
from app.services.customers import create_customer, customer, update_customer
from app.services.errors import DatabaseUnavailableError
from ui.context import UiContext
from ui.views.queue import view as queue
from ui.views.queue.view import QueueView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each read of the whole queue ("all") and of changed rows ("changed")."""
    done: list[str] = []
    for name, label in (("open_contacts", "all"), ("queue_rows", "changed")):
        read = getattr(queue, name)

        def counted(*args: Any, _read: Any = read, _label: str = label, **kwargs: Any) -> Any:
            done.append(_label)
            return _read(*args, **kwargs)

        monkeypatch.setattr(queue, name, counted)
    return done


@pytest.fixture
def filled(desk: Desk, clock: ManualClock) -> list[int]:
    """Five contacts of two customers, received an hour apart: their deadlines are in order."""
    create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"])
    create_customer(desk, name="Clínica", plan=Plan.PRIORITY, emails=["geral@clinica.pt"])
    ids = []
    for hour, sender in zip(
        (9, 10, 11, 12, 13),
        ("ana@loja.pt", "geral@clinica.pt", "ana@loja.pt", "geral@clinica.pt", "ana@loja.pt"),
        strict=True,
    ):
        clock.set(at(10, hour))
        registered = register_contact(
            desk, channel=Channel.EMAIL, sender=sender, subject=f"Pedido das {hour}h"
        )
        ids.append(registered.contact.id)
    clock.set(at(10, 14))
    return ids


@pytest.fixture
def view(qtbot: QtBot, context: UiContext, filled: list[int]) -> QueueView:
    shown = QueueView(context)
    qtbot.addWidget(shown)
    shown.resize(1186, 600)
    shown.show()
    context.sync()  # what the fixtures wrote is already shown
    return shown


def shown_ids(view: QueueView) -> list[int]:
    return [view.proxy.key_at(row) for row in range(view.proxy.rowCount())]


def in_queue_order() -> list[int]:
    return [row.id for row in open_contacts()]


def test_a_change_to_one_contact_updates_that_row_alone(
    view: QueueView, context: UiContext, desk: Desk, reads: list[str], filled: list[int]
) -> None:
    before = shown_ids(view)
    assert before == in_queue_order()
    changed = QSignalSpy(view.model.dataChanged)
    reset = QSignalSpy(view.model.modelReset)
    layout = QSignalSpy(view.model.layoutChanged)
    third = view.model.row_at(view.model.position_of(filled[2]) or 0)
    update_contact(desk, third.id, third.version, subject="Impressora avariada")
    context.sync()
    assert reads == ["changed"]  # that contact only; the queue was not read again
    assert changed.count() == 1
    first, last = changed.at(0)[0], changed.at(0)[1]
    assert first.row() == last.row() == view.model.position_of(third.id)
    assert (reset.count(), layout.count()) == (0, 0)
    assert view.model.row_at(first.row()).subject == "Impressora avariada"
    assert shown_ids(view) == before


def test_an_answered_contact_moves_to_the_answered_part_keeping_its_selection(
    view: QueueView, context: UiContext, desk: Desk, reads: list[str], filled: list[int]
) -> None:
    assert view.select_contact(filled[0])
    row = view.selected()
    assert row is not None
    record_first_response(desk, row.id, row.version)
    context.sync()
    assert reads == ["changed"]
    assert shown_ids(view) == in_queue_order()
    assert shown_ids(view)[-1] == filled[0]  # answered: after every contact still waiting
    selected = view.selected()
    assert selected is not None and selected.id == filled[0]  # the selection followed it


def test_a_closed_contact_leaves_the_queue(
    view: QueueView, context: UiContext, desk: Desk, reads: list[str], filled: list[int]
) -> None:
    removed = QSignalSpy(view.model.rowsRemoved)
    row = view.model.row_at(view.model.position_of(filled[1]) or 0)
    close_contact(desk, row.id, row.version)
    context.sync()
    assert reads == ["changed"]
    assert removed.count() == 1
    assert filled[1] not in shown_ids(view)
    assert shown_ids(view) == in_queue_order()
    assert view.model.rowCount() == 4


def test_a_new_contact_arrives_in_its_place(
    view: QueueView,
    context: UiContext,
    desk: Desk,
    reads: list[str],
    *,
    qtmodeltester: ModelTester,
) -> None:
    inserted = QSignalSpy(view.model.rowsInserted)
    # Received earlier than the last two (a call written down late): its deadline falls among
    # theirs, not at the end.
    register_contact(
        desk,
        channel=Channel.EMAIL,
        sender="ana@loja.pt",
        subject="Ligou às 11h30",
        received_at=at(10, 11, 30),
    )
    context.sync()
    assert reads == ["changed"]
    assert inserted.count() == 1
    place = inserted.at(0)[1]
    assert isinstance(inserted.at(0)[0], QModelIndex) and 0 < place < view.model.rowCount() - 1
    assert shown_ids(view) == in_queue_order()
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)


def test_a_renamed_customer_updates_its_contacts_rows(
    view: QueueView, context: UiContext, desk: Desk, reads: list[str]
) -> None:
    changed = QSignalSpy(view.model.dataChanged)
    loja = next(row for row in view.model.rows() if row.customer_name == "Loja da Ana")
    assert loja.customer_id is not None
    current = customer(loja.customer_id)
    update_customer(desk, current.id, current.version, name="Loja da Ana, Lda.")
    context.sync()
    assert reads == ["changed"]
    assert changed.count() == 3  # its three contacts, and no other row
    names = {row.customer_name for row in view.model.rows()}
    assert names == {"Loja da Ana, Lda.", "Clínica"}


def test_a_wholesale_change_still_reads_the_queue_again(
    view: QueueView, context: UiContext, desk: Desk, reads: list[str]
) -> None:
    changes.note(desk, [Topic.CONTACTS])  # a sweep that names no contact
    context.sync()
    assert reads == ["all"]


def test_a_long_queue_shows_its_first_page_then_the_rest(
    qtbot: QtBot,
    context: UiContext,
    desk: Desk,
    filled: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(queue, "FIRST_PAGE", 2)
    shown = QueueView(context)
    qtbot.addWidget(shown)
    shown.show()
    assert shown_ids(shown) == in_queue_order()[:2]  # the most urgent, at once
    # Another desk answers the first while the rest is read: it shows as answered all the same.
    first = shown.model.row_at(0)
    record_first_response(desk, first.id, first.version)
    context.sync()
    qtbot.waitUntil(lambda: shown.model.rowCount() == len(filled))
    assert shown_ids(shown) == in_queue_order()
    assert shown_ids(shown)[-1] == first.id
    assert shown.alerts.watched() > 0


def test_a_queue_never_shown_feeds_its_alerts_the_changed_contacts_only(
    qtbot: QtBot, context: UiContext, desk: Desk, reads: list[str], filled: list[int]
) -> None:
    hidden = QueueView(context)
    qtbot.addWidget(hidden)
    hidden.alerts.refresh()  # what the first tick does
    watched = hidden.alerts.watched()
    record_first_response(desk, filled[0], 1)
    context.sync()
    assert reads == ["changed"]
    assert hidden.alerts.watched() == watched - 2  # its warning and breach, no longer due


def test_many_changed_contacts_are_shown_a_part_per_turn_of_the_event_loop(
    qtbot: QtBot,
    view: QueueView,
    reads: list[str],
    filled: list[int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    context, desk = view.context, view.context.desk
    # Issue 11: a mail pass that registered hundreds never holds the window for one long slice.
    monkeypatch.setattr(queue, "APPLY_CHUNK", 2)
    for row in list(view.model.rows()):
        update_contact(desk, row.id, row.version, subject=f"Revisto {row.id}")
    context.sync()
    assert reads == []  # every part later, one a turn
    qtbot.waitUntil(lambda: reads == ["changed"])
    revised = [row.id for row in view.model.rows() if row.subject.startswith("Revisto")]
    assert sorted(revised) == sorted(filled)[:2]
    qtbot.waitUntil(lambda: all(row.subject.startswith("Revisto") for row in view.model.rows()))
    assert reads == ["changed"] * 3  # five contacts, two a part: three queries, no full read
    assert shown_ids(view) == in_queue_order()


def test_the_queues_count_is_said_once_the_last_part_is_shown(
    qtbot: QtBot, view: QueueView, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new title lays the tab bar out and repaints the whole tab: once, not every part."""
    monkeypatch.setattr(queue, "APPLY_CHUNK", 2)
    before = view.model.rowCount()
    titled: list[tuple[int, str]] = []
    set_text = view.tabs.setTabText

    def recorded(tab: int, text: str) -> None:
        titled.append((tab, text))
        set_text(tab, text)

    monkeypatch.setattr(view.tabs, "setTabText", recorded)
    for minute in range(5):
        register_contact(
            desk,
            channel=Channel.EMAIL,
            sender="ana@loja.pt",
            subject=f"Pedido {minute}",
            received_at=at(10, 11, minute),
        )
    view.context.sync()
    qtbot.waitUntil(lambda: view.model.rowCount() == before + 5)
    qtbot.waitUntil(lambda: bool(titled))
    assert titled == [(0, _("&Queue ({count})").format(count=before + 5))]  # once, at the end


def test_many_changes_are_read_a_part_per_turn_and_all_announced(
    qtbot: QtBot, context: UiContext, desk: Desk, filled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pass that brought a thousand contacts is read from the change log in parts."""
    context.sync()  # what the fixtures wrote: one part
    monkeypatch.setattr(ui.context, "POLL_PART", 2)
    announced: list[frozenset[int]] = []
    context.changed.connect(
        lambda changes: announced.append(changes.ids(Topic.CONTACTS) or frozenset())
    )
    for contact_id in filled:
        update_contact(desk, contact_id, contact(contact_id).version, subject="Revisto")
    context.sync()
    assert len(announced) == 1  # the first part at once, the others a turn later each
    qtbot.waitUntil(lambda: frozenset().union(*announced) == set(filled))
    assert len(announced) >= 3  # five contacts, two changes a part


def test_a_part_the_database_refuses_is_said_once_and_read_whole_when_it_answers(
    qtbot: QtBot, view: QueueView, filled: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    context, desk = view.context, view.context.desk
    monkeypatch.setattr(queue, "APPLY_CHUNK", 2)
    read = queue.queue_rows
    parts: list[object] = []

    def second_refused(*args: Any, **kwargs: Any) -> Any:
        parts.append(args)
        if len(parts) == 2:
            raise DatabaseUnavailableError(detail="server restarting")
        return read(*args, **kwargs)

    monkeypatch.setattr(queue, "queue_rows", second_refused)
    problems = QSignalSpy(context.database_problem)
    for row in list(view.model.rows()):
        update_contact(desk, row.id, row.version, subject=f"Revisto {row.id}")
    context.sync()
    qtbot.waitUntil(lambda: problems.count() == 1)  # said, not raised into Qt
    assert context.problem
    assert len(parts) == 2  # the rest waits for the database, not retried in a loop
    monkeypatch.setattr(queue, "queue_rows", read)
    context.sync()  # it answers: everything is read again
    assert all(row.subject.startswith("Revisto") for row in view.model.rows())
