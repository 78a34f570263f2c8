"""Widgets every view shares: the red message under a field, a form's messages by field name,
a dialog's buttons, the read-only table of records, and finding an item of a combo box."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QBoxLayout,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.domain.validation import ValidationError
from app.errors import KnownError
from app.i18n import _
from app.services.errors import InputError, ServiceError
from ui.feedback import show_error
from ui.table_model import RowTableModel, TableProxy

ERROR_COLOUR = "#b3261e"

_Label = TypeVar("_Label", bound=QLabel)


class NoteLabel(QLabel):
    """A line under a field (what is wrong with it, what was found from it) that keeps its room
    while empty or hidden (``reserve_line``): showing it moves nothing below it. Too long for its
    width, it is drawn cut with "…"; ``text()`` and the tooltip keep it whole."""

    def setText(self, text: str) -> None:
        super().setText(text)
        self.setToolTip(text)

    def paintEvent(self, event: QPaintEvent) -> None:
        if self.wordWrap():  # not reserved: a plain label
            super().paintEvent(event)
            return
        area = self.contentsRect()
        shown = self.fontMetrics().elidedText(
            self.text(), Qt.TextElideMode.ElideRight, area.width()
        )
        painter = QPainter(self)
        self.style().drawItemText(
            painter,
            area,
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            self.palette(),
            self.isEnabled(),
            shown,
            self.foregroundRole(),
        )


def reserve_line(note: _Label) -> _Label:
    """Keeps one line of room for ``note`` whether it shows or not, and never more: a message
    appearing under a field pushed the fields below it down under the cursor, and what was typed
    next went to the wrong field (issue 15). Its width is what the form gives it."""
    policy = note.sizePolicy()
    policy.setRetainSizeWhenHidden(True)
    policy.setHorizontalPolicy(QSizePolicy.Policy.Ignored)
    note.setSizePolicy(policy)
    note.setWordWrap(False)
    note.setFixedHeight(note.fontMetrics().height())
    return note


class FieldMessage(NoteLabel):
    """What is wrong with the field above it, in red; hidden while there is nothing (its room
    kept where a form reserves it: ``with_message``)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setAccessibleName(_("Error message"))
        self._field: QWidget | None = None
        self.setVisible(False)

    def attach(self, field: QWidget) -> None:
        """The field this message speaks about: screen readers hear it with the field."""
        self._field = field

    @property
    def field(self) -> QWidget | None:
        return self._field

    def say(self, text: str) -> None:
        self.setText(text)
        self.setVisible(bool(text))
        if self._field is not None:
            self._field.setAccessibleDescription(text)

    def clear_message(self) -> None:
        self.say("")

    @property
    def showing(self) -> bool:
        return bool(self.text())


#: A field no wider than this leaves room for its message beside it, on its own line.
_BESIDE_UP_TO = 400


def with_message(field: QWidget, *notes: QLabel) -> QWidget:
    """The field with the lines that speak of it (what is wrong with it, what was found from
    it), as one cell of a form. Each line keeps its room while empty (``reserve_line``): beside
    a narrow field (a NIF, a postcode: no room is lost), else under it."""
    cell = QWidget()
    beside = 0 < field.maximumWidth() <= _BESIDE_UP_TO and len(notes) == 1
    layout: QBoxLayout = QHBoxLayout(cell) if beside else QVBoxLayout(cell)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(8 if beside else 2)
    layout.addWidget(field)
    for note in notes:
        if isinstance(note, FieldMessage) and note.field is None:
            note.attach(field)
        layout.addWidget(reserve_line(note))
    cell.setFocusProxy(field)
    return cell


class FieldErrors:
    """The red message of each field of a form, by the field's name in the services
    (``InputError.field``, ``ValidationError.field``)."""

    def __init__(
        self,
        parent: QWidget,
        fields: Mapping[str, QWidget] | None = None,
        *,
        aliases: Mapping[str, str] | None = None,
    ) -> None:
        self.parent = parent
        self.fields: dict[str, QWidget] = {}
        self.labels: dict[str, FieldMessage] = {}
        #: Other names the services give a field ("minutes" for what is typed as "hours").
        self.aliases = dict(aliases or {})
        for name, field in (fields or {}).items():
            self.add(name, field)

    def add(self, name: str, field: QWidget) -> FieldMessage:
        """The message of field ``name`` (to place by hand, or with ``row``); ``field`` gets the
        focus when it shows a refusal."""
        message = FieldMessage()
        message.setObjectName(f"error_{name}")
        message.attach(field)
        self.fields[name] = field
        self.labels[name] = message
        return message

    def row(self, name: str) -> QWidget:
        """The field with its message under it, as one row of a form."""
        return with_message(self.fields[name], self.labels[name])

    def _name(self, field: str | None) -> str:
        return self.aliases.get(field or "", field or "")

    def knows(self, field: str | None) -> bool:
        return self._name(field) in self.labels

    def show(self, field: str | None, message: str, *, focus: bool = True) -> None:
        """Next to its field when the form has it (which takes the focus), else in a message
        box."""
        name = self._name(field)
        label = self.labels.get(name)
        if label is None:
            show_error(self.parent, ServiceError(message))
            return
        label.say(message)
        if focus:
            self.fields[name].setFocus(Qt.FocusReason.OtherFocusReason)

    def report(self, error: KnownError) -> None:
        """A refused use case: its message by the field at fault, else in a message box."""
        self.show(error.field if isinstance(error, InputError) else None, error.message)

    def clear(self, field: str | None = None) -> None:
        """Hides the message of ``field``, or of every field."""
        for name, label in self.labels.items():
            if field is None or name == self._name(field):
                label.clear_message()

    def message(self, field: str) -> str:
        """The message shown for ``field`` ("" when none)."""
        label = self.labels[self._name(field)]
        return label.text() if not label.isHidden() else ""

    def check_typed(self, field: str, text: str, read: Callable[[str], object]) -> bool:
        """Says at once what is wrong with ``text`` as it is typed (nothing while it is empty:
        saving says whether it may be); True when ``read`` accepts it. The services check it
        again on saving."""
        self.clear(field)
        if not text.strip():
            return True
        try:
            read(text)
        except ValidationError as error:
            self.show(field, error.message, focus=False)
            return False
        return True


