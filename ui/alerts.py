"""Deadline alerts: a guaranteed deadline about to be missed, and one missed.

``warning_lead(terms)`` before a deadline (15 minutes; 1 minute on the 5-minute line of P7) and
the moment it passes, the window shows a banner (``UiContext.alert``) and the desktop a
notification (when it has a system tray). Each contact is announced once per kind; contacts that
fall due in the same second share one announcement.

The contacts waiting for a response are kept in a heap by the instant of their next
announcement, so a tick costs a look at the top of the heap, however long the queue.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QSystemTrayIcon

from app.domain.sla import warning_lead
from app.i18n import _, format_countdown, format_datetime, ngettext
from app.services.changes import Changes, Topic
from app.services.contacts import ContactRow, open_contacts
from ui.context import UiContext
from ui.resources import application_icon


class AlertKind(StrEnum):
    WARNING = "warning"  # the banner's levels
    BREACH = "breach"


#: Shows a desktop notification: (title, text, kind).
Notifier = Callable[[str, str, AlertKind], None]


@dataclass(frozen=True, order=True)
class _Due:
    at: datetime  # UTC
    contact_id: int
    kind: AlertKind = field(compare=False)
    row: ContactRow = field(compare=False)

    def reached(self, now: datetime) -> bool:
        # A warning is due at its instant; a breach once the deadline is past (``is_breached``).
        return self.at <= now if self.kind is AlertKind.WARNING else self.at < now


def tray_notifier(parent: QObject) -> Notifier | None:
    """Notifications through a tray icon, or None where the desktop has no tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable() or not QSystemTrayIcon.supportsMessages():
        return None
    tray = QSystemTrayIcon(application_icon(), parent)
    tray.setToolTip(_("Balcão"))
    tray.show()
    icons = {
        AlertKind.WARNING: QSystemTrayIcon.MessageIcon.Warning,
        AlertKind.BREACH: QSystemTrayIcon.MessageIcon.Critical,
    }

    def notify(title: str, text: str, kind: AlertKind) -> None:
        tray.showMessage(title, text, icons[kind], 15_000)

    return notify


def _who(row: ContactRow) -> str:
    name = row.customer_name or row.sender
    return f"{name} — {row.subject}" if row.subject else name


def alert_text(kind: AlertKind, rows: Sequence[ContactRow], now: datetime) -> str:
    """One announcement for the contacts that fell due together."""
    first = rows[0]
    assert first.deadline is not None  # only guaranteed contacts are watched
    if kind is AlertKind.WARNING:
        text = _("Deadline close: {contact} — {countdown}, answer by {deadline}.").format(
            contact=_who(first),
            countdown=format_countdown(first.time_left(now)),
            deadline=format_datetime(first.deadline),
        )
    else:
        text = _("Deadline missed: {contact} — it was {deadline}.").format(
            contact=_who(first), deadline=format_datetime(first.deadline)
        )
    others = len(rows) - 1
    if others:
        text += " " + ngettext(
            "And {count} other contact.", "And {count} other contacts.", others
        ).format(count=others)
    return text


def _past(row: ContactRow, now: datetime) -> bool:
    return row.deadline is not None and row.deadline.astimezone(UTC) < now


def alert_title(kind: AlertKind) -> str:
    return _("Deadline close") if kind is AlertKind.WARNING else _("Deadline missed")


