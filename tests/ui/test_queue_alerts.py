"""Deadline alerts (ui/alerts.py): 15 minutes before a guaranteed deadline (1 minute on the
5-minute line of P7) and when it is missed — a banner and a tray notification, once each."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PySide6.QtWidgets import QSystemTrayIcon
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.domain.sla import Channel, Plan
from app.i18n import _, format_countdown, ngettext
from app.services.contacts import record_first_response, register_contact
from app.services.context import Desk
from app.services.customers import CustomerRecord, create_customer
from ui import alerts
from ui.alerts import AlertKind, DeadlineAlerts, tray_notifier
from ui.context import UiContext
from ui.views.queue import view as queue
from ui.views.queue.view import QueueView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

Shown = list[tuple[str, str]]


def at(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """An instant of March 2025 in Lisbon (UTC+0 until the 30th)."""
    return datetime(2025, 3, day, hour, minute, second, tzinfo=UTC)


@pytest.fixture
def clinica(desk: Desk) -> CustomerRecord:
    return create_customer(
        desk,
        name="Clínica Sorriso",
        plan=Plan.PRIORITY,
        emails=["rececao@clinica.pt"],
        phones=["217000000"],
    ).customer


@pytest.fixture
def transportes(desk: Desk) -> CustomerRecord:
    return create_customer(
        desk, name="Transportes Costa", plan=Plan.PRIORITY_24_7, phones=["912345678"]
    ).customer


@pytest.fixture
def banners(context: UiContext) -> Shown:
    shown: Shown = []
    context.alert.connect(lambda text, level: shown.append((level, text)))
    return shown


@pytest.fixture
def notified() -> list[tuple[str, str, AlertKind]]:
    return []


@pytest.fixture
def watcher(context: UiContext, notified: list[tuple[str, str, AlertKind]]) -> DeadlineAlerts:
    return DeadlineAlerts(context, notify=lambda *shown: notified.append(shown))


def tick(context: UiContext, clock: ManualClock, to: datetime) -> None:
    clock.set(to)
    context.ticked.emit()


def levels(shown: Shown) -> list[str]:
    return [level for level, _text in shown]


def test_warned_15_minutes_before_and_at_the_breach_once_each(
    qtbot: QtBot,
    context: UiContext,
    *,
    desk: Desk,
    clock: ManualClock,
    clinica: CustomerRecord,
    banners: Shown,
) -> None:
    notified: list[tuple[str, str, AlertKind]] = []
    register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="rececao@clinica.pt", subject="Lento"
    )
    context.sync()  # P6: due at 15:00
    watcher = DeadlineAlerts(context, notify=lambda *shown: notified.append(shown))
    assert watcher.watched() == 2  # a warning and a breach to come

    tick(context, clock, at(10, 14, 44, 59))
    assert banners == []
    tick(context, clock, at(10, 14, 45))
    assert levels(banners) == ["warning"]
    _level, text = banners[0]
    assert "Clínica Sorriso" in text and "Lento" in text
    assert format_countdown(timedelta(minutes=15)) in text
    assert [(title, kind) for title, _text, kind in notified] == [
        (_("Deadline close"), AlertKind.WARNING)
    ]
    assert notified[0][1] == text

    for moment in (at(10, 14, 50), at(10, 14, 59, 59), at(10, 15, 0)):  # met exactly at 15:00
        tick(context, clock, moment)
    assert levels(banners) == ["warning"]

    tick(context, clock, at(10, 15, 0, 1))
    assert levels(banners) == ["warning", "breach"]
    assert "Lento" in banners[1][1]
    assert [kind for *_texts, kind in notified] == [AlertKind.WARNING, AlertKind.BREACH]

    # Later ticks, and reloads after other changes, announce nothing again.
    register_contact(desk, channel=Channel.SMS, sender="+351 961 222 333", subject="Outro")
    context.sync()
    for minutes in range(1, 5):
        tick(context, clock, at(10, 15, minutes))
    assert levels(banners) == ["warning", "breach"]


def test_p7_the_5_minute_line_is_warned_1_minute_before(
    context: UiContext,
    *,
    desk: Desk,
    clock: ManualClock,
    transportes: CustomerRecord,
    banners: Shown,
    watcher: DeadlineAlerts,
) -> None:
    register_contact(
        desk, channel=Channel.PRIORITY_PHONE, sender="912 345 678", subject="Servidor em baixo"
    )
    context.sync()  # due at 10:05
    tick(context, clock, at(10, 10, 3, 59))
    assert banners == []
    tick(context, clock, at(10, 10, 4))
    assert levels(banners) == ["warning"]
    tick(context, clock, at(10, 10, 5, 1))
    assert levels(banners) == ["warning", "breach"]


def test_a_contact_answered_in_time_is_not_announced(
    context: UiContext,
    *,
    desk: Desk,
    clock: ManualClock,
    clinica: CustomerRecord,
    banners: Shown,
    watcher: DeadlineAlerts,
) -> None:
    saved = register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="rececao@clinica.pt", subject="Lento"
    ).contact
    context.sync()
    assert watcher.watched() == 2
    clock.set(at(10, 14))
    record_first_response(desk, saved.id, saved.version)
    context.sync()
    assert watcher.watched() == 0
    for moment in (at(10, 14, 45), at(10, 15, 1)):
        tick(context, clock, moment)
    assert banners == []


def test_a_deadline_missed_before_start_is_announced_once_as_missed(
    context: UiContext,
    desk: Desk,
    clock: ManualClock,
    clinica: CustomerRecord,
    banners: Shown,
) -> None:
    register_contact(
        desk,
        channel=Channel.PRIORITY_EMAIL,
        sender="rececao@clinica.pt",
        subject="Backup",
        received_at=at(7, 9),  # Friday 09:00: due Friday 13:00 (P6)
    )
    watcher = DeadlineAlerts(context)  # as the program starts
    assert watcher.watched() == 2
    tick(context, clock, at(10, 10, 0, 1))
    tick(context, clock, at(10, 10, 0, 2))
    assert levels(banners) == ["breach"]
    assert "07/03/2025 13:00" in banners[0][1]


def test_contacts_falling_due_together_share_one_announcement(
    context: UiContext,
    *,
    desk: Desk,
    clock: ManualClock,
    clinica: CustomerRecord,
    banners: Shown,
    watcher: DeadlineAlerts,
) -> None:
    for subject in ("Lento", "Impressora", "Wi-Fi"):
        register_contact(
            desk, channel=Channel.PRIORITY_EMAIL, sender="rececao@clinica.pt", subject=subject
        )
    context.sync()
    tick(context, clock, at(10, 14, 45))
    assert levels(banners) == ["warning"]
    assert (
        ngettext("And {count} other contact.", "And {count} other contacts.", 2).format(count=2)
        in banners[0][1]
    )


def test_the_queue_view_announces_once(
    qtbot: QtBot,
    context: UiContext,
    *,
    desk: Desk,
    clock: ManualClock,
    clinica: CustomerRecord,
    banners: Shown,
) -> None:
    view = QueueView(context)
    qtbot.addWidget(view)
    register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="rececao@clinica.pt", subject="Lento"
    )
    context.sync()
    tick(context, clock, at(10, 14, 45))
    tick(context, clock, at(10, 15, 1))
    assert levels(banners) == ["warning", "breach"]


def test_no_tray_no_notification(monkeypatch: pytest.MonkeyPatch, context: UiContext) -> None:
    monkeypatch.setattr(alerts.QSystemTrayIcon, "isSystemTrayAvailable", lambda: False)
    assert tray_notifier(context) is None


def test_tray_notification_where_there_is_a_tray(
    monkeypatch: pytest.MonkeyPatch, context: UiContext
) -> None:
    shown: list[tuple[object, ...]] = []
    monkeypatch.setattr(alerts.QSystemTrayIcon, "isSystemTrayAvailable", lambda: True)
    monkeypatch.setattr(alerts.QSystemTrayIcon, "supportsMessages", lambda: True)
    monkeypatch.setattr(alerts.QSystemTrayIcon, "show", lambda _self: None)
    monkeypatch.setattr(
        alerts.QSystemTrayIcon, "showMessage", lambda _self, *args: shown.append(args)
    )
    notify = tray_notifier(context)
    assert notify is not None
    notify("Prazo", "Texto", AlertKind.BREACH)
    assert shown == [("Prazo", "Texto", QSystemTrayIcon.MessageIcon.Critical, 15_000)]


def test_the_queue_hands_its_contacts_to_the_alerts_read_once(
    qtbot: QtBot,
    context: UiContext,
    monkeypatch: pytest.MonkeyPatch,
    *,
    desk: Desk,
    clock: ManualClock,
    clinica: CustomerRecord,
    banners: Shown,
) -> None:
    reads: list[str] = []

    def counted(where: str, read: Callable[..., Any]) -> Callable[..., Any]:
        def reading(*args: Any, **kwargs: Any) -> Any:
            reads.append(where)
            return read(*args, **kwargs)

        return reading

    monkeypatch.setattr(queue, "open_contacts", counted("queue", queue.open_contacts))
    monkeypatch.setattr(alerts, "open_contacts", counted("alerts", alerts.open_contacts))
    monkeypatch.setattr(queue, "queue_rows", counted("changed", queue.queue_rows))
    view = QueueView(context)
    qtbot.addWidget(view)
    view.show()
    register_contact(
        desk, channel=Channel.PRIORITY_EMAIL, sender="rececao@clinica.pt", subject="Lento"
    )
    context.sync()
    assert reads == ["queue", "changed"]  # shown, then the new contact alone
    tick(context, clock, at(10, 14, 45))
    assert levels(banners) == ["warning"]
    view.hide()  # another view shows: the queue still fetches the one that changed
    record_first_response(desk, view.model.row_at(0).id, view.model.row_at(0).version)
    context.sync()
    assert reads == ["queue", "changed", "changed"]
    tick(context, clock, at(10, 15, 1))
    assert levels(banners) == ["warning"]  # answered in time: no breach
