"""Issue 15, point 5: a message appearing beside or under a field moves no other field (the
fields jumped under the cursor, and what was typed next went to the wrong one)."""

from __future__ import annotations

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QFormLayout, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from ui.widgets import FieldErrors


def place(widget: QWidget) -> QPoint:
    return widget.mapTo(widget.window(), QPoint(0, 0))


def test_a_message_under_or_beside_a_field_moves_nothing(qtbot: QtBot) -> None:
    form_widget = QWidget()
    qtbot.addWidget(form_widget)
    form = QFormLayout(form_widget)
    name, nif, city = QLineEdit(), QLineEdit(), QLineEdit()
    nif.setMaximumWidth(220)  # narrow: its message goes beside it
    errors = FieldErrors(form_widget, {"name": name, "nif": nif, "city": city})
    for field in ("name", "nif", "city"):
        form.addRow(field, errors.row(field))
    form_widget.resize(700, 300)
    form_widget.show()
    qtbot.waitExposed(form_widget)
    before = [place(field) for field in (name, nif, city)]
    size = form_widget.sizeHint()

    errors.show("name", "O nome é obrigatório.", focus=False)
    errors.show("nif", "Um NIF tem 9 algarismos; 12345 tem 5. " * 4, focus=False)  # long
    qtbot.wait(10)  # the layout is redone on the next pass of the event loop
    form_widget.layout().activate()

    assert [place(field) for field in (name, nif, city)] == before
    assert form_widget.sizeHint() == size
    assert errors.labels["nif"].isVisible()
    message = errors.labels["nif"]
    middle = place(message).y() + message.height() // 2
    assert before[1].y() <= middle <= before[1].y() + nif.height()  # beside the NIF
    assert place(errors.labels["name"]).y() > before[0].y()  # under the name
    assert errors.message("nif").startswith("Um NIF")  # whole, though drawn cut
    assert errors.labels["nif"].toolTip() == errors.message("nif")

    errors.clear()
    form_widget.layout().activate()
    assert [place(field) for field in (name, nif, city)] == before
