"""Qt's own strings speak European Portuguese (PySide6 ships only a pt_BR catalog)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QLineEdit, QMessageBox
from pytestqt.qtbot import QtBot

from app import i18n
from ui import translator


@pytest.fixture
def installed(qapp: QApplication) -> Iterator[translator.CatalogTranslator]:
    installed = translator.install(qapp)
    yield installed
    qapp.removeTranslator(installed)


def _button_texts(box: QDialogButtonBox) -> set[str]:
    return {button.text() for button in box.buttons()}


def test_standard_buttons_say_guardar_cancelar(
    qtbot: QtBot, installed: translator.CatalogTranslator
) -> None:
    box = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save
        | QDialogButtonBox.StandardButton.Cancel
        | QDialogButtonBox.StandardButton.Close
    )
    qtbot.addWidget(box)
    assert _button_texts(box) == {"Guardar", "Cancelar", "Fechar"}


def test_message_box_says_sim_nao(qtbot: QtBot, installed: translator.CatalogTranslator) -> None:
    box = QMessageBox(
        QMessageBox.Icon.Question,
        "?",
        "?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
    )
    qtbot.addWidget(box)
    texts = {button.text().replace("&", "") for button in box.buttons()}
    assert texts == {"Sim", "Não"}


def test_line_edit_context_menu_in_portuguese(
    qtbot: QtBot, installed: translator.CatalogTranslator
) -> None:
    line = QLineEdit()
    qtbot.addWidget(line)
    menu = line.createStandardContextMenu()
    texts = {action.text().split("\t")[0].replace("&", "") for action in menu.actions()}
    assert {"Anular", "Copiar", "Colar", "Selecionar tudo"} <= texts
    assert "Salvar" not in texts


def test_english_keeps_qt_text(qtbot: QtBot, qapp: QApplication) -> None:
    i18n.set_language("en")
    installed = translator.install(qapp)
    try:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Save)
        qtbot.addWidget(box)
        assert _button_texts(box) == {"Save"}
    finally:
        qapp.removeTranslator(installed)


def test_every_qt_string_is_translated() -> None:
    untranslated = [
        (context, text)
        for context, text in translator.QT_STRINGS
        if i18n.pgettext(context, text) == text and text not in {"OK"}
    ]
    assert untranslated == []
