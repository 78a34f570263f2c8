"""Quitting with a timer running (issue 15): keep it running, stop it, or stay."""

from __future__ import annotations

from datetime import timedelta
from enum import Enum

from PySide6.QtWidgets import QMessageBox, QWidget

from app.i18n import _, format_clock


class QuitChoice(Enum):
    KEEP = "keep"  # the window closes; the session keeps counting in the database
    STOP = "stop"  # stopped and billed, as the Stop button does
    CANCEL = "cancel"  # the window stays open


def ask_about_running_timer(parent: QWidget, customer: str, elapsed: timedelta) -> QuitChoice:
    """Asks what becomes of the running timer; Cancel (and Escape) keeps the window open."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle(_("A timer is running"))
    box.setText(
        _("The timer for {customer} is running ({elapsed}).").format(
            customer=customer, elapsed=format_clock(elapsed)
        )
    )
    box.setInformativeText(
        _(
            "Keep it running: the session goes on counting and shows again when Balcão "
            "starts. Stop it: it ends now and is billed, as with the Stop button."
        )
    )
    keep = box.addButton(_("&Keep it running"), QMessageBox.ButtonRole.AcceptRole)
    stop = box.addButton(_("&Stop and bill"), QMessageBox.ButtonRole.DestructiveRole)
    cancel = box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)
    box.exec()
    clicked = box.clickedButton()
    if clicked is keep:
        return QuitChoice.KEEP
    if clicked is stop:
        return QuitChoice.STOP
    return QuitChoice.CANCEL
