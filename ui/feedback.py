"""Telling the user what went wrong, in their language, without losing what they typed; and
asking (a confirmation, a reason, where to save a file, whether to open it)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QSettings, QStandardPaths, Qt, QUrl
from PySide6.QtGui import QDesktopServices
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


#: The folder a file was last saved in, on this computer: the next save dialog starts there.
LAST_FOLDER_KEY = "files/last_save_folder"


def _settings() -> QSettings:
    """This computer's settings (tests put them in a folder of their own)."""
    return QSettings()


def save_folder() -> Path:
    """Where a save dialog starts: the folder a file was last saved in while it still exists,
    else the user's Documents (never the folder the program runs from)."""
    last = str(_settings().value(LAST_FOLDER_KEY, "", type=str) or "")
    if last and Path(last).is_dir():
        return Path(last)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(documents) if documents else Path.home()


def ask_save_path(
    parent: QWidget | None, title: str, file_name: str, kinds: str, suffix: str
) -> Path | None:
    """The one save dialog: starts in ``save_folder`` with ``file_name`` suggested, adds
    ``suffix`` to a name typed without it, and remembers the folder chosen. ``None`` when
    cancelled."""
    suggested = save_folder() / Path(file_name).name
    chosen, _filter = QFileDialog.getSaveFileName(parent, title, str(suggested), kinds)
    if not chosen:
        return None
    path = Path(chosen)
    if path.suffix.lower() != suffix:
        path = path.with_name(path.name + suffix)
    _settings().setValue(LAST_FOLDER_KEY, str(path.parent))
    return path


def ask_pdf_path(parent: QWidget | None, title: str, file_name: str) -> Path | None:
    """Where to save a PDF (``ask_save_path``)."""
    return ask_save_path(parent, title, file_name, _("PDF documents (*.pdf)"), ".pdf")


def ask_csv_path(parent: QWidget | None, title: str, file_name: str) -> Path | None:
    """Where to save a CSV file for a spreadsheet (``ask_save_path``)."""
    return ask_save_path(parent, title, file_name, _("CSV files for spreadsheets (*.csv)"), ".csv")


def offer_to_open(parent: QWidget | None, path: Path) -> QMessageBox:
    """After a file was saved: says where, with a button that opens it in the desktop's own
    program. Not modal: the technician may go on working and leave it unanswered."""
    box = QMessageBox(
        QMessageBox.Icon.Information,
        _("File saved"),
        _("Saved to {path}.").format(path=path),
        QMessageBox.StandardButton.Close,
        parent,
    )
    opener = box.addButton(_("&Open"), QMessageBox.ButtonRole.AcceptRole)
    box.setDefaultButton(opener)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.setWindowModality(Qt.WindowModality.NonModal)
    opener.clicked.connect(lambda: QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))))
    box.show()
    return box