class DeadlineAlerts(QObject):
    """Watches the contacts waiting for a response; announces on ``context.ticked``.

    On its own it reads them at once and again whenever contacts change. With ``fed`` its owner
    (the queue, which loads them anyway) hands them over with ``watch``; if none came by the
    first tick, it reads them itself then."""

    def __init__(
        self,
        context: UiContext,
        parent: QObject | None = None,
        *,
        notify: Notifier | None = None,
        use_tray: bool = True,
        fed: bool = False,
    ) -> None:
        super().__init__(parent)
        self.context = context
        if notify is None and use_tray:
            notify = tray_notifier(self)
        self._notify = notify
        self._announced: set[tuple[int, AlertKind]] = set()
        self._schedule: list[_Due] = []
        #: The row watched for each contact: what the schedule holds for older rows is stale.
        self._current: dict[int, ContactRow] = {}
        self._watching = False
        context.ticked.connect(self.check)
        if not fed:
            context.changed.connect(self._on_changed)
            self.refresh()

    def refresh(self) -> None:
        """Reads the contacts waiting for their first response again."""
        self.watch(open_contacts(include_answered=False))

    def watch(self, rows: Iterable[ContactRow]) -> None:
        """Watches these contacts (and forgets the others): those without a deadline, or
        already announced, are left out."""
        schedule: list[_Due] = []
        self._current = {}
        for row in rows:
            self._add(row, schedule)
        heapq.heapify(schedule)
        self._schedule = schedule
        self._watching = True

    def update(self, rows: Iterable[ContactRow], gone: Iterable[int] = ()) -> None:
        """These contacts changed (answered, edited…) and those ``gone`` left the queue: the
        others stay watched as they were. What the old rows had scheduled is skipped when due."""
        for contact_id in gone:
            self._current.pop(contact_id, None)
        for row in rows:
            self._current.pop(row.id, None)
            added: list[_Due] = []
            self._add(row, added)
            for item in added:
                heapq.heappush(self._schedule, item)

    def _add(self, row: ContactRow, schedule: list[_Due]) -> None:
        if not row.guaranteed or row.deadline is None or row.first_response_at is not None:
            return
        self._current[row.id] = row
        deadline = row.deadline.astimezone(UTC)
        if (row.id, AlertKind.WARNING) not in self._announced:
            warn_at = deadline - warning_lead(row.terms)  # real time: UTC arithmetic
            schedule.append(_Due(warn_at, row.id, AlertKind.WARNING, row))
        if (row.id, AlertKind.BREACH) not in self._announced:
            schedule.append(_Due(deadline, row.id, AlertKind.BREACH, row))

    def watched(self) -> int:
        """How many announcements are still to come."""
        return sum(1 for item in self._schedule if self._current.get(item.contact_id) is item.row)

    def check(self) -> None:
        """Announces what fell due since the last check."""
        if not self._watching:
            self.refresh()
        if not self._schedule:
            return
        now = self.context.now().astimezone(UTC)
        due: dict[AlertKind, list[ContactRow]] = {AlertKind.WARNING: [], AlertKind.BREACH: []}
        while self._schedule and self._schedule[0].reached(now):
            item = heapq.heappop(self._schedule)
            key = (item.contact_id, item.kind)
            if key in self._announced or self._current.get(item.contact_id) is not item.row:
                continue  # announced, or scheduled for a row since changed or gone
            self._announced.add(key)
            due[item.kind].append(item.row)
        # A deadline already past when first seen is announced as missed only, not as close.
        warnings = [row for row in due[AlertKind.WARNING] if not _past(row, now)]
        self._announce(AlertKind.WARNING, warnings, now)
        self._announce(AlertKind.BREACH, due[AlertKind.BREACH], now)

    def _announce(self, kind: AlertKind, rows: list[ContactRow], now: datetime) -> None:
        if not rows:
            return
        text = alert_text(kind, rows, now)
        self.context.alert.emit(text, kind.value)
        if kind is AlertKind.WARNING:
            # The banner counts down with the queue (issue 15): the same words at every tick.
            ids = [row.id for row in rows]
            self.context.alert_live.emit(lambda at: self.live_text(ids, at), kind.value)
        if self._notify is not None:
            self._notify(alert_title(kind), text, kind)

    def live_text(self, contact_ids: Sequence[int], now: datetime) -> str:
        """The warning for these contacts at ``now``, for those still waiting ("" when none
        is: answered, or gone from the queue)."""
        rows = [self._current[key] for key in contact_ids if key in self._current]
        return alert_text(AlertKind.WARNING, rows, now) if rows else ""

    def _on_changed(self, changes: Changes) -> None:
        if Topic.CONTACTS in changes:
            self.refresh()
