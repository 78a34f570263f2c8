"""What the main window expects of a view."""

from __future__ import annotations

from PySide6.QtGui import QAction, QIcon, QShowEvent
from PySide6.QtWidgets import QWidget

from app.services.changes import Changes, Topic
from ui.context import UiContext


class View(QWidget):
    """A page of the main window.

    A view reloads from ``app.services`` when a topic it shows changes; while hidden it only
    remembers that it must, and reloads when shown (so a busy desk does not reload six views).
    """

    #: The topics whose changes this view shows.
    topics: frozenset[Topic] = frozenset()

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self._stale = True
        context.changed.connect(self._on_changed)

    def title(self) -> str:
        raise NotImplementedError

    def icon(self) -> QIcon:
        return QIcon()

    def reload(self) -> None:
        """Fetches what the view shows from the services."""
        raise NotImplementedError

    def window_actions(self) -> list[tuple[str, QAction]]:
        """Actions the window puts in its menus, as (menu title, action): they carry the
        shortcuts that work from any view (new contact, start/stop the timer…)."""
        return []

    def focus_search(self) -> None:
        """Ctrl+F: puts the cursor in the view's search field, if it has one."""

    def allow_quit(self) -> bool:
        """The window is closing: False keeps it open (the view asked, and was told to wait)."""
        return True

    def _on_changed(self, changes: Changes) -> None:
        if not changes.topics & self.topics:
            return
        if self.isVisible():
            self.reload()
            self._stale = False
        else:
            self._stale = True

    def showEvent(self, event: QShowEvent) -> None:
        if self._stale:
            self.reload()
            self._stale = False
        super().showEvent(event)
