"""Starting the program: Qt, the database, the technician at this desk, the main window."""

from __future__ import annotations

import argparse
import gc
import logging
import os
import sys

from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from app.clock import SystemClock
from app.errors import KnownError
from app.i18n import _
from app.services import settings as company
from app.services.changes import Changes
from app.services.context import Desk
from app.services.database import LOCATION_VARIABLE, describe_location, open_location
from app.services.housekeeping import run_sweeps
from ui import crash, operations, translator
from ui.context import UiContext
from ui.mail import MailFetcher
from ui.main_window import MainWindow
from ui.operations import Operation, op
from ui.passwords import asker, scrub_settings
from ui.resources import APPLICATION_ID, application_icon
from ui.technician_dialog import TechnicianDialog, remember_technician, remembered_technician
from ui.views.customers.view import CustomersView
from ui.views.invoices.view import InvoicesView
from ui.views.packs.view import PacksView
from ui.views.queue.view import QueueView
from ui.views.reports.view import ReportsView
from ui.views.sessions.view import SessionsView
from ui.views.settings.database import saved_location
from ui.views.settings.view import SettingsView

log = logging.getLogger(__name__)

#: Set by the packaging smoke test: quit that many milliseconds after the window shows.
SMOKE_QUIT_ENV = "BALCAO_SMOKE_QUIT_MS"
#: The thorough sweep at start waits this long once the window shows, so that it paints first.
THOROUGH_SWEEP_DELAY_MS = 100
#: The freeze of start-up's objects waits this long at most for background reads to end (a
#: mailbox's IDLE watch never does), looking again every ``FREEZE_RETRY_MS``.
FREEZE_WAIT_MS = 10_000
FREEZE_RETRY_MS = 250
#: How long the program, closing, waits for background work still running.
BACKGROUND_GRACE_MS = 15_000


#: How long a background thread may hold the interpreter before the window's thread gets a
#: turn (Python's default is 5 ms). Mail fetching, PDFs and sweeps run beside the UI thread in
#: one interpreter: with 1 ms the window's slices stay well under a frame while they run
#: (tests/bench/bench_intake_ui.py), at a negligible cost to the background work.
SWITCH_INTERVAL_S = 0.001


def application() -> QApplication:
    """The one QApplication, named for the desktop (icon, settings, window class)."""
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    created = QApplication(sys.argv[:1])
    created.setApplicationName("balcao")  # the .desktop file's StartupWMClass
    created.setApplicationDisplayName(_("Balcão"))
    created.setOrganizationName("Balcao")
    created.setWindowIcon(application_icon())
    QGuiApplication.setDesktopFileName(APPLICATION_ID)
    translator.install(created)
    return created


def build_window(
    context: UiContext,
    *,
    technician_name: str,
    settings: QSettings,
    location: str | None = None,
    sweeper: Sweeper | None = None,
) -> MainWindow:
    """The main window with every view; tests build it too, with a ManualClock in the desk."""
    sweep = sweeper or Sweeper(context)
    settings_view = SettingsView(context, location=location, settings=settings)
    sessions_view = SessionsView(context)
    views = [
        QueueView(context),
        CustomersView(context),
        sessions_view,
        PacksView(context),
        InvoicesView(context),
        ReportsView(context),
        settings_view,
    ]
    window = MainWindow(
        context,
        views,
        technician_name=technician_name,
        sweep=sweep.minute,
        settings=settings,
    )
    settings_view.technician_changed.connect(window.change_technician)
    sessions_view.wants_attention.connect(lambda: window.show_view(views.index(sessions_view)))
    return window


class Sweeper:
    """Runs the sweeps in the background, one at a time (a slow one is not started again over
    itself); their changes are announced when they end. A refusal (the database out of reach)
    is logged only: the window's banner says it, and the next minute tries again."""

    def __init__(self, context: UiContext) -> None:
        self.context = context
        self.running: Operation[Changes] | None = None
        # Imported here: the invoicing adapter (httpx) is needed only once the window runs.
        from ui.views.invoices.handover import OutboxRunner

        #: The sends to the certified program waiting to be tried again (P29), beside the sweep.
        self.outbox = OutboxRunner(context)

    def __call__(self, *, thorough: bool = False) -> Operation[Changes] | None:
        if self.running is not None:
            return None
        desk = self.context.desk
        operation: Operation[Changes] = (
            op(None, lambda: run_sweeps(desk, thorough=thorough), sync=self.context)
            .in_background(_("Checking deadlines and balances…"), shows_progress=False)
            .failure(lambda error: log.warning("sweep refused: %s", error))
            .finally_(self._ended)
        )
        self.running = operation
        operation.run()
        return operation

    def minute(self) -> None:
        """The window's minute timer: the quick sweep, and the outbox's retry pass."""
        self()
        self.outbox()

    def _ended(self) -> None:
        self.running = None


