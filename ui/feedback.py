"""Telling the user what went wrong, in their language, without losing what they typed."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import _
from app.services.errors import ServiceError


def show_error(parent: QWidget | None, error: ServiceError | Exception) -> None:
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
