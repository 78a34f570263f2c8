"""One table model for every list of rows: columns described once, rows kept by id.

A view gives the model plain dataclass rows from ``app.services``; ``set_rows`` compares them by
key with what is shown and emits only what changed (rows removed, changed, added), so a refresh
after another desk's change does not reset the view, its selection or its scroll position.
Sorting and filtering go through ``TableProxy``.

A long list reads its rows a page at a time (``set_pages``), as Anki's browser does: the view
asks for the next page (``canFetchMore``/``fetchMore``) when the last row scrolls into sight.
Sorting by the order the pages come in keeps paging; any other sort reads the rest first.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, Generic, TypeVar

from PySide6.QtCore import (
    QAbstractTableModel,
    QCollator,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

Row = TypeVar("Row")
Index = QModelIndex | QPersistentModelIndex

#: The value the proxy sorts by (a number, a date, a string folded for comparison).
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
#: The row's key (its record id), for the view to act on the selected record.
KEY_ROLE = Qt.ItemDataRole.UserRole + 2

LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column(Generic[Row]):
    """One column: its title, how a row shows in it, and how it sorts."""

    title: str
    display: Callable[[Row], str]
    sort_key: Callable[[Row], Any] | None = None
    align: Qt.AlignmentFlag = LEFT
    tooltip: Callable[[Row], str] | None = None
    #: A colour (text, background) for the cell, or None for the default.
    colours: Callable[[Row], tuple[QColor | None, QColor | None]] | None = None


def sortable(value: Any) -> Any:
    """A sort key Qt can compare: QVariant orders numbers and strings, not Python objects."""
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if isinstance(value, Decimal):
        return float(value)  # only to order rows; amounts are never computed from it
    return value


class Collated:
    """A text ordered as a Portuguese reader expects (``QCollator``, pt_PT, numeric mode, case
    ignored): "Ótica" among the O's, not after "Transportes"; "FT 2026/9" before "FT 2026/10".
    The collator's key is computed once per text; equal texts compare equal, so that ties fall
    to the row's key as with any other value."""

    __slots__ = ("_key",)

    def __init__(self, text: str) -> None:
        self._key = _collator().sortKey(text)

    def __lt__(self, other: Collated) -> bool:
        return self._key.compare(other._key) < 0

    def __gt__(self, other: Collated) -> bool:
        return self._key.compare(other._key) > 0

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Collated) and self._key.compare(other._key) == 0

    __hash__ = None  # type: ignore[assignment] # ordered, never a dictionary key


_COLLATORS: list[QCollator] = []


def _collator() -> QCollator:
    """The one pt_PT collator (made on first use: a QCollator is not cheap to build)."""
    if not _COLLATORS:
        collator = QCollator(QLocale(QLocale.Language.Portuguese, QLocale.Country.Portugal))
        collator.setNumericMode(True)
        collator.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        _COLLATORS.append(collator)
    return _COLLATORS[0]


def collation_ranks(texts: Iterable[str]) -> dict[str, int]:
    """Each text's place in the collated order (texts that collate equal share it): sorting a
    long list by these numbers is as quick as by numbers, and agrees with ``Collated``."""
    collator = _collator()
    ordered = sorted(set(texts), key=collator.sortKey)  # compared in C++, once per pair
    ranks: dict[str, int] = {}
    rank = 0
    for position, text in enumerate(ordered):
        if position and collator.compare(ordered[position - 1], text) != 0:
            rank += 1
        ranks[text] = rank
    return ranks


def _ordered(value: Any) -> tuple[bool, Any]:
    if isinstance(value, str):
        value = Collated(value)
    return (value is None, value)


