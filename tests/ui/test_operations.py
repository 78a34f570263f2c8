"""The one way the window runs a use case (``ui.operations``): results, refusals shown once by
the field at fault, bugs to the error dialog and the log, background work delivered on the main
thread, progress shown only after half a second, and cancelling an export."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from app.errors import KnownError
from app.i18n import _
from app.progress import Progress
from app.services import changes, exports
from app.services.changes import Changes, Topic
from app.services.context import Desk
from app.services.errors import InputError, NotFoundError, ServiceError
from app.services.exports import write_sessions_csv
from tests.ui.conftest import finish
from tests.ui.pdf_fixtures import Sample, company, sample, silva
from ui import crash, operations
from ui.context import UiContext
from ui.operations import op, op_with_progress
from ui.widgets import FieldErrors

__all__ = ["company", "sample", "silva"]

MARCH = (date(2025, 3, 1), date(2025, 3, 31))


@pytest.fixture
def host(qtbot: QtBot) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The message boxes shown (their text), instead of showing them."""
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_r: shown.append(text))
    return shown


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    path = crash.install(tmp_path / "log")
    yield path
    crash.uninstall()


# --- in the foreground ----------------------------------------------------------------------


def test_a_use_case_that_writes_announces_its_changes_then_gives_its_result(
    host: QWidget, context: UiContext, desk: Desk
) -> None:
    order: list[str] = []
    context.changed.connect(lambda _changes: order.append("synced"))

    def write() -> Changes:
        return changes.note(desk, [Topic.CUSTOMERS])

    result = op(host, write, sync=context).success(lambda _r: order.append("success")).run()

    assert result == Changes(frozenset({Topic.CUSTOMERS}))
    assert order == ["synced", "success"]  # the views reload before the caller goes on


def test_a_refusal_is_shown_once_by_its_field_and_what_was_typed_stays(
    host: QWidget, warnings: list[str], context: UiContext
) -> None:
    name = QLineEdit(host)
    name.setText("  ")
    errors = FieldErrors(host)
    errors.add("name", name)
    message = _("The technician needs a name.")
    succeeded: list[object] = []
    synced: list[object] = []
    context.changed.connect(synced.append)

    def refuse() -> None:
        raise InputError(message, field="name")

    result = op(host, refuse, sync=context).success(succeeded.append).failure(errors.report).run()

    assert result is None and not succeeded and not synced
    assert errors.message("name") == message
    assert warnings == []  # by the field, not in a box as well
    assert name.text() == "  "


def test_a_refusal_without_a_place_of_its_own_is_one_message_box(
    host: QWidget, warnings: list[str], log_file: Path, bugs: list[BaseException]
) -> None:
    def refuse() -> None:
        raise ServiceError(
            _("Another desk changed the same record first."), detail="row version 3 != 4"
        )

    assert op(host, refuse).run() is None

    assert warnings == [_("Another desk changed the same record first.")]
    assert bugs == []  # a refusal is no bug: no error dialog
    assert crash.open_dialog() is None
    logged = log_file.read_text(encoding="utf-8")
    assert "unexpected error" not in logged
    assert "row version 3 != 4" in logged  # the technical detail: the log only
    assert "row version" not in warnings[0]


def test_an_allowed_refusal_is_not_shown(host: QWidget, warnings: list[str]) -> None:
    def gone() -> None:
        raise NotFoundError(_("The customer no longer exists."))

    assert op(host, gone).allow(NotFoundError).run() is None
    assert warnings == []


def test_a_bug_reaches_the_error_dialog_and_the_log(
    qtbot: QtBot, host: QWidget, warnings: list[str], log_file: Path, bugs: list[BaseException]
) -> None:
    def broken() -> None:
        raise ZeroDivisionError("the bug under test")

    assert op(host, broken).run() is None

    assert [type(bug) for bug in bugs] == [ZeroDivisionError]
    bugs.clear()  # expected here
    dialog = crash.open_dialog()
    assert dialog is not None and dialog.isVisible()
    assert warnings == []
    assert dialog.copy_button.text() == "Copiar detalhes"
    assert str(log_file) in dialog.log_label.text()
    assert "ZeroDivisionError: the bug under test" in dialog.details.toPlainText()
    dialog.copy_button.click()
    from PySide6.QtGui import QGuiApplication

    assert "the bug under test" in QGuiApplication.clipboard().text()
    logged = log_file.read_text(encoding="utf-8")
    assert "unexpected error" in logged and "ZeroDivisionError: the bug under test" in logged
    assert "Traceback" in logged

    # A second bug while the dialog is open joins it: one dialog, not a pile of them.
    op(host, broken).run()
    bugs.clear()
    assert crash.open_dialog() is dialog
    assert dialog.details.toPlainText().count("ZeroDivisionError: the bug under test") == 2


