"""The one way the window runs a use case (Anki's ``CollectionOp``/``QueryOp``, Picard's
``run_task``/``to_main``; STYLE.md).

::

    op(self, lambda: customers.update_customer(desk, ...), sync=self.context)
        .success(lambda result: self.select(result.customer.id))
        .failure(self.errors.report)      # optional: the message by its field
        .run()

``run`` calls the use case. A refusal (any ``KnownError``: a ``ServiceError``, a database fault
the store understood) is shown once, in the user's language, by the widget that acted (a message
box, or ``failure``'s own place such as the field at fault); its technical ``detail`` goes only
to the log. Anything else is a bug: ``ui.crash.report_bug`` logs it and shows the one error
dialog. After a success ``sync`` (the ``UiContext``) announces the changes, so every view showing
them reloads; then ``success`` gets the result.

In the foreground (the default, for quick use cases) all of it happens before ``run`` returns,
which returns the result (``None`` when refused). ``in_background`` runs the use case on the
thread pool instead: ``run`` returns at once and the outcome is delivered on the main thread
through a queued signal; no widget is touched from the worker. Work still running after half a
second shows a progress dialog, with the count where the work reports one (``op_with_progress``
hands it an ``app.progress.Progress``) and a Cancel button where cancelling is safe.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import shiboken6
from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.errors import KnownError
from app.i18n import _
from app.progress import Cancelled, Progress
from app.services.exports import cannot_write
from app.services.threads import release_connection
from ui.context import UiContext
from ui.crash import report_bug
from ui.feedback import show_error

log = logging.getLogger(__name__)

T = TypeVar("T")

#: Work that ends sooner shows no progress at all (it would only flicker).
SHOW_PROGRESS_AFTER_MS = 500

#: Operations running in the background, kept alive until their outcome is delivered.
_running: set[Operation[Any]] = set()


@dataclass(frozen=True)
class _Outcome:
    result: object = None
    error: BaseException | None = None


class _Relay(QObject):
    """Lives on the main thread; the worker emits, Qt queues, the main thread receives."""

    done = Signal(object)
    progressed = Signal(int, object)


class _Task(QRunnable):
    def __init__(self, work: Callable[[], object], relay: _Relay) -> None:
        super().__init__()
        self._work = work
        self._relay = relay

    def run(self) -> None:
        try:
            outcome = _Outcome(result=self._work())
        except BaseException as error:
            outcome = _Outcome(error=error)
        finally:
            # This pool thread may idle for long or serve other work: it keeps no connection.
            try:
                release_connection()
            except Exception:
                log.warning("closing a worker's database connection failed", exc_info=True)
        self._relay.done.emit(outcome)


class Operation(Generic[T]):
    def __init__(
        self,
        parent: QWidget | None,
        work: Callable[[Progress], T],
        *,
        sync: UiContext | None = None,
    ) -> None:
        self.parent = parent
        self._work = work
        self._sync = sync
        self._on_success: list[Callable[[T], object]] = []
        self._on_failure: Callable[[KnownError], object] | None = None
        self._allowed: tuple[type[KnownError], ...] = ()
        self._writes: Path | None = None
        self._on_cancel: list[Callable[[], object]] = []
        self._on_finished: list[Callable[[], object]] = []
        self._background = False
        self._label = ""
        self._cancellable = False
        self._shows_progress = True
        self.progress = Progress(self._progressed)
        #: While a background operation runs: the timer that will show the progress dialog.
        self.progress_timer: QTimer | None = None
        self.progress_dialog: QProgressDialog | None = None
        self._relay: _Relay | None = None
        self._count: tuple[int, int | None] = (0, None)
        self.finished = False

    # --- building ----------------------------------------------------------------------------

    def success(self, callback: Callable[[T], object]) -> Operation[T]:
        """Called on the main thread with the result, after ``sync``."""
        self._on_success.append(callback)
        return self

    def failure(self, callback: Callable[[KnownError], object]) -> Operation[T]:
        """Shows a refusal its own way (by the field at fault…) instead of the message box."""
        self._on_failure = callback
        return self

    def writes(self, path: Path) -> Operation[T]:
        """The work writes ``path``: an ``OSError`` is then the place refusing (full, not
        allowed, no folder), said in words like any refusal, not a bug."""
        self._writes = path
        return self

    def allow(self, *kinds: type[KnownError]) -> Operation[T]:
        """Refusals of these kinds are not shown: the caller takes ``None`` as the answer (a
        record asked for by id and gone is "not there", not a fault)."""
        self._allowed = kinds
        return self

    def cancelled(self, callback: Callable[[], object]) -> Operation[T]:
        self._on_cancel.append(callback)
        return self

    def finally_(self, callback: Callable[[], object]) -> Operation[T]:
        """Called last, whatever the outcome (to enable a button again…)."""
        self._on_finished.append(callback)
        return self

    def in_background(
        self, label: str, *, cancellable: bool = False, shows_progress: bool = True
    ) -> Operation[T]:
        """Runs on the thread pool; ``label`` says what is being done if it takes a while;
        ``cancellable`` where stopping half-way is safe (the work checks its ``Progress``).
        ``shows_progress`` off for the program's own work (the sweeps): nobody waits for it."""
        self._background = True
        self._label = label
        self._cancellable = cancellable
        self._shows_progress = shows_progress
        return self

    # --- running -----------------------------------------------------------------------------

    def run(self) -> T | None:
        """Foreground: runs and delivers now; the result, ``None`` when refused or failed.
        Background: starts the work and returns ``None``; the outcome comes later."""
        if not self._background:
            try:
                outcome = _Outcome(result=self._work(self.progress))
            except Exception as error:
                outcome = _Outcome(error=error)
            self._deliver(outcome)
            return outcome.result if outcome.error is None else None  # type: ignore[return-value]
        relay = self._relay = _Relay()
        relay.done.connect(self._deliver, Qt.ConnectionType.QueuedConnection)
        relay.progressed.connect(self._show_count, Qt.ConnectionType.QueuedConnection)
        timer = self.progress_timer = QTimer()
        timer.setSingleShot(True)
        timer.setInterval(SHOW_PROGRESS_AFTER_MS)
        timer.timeout.connect(self._show_progress)
        _running.add(self)
        QThreadPool.globalInstance().start(_Task(lambda: self._work(self.progress), relay))
        if self._shows_progress:
            timer.start()
        return None

    def cancel(self) -> None:
        """Asks the work to stop where it is safe (it stops at its next progress check)."""
        self.progress.cancel()

    # --- progress ----------------------------------------------------------------------------

    def _progressed(self, done: int, total: int | None) -> None:
        relay = self._relay
        if relay is not None:  # background only; from the worker thread, queued to the main one
            relay.progressed.emit(done, total)

    def _show_count(self, done: int, total: int | None) -> None:
        self._count = (done, total)
        dialog = self.progress_dialog
        if dialog is not None:
            dialog.setMaximum(total or 0)  # 0: busy, with no count
            dialog.setValue(min(done, total) if total else 0)

    def _show_progress(self) -> None:
        if self.finished:
            return
        parent = self.parent if self.parent is not None and shiboken6.isValid(self.parent) else None
        dialog = QProgressDialog(self._label, "", 0, 0, parent)
        dialog.setWindowTitle(self._label)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        if self._cancellable:
            dialog.setCancelButtonText(_("Cancel"))
            dialog.canceled.connect(self.cancel)
        else:
            dialog.setCancelButton(None)
        self.progress_dialog = dialog
        self._show_count(*self._count)
        dialog.show()

    # --- the outcome, on the main thread -----------------------------------------------------

    def _deliver(self, outcome: _Outcome) -> None:
        self.finished = True
        _running.discard(self)
        self._end_progress()
        parent = self.parent
        error = outcome.error
        if isinstance(error, OSError) and self._writes is not None:
            error = KnownError(cannot_write(self._writes, error), detail=str(error))
        if parent is not None and not shiboken6.isValid(parent):
            # The widget that asked is gone (its dialog closed): only the changes matter now.
            if error is None and self._sync is not None:
                self._guard(self._sync.sync)
            return
        if error is None:
            if self._sync is not None:
                self._guard(self._sync.sync)
            for callback in self._on_success:
                self._guard(lambda callback=callback: callback(outcome.result))  # type: ignore[misc]
        elif isinstance(error, Cancelled):
            for cancel in self._on_cancel:
                self._guard(cancel)
        elif isinstance(error, KnownError):
            self._refused(error)
        else:
            report_bug(parent, error)
        for done in self._on_finished:
            self._guard(done)

    def _end_progress(self) -> None:
        if self.progress_timer is not None:
            self.progress_timer.stop()
        if self.progress_dialog is not None:
            self.progress_dialog.close()
            self.progress_dialog.deleteLater()
            self.progress_dialog = None

    def _refused(self, error: KnownError) -> None:
        """Shown once: by ``failure``'s own place, else in a message box by the widget."""
        if error.detail:  # the technical text goes to the log only
            log.info("refused: %s (%s)", error, error.detail)
        if isinstance(error, self._allowed):
            return
        failure = self._on_failure
        if failure is not None:
            self._guard(lambda: failure(error))
        else:
            show_error(self.parent, error)

    def _guard(self, callback: Callable[[], object]) -> None:
        """What a callback raises is sorted as the work's own would be, not sent up into Qt."""
        try:
            callback()
        except KnownError as error:  # a use case the callback ran itself (a reload…)
            show_error(self.parent, error)
        except Exception as error:
            report_bug(self.parent, error)


def op(
    parent: QWidget | None, work: Callable[[], T], *, sync: UiContext | None = None
) -> Operation[T]:
    """An operation running ``work``; ``sync``: the context to announce its changes to (for a
    use case that writes)."""
    return Operation(parent, lambda _progress: work(), sync=sync)


def op_with_progress(
    parent: QWidget | None, work: Callable[[Progress], T], *, sync: UiContext | None = None
) -> Operation[T]:
    """As ``op``, for work that reports its progress and may be cancelled (``work(progress)``)."""
    return Operation(parent, work, sync=sync)


def running() -> int:
    """How many background operations have not delivered yet (tests wait for 0)."""
    return len(_running)
