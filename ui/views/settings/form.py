"""What the pages of the Settings view share: field rows with their error labels, and a page of
company settings saved together by one Guardar."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QPalette, QShortcut
from PySide6.QtWidgets import (
    QAbstractButton,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.validation import ValidationError
from app.errors import KnownError
from app.i18n import _
from app.services import settings as company
from app.services.errors import ConflictError, InputError, ServiceError
from app.services.settings import Settings, SettingsFields, SettingsResult
from ui.context import UiContext
from ui.feedback import show_error
from ui.operations import op
from ui.widgets import ERROR_COLOUR, FieldErrors, setup_table, with_message

SUCCESS_COLOUR = "#1b5e20"
#: Forms stay readable on a wide screen: fields do not stretch past this width.
FORM_MAX_WIDTH = 760


def note_label(text: str = "") -> QLabel:
    """A hint in the palette's secondary text colour."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setForegroundRole(QPalette.ColorRole.PlaceholderText)
    return label


def add_row(
    form: QFormLayout,
    text: str,
    widget: QWidget,
    errors: FieldErrors | None = None,
    field: str | None = None,
    *,
    buddy: QWidget | None = None,
) -> QLabel:
    """A form row: a label with a mnemonic (``&Nome:``) whose buddy is the field (or ``buddy``,
    the edit inside a compound ``widget``), and the field's error label under it when ``field``
    names it."""
    label = QLabel(text)
    focus = buddy or widget
    label.setBuddy(focus)
    shown = widget
    if errors is not None and field is not None:
        shown = with_message(widget, errors.add(field, focus))
    form.addRow(label, shown)
    return label


def form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.DontWrapRows)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return form


def list_table(model: QAbstractItemModel, name: str) -> QTableView:
    """A read-only table of records, one selected at a time, sorted by its first column."""
    table = QTableView()
    setup_table(table, model, name)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    return table


def scrolling(content: QWidget) -> QScrollArea:
    """``content`` in a frameless scroll area that resizes it: long pages scroll on small
    screens."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setWidget(content)
    return area


def save_bar() -> tuple[QDialogButtonBox, QLabel, QHBoxLayout]:
    """A settings page's bottom bar: Guardar and Repor, and beside them the result of saving."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Reset
    )
    status = QLabel()
    status.setTextFormat(Qt.TextFormat.PlainText)
    status.setAccessibleName(_("Result of saving"))
    bar = QHBoxLayout()
    bar.setContentsMargins(12, 6, 12, 6)
    bar.addWidget(status, 1)
    bar.addWidget(buttons)
    return buttons, status, bar


class SettingsFormPage(QWidget):
    """Company settings saved together by one Guardar, with the version they were read at.

    A page the user changed keeps what was typed when the settings change elsewhere (another
    desk, another page); saving it then stops with the services' conflict message, and Repor
    brings the saved values back. Subclasses fill ``body`` and implement ``fill`` and
    ``fields``.
    """

    #: This page saved the settings: (the version it saved over, the result).
    saved = Signal(int, object)

    def __init__(self, context: UiContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.version: int | None = None
        self.modified = False
        self._loading = False
        self.errors = FieldErrors(self)

        self.body = QWidget()
        self.body.setMaximumWidth(FORM_MAX_WIDTH)
        holder = QWidget()
        holder_layout = QHBoxLayout(holder)
        holder_layout.addWidget(self.body, 1)
        holder_layout.addStretch(0)
        self.buttons, self.status, bar = save_bar()
        self.save_button = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.reset_button = self.buttons.button(QDialogButtonBox.StandardButton.Reset)
        self.save_button.setToolTip(_("Save the changes of this page (Ctrl+S)"))
        self.reset_button.setToolTip(_("Forget the changes of this page and show what is saved"))
        self.buttons.clicked.connect(self._on_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(scrolling(holder), 1)
        separator = QFrame()
        separator.setFrameShape(QFrame.Shape.HLine)
        separator.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(separator)
        layout.addLayout(bar)
        shortcut = QShortcut(QKeySequence.StandardKey.Save, self)
        shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut.activated.connect(self.save)

    # --- what subclasses write -----------------------------------------------------------------

    def fill(self, current: Settings) -> None:
        """Shows ``current`` in the fields."""
        raise NotImplementedError

    def fields(self) -> SettingsFields:
        """What the fields say, for ``update_settings``; ``ValidationError`` naming the field
        when one cannot even be read (letters in an amount)."""
        raise NotImplementedError

    def check_fields(self) -> bool:
        """The checks made as the user types, made again before saving: False (and the
        messages shown by their fields) when one fails."""
        return True

    def field_error(self, error: ServiceError) -> bool:
        """Shows an error of the services next to its field; False when no field of the page
        is at fault (the message then goes to a message box)."""
        if not self.errors.knows(error.field):
            return False
        self.errors.show(error.field, error.message)
        return True

    # --- loading and saving --------------------------------------------------------------------

    def show_settings(self, current: Settings, *, force: bool = False) -> None:
        """Shows the saved settings, unless the user changed this page (and ``force`` is off)."""
        if self.modified and not force:
            return
        self._loading = True
        try:
            self.fill(current)
        finally:
            self._loading = False
        self.version = current.version
        self.modified = False
        self.errors.clear()

    def mark_modified(self) -> None:
        """Connected to every field's edit signal."""
        if self._loading:
            return
        self.modified = True
        self.status.clear()

    def save(self) -> bool:
        """Saves the page; False (and the reason shown, what was typed kept) when refused."""
        self.errors.clear()
        self.status.clear()
        if self.version is None:  # not loaded yet: nothing to save over
            return False
        if not self.check_fields():
            self._report(_("Not saved: see the message by the field."), ERROR_COLOUR)
            return False
        try:
            values = self.fields()
        except ValidationError as error:  # reading what was typed, before any use case runs
            self.errors.show(error.field, error.message)
            self._report(_("Not saved: see the message by the field."), ERROR_COLOUR)
            return False
        seen = self.version
        result = (
            op(self, lambda: company.update_settings(self.context.desk, seen, **values))
            .failure(self.refused)
            .run()
        )
        if result is None:
            return False
        self.show_settings(result.settings, force=True)
        self._report(_("Saved."), SUCCESS_COLOUR)
        self.saved.emit(seen, result)
        return True

    def refused(self, error: KnownError) -> None:
        if isinstance(error, InputError) and self.field_error(error):
            self._report(_("Not saved: see the message by the field."), ERROR_COLOUR)
            return
        if isinstance(error, ConflictError):
            self._report(_("Not saved: press Reset to see the saved values."), ERROR_COLOUR)
        show_error(self, error)

    def reset(self) -> None:
        """Forgets the changes of this page: shows what is saved now."""
        self.show_settings(company.settings(), force=True)
        self.status.clear()

    def adopt(self, previous: int, result: SettingsResult) -> None:
        """Another page of this desk saved over version ``previous``: the fields it saved are
        not on this page, so this page's changes still apply to the new version."""
        if self.version == previous:
            self.version = result.settings.version

    def _report(self, text: str, colour: str) -> None:
        self.status.setStyleSheet(f"color: {colour};")
        self.status.setText(text)

    def _on_button(self, button: QAbstractButton) -> None:
        if button is self.save_button:
            self.save()
        elif button is self.reset_button:
            self.reset()
