"""What every view shares: the desk, the clock, and the signals that keep the views in step."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, Signal

from app.services import changes
from app.services.context import Desk


class UiContext(QObject):
    #: ``Changes`` made at this desk or another one: views showing those topics reload.
    #: Emitted by ``sync`` only, so a change is announced once wherever it was made.
    changed = Signal(object)
    #: Every second: live countdowns and the running timer repaint.
    ticked = Signal()
    #: A view asks the window to show a record: ("customer" | "contact" | "session" |
    #: "invoice" | "packs", id).
    show_record = Signal(str, int)
    #: A view asks for the timer to start: ("contact" | "customer", id).
    start_timer = Signal(str, int)
    #: The running timer in words, for the status bar ("" when none runs).
    timer_status = Signal(str)
    #: A warning for the banner at the top of the window: (text, "warning" | "breach" | "info").
    alert = Signal(str, str)

    def __init__(self, desk: Desk, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self._last_change = changes.latest()

    def now(self) -> datetime:
        return self.desk.now()

    def sync(self) -> None:
        """Announces what any desk (this one included) changed since the last call.

        Views call it right after a use case; the window calls it every few seconds for what the
        other desks do.
        """
        self._last_change, changed = changes.since(self._last_change)
        if changed:
            self.changed.emit(changed)
