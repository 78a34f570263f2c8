"""The tables of Contactos: their columns as wide as their usual text, and the header's menu that
shows or hides the columns a technician may do without."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QTableView

from ui.table_model import TableProxy
from ui.views.queue.model import ContactTableModel
from ui.views.queue.painting import CellDelegate
from ui.widgets import setup_table, stretch_columns

_CELL_PADDING = 14
_SORT_ARROW = 18  # beside the title of the sorted column


def queue_table(
    proxy: TableProxy, samples: dict[int, tuple[list[str], int]], stretch: int, name: str
) -> QTableView:
    table = QTableView()
    setup_table(table, proxy, name)
    # Every cell painted from its model's ``PaintedCell`` (the countdowns too: every second).
    model = proxy.sourceModel()
    assert isinstance(model, ContactTableModel)
    table.setItemDelegate(CellDelegate(proxy, model.painted, table))
    header = table.horizontalHeader()
    # Wide enough for their usual text and title in the language shown; the rest is elided
    # (with a tooltip) and the subject takes what is left.
    text_width = table.fontMetrics().horizontalAdvance
    title_width = header.fontMetrics().horizontalAdvance
    for column, (texts, widest) in samples.items():
        title = str(proxy.headerData(column, Qt.Orientation.Horizontal))
        needed = max([text_width(text) for text in texts] + [title_width(title) + _SORT_ARROW])
        header.resizeSection(column, min(needed + _CELL_PADDING, widest or needed + _CELL_PADDING))
    stretch_columns(table, stretch)
    return table


def offer_columns(table: QTableView, hidden: set[int], always: set[int]) -> None:
    """The header's context menu shows or hides the columns but ``always``; ``hidden`` start
    hidden (at 1366 px wide, every column shown leaves the subject no room)."""
    header = table.horizontalHeader()
    header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    for column in range(header.count()):
        header.setSectionHidden(column, column in hidden)
        if column in always:
            continue
        title = str(table.model().headerData(column, Qt.Orientation.Horizontal))
        action = QAction(title, header)
        action.setCheckable(True)
        action.setChecked(column not in hidden)
        action.toggled.connect(
            lambda shown, column=column: header.setSectionHidden(column, not shown)
        )
        header.addAction(action)