def test_a_bug_in_a_success_callback_goes_to_the_dialog_too(
    host: QWidget, bugs: list[BaseException]
) -> None:
    def broken(_result: int) -> None:
        raise KeyError("callback")

    assert op(host, lambda: 3).success(broken).run() == 3
    assert [type(bug) for bug in bugs] == [KeyError]
    bugs.clear()


def test_an_unexpected_exception_outside_any_operation_is_logged_by_the_hook(
    log_file: Path, bugs: list[BaseException]
) -> None:
    import sys

    try:
        raise LookupError("outside")
    except LookupError as error:
        sys.excepthook(type(error), error, error.__traceback__)
    assert [type(bug) for bug in bugs] == [LookupError]
    bugs.clear()
    assert "LookupError: outside" in log_file.read_text(encoding="utf-8")


@pytest.mark.no_qt_log  # pytest-qt would fail the test on the very warning it sends
def test_a_qt_warning_reaches_the_log(log_file: Path) -> None:
    from PySide6.QtCore import qWarning

    qWarning("a Qt warning under test")
    assert "a Qt warning under test" in log_file.read_text(encoding="utf-8")


# --- in the background ----------------------------------------------------------------------


def test_background_work_runs_off_the_main_thread_and_delivers_on_it(
    qtbot: QtBot, host: QWidget, context: UiContext, desk: Desk
) -> None:
    main = threading.get_ident()
    worked_on: list[int] = []
    delivered_on: list[int] = []
    synced: list[Changes] = []
    context.changed.connect(synced.append)

    def write() -> Changes:
        worked_on.append(threading.get_ident())
        return changes.note(desk, [Topic.PACKS])  # on the worker's own connection

    operation = (
        op(host, write, sync=context)
        .in_background(_("Working…"))
        .success(lambda _r: delivered_on.append(threading.get_ident()))
    )
    assert operation.run() is None  # returns at once
    assert finish(qtbot, operation) == Changes(frozenset({Topic.PACKS}))
    assert worked_on and worked_on[0] != main
    assert delivered_on == [main]
    assert synced and Topic.PACKS in synced[0]


def test_a_refusal_in_the_background_is_shown_once(
    qtbot: QtBot, host: QWidget, warnings: list[str]
) -> None:
    def refuse() -> None:
        raise KnownError(_("The disk is full."))

    operation = op(host, refuse).in_background(_("Working…"))
    operation.run()
    qtbot.waitUntil(lambda: operation.finished)
    assert warnings == [_("The disk is full.")]


def test_progress_shows_only_after_half_a_second_with_the_count(
    qtbot: QtBot, host: QWidget
) -> None:
    reported = threading.Event()
    release = threading.Event()

    def slow(progress: Progress) -> str:
        progress.report(3, 10)
        reported.set()
        release.wait(10)
        return "done"

    operation = op_with_progress(host, slow).in_background(_("Exporting…"), cancellable=True)
    operation.run()
    qtbot.waitUntil(reported.is_set)
    timer = operation.progress_timer
    assert timer is not None and timer.isActive()
    assert timer.interval() == operations.SHOW_PROGRESS_AFTER_MS == 500
    assert operation.progress_dialog is None  # nothing shows before half a second
    timer.stop()
    timer.timeout.emit()  # half a second passes (no real wait)
    dialog = operation.progress_dialog
    assert dialog is not None and dialog.isVisible()
    qtbot.waitUntil(lambda: (dialog.value(), dialog.maximum()) == (3, 10))
    assert dialog.labelText() == _("Exporting…")
    release.set()
    assert finish(qtbot, operation) == "done"
    assert operation.progress_dialog is None  # gone with the work


def test_quick_work_shows_no_progress(qtbot: QtBot, host: QWidget) -> None:
    operation = op(host, lambda: 1).in_background(_("Working…"))
    operation.run()
    assert finish(qtbot, operation) == 1
    assert operation.progress_timer is not None and not operation.progress_timer.isActive()
    assert operation.progress_dialog is None


