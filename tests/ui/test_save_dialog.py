"""Issue 15, point 11: every save dialog starts in the user's Documents, then in the folder
last saved in (remembered on this computer), and the file saved is offered to be opened."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QStandardPaths, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog
from pytestqt.qtbot import QtBot

from ui import feedback
from ui.feedback import ask_csv_path, ask_pdf_path, offer_to_open, save_folder

#: What the fake dialog answers ("": cancelled).
answer = [""]


@pytest.fixture
def offered(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Where each save dialog started; it answers with ``answer``."""
    started: list[str] = []

    def save_as(_parent: object, _title: str, suggested: str, _kinds: str) -> tuple[str, str]:
        started.append(suggested)
        return answer[0], ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    answer[0] = ""
    return started


def documents() -> Path:
    return Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))


def test_the_first_save_dialog_starts_in_documents(offered: list[str]) -> None:
    assert ask_pdf_path(None, "Exportar", "FT 2026-22.pdf") is None  # cancelled
    assert Path(offered[0]) == documents() / "FT 2026-22.pdf"
    assert Path(offered[0]).is_absolute()  # never the folder the program runs from


def test_the_next_one_starts_where_the_last_file_was_saved(
    offered: list[str], tmp_path: Path
) -> None:
    answer[0] = str(tmp_path / "faturas" / "FT 2026-22")
    (tmp_path / "faturas").mkdir()
    assert (
        ask_pdf_path(None, "Exportar", "FT 2026-22.pdf") == tmp_path / "faturas" / "FT 2026-22.pdf"
    )
    answer[0] = ""
    ask_csv_path(None, "Exportar", "sessoes-2026-12.csv")
    assert Path(offered[1]) == tmp_path / "faturas" / "sessoes-2026-12.csv"
    assert save_folder() == tmp_path / "faturas"
    (tmp_path / "faturas").rmdir()  # a folder removed since: Documents again
    assert save_folder() == documents()


def test_a_saved_file_is_offered_to_be_opened(
    qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[QUrl] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    saved = tmp_path / "FT 2026-22.pdf"
    box = offer_to_open(None, saved)
    qtbot.addWidget(box)
    assert box.isVisible() and not box.isModal()  # the technician may work on
    assert str(saved) in box.text()
    opener = box.defaultButton()
    assert opener is not None and opener.text().replace("&", "") == "Abrir"
    opener.click()
    assert opened == [QUrl.fromLocalFile(str(saved))]


def test_every_save_dialog_goes_through_the_one_helper() -> None:
    """Outside ``ui.feedback``, only the choice of a database file (which starts where that
    file is) opens a save dialog of its own."""
    root = Path(feedback.__file__).resolve().parent
    calls = [
        path.relative_to(root).as_posix()
        for path in root.rglob("*.py")
        if "getSaveFileName" in path.read_text(encoding="utf-8")
    ]
    assert sorted(calls) == ["feedback.py", "views/settings/database.py"]
