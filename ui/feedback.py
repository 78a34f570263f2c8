"""Telling the user what went wrong, in their language, without losing what they typed; and
asking (a confirmation, a reason, where to save a PDF)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtWidgets import QFileDialog, QInputDialog, QMessageBox, QWidget

from app.errors import KnownError
from app.i18n import _
from app.services.errors import InputError

_T = TypeVar("_T")


def show_error(parent: QWidget | None, error: KnownError | Exception) -> None:
    """A refused use case: its message, as the services wrote it (nothing was saved)."""
    QMessageBox.warning(parent, _("Not saved"), str(error))


def confirm(parent: QWidget | None, title: str, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def act_with_reason(
    parent: QWidget | None, title: str, question: str, act: Callable[[str], _T]
) -> _T | None:
    """Asks for a reason and acts with it (``act(reason)``, a use case, through the operation
    runner); asks again, keeping the text, while the use case says the reason is missing.
    ``None`` when cancelled or refused (the refusal shown)."""
    from ui.operations import op  # the runner shows its refusals through this module

    reason = ""
    while True:
        reason, ok = QInputDialog.getMultiLineText(parent, title, question, reason)
        if not ok:
            return None
        again = False

        def refused(error: KnownError) -> None:
            nonlocal again
            show_error(parent, error)
            again = isinstance(error, InputError) and error.field == "reason"

        outcome = op(parent, functools.partial(act, reason)).failure(refused).run()
        if not again:
            return outcome


def ask_pdf_path(parent: QWidget | None, title: str, suggested: Path) -> Path | None:
    """Where to save a PDF (``suggested``: a folder and a file name); ``.pdf`` is added to a
    name typed without it. ``None`` when cancelled."""
    return _ask_path(parent, title, suggested, _("PDF documents (*.pdf)"), ".pdf")


def ask_csv_path(parent: QWidget | None, title: str, suggested: Path) -> Path | None:
    """As ``ask_pdf_path``, for a CSV file for a spreadsheet."""
    return _ask_path(parent, title, suggested, _("CSV files for spreadsheets (*.csv)"), ".csv")


def _ask_path(
    parent: QWidget | None, title: str, suggested: Path, kinds: str, suffix: str
) -> Path | None:
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), kinds)
    if not chosen:
        return None
    path = Path(chosen)
    return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)