def test_cancelling_an_export_stops_it_and_leaves_no_file(
    qtbot: QtBot,
    *,
    host: QWidget,
    sample: Sample,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    warnings: list[str],
) -> None:
    monkeypatch.setattr(exports, "REPORT_EVERY", 1)
    target = tmp_path / "out" / "sessions.csv"
    target.parent.mkdir()
    first_row = threading.Event()
    resume = threading.Event()

    def export(progress: Progress) -> int:
        def report(done: int, total: int | None) -> None:
            progress.report(done, total)  # to the window; raises once cancelled
            if done == 1:
                first_row.set()
                resume.wait(10)

        return write_sessions_csv(target, *MARCH, progress=Progress(report))

    cancelled: list[bool] = []
    operation = (
        op_with_progress(host, export)
        .in_background(_("Exporting…"), cancellable=True)
        .cancelled(lambda: cancelled.append(True))
    )
    operation.run()
    qtbot.waitUntil(first_row.is_set)
    assert operation.progress_timer is not None
    operation.progress_timer.stop()
    operation.progress_timer.timeout.emit()
    dialog = operation.progress_dialog
    assert dialog is not None
    (cancel,) = [b for b in dialog.findChildren(QPushButton) if b.text() == _("Cancel")]
    cancel.click()
    resume.set()
    qtbot.waitUntil(lambda: operation.finished)

    assert cancelled == [True]
    assert warnings == []  # cancelling is no error
    assert list(target.parent.iterdir()) == []  # neither the file nor its temporary part


def test_an_export_to_a_place_that_cannot_be_written_says_why(
    qtbot: QtBot, host: QWidget, sample: Sample, tmp_path: Path, warnings: list[str]
) -> None:
    target = tmp_path / "missing" / "sessions.csv"
    operation = (
        op_with_progress(
            host, lambda progress: write_sessions_csv(target, *MARCH, progress=progress)
        )
        .writes(target)
        .in_background(_("Exporting…"))
    )
    operation.run()
    qtbot.waitUntil(lambda: operation.finished)
    assert len(warnings) == 1 and str(target) in warnings[0]


def test_work_whose_widget_closed_meanwhile_still_announces_its_changes(
    qtbot: QtBot, context: UiContext, desk: Desk
) -> None:
    widget = QWidget()
    synced: list[Changes] = []
    context.changed.connect(synced.append)
    called: list[object] = []
    closed = threading.Event()

    def work() -> Changes:
        closed.wait(10)  # the widget goes first, whatever the machine's load
        return changes.note(desk, [Topic.INVOICES])

    operation = op(widget, work, sync=context).in_background(_("Working…")).success(called.append)
    operation.run()
    with qtbot.waitSignal(widget.destroyed):
        widget.deleteLater()
    closed.set()
    qtbot.waitUntil(lambda: operation.finished)
    assert synced and not called  # no callback touches a deleted widget


def test_a_refusal_that_reached_no_operation_is_said_as_a_refusal_not_a_bug(
    log_file: Path, bugs: list[BaseException]
) -> None:
    import sys

    error = KnownError(_("The disk is full."), detail="disk I/O error")
    sys.excepthook(KnownError, error, None)
    sys.excepthook(KnownError, error, None)  # again, as a poll would: still one box
    assert bugs == [] and crash.open_dialog() is None
    box = crash.open_refusal()
    assert box is not None and box.isVisible() and box.text() == _("The disk is full.")
    box.close()
    assert "disk I/O error" in log_file.read_text(encoding="utf-8")


def test_the_months_sessions_are_exported_as_csv_in_the_background(
    qtbot: QtBot,
    *,
    context: UiContext,
    sample: Sample,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from PySide6.QtWidgets import QFileDialog

    from ui.views.sessions.view import SessionsView

    view = SessionsView(context)
    qtbot.addWidget(view)
    view.month.set_month(2025, 3)
    offered: list[str] = []

    def save_as(*args: object) -> tuple[str, str]:
        offered.append(str(args[2]))
        return str(tmp_path / "contabilista"), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    alerts: list[str] = []
    context.alert.connect(lambda text, _level: alerts.append(text))

    written = finish(qtbot, view.export_month())

    target = tmp_path / "contabilista.csv"  # the extension is added when left out
    assert Path(offered[0]).name == "sessoes-2025-03.csv"
    assert written == 2 and target.exists()
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")
    assert alerts == [f"2 sessões escritas em {target}."]
