"""The main window: the views on the left, the chosen one on the right, the timer below."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from PySide6.QtCore import QByteArray, QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from app import __version__
from app.i18n import _
from app.services import settings as company
from app.services.errors import DatabaseFault
from ui.context import UiContext
from ui.resources import status_icon
from ui.views.base import View

#: Which view shows a kind of record, and its method that shows one.
_RECORD_VIEWS = {
    "customer": ("customers", "show_customer"),
    "contact": ("contacts", "show_contact"),
    "session": ("sessions", "show_session"),
    "invoice": ("invoices", "show_invoice"),
    "packs": ("packs", "show_customer_packs"),
}

TICK_MS = 1_000  # countdowns and the timer
POLL_MS = 3_000  # what other desks recorded shows up within 5 s
#: On PostgreSQL the other desks' changes are heard as they are made (``UiContext.listen``): the
#: poll is only a safety net.
PUSHED_POLL_MS = 30_000
#: While the database does not answer, each failed poll doubles the wait, up to this.
POLL_MAX_MS = 60_000
SWEEP_MS = 60_000  # missed deadlines, monthly allotments, expiries
_STATUS_ICON = 16  # px: the status bar's icons

Sweep = Callable[[], None]


class Banner(QFrame):
    """A strip at the top of the window for deadlines about to be missed, or missed; and, with
    no button, for the state of the database while it lasts."""

    def __init__(
        self,
        parent: QWidget | None = None,
        *,
        name: str = "",
        dismissable: bool = True,
        now: Callable[[], datetime] | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAccessibleName(name or _("Alerts"))
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        close = QPushButton(_("Dismiss"))
        close.setAccessibleName(_("Dismiss the alert"))
        close.clicked.connect(self.dismiss)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        close.setVisible(dismissable)
        #: The live alert shown (``show_live``), and the clock it is rendered with.
        self._render: Callable[[datetime], str] | None = None
        self._now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.hide()

    def show_alert(self, text: str, level: str) -> None:
        self._render = None
        self._show(text, level)

    def show_live(self, render: Callable[[datetime], str], level: str) -> None:
        """An alert whose words change with time: rendered now and at every ``tick``."""
        self._render = render
        self._show(render(self._now()), level)

    def dismiss(self) -> None:
        self._render = None
        self.hide()

    def tick(self) -> None:
        if self._render is None:
            return
        text = self._render(self._now())
        if not text:  # no longer applies (the contact was answered)
            self._render = None
            self.hide()
        elif text != self.text.text():
            self.text.setText(text)

    def _show(self, text: str, level: str) -> None:
        colours = {
            "breach": ("#7a1010", "#fde2e1"),
            "warning": ("#6b4a00", "#fff1cc"),
        }
        foreground, background = colours.get(level, ("#0d3b66", "#e3f0ff"))
        self.setStyleSheet(
            f"#banner {{ background: {background}; border-bottom: 1px solid {foreground}; }}"
            f"#banner QLabel {{ color: {foreground}; font-weight: 600; }}"
        )
        self.text.setText(text)
        self.show()


class MainWindow(QMainWindow):
    def __init__(
        self,
        context: UiContext,
        views: Sequence[View],
        *,
        technician_name: str,
        sweep: Sweep | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.context = context
        self.views = list(views)
        self._sweep = sweep
        self._settings = settings or QSettings()
        self._database = ""
        self.setWindowTitle(_("Balcão"))
        self.setMinimumSize(1000, 600)

        self.navigation = QListWidget()
        self.navigation.setObjectName("navigation")
        self.navigation.setAccessibleName(_("Views"))
        self.navigation.setFixedWidth(180)
        self.navigation.setFrameShape(QFrame.Shape.NoFrame)
        self.stack = QStackedWidget()
        for view in self.views:
            item = QListWidgetItem(view.icon(), view.title())
            item.setSizeHint(QSize(0, 40))
            self.navigation.addItem(item)
            self.stack.addWidget(view)
        self.navigation.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.stack.currentChanged.connect(lambda _position: self._update_title())

        self._build_central(context)

        self._build_status_bar(technician_name)
        self._build_menus()
        self._show_database_problem(context.problem)

        self._timers: list[QTimer] = []
        self._poll_timer: QTimer | None = None
        #: The wait before the next poll: POLL_MS, or longer while the database does not answer.
        self.poll_interval = POLL_MS
        self._menus: dict[str, QMenu] = {}
        for view in self.views:
            for menu_title, action in view.window_actions():
                self.add_action(menu_title, action)
        context.show_record.connect(self.show_record)
        context.start_timer.connect(self.start_timer)
        self._restore()
        self._update_title()

    def _build_central(self, context: UiContext) -> None:
        """The navigation on the left; the banners above the view shown on the right."""
        self.banner = Banner(now=context.now)
        context.alert.connect(self.banner.show_alert)
        context.alert_live.connect(self.banner.show_live)
        context.ticked.connect(self.banner.tick)
        self.database_banner = Banner(name=_("Database"), dismissable=False)
        context.database_problem.connect(self._show_database_problem)
        right = QWidget()
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.database_banner)
        right_layout.addWidget(self.banner)
        right_layout.addWidget(self.stack, 1)
        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(right, 1)
        self.setCentralWidget(central)

    def _build_status_bar(self, technician_name: str) -> None:
        self.technician_label = QLabel(_("Technician: {name}").format(name=technician_name))
        self.technician_label.setAccessibleName(_("Technician at this desk"))
        self.timer_label = QLabel()
        self.timer_label.setAccessibleName(_("Running timer"))
        #: Running or paused, as an icon: no font is sure to carry ⏱ and ⏸.
        self.timer_icon = QLabel()
        self.timer_icon.setFixedSize(_STATUS_ICON, _STATUS_ICON)
        self.timer_icon.hide()
        self.context.timer_status.connect(self._show_timer_status)
        self.context.timer_state.connect(self._show_timer_state)
        self.statusBar().addPermanentWidget(self.timer_icon)
        self.statusBar().addPermanentWidget(self.timer_label)
        self.statusBar().addPermanentWidget(self.technician_label)
        self.read_only_label = QLabel(_("Read only"))
        self.read_only_label.setAccessibleName(_("The database can only be read"))
        self.read_only_label.setVisible(self.context.read_only)
        self.statusBar().addPermanentWidget(self.read_only_label)
        self._show_timer_status("")

    # --- menus and shortcuts ------------------------------------------------------------------

    def _build_menus(self) -> None:
        program = self.menuBar().addMenu(_("&Program"))
        quit_action = QAction(_("&Quit"), self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        program.addAction(quit_action)
        go = self.menuBar().addMenu(_("&View"))
        search = QAction(_("&Search"), self)
        search.setShortcut(QKeySequence.StandardKey.Find)
        search.triggered.connect(lambda: self.current_view().focus_search())
        go.addAction(search)
        go.addSeparator()
        for number, view in enumerate(self.views, start=1):
            action = QAction(view.title(), self)
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
            action.triggered.connect(lambda _checked=False, n=number - 1: self.show_view(n))
            go.addAction(action)
        self._help_menu = self.menuBar().addMenu(_("&Help"))
        about = QAction(_("&About Balcão"), self)
        about.triggered.connect(self._about)
        self._help_menu.addAction(about)

    def add_action(self, menu_title: str, action: QAction) -> None:
        """Puts a view's action (with its shortcut) in a menu of the window, by menu title."""
        menu = self._menus.get(menu_title)
        if menu is None:
            menu = self._menus[menu_title] = QMenu(menu_title, self)
            self.menuBar().insertMenu(self._help_menu.menuAction(), menu)
        menu.addAction(action)

    def _about(self) -> None:
        QMessageBox.about(
            self,
            _("About Balcão"),
            _(
                "Balcão {version}\n\nSupport plans, response deadlines, sessions, hour packs "
                "and invoices.\n\nThis program is not certified by the tax authority: its "
                "invoices are the company's billing record, to be issued through certified "
                "invoicing software."
            ).format(version=__version__),
        )

    # --- views ----------------------------------------------------------------------------------

    def show_view(self, position: int) -> None:
        self.navigation.setCurrentRow(position)

    def view_named(self, name: str) -> View:
        for view in self.views:
            if view.objectName() == name:
                return view
        raise KeyError(name)

    def show_record(self, kind: str, record_id: int) -> None:
        """Switches to the view that shows that kind of record, and shows it there."""
        view_name, method = _RECORD_VIEWS[kind]
        view = self.view_named(view_name)
        self.show_view(self.views.index(view))
        getattr(view, method)(record_id)

    def start_timer(self, kind: str, record_id: int) -> None:
        """Starts the timer for a contact or a customer, in the Sessões view."""
        view = self.view_named("sessions")
        self.show_view(self.views.index(view))
        getattr(view, f"start_for_{kind}")(record_id)

    def current_view(self) -> View:
        return self.views[self.stack.currentIndex()]

    def change_technician(self, technician_id: int) -> None:
        """Another technician sits at this desk from now on (chosen in Definições)."""
        self.context.desk = replace(self.context.desk, technician_id=technician_id)
        name = company.technician(technician_id).name
        self.technician_label.setText(_("Technician: {name}").format(name=name))
        for view in self.views:
            view.reload()

    def _show_timer_status(self, text: str) -> None:
        self.timer_label.setText(text or _("No timer running"))

    def _show_timer_state(self, state: str) -> None:
        if state == self.timer_icon.property("state"):
            return  # every second: the icon is drawn once per change
        self.timer_icon.setProperty("state", state)
        if state in ("running", "paused"):
            icon = status_icon(f"timer-{state}")
            self.timer_icon.setPixmap(
                icon.pixmap(_STATUS_ICON, _STATUS_ICON, QIcon.Mode.Normal, QIcon.State.Off)
            )
            self.timer_icon.setToolTip(_("Timer running") if state == "running" else _("Paused"))
            self.timer_icon.show()
        else:
            self.timer_icon.hide()

    # --- the title --------------------------------------------------------------------------------

    def set_database(self, description: str) -> None:
        """The database in use, for the title (a file path, a server without its password)."""
        self._database = description
        self._update_title()

    def _update_title(self) -> None:
        """ "<view> — <database> — Balcão": the program's name once, at the end, where the
        desktop would add it (Qt adds the application's display name to a title that does not
        end with it)."""
        position = self.stack.currentIndex()
        view = self.views[position].title() if 0 <= position < len(self.views) else ""
        if self._database:
            title = _("{view} — {database} — Balcão").format(view=view, database=self._database)
        else:
            title = _("{view} — Balcão").format(view=view)
        self.setWindowTitle(title)

    # --- the clock ------------------------------------------------------------------------------

    def start_timers(self) -> None:
        """Ticks, polls and sweeps; tests call tick(), poll() and sweep() themselves instead."""
        self.poll_interval = self._usual_poll_ms()
        timers = ((TICK_MS, self.tick), (self.poll_interval, self.poll), (SWEEP_MS, self.sweep))
        for interval, slot in timers:
            timer = QTimer(self)
            timer.setInterval(interval)
            timer.timeout.connect(slot)
            timer.start()
            self._timers.append(timer)
            if slot == self.poll:
                self._poll_timer = timer

    def tick(self) -> None:
        self.context.ticked.emit()

    def poll(self) -> None:
        """Learns what the other desks changed since the last poll. While the database does not
        answer, the banner says so and the polls space out (3 s, 6, 12… up to a minute); the
        first one that is answered brings the usual pace back."""
        if self.context.poll():
            self.poll_interval = self._usual_poll_ms()
        else:
            self.poll_interval = min(self.poll_interval * 2, POLL_MAX_MS)
        if self._poll_timer is not None and self._poll_timer.interval() != self.poll_interval:
            self._poll_timer.setInterval(self.poll_interval)

    def _usual_poll_ms(self) -> int:
        return PUSHED_POLL_MS if self.context.pushed else POLL_MS

    def sweep(self) -> None:
        """The minute's sweep, skipped while the database does not answer (the polls watch
        for its return); a fault meanwhile is reported like a failed poll."""
        if self._sweep is not None and not self.context.problem:
            try:
                self._sweep()
            except DatabaseFault as fault:
                self.context.report(fault)
                return
        self.poll()

    def _show_database_problem(self, text: str) -> None:
        if text:
            self.database_banner.show_alert(text, "breach")
        elif self.context.read_only:
            self.database_banner.show_alert(
                _(
                    "This database can only be read (a read-only file, disk or server): you can "
                    "look, but nothing you change can be saved."
                ),
                "warning",
            )
        else:
            self.database_banner.hide()

    # --- remembering ----------------------------------------------------------------------------

    def _restore(self) -> None:
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            self.resize(1280, 760)
        view = self._settings.value("window/view", 0)
        position = int(view) if isinstance(view, int | str) and str(view).isdigit() else 0
        self.show_view(position if 0 <= position < len(self.views) else 0)

    def closeEvent(self, event: QCloseEvent) -> None:
        # A view may have something to ask first (a timer running): cancelling keeps it open.
        if not all(view.allow_quit() for view in self.views):
            event.ignore()
            return
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/view", self.stack.currentIndex())
        for timer in self._timers:
            timer.stop()
        super().closeEvent(event)
