"""Who sits at the desk: a new database names its first technician, an administrator; once there
are technicians the dialog only picks one (an administrator adds others in Definições)."""

from __future__ import annotations

from peewee import Database
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.services import settings
from app.store.models import Technician
from ui.technician_dialog import TechnicianDialog


def test_a_new_database_names_its_first_administrator(
    qtbot: QtBot, database: Database, clock: ManualClock
) -> None:
    dialog = TechnicianDialog(clock)
    qtbot.addWidget(dialog)
    assert [dialog.choice.itemText(i) for i in range(dialog.choice.count())] == ["Novo técnico…"]
    dialog.new_name.setText("Ana Sousa")
    dialog._accept()
    assert dialog.chosen is not None
    first = settings.technician(dialog.chosen)
    assert (first.name, first.is_admin) == ("Ana Sousa", True)


def test_with_technicians_the_dialog_only_picks_one(
    qtbot: QtBot, technician: Technician, admin: Technician, clock: ManualClock
) -> None:
    dialog = TechnicianDialog(clock)
    qtbot.addWidget(dialog)
    listed = [dialog.choice.itemData(i) for i in range(dialog.choice.count())]
    assert sorted(listed) == sorted([technician.id, admin.id])
    dialog.choice.setCurrentIndex(listed.index(technician.id))
    dialog._accept()
    assert dialog.chosen == technician.id
    assert len(settings.technicians()) == 2


def test_the_dialog_shows_one_way_to_answer_at_a_time(
    qtbot: QtBot, database: Database, clock: ManualClock
) -> None:
    """Issue 15 (13): never a list and a name field together, leaving which counts to guess."""
    empty = TechnicianDialog(clock)
    qtbot.addWidget(empty)
    assert empty.form.isRowVisible(empty.new_name)
    assert not empty.form.isRowVisible(empty.choice)
    assert "administrador" in empty.explanation.text()
    settings.add_first_administrator(clock, name="Ana Sousa")
    picking = TechnicianDialog(clock)
    qtbot.addWidget(picking)
    assert picking.form.isRowVisible(picking.choice)
    assert not picking.form.isRowVisible(picking.new_name)