class RowTableModel(QAbstractTableModel, Generic[Row]):
    def __init__(
        self,
        columns: Sequence[Column[Row]],
        key: Callable[[Row], Hashable],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._columns = tuple(columns)
        self._key = key
        self._rows: list[Row] = []
        self._position: dict[Hashable, int] = {}
        self._order: tuple[int, Qt.SortOrder] | None = None
        #: Paging (``set_pages``): the reader of a page, its size, the order it reads in, and
        #: whether the last page read was full (there may be more).
        self._fetch: Callable[[int, int], Sequence[Row]] | None = None
        self._page = 0
        self._fetch_order: tuple[int, Qt.SortOrder] | None = None
        self._more = False

    # --- reading ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def index(self, row: int, column: int, parent: Index = QModelIndex()) -> QModelIndex:  # noqa: B008
        # Qt's own calls rowCount and columnCount at every cell painted through the sorting
        # proxy: one call into Python instead of two. Each call may wait for the interpreter
        # while a background thread runs Python (mail fetching), so their number counts.
        if parent.isValid() or not (
            0 <= row < len(self._rows) and 0 <= column < len(self._columns)
        ):
            return QModelIndex()
        return self.createIndex(row, column)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation is Qt.Orientation.Horizontal and 0 <= section < len(self._columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self._columns[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(self._columns[section].align)
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: PLR0911 - one answer per role
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        row = self._rows[index.row()]
        column = self._columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return column.display(row)
        if role == SORT_ROLE:
            return sortable((column.sort_key or column.display)(row))
        if role == KEY_ROLE:
            return self._key(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(column.align)
        if role == Qt.ItemDataRole.ToolTipRole and column.tooltip is not None:
            return column.tooltip(row) or None
        if role in (Qt.ItemDataRole.ForegroundRole, Qt.ItemDataRole.BackgroundRole):
            if column.colours is None:
                return None
            text, background = column.colours(row)
            colour = text if role == Qt.ItemDataRole.ForegroundRole else background
            return QBrush(colour) if colour is not None else None
        return None

    def row_at(self, row: int) -> Row:
        return self._rows[row]

    def rows(self) -> Sequence[Row]:
        return tuple(self._rows)

    def position_of(self, key: Hashable) -> int | None:
        return self._position.get(key)

    # --- paging -------------------------------------------------------------------------------

    def set_pages(
        self,
        fetch: Callable[[int, int], Sequence[Row]],
        *,
        page: int,
        order: tuple[int, Qt.SortOrder] | None,
    ) -> None:
        """Shows the rows ``fetch(offset, limit)`` reads, the first page now and the next ones
        as the view scrolls to them. ``order``: the column and direction ``fetch`` sorts by
        (the model sorts the same way, the key breaking ties, as the services do with the id);
        ``None`` when no column sorts as ``fetch`` does (any sort the user picks reads all)."""
        self._fetch, self._page, self._fetch_order = fetch, page, order
        self._read_from_start(page)

    def refresh_pages(self) -> None:
        """Reads again as many rows as are shown (a page at least), after a change."""
        if self._fetch is not None:
            self._read_from_start(max(self._page, len(self._rows)))

    def _read_from_start(self, count: int) -> None:
        assert self._fetch is not None
        rows = self._fetch(0, count)
        self._more = len(rows) >= count
        self.set_rows(rows)
        if self._order is not None and self._order != self._fetch_order:
            self.fetch_all()

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008 - Qt's signature
        return not parent.isValid() and self._fetch is not None and self._more

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        assert self._fetch is not None
        rows = self._fetch(len(self._rows), self._page)
        self._more = len(rows) >= self._page
        # A row read twice (one arrived above it since the last page) shows once.
        new = [row for row in rows if self._key(row) not in self._position]
        if not new:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
        self._rows.extend(new)
        self._renumber(start, len(self._rows))
        self.endInsertRows()
        if self._order != self._fetch_order:
            self._resort()

    def fetch_all(self) -> None:
        """Reads the pages not read yet (a sort by another column, a row looked for)."""
        while self.canFetchMore():
            self.fetchMore()

    # --- changing -----------------------------------------------------------------------------

    def set_rows(self, rows: Iterable[Row]) -> None:
        """Shows ``rows``: removes the ones gone, updates the changed, appends the new."""
        fresh = {self._key(row): row for row in rows}
        # Remove from the bottom so that positions above stay valid; contiguous runs at once.
        gone = sorted(
            (position for key, position in self._position.items() if key not in fresh),
            reverse=True,
        )
        while gone:
            last = first = gone.pop(0)
            while gone and gone[0] == first - 1:
                first = gone.pop(0)
            self.beginRemoveRows(QModelIndex(), first, last)
            del self._rows[first : last + 1]
            self.endRemoveRows()
        self._position = {self._key(row): i for i, row in enumerate(self._rows)}
        changed = False
        for key, row in fresh.items():
            position = self._position.get(key)
            if position is not None and self._rows[position] != row:
                self._rows[position] = row
                changed = True
                self.dataChanged.emit(
                    self.index(position, 0), self.index(position, len(self._columns) - 1)
                )
        new = [row for key, row in fresh.items() if key not in self._position]
        if new:
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(new) - 1)
            self._rows.extend(new)
            for offset, row in enumerate(new):
                self._position[self._key(row)] = start + offset
            self.endInsertRows()
        if new or changed:
            # A changed row may sort elsewhere now (a draft numbered, a contact answered).
            self._resort()

    def update_rows(self, changed: Iterable[Row], gone: Iterable[Hashable] = ()) -> None:
        """Applies a few changed rows without looking at the others (what the change log says
        changed): the rows with keys in ``gone`` leave, each of ``changed`` replaces the row
        with its key or arrives; both take their sorted place, by a binary search."""
        gone_at = sorted(
            (self._position[key] for key in set(gone) if key in self._position), reverse=True
        )
        for position in gone_at:
            self.beginRemoveRows(QModelIndex(), position, position)
            del self._rows[position]
            self.endRemoveRows()
        if gone_at:
            self._renumber(gone_at[-1], len(self._rows))
            for key in set(gone):
                self._position.pop(key, None)
        for row in changed:
            shown_at = self._position.get(self._key(row))
            if shown_at is None:
                self._arrive(row)
            elif self._rows[shown_at] != row:
                self._replace(shown_at, row)

    def _arrive(self, row: Row) -> None:
        place = self._place(row, len(self._rows))
        self.beginInsertRows(QModelIndex(), place, place)
        self._rows.insert(place, row)
        self.endInsertRows()
        self._renumber(place, len(self._rows))

    def _replace(self, position: int, row: Row) -> None:
        old = self._rows.pop(position)
        place = self._place(row, len(self._rows))
        self._rows.insert(position, old)  # as the view knows it, until the move is announced
        if place != position:
            # Moved (not removed and inserted): the selection and the current row follow it.
            destination = place if place < position else place + 1
            self.beginMoveRows(QModelIndex(), position, position, QModelIndex(), destination)
            del self._rows[position]
            self._rows.insert(place, row)
            self.endMoveRows()
            self._renumber(min(place, position), max(place, position) + 1)
        else:
            self._rows[position] = row
        self.dataChanged.emit(self.index(place, 0), self.index(place, len(self._columns) - 1))

    def _place(self, row: Row, count: int) -> int:
        """Where ``row`` goes among the first ``count`` rows in the order shown: after those
        that sort before it (the end when the model is not sorted)."""
        if self._order is None:
            return count
        column, order = self._order
        value = self._columns[column].sort_key or self._columns[column].display
        wanted = (_ordered(value(row)), self._key(row))
        low, high = 0, count
        while low < high:
            middle = (low + high) // 2
            other = (_ordered(value(self._rows[middle])), self._key(self._rows[middle]))
            after = other > wanted if order is Qt.SortOrder.AscendingOrder else other < wanted
            if after:
                high = middle
            else:
                low = middle + 1
        return low

    def _renumber(self, first: int, last: int) -> None:
        """The positions of the rows ``first`` to ``last - 1``, after rows moved."""
        for position in range(first, last):
            self._position[self._key(self._rows[position])] = position

    # --- sorting ------------------------------------------------------------------------------

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sorts the rows themselves, in Python, once: a proxy sorting 10,000 rows would ask
        ``data()`` for every comparison (seconds). Rows added later take their sorted place.
        Paged rows sorted otherwise than their pages come are all read first."""
        if not 0 <= column < len(self._columns):
            self._order = None
            return
        self._order = (column, order)
        if self._fetch is not None and self._order != self._fetch_order:
            self.fetch_all()
        self._resort()

    def _resort(self) -> None:
        if self._order is None or len(self._rows) < 2:
            return
        column, order = self._order
        value = self._columns[column].sort_key or self._columns[column].display
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()
        kept_at = [(self._key(self._rows[index.row()]), index.column()) for index in kept]
        # None sorts last whichever the order; equal values by key (the record's id, as the
        # services order them), so that a row changed later finds the same place (``_place``).
        values = {self._key(row): value(row) for row in self._rows}
        ranks = collation_ranks(text for text in values.values() if isinstance(text, str))

        def ordered(row: Row) -> tuple[tuple[bool, Any], Hashable]:
            found = values[self._key(row)]
            return ((found is None, ranks.get(found, found)), self._key(row))

        self._rows.sort(key=ordered)
        if order is Qt.SortOrder.DescendingOrder:
            self._rows.reverse()
        self._position = {self._key(row): i for i, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            kept, [self.index(self._position[key], column) for key, column in kept_at]
        )
        self.layoutChanged.emit()

    def cells_changed(self, first_row: int, last_row: int, column: int, roles: list[int]) -> None:
        """Tells the view that ``column`` changed on those rows (a live countdown)."""
        if self._rows and first_row <= last_row:
            self.dataChanged.emit(
                self.index(first_row, column), self.index(last_row, column), roles
            )


class TableProxy(QSortFilterProxyModel):
    """Filters on the text of every column, ignoring case; sorting is the source model's."""

    def __init__(self, source: QAbstractTableModel, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setSourceModel(source)
        self.setSortRole(SORT_ROLE)
        self.setFilterKeyColumn(-1)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        source = self.sourceModel()
        if isinstance(source, RowTableModel):
            # The proxy keeps the source's order (its own sort column stays -1).
            source.sort(column, order)
        else:
            super().sort(column, order)

    def key_at(self, row: int) -> Any:
        return self.index(row, 0).data(KEY_ROLE)
