"""What happens to the unexpected: a rotating log file and one error dialog.

``install`` (called by ``ui.app`` at start) sends ``sys.excepthook`` and Qt's message handler to
a rotating log in the platform's log folder (``~/.local/state/Balcao/log`` on Linux). A bug (any
exception that is not a ``KnownError``) reaches ``report_bug``: it is logged with its traceback
and shown in one dialog, a summary in the user's language with the details to copy and the log
file's path (qutebrowser's ``crashsignal``/``crashdialog``, STYLE.md). Bugs that follow while the
dialog is open are added to it rather than stacking new dialogs (a failing poll repeats).
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

import platformdirs
import shiboken6
from PySide6.QtCore import QMessageLogContext, Qt, QtMsgType, qInstallMessageHandler
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import KnownError
from app.i18n import _

log = logging.getLogger("balcao")

APP_NAME = "Balcao"  # the same plain-ASCII folder name as the database's
LOG_FILE = "balcao.log"
LOG_BYTES = 1_000_000  # per file; with the backups, a few MB at most
LOG_BACKUPS = 3

_QT_LEVELS = {
    QtMsgType.QtDebugMsg: logging.DEBUG,
    QtMsgType.QtInfoMsg: logging.INFO,
    QtMsgType.QtWarningMsg: logging.WARNING,
    QtMsgType.QtCriticalMsg: logging.ERROR,
    QtMsgType.QtFatalMsg: logging.CRITICAL,
}


class _State:
    """What ``install`` set up, so that ``uninstall`` (tests) can put it back."""

    handler: logging.Handler | None = None
    log_file: Path | None = None
    previous_hook = sys.excepthook
    previous_qt: object = None
    dialog: ErrorDialog | None = None
    known: QMessageBox | None = None


#: Told of every bug reported (the tests' fixture fails a test whose bug no one expected).
observers: list[Callable[[BaseException], object]] = []


def default_log_folder() -> Path:
    return Path(platformdirs.user_log_path(APP_NAME, appauthor=False))


def log_file() -> Path | None:
    """The log file in use (``None`` before ``install``)."""
    return _State.log_file


def install(folder: Path | None = None) -> Path:
    """Logs to ``folder`` (default: the platform's log folder) and routes uncaught exceptions
    and Qt's messages there; returns the log file's path."""
    uninstall()
    target = folder or default_log_folder()
    target.mkdir(parents=True, exist_ok=True)
    path = target / LOG_FILE
    handler = logging.handlers.RotatingFileHandler(
        path, maxBytes=LOG_BYTES, backupCount=LOG_BACKUPS, encoding="utf-8"
    )
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    _State.handler, _State.log_file = handler, path
    _State.previous_hook = sys.excepthook
    sys.excepthook = _excepthook
    _State.previous_qt = qInstallMessageHandler(_qt_message)
    return path


def uninstall() -> None:
    """Undoes ``install`` (tests); nothing when it was not installed."""
    if _State.handler is None:
        return
    logging.getLogger().removeHandler(_State.handler)
    _State.handler.close()
    _State.handler, _State.log_file = None, None
    sys.excepthook = _State.previous_hook
    qInstallMessageHandler(_State.previous_qt)  # type: ignore[arg-type]
    _State.previous_qt = None


def _excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    if issubclass(kind, KeyboardInterrupt):
        _State.previous_hook(kind, error, trace)
        return
    if isinstance(error, KnownError):
        # A use case called outside the runner (a view's reload) met a refusal or a database
        # fault: said as such, not as a bug.
        report_known(error)
        return
    report_bug(None, error.with_traceback(trace))


def report_known(error: KnownError) -> QMessageBox | None:
    """A refusal that reached no operation: logged, and said in one message box at a time
    (a failing reload repeats with every poll)."""
    log.warning("refused outside an operation: %s %s", error, error.detail)
    if not isinstance(QApplication.instance(), QApplication):
        return None
    box = _State.known
    if box is not None and shiboken6.isValid(box) and box.isVisible():
        return box
    box = QMessageBox(QMessageBox.Icon.Warning, _("Balcão"), str(error))
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _State.known = box
    box.open()
    return box


def _qt_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
    where = f" ({context.file}:{context.line})" if context.file else ""
    logging.getLogger("qt").log(_QT_LEVELS.get(kind, logging.WARNING), "%s%s", message, where)
    previous = _State.previous_qt
    if callable(previous):  # pytest-qt's, in tests: it still hears every message
        previous(kind, context, message)


def details_of(error: BaseException) -> str:
    return "".join(traceback.format_exception(type(error), error, error.__traceback__))


class ErrorDialog(QDialog):
    """The one dialog for bugs: what happened in words, the details to copy, the log's path."""

    def __init__(self, parent: QWidget | None, details: str) -> None:
        super().__init__(parent)
        self.setObjectName("error_dialog")
        self.setWindowTitle(_("Balcão: unexpected error"))
        layout = QVBoxLayout(self)
        self.summary = QLabel(
            _(
                "Something went wrong that Balcão did not expect. What you were doing may not "
                "have finished; what was already saved is kept. Please send the details below "
                "to whoever looks after the program."
            )
        )
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.details = QPlainTextEdit(details)
        self.details.setReadOnly(True)
        self.details.setAccessibleName(_("Error details"))
        layout.addWidget(self.details, 1)
        where = _State.log_file
        self.log_label = QLabel(
            _("The details were also written to {path}.").format(path=where)
            if where is not None
            else _("No log file is being written.")
        )
        self.log_label.setWordWrap(True)
        self.log_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.log_label)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.copy_button = QPushButton(_("Copy details"))
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.copy_button.clicked.connect(self.copy_details)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(640, 420)

    def add(self, details: str) -> None:
        self.details.appendPlainText("\n" + details)

    def copy_details(self) -> None:
        QGuiApplication.clipboard().setText(self.details.toPlainText())


def report_bug(parent: QWidget | None, error: BaseException) -> ErrorDialog | None:
    """Logs ``error`` with its traceback and shows it in the error dialog (opened without
    blocking; a dialog already open gets it added). ``None`` when there is no window system."""
    details = details_of(error)
    log.error("unexpected error\n%s", details.rstrip())
    for observer in observers:
        observer(error)
    if not isinstance(QApplication.instance(), QApplication):
        print(details, file=sys.stderr)
        return None
    dialog = _State.dialog
    if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible():
        dialog.add(details)
        return dialog
    if parent is not None and not shiboken6.isValid(parent):
        parent = None
    dialog = ErrorDialog(parent.window() if parent is not None else None, details)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    _State.dialog = dialog
    dialog.open()
    return dialog


def open_dialog() -> ErrorDialog | None:
    """The error dialog now showing, if any (tests read it)."""
    dialog = _State.dialog
    return (
        dialog if dialog is not None and shiboken6.isValid(dialog) and dialog.isVisible() else None
    )


def open_refusal() -> QMessageBox | None:
    """The message box of a refusal that reached no operation, if one shows (tests read it)."""
    box = _State.known
    return box if box is not None and shiboken6.isValid(box) and box.isVisible() else None
