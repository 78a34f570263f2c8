"""The shared table model: passes Qt's model tester, and updates rows without a reset."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from ui.table_model import KEY_ROLE, SORT_ROLE, Column, RowTableModel, TableProxy


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    minutes: int


def _model() -> RowTableModel[Item]:
    return RowTableModel(
        [
            Column("Name", lambda item: item.name),
            Column("Minutes", lambda item: f"{item.minutes} min", lambda item: item.minutes),
        ],
        key=lambda item: item.id,
    )


def test_model_passes_qt_model_tester(qtmodeltester: ModelTester) -> None:
    model = _model()
    model.set_rows([Item(1, "Ana", 30), Item(2, "Rui", 5)])
    qtmodeltester.check(model)
    proxy = TableProxy(model)
    qtmodeltester.check(proxy)


def test_set_rows_removes_updates_and_appends_without_reset(qtbot: QtBot) -> None:
    model = _model()
    model.set_rows([Item(1, "Ana", 30), Item(2, "Rui", 5), Item(3, "Eva", 1), Item(4, "Zé", 2)])
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignals([model.rowsRemoved, model.dataChanged, model.rowsInserted]):
        model.set_rows([Item(1, "Ana", 45), Item(4, "Zé", 2), Item(5, "Inês", 7)])
    assert resets == []
    assert [item.id for item in model.rows()] == [1, 4, 5]
    assert model.index(0, 1).data() == "45 min"
    assert model.index(2, 0).data(KEY_ROLE) == 5


def test_proxy_sorts_by_sort_role_and_filters_text() -> None:
    model = _model()
    model.set_rows([Item(1, "Ana", 30), Item(2, "Rui", 5), Item(3, "Eva", 100)])
    proxy = TableProxy(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    assert [proxy.key_at(row) for row in range(proxy.rowCount())] == [2, 1, 3]
    assert proxy.index(0, 1).data(SORT_ROLE) == 5
    proxy.setFilterFixedString("ev")
    assert [proxy.key_at(row) for row in range(proxy.rowCount())] == [3]


def test_dates_durations_and_amounts_sort_in_order() -> None:
    from datetime import UTC, date, datetime, timedelta
    from decimal import Decimal

    from ui.table_model import sortable

    assert sortable(datetime(2026, 1, 2, tzinfo=UTC)) > sortable(datetime(2025, 12, 31, tzinfo=UTC))
    assert sortable(date(2026, 1, 2)) > sortable(date(2025, 12, 31))
    assert sortable(timedelta(minutes=90)) > sortable(timedelta(minutes=9))
    assert sortable(Decimal("10.5")) > sortable(Decimal("9.99"))


def test_sorting_happens_in_the_model_and_new_rows_take_their_place(
    qtmodeltester: ModelTester,
) -> None:
    model = _model()
    model.set_rows([Item(1, "Ana", 30), Item(2, "Rui", 5), Item(3, "Eva", 100)])
    proxy = TableProxy(model)
    proxy.sort(1, Qt.SortOrder.DescendingOrder)
    assert [item.id for item in model.rows()] == [3, 1, 2]
    model.set_rows([*model.rows(), Item(4, "Zé", 50)])
    assert [proxy.key_at(row) for row in range(proxy.rowCount())] == [3, 4, 1, 2]
    qtmodeltester.check(proxy)


def test_update_rows_touches_only_the_rows_given_and_keeps_the_order(
    qtmodeltester: ModelTester,
) -> None:
    model = _model()
    proxy = TableProxy(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    model.set_rows([Item(number, f"n{number}", number * 10) for number in range(1, 8)])
    qtmodeltester.check(proxy)
    changed: list[tuple[int, int]] = []
    model.dataChanged.connect(
        lambda first, last, _roles=(): changed.append((first.row(), last.row()))
    )
    model.update_rows([Item(3, "n3", 35)])  # stays between 3 and 4
    assert changed == [(2, 2)]
    model.update_rows([Item(2, "n2", 65)], gone=[5])  # moves after 6; 5 leaves
    model.update_rows([Item(9, "n9", 0), Item(8, "n8", 35)])  # as 3: after it, by id
    assert [item.id for item in model.rows()] == [9, 1, 3, 8, 4, 6, 2, 7]
    assert [model.position_of(item.id) for item in model.rows()] == list(range(8))
    proxy.sort(1, Qt.SortOrder.DescendingOrder)
    model.update_rows([Item(1, "n1", 66)], gone=[7])
    assert [proxy.key_at(row) for row in range(proxy.rowCount())] == [1, 2, 6, 4, 8, 3, 9]
    qtmodeltester.check(proxy)


def _paged(items: list[Item], reads: list[tuple[int, int]]) -> RowTableModel[Item]:
    """A model reading ``items`` (already in the order of column 1, descending) by pages of 2."""

    def fetch(offset: int, limit: int) -> list[Item]:
        reads.append((offset, limit))
        return items[offset : offset + limit]

    model = _model()
    model.sort(1, Qt.SortOrder.DescendingOrder)
    model.set_pages(fetch, page=2, order=(1, Qt.SortOrder.DescendingOrder))
    return model


def test_paged_rows_arrive_a_page_at_a_time_as_the_view_asks(
    qtmodeltester: ModelTester,
) -> None:
    items = [Item(i, f"n{i}", 100 - i) for i in range(1, 6)]
    reads: list[tuple[int, int]] = []
    model = _paged(items, reads)
    assert [item.id for item in model.rows()] == [1, 2]
    assert reads == [(0, 2)]
    assert model.canFetchMore()
    model.fetchMore()
    assert [item.id for item in model.rows()] == [1, 2, 3, 4]
    model.fetchMore()
    assert [item.id for item in model.rows()] == [1, 2, 3, 4, 5]
    assert not model.canFetchMore()  # the last page was short
    assert reads == [(0, 2), (2, 2), (4, 2)]
    qtmodeltester.check(model)


def test_paged_rows_refresh_as_many_as_shown_and_sort_otherwise_after_reading_all() -> None:
    items = [Item(i, f"n{i}", 100 - i) for i in range(1, 6)]
    reads: list[tuple[int, int]] = []
    model = _paged(items, reads)
    model.fetchMore()
    items[0] = Item(1, "changed", 99)
    model.refresh_pages()
    assert reads[-1] == (0, 4)  # the four shown, in one read
    assert model.index(0, 0).data() == "changed"
    assert model.rowCount() == 4
    # Sorting by the name is not the order the pages come in: the rest is read first.
    proxy = TableProxy(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert not model.canFetchMore()
    assert [proxy.key_at(row) for row in range(proxy.rowCount())] == [1, 2, 3, 4, 5]
    assert [item.name for item in model.rows()] == ["changed", "n2", "n3", "n4", "n5"]


def test_a_row_read_twice_across_pages_shows_once() -> None:
    items = [Item(i, f"n{i}", 100 - i) for i in range(1, 6)]
    reads: list[tuple[int, int]] = []
    model = _paged(items, reads)
    items.insert(0, Item(9, "new", 100))  # arrives above the first page meanwhile
    model.fetchMore()  # reads 2 from offset 2: Item 2 again, and Item 3
    assert [item.id for item in model.rows()] == [1, 2, 3]


def test_a_changed_row_takes_its_sorted_place_on_set_rows(qtmodeltester: ModelTester) -> None:
    """Issue 15 (4): a list read again after a change (a draft numbered, a contact answered)
    shows the changed row where it now sorts, not where it was."""
    model = _model()
    model.set_rows([Item(1, "Ana", 30), Item(2, "Rui", 5), Item(3, "Eva", 100)])
    proxy = TableProxy(model)
    proxy.sort(1, Qt.SortOrder.AscendingOrder)
    model.set_rows([Item(1, "Ana", 30), Item(2, "Rui", 500), Item(3, "Eva", 100)])
    assert [proxy.key_at(row) for row in range(proxy.rowCount())] == [1, 3, 2]
    qtmodeltester.check(proxy)


def test_text_sorts_by_the_portuguese_collation_with_numbers_as_numbers() -> None:
    """Issue 15 (8): accents do not push a name to the end; numbers inside text sort by value."""
    model = _model()
    names = [
        "Transportes Costa",
        "Ótica Visão Clara",
        "oficina Auto",
        "Élio Dias",
        "Zé",
        "FT 2026/22",
    ]
    names += ["FT 2026/1", "árvore"]
    model.set_rows([Item(number, name, 0) for number, name in enumerate(names)])
    proxy = TableProxy(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    shown = [proxy.index(row, 0).data() for row in range(proxy.rowCount())]
    assert shown == [
        "árvore",
        "Élio Dias",
        "FT 2026/1",
        "FT 2026/22",
        "oficina Auto",
        "Ótica Visão Clara",
        "Transportes Costa",
        "Zé",
    ]
    # A row arriving later takes its collated place too (binary search, same rule).
    model.update_rows([Item(99, "Óscar", 0)])
    shown = [proxy.index(row, 0).data() for row in range(proxy.rowCount())]
    assert shown.index("Óscar") == shown.index("Ótica Visão Clara") - 1


def test_equal_texts_fall_to_the_key() -> None:
    model = _model()
    model.set_rows([Item(3, "Ana", 0), Item(1, "ana", 0), Item(2, "ANA", 0)])
    proxy = TableProxy(model)
    proxy.sort(0, Qt.SortOrder.AscendingOrder)
    assert [proxy.key_at(row) for row in range(proxy.rowCount())] == [1, 2, 3]