def finish_starting(context: UiContext, sweeper: Sweeper | None = None) -> None:
    """Right after the window shows: the thorough sweep (contacts answered past their deadline
    whatever wrote them, balances that lapsed while no desk swept), then every view shows what
    it changed. It reads far more than the minute sweep, so the window does not wait for it.

    Then what start-up built (the views, the queue's rows) is set apart from Python's cycle
    collector: it lives as long as the window, and a full collection that walked it all would
    stall a keystroke or a tick for tens of milliseconds (35–47 ms on the large demo, when the
    rest of the queue arrived after the freeze). So the freeze waits for what start-up reads in
    the background, for at most ``FREEZE_WAIT_MS``."""

    sweep = sweeper or Sweeper(context)

    def frozen(waited_ms: int = 0) -> None:
        if operations.running() and waited_ms < FREEZE_WAIT_MS:
            QTimer.singleShot(FREEZE_RETRY_MS, lambda: frozen(waited_ms + FREEZE_RETRY_MS))
            return
        gc.collect()
        gc.freeze()

    def finish() -> None:
        operation = sweep(thorough=True)
        if operation is not None:
            operation.finally_(frozen)

    QTimer.singleShot(THOROUGH_SWEEP_DELAY_MS, finish)


def _refuse(message: str) -> int:
    """The program cannot start: says why on stderr (for scripts) and in a dialog."""
    print(_("balcao: error: {message}").format(message=message), file=sys.stderr)
    if QGuiApplication.platformName() != "offscreen":
        QMessageBox.critical(None, _("Balcão"), message)
    return 1


def run_window(args: argparse.Namespace) -> int:
    qt = application()
    # From here on, anything unexpected is logged and shown in the one error dialog.
    crash.install()
    clock = SystemClock()
    settings = QSettings()
    scrub_settings(settings)  # passwords an older version wrote there go to the keyring
    # --db, then BALCAO_DB, then the database chosen in Definições, then the default file.
    chosen = args.db or (
        None if os.environ.get(LOCATION_VARIABLE, "").strip() else saved_location(settings)
    )
    # The password, never in the settings, comes from the address given, the keyring or the user.
    try:
        location = open_location(chosen, clock=clock, ask=asker())
    except KnownError as error:  # no window yet: the runner has nowhere to show it
        log.warning("cannot open the database: %s %s", error, error.detail)
        return _refuse(str(error))
    technician_id: int | None
    if args.technician:
        try:
            technician_id = company.find_technician(args.technician).id
        except KnownError as error:  # no window yet, as above
            return _refuse(str(error))
        remember_technician(settings, location, technician_id)
    else:
        technician_id = remembered_technician(settings, location)
    if technician_id is None:
        dialog = TechnicianDialog(clock)
        if not dialog.exec() or dialog.chosen is None:
            return 0
        technician_id = dialog.chosen
        remember_technician(settings, location, technician_id)
    desk = Desk(clock, technician_id)
    # Deadlines that passed while the program was closed are compensated by the thorough sweep,
    # in the background right after the window shows (``finish_starting``): on the first start
    # of a month it is the month's turn, a second or two on a team's database.
    context = UiContext(desk)
    sweeper = Sweeper(context)
    window = build_window(
        context,
        technician_name=company.technician(technician_id).name,
        settings=settings,
        location=location,
        sweeper=sweeper,
    )
    window.set_database(describe_location(location))
    window.show()
    finish_starting(context, sweeper)
    context.listen()  # PostgreSQL: the other desks' changes as they are made
    window.start_timers()
    fetcher = MailFetcher(context, window.statusBar())  # issue 11: the mailboxes, every minute
    fetcher.start()
    quit_after = os.environ.get(SMOKE_QUIT_ENV, "")
    if quit_after.isdigit():
        QTimer.singleShot(int(quit_after), qt.quit)
    status = qt.exec()
    fetcher.stop()
    context.stop_listening()
    # Work still running in the background (a PDF, a sweep) ends before the program does.
    QThreadPool.globalInstance().waitForDone(BACKGROUND_GRACE_MS)
    return status
