"""Clientes › Importar… (issue 15): the preview of what a file would do, then the import."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from PySide6.QtWidgets import QFileDialog
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.services import customers
from tests.services.import_files import write_whmcs
from ui import operations
from ui.context import UiContext
from ui.views.customers.import_dialog import ImportCustomersDialog
from ui.views.customers.view import CustomersView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NothingWritten = Callable[[], AbstractContextManager[None]]


def everyone() -> int:
    return len(customers.search_customers(include_archived=True, limit=10_000))


@pytest.fixture
def dialog(qtbot: QtBot, context: UiContext) -> ImportCustomersDialog:
    shown = ImportCustomersDialog(context)
    qtbot.addWidget(shown)
    shown.show()
    return shown


def settle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: operations.running() == 0, timeout=20_000)


def column(dialog: ImportCustomersDialog, number: int) -> list[str]:
    model = dialog.table.model()
    return [model.index(row, number).data() for row in range(model.rowCount())]


def test_the_preview_shows_each_row_and_writes_nothing(  # noqa: PLR0917 - fixtures
    qtbot: QtBot,
    dialog: ImportCustomersDialog,
    tmp_path: Path,
    nothing_written: NothingWritten,
    monkeypatch: pytest.MonkeyPatch,
    qtmodeltester: ModelTester,
) -> None:
    made = write_whmcs(tmp_path / "clients.csv", count=150)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *_args, **_kw: (str(made.path), ""))
    with nothing_written():
        dialog.choose_button.click()
        settle(qtbot)
    qtmodeltester.check(dialog.model)

    assert dialog.model.rowCount() == 150
    results = column(dialog, 2)
    assert results.count("Será criado") == made.good
    assert results.count("Não será importado") == len(made.bad)
    lines = [int(text) for text in column(dialog, 0)]
    reasons = dict(zip(lines, column(dialog, 3), strict=True))
    for line, expected in made.bad.items():
        assert expected in reasons[line]
    assert f"Criados: {made.good}" in dialog.summary.text()
    assert dialog.import_button.isEnabled()

    dialog.import_button.click()
    settle(qtbot)
    assert everyone() == made.good
    assert column(dialog, 2).count("Criado") == made.good
    assert dialog.summary.text().startswith("Importado: Criados: ")
    assert not dialog.import_button.isEnabled()

    # The same file again: nothing to write.
    dialog.preview(made.path)
    settle(qtbot)
    assert column(dialog, 2).count("Sem alterações") == made.good
    assert not dialog.import_button.isEnabled()


def test_a_file_that_cannot_be_imported_is_said_in_the_dialog(
    qtbot: QtBot, dialog: ImportCustomersDialog, tmp_path: Path
) -> None:
    other = tmp_path / "outro.csv"
    other.write_text("a;b\n1;2\n", encoding="utf-8")
    dialog.preview(other)
    settle(qtbot)
    assert "nem uma exportação de clientes do WHMCS" in dialog.summary.text()
    assert dialog.model.rowCount() == 0
    assert not dialog.import_button.isEnabled()


def test_the_customers_menu_opens_the_dialog(
    qtbot: QtBot, context: UiContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = CustomersView(context)
    qtbot.addWidget(view)
    titles = [action.text() for _menu, action in view.window_actions()]
    assert "&Importar…" in titles
    opened: list[str] = []
    monkeypatch.setattr(
        ImportCustomersDialog, "exec", lambda self: opened.append(self.windowTitle()) or 0
    )
    view.import_action.trigger()
    assert opened == ["Importar clientes"]