def dialog_buttons(
    dialog: QDialog,
    accept: Callable[[], object],
    ok: QDialogButtonBox.StandardButton = QDialogButtonBox.StandardButton.Save,
) -> QDialogButtonBox:
    """``ok`` (the default button: Enter) and Cancel. ``ok`` runs ``accept``, which closes the
    dialog once it succeeds; Cancel closes it."""
    box = QDialogButtonBox(ok | QDialogButtonBox.StandardButton.Cancel)
    box.button(ok).setDefault(True)
    box.accepted.connect(accept)
    box.rejected.connect(dialog.reject)
    return box


def combo_index(combo: QComboBox, value: object) -> int:
    """The position of the item whose data equals ``value``, or -1. (``findData`` misses dates,
    and enums come back from a combo box as their plain string values.)"""
    for position in range(combo.count()):
        if combo.itemData(position) == value:
            return position
    return -1


def setup_table(table: QTableView, model: QAbstractItemModel, name: str) -> None:
    """A read-only table of records: whole rows, one at a time, sortable by clicking a header
    (in the model's order until then, or until the caller sorts it)."""
    table.setModel(model)
    table.setAccessibleName(name)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setWordWrap(False)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    rows = table.verticalHeader()
    rows.hide()
    # Fixed row heights: nothing measures 10,000 rows.
    rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
    header = table.horizontalHeader()
    header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setHighlightSections(False)
    table.setSortingEnabled(True)


#: A date and time as the tables show it, to size their columns by.
DATETIME_SAMPLE = "00/00/0000 00:00"
DURATION_SAMPLE = "00 h 00 min"


#: Room beside a cell's text (its margins), and beside a title (its margins and sort arrow).
CELL_PADDING = 18
TITLE_PADDING = 24


def column_width(view: QTableView, column: int, samples: str | Sequence[str]) -> int:
    """The width that shows whole the widest of ``samples`` (the texts the column holds: every
    value of a closed set, or a long free text) and the column's title."""
    texts = [samples] if isinstance(samples, str) else list(samples)
    model = view.model()
    title = model.headerData(column, Qt.Orientation.Horizontal) if model else None
    title_width = (
        view.horizontalHeader().fontMetrics().horizontalAdvance(str(title)) + TITLE_PADDING
        if title
        else 0
    )
    advance = view.fontMetrics().horizontalAdvance
    return max([advance(text) + CELL_PADDING for text in texts] + [title_width])


def fit_columns_to_samples(view: QTableView, samples: Sequence[str | Sequence[str]]) -> None:
    """Starting widths from the columns' content: each shows its widest sample text and its
    title whole ("" or (): leave the column as it is, the stretching one); the technician may
    drag them. Nothing asks the model for its rows (``ResizeToContents`` would, for every
    row)."""
    for column, sample in enumerate(samples):
        if sample:
            view.setColumnWidth(column, column_width(view, column, sample))


def stretch_columns(table: QTableView, *columns: int) -> None:
    """Those columns (free text) share the width left, instead of the last one."""
    header = table.horizontalHeader()
    header.setStretchLastSection(False)
    for column in columns:
        header.setSectionResizeMode(column, QHeaderView.ResizeMode.Stretch)


class RowTable(QTableView):
    """A read-only table of a ``RowTableModel`` through a ``TableProxy`` (``setup_table``)."""

    def __init__(
        self, model: RowTableModel[Any], accessible_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.source = model
        self.proxy = TableProxy(model, self)
        setup_table(self, self.proxy, accessible_name)

    def selected_key(self) -> Any:
        """The record id of the selected row, or None."""
        rows = self.selectionModel().selectedRows()
        return self.proxy.key_at(rows[0].row()) if rows else None

    def selected_row(self) -> Any:
        """The selected row's dataclass, or None."""
        key = self.selected_key()
        position = None if key is None else self.source.position_of(key)
        return None if position is None else self.source.row_at(position)

    def select_key(self, key: Hashable) -> bool:
        """Selects (and scrolls to) the row of that record; False when it is not shown."""
        position = self.source.position_of(key)
        if position is None:
            return False
        index = self.proxy.mapFromSource(self.source.index(position, 0))
        if not index.isValid():
            return False
        self.selectRow(index.row())
        self.scrollTo(index)
        return True

    def fit_columns(self, widths: dict[int, int]) -> None:
        """Sets the starting width of some columns (the last one stretches)."""
        for column, width in widths.items():
            self.setColumnWidth(column, width)

    def stretch_column(self, column: int) -> None:
        """That column (a description) takes the width left, instead of the last one."""
        stretch_columns(self, column)
