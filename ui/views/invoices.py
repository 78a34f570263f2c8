"""Placeholder: the Invoices view is being written."""

from __future__ import annotations

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.i18n import _
from ui.context import UiContext
from ui.resources import view_icon
from ui.views.base import View


class InvoicesView(View):
    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self.setObjectName("invoices")
        QVBoxLayout(self).addWidget(QLabel(self.title()))

    def title(self) -> str:
        return _("Invoices")

    def icon(self) -> QIcon:
        return view_icon("invoices")

    def reload(self) -> None:
        pass
