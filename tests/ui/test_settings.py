"""The Settings view, driven as a technician would: typing, clicking Guardar, reading what was
stored through the services."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QEvent, QSettings, Qt, QTime
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.calendar import OPTIONAL_DAYS
from app.i18n import _, format_money
from app.services import settings as company
from app.services.context import Desk
from app.store.database import current_database
from ui.context import UiContext
from ui.table_model import KEY_ROLE
from ui.technician_dialog import remembered_technician
from ui.views.settings.database import LOCATION_KEY, saved_location
from ui.views.settings.holidays import OPTIONAL_DAY_LABELS, HolidaysPage
from ui.views.settings.hours import IntervalEdit
from ui.views.settings.view import SettingsView

NothingWritten = Callable[[], AbstractContextManager[None]]
LOCATION = "/tmp/balcao-test-location.sqlite"  # the key the desk's technician is kept under


@pytest.fixture
def qsettings(tmp_path: Path) -> QSettings:
    return QSettings(str(tmp_path / "balcao.ini"), QSettings.Format.IniFormat)


@pytest.fixture
def warnings(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The message boxes ``show_error`` would have opened."""
    shown: list[str] = []

    def warning(_parent: object, _title: str, text: str, *_args: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def host(qtbot: QtBot) -> QWidget:
    """A plain window to show the view in, as the main window's stack does: a top-level widget
    with a layout would make the offscreen platform warn that it cannot propagate size hints."""
    window = QWidget()
    qtbot.addWidget(window)
    window.resize(1186, 640)
    return window


def _view(host: QWidget, context: UiContext, qsettings: QSettings) -> SettingsView:
    view = SettingsView(context, host, location=LOCATION, settings=qsettings)
    view.resize(host.size())
    host.show()  # a shown view reloads when the settings change
    return view


@pytest.fixture
def admin_view(
    host: QWidget, admin_desk: Desk, technician: Any, qsettings: QSettings, warnings: list[str]
) -> SettingsView:
    """The view at Marta's desk (an administrator); Rui, an ordinary technician, exists too."""
    return _view(host, UiContext(admin_desk), qsettings)


def _type(qtbot: QtBot, widget: QWidget, text: str) -> None:
    """Types ``text`` key by key; QTest types ASCII only, so "á" or "€" is sent as the key event
    a keyboard layout would give."""
    for char in text:
        if char.isascii():
            qtbot.keyClicks(widget, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, char))


@pytest.fixture
def ordinary_view(
    host: QWidget, context: UiContext, qsettings: QSettings, warnings: list[str]
) -> SettingsView:
    """The view at Rui's desk: an ordinary technician, while Marta administers."""
    return _view(host, context, qsettings)


def _retype(qtbot: QtBot, edit: Any, text: str) -> None:
    edit.selectAll()
    qtbot.keyClick(edit, Qt.Key.Key_Delete)
    _type(qtbot, edit, text)


def _save(qtbot: QtBot, page: Any) -> None:
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)


def _set_time(edit: IntervalEdit, opening: time, closing: time) -> None:
    edit.opening.setTime(QTime(opening.hour, opening.minute))
    edit.closing.setTime(QTime(closing.hour, closing.minute))


# --- company --------------------------------------------------------------------------------------


def test_an_invalid_nif_is_refused_as_typed_and_on_save(
    qtbot: QtBot, admin_view: SettingsView, nothing_written: NothingWritten, warnings: list[str]
) -> None:
    page = admin_view.company
    _retype(qtbot, page.nif, "501964844")  # the check digit of 501964843 is 3
    assert "501964844" in page.errors.message("nif")  # said while typing
    with nothing_written():
        _save(qtbot, page)
    assert "501964844" in page.errors.message("nif")
    assert page.nif.text() == "501964844"  # what was typed stays
    assert company.settings().nif is None
    assert warnings == []  # by the field, not in a message box


def test_valid_company_data_is_stored(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str]
) -> None:
    page = admin_view.company
    _retype(qtbot, page.name, "WebPlug Informática, Lda.")
    _retype(qtbot, page.nif, "501 964 843")
    assert page.errors.message("nif") == ""
    _retype(qtbot, page.iban, "PT50 0002 0123 1234 5678 9015 4")
    _retype(qtbot, page.email, "Geral@WebPlug.pt")
    _type(qtbot, page.legal_mention, "Capital social 5 000 €.")
    _retype(qtbot, page.credit_note_series, "nc2")
    _save(qtbot, page)
    stored = company.settings()
    assert warnings == []
    assert stored.name == "WebPlug Informática, Lda."
    assert stored.nif == "501964843"
    assert stored.iban == "PT50000201231234567890154"
    assert stored.email == "geral@webplug.pt"
    assert stored.invoice_legal_mention.endswith("Capital social 5 000 €.")
    assert stored.credit_note_series == "NC2"
    assert page.nif.text() == "501964843"  # shown as stored
    assert not page.modified


def test_an_invalid_iban_is_shown_by_its_field(qtbot: QtBot, admin_view: SettingsView) -> None:
    page = admin_view.company
    _retype(qtbot, page.iban, "PT50 0002 0123 1234 5678 9015 5")
    assert page.errors.message("iban")
    _retype(qtbot, page.iban, "")
    assert page.errors.message("iban") == ""  # empty: no IBAN, which is allowed


def test_the_same_series_for_invoices_and_credit_notes_is_refused(
    qtbot: QtBot, admin_view: SettingsView, nothing_written: NothingWritten
) -> None:
    page = admin_view.company
    _retype(qtbot, page.name, "Empresa")
    _retype(qtbot, page.credit_note_series, "FT")
    with nothing_written():
        _save(qtbot, page)
    assert page.errors.message("credit_note_series")
    assert page.errors.message("name") == ""


def test_a_change_from_another_desk_is_a_conflict_and_keeps_what_was_typed(
    qtbot: QtBot,
    admin_view: SettingsView,
    admin_desk: Desk,
    warnings: list[str],
) -> None:
    page = admin_view.company
    _retype(qtbot, page.name, "Nome escrito aqui")
    company.update_settings(admin_desk, company.settings().version, name="Outra secretária")
    admin_view.context.sync()  # the poll: the page was changed here, so it keeps its text
    assert page.name.text() == "Nome escrito aqui"
    _save(qtbot, page)
    assert warnings == [
        _(
            "Another desk changed this record after you opened it. Nothing was saved: "
            "reopen it to see the changes, then try again."
        )
    ]
    assert company.settings().name == "Outra secretária"
    assert page.name.text() == "Nome escrito aqui"
    qtbot.mouseClick(page.reset_button, Qt.MouseButton.LeftButton)
    assert page.name.text() == "Outra secretária"


def test_saving_one_page_does_not_make_another_page_conflict(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str]
) -> None:
    _retype(qtbot, admin_view.rates.rate_inside, "50,5")
    _retype(qtbot, admin_view.company.name, "Empresa")
    _save(qtbot, admin_view.company)
    _save(qtbot, admin_view.rates)
    assert warnings == []
    stored = company.settings()
    assert (stored.name, stored.rate_inside) == ("Empresa", Decimal("50.50"))


def test_an_ordinary_technician_sees_the_refusal(
    qtbot: QtBot,
    ordinary_view: SettingsView,
    warnings: list[str],
    nothing_written: NothingWritten,
) -> None:
    view = ordinary_view
    _retype(qtbot, view.company.name, "Empresa")
    with nothing_written():
        _save(qtbot, view.company)
    assert warnings == [_("Only an administrator may do this.")]


# --- business hours -------------------------------------------------------------------------------


def test_an_interval_added_and_saved_opens_the_calendar(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str]
) -> None:
    saturday = admin_view.hours.days[5]
    assert saturday.hours() == []
    qtbot.mouseClick(saturday.add_button, Qt.MouseButton.LeftButton)
    _set_time(saturday.edits()[0], time(10), time(13))
    _save(qtbot, admin_view.hours)
    assert warnings == []
    assert company.settings().weekly_hours[5] == ((time(10), time(13)),)
    calendar = company.business_calendar()
    assert calendar.is_open(datetime(2025, 3, 15, 11, 0, tzinfo=UTC))  # a Saturday, 11:00 Lisbon
    assert not calendar.is_open(datetime(2025, 3, 15, 13, 30, tzinfo=UTC))


def test_p1_removing_the_lunch_break_joins_the_day(qtbot: QtBot, admin_view: SettingsView) -> None:
    monday = admin_view.hours.days[0]
    afternoon = monday.edits()[1]
    qtbot.mouseClick(afternoon.remove, Qt.MouseButton.LeftButton)
    _set_time(monday.edits()[0], time(9), time(18))
    _save(qtbot, admin_view.hours)
    assert company.settings().weekly_hours[0] == ((time(9), time(18)),)


@pytest.mark.parametrize(
    ("opening", "closing"),
    [(time(12), time(15)), (time(17), time(16))],
    ids=["overlap", "closes-before-it-opens"],
)
def test_p1_an_invalid_interval_is_refused_by_its_day(
    qtbot: QtBot,
    admin_view: SettingsView,
    nothing_written: NothingWritten,
    opening: time,
    closing: time,
) -> None:
    wednesday = admin_view.hours.days[2]
    _set_time(wednesday.edits()[1], opening, closing)
    with nothing_written():
        _save(qtbot, admin_view.hours)
    assert admin_view.hours.day_errors[2].text()
    assert not admin_view.hours.day_errors[0].text()
    assert wednesday.hours()[1] == (opening, closing)  # kept as typed


def test_a_week_that_never_opens_is_refused(
    qtbot: QtBot, admin_view: SettingsView, nothing_written: NothingWritten
) -> None:
    for day in admin_view.hours.days:
        day.set_hours([])
    admin_view.hours.mark_modified()
    with nothing_written():
        _save(qtbot, admin_view.hours)
    assert admin_view.hours.errors.message("weekly_hours")


# --- holidays and exceptions ----------------------------------------------------------------------


def _holidays(view: SettingsView) -> HolidaysPage:
    """The holidays page, shown (it reads only then: the ``holidays`` tables are slow to load)."""
    view.tabs.setCurrentWidget(view.holidays)
    return view.holidays


def test_the_holidays_page_reads_when_first_shown(admin_view: SettingsView) -> None:
    assert admin_view.holidays.version is None  # the view shows its first page: not read yet
    assert admin_view.company.version is not None
    page = _holidays(admin_view)
    assert page.version == company.settings().version
    assert page.district.count() > 1


def test_p2_district_and_optional_days_are_saved(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str]
) -> None:
    page = _holidays(admin_view)
    page.district.setCurrentIndex(page.district.findData("13"))  # Porto: São João, 24 June
    page.optional["carnival"].click()
    page.optional["new_years_eve"].click()
    shown = {row.day for row in page.preview_model.rows()}
    assert {date(2025, 6, 24), date(2025, 3, 4), date(2025, 12, 31)} <= shown  # before saving
    _save(qtbot, page)
    assert warnings == []
    stored = company.settings()
    assert stored.holiday_district == "13"
    assert stored.closed_optional_days == ("carnival", "new_years_eve")
    calendar = company.business_calendar()
    assert calendar.hours_on(date(2025, 6, 24)) == ()
    assert calendar.hours_on(date(2025, 3, 4)) == ()


def test_every_optional_day_has_a_label() -> None:
    assert set(OPTIONAL_DAY_LABELS) == set(OPTIONAL_DAYS)


def test_p2_an_exception_with_special_hours_on_christmas_eve(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str]
) -> None:
    page = _holidays(admin_view)
    dialog = page.exception_dialog(None)
    qtbot.addWidget(dialog)
    dialog.day.setDate(date(2025, 12, 24))
    dialog.special.click()
    assert dialog.hours.hours() == [(time(9), time(13))]
    _type(qtbot, dialog.note, "Véspera de Natal")
    qtbot.mouseClick(
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save), Qt.MouseButton.LeftButton
    )
    assert warnings == []
    (stored,) = company.company_exceptions()
    assert (stored.day, stored.hours, stored.note) == (
        date(2025, 12, 24),
        ((time(9), time(13)),),
        "Véspera de Natal",
    )
    assert company.business_calendar().hours_on(date(2025, 12, 24)) == ((time(9), time(13)),)
    table = page.exception_table.model()
    assert table.index(0, 0).data() == "24/12/2025"
    assert table.index(0, 2).data() == "09:00–13:00"
    preview = {row.day: row for row in page.preview_model.rows()}
    assert preview[date(2025, 12, 24)].hours == ((time(9), time(13)),)


def test_p2_an_exception_is_changed_to_closed_and_removed(
    qtbot: QtBot,
    admin_view: SettingsView,
    admin_desk: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    company.add_company_exception(
        admin_desk, day=date(2025, 12, 24), hours=[(time(9), time(13))], note="Véspera"
    )
    admin_view.context.sync()
    page = _holidays(admin_view)
    page.exception_table.selectRow(0)
    record = page.selected_exception()
    assert record is not None
    dialog = page.exception_dialog(record)
    qtbot.addWidget(dialog)
    assert dialog.special.isChecked()
    dialog.closed.click()
    dialog.save()
    assert company.company_exceptions()[0].closed
    page.exception_table.selectRow(0)
    monkeypatch.setattr(QMessageBox, "question", lambda *_args: QMessageBox.StandardButton.Yes)
    qtbot.mouseClick(page.remove_exception_button, Qt.MouseButton.LeftButton)
    assert company.company_exceptions() == ()
    assert page.exception_model.rowCount() == 0


def test_a_second_exception_on_the_same_day_is_refused_in_the_dialog(
    qtbot: QtBot, admin_view: SettingsView, admin_desk: Desk, nothing_written: NothingWritten
) -> None:
    company.add_company_exception(admin_desk, day=date(2025, 12, 24))
    dialog = _holidays(admin_view).exception_dialog(None)
    qtbot.addWidget(dialog)
    dialog.day.setDate(date(2025, 12, 24))
    with nothing_written():
        dialog.save()
    assert dialog.errors.message("day")
    assert dialog.result_record is None  # not accepted: the dialog stays, as typed
    assert dialog.day.date().toPython() == date(2025, 12, 24)


# --- rates ----------------------------------------------------------------------------------------


def test_rates_vat_and_blocks_are_saved(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str]
) -> None:
    page = admin_view.rates
    _retype(qtbot, page.rate_inside, "45,5 €")
    _retype(qtbot, page.rate_outside, "60")
    qtbot.mouseClick(page.vat_buttons[Decimal("0.22")], Qt.MouseButton.LeftButton)
    page.inside_block.setValue(10)
    page.review_hours.setValue(8)
    _save(qtbot, page)
    assert warnings == []
    stored = company.settings()
    assert stored.rate_inside == Decimal("45.50")
    assert stored.rate_outside == Decimal("60")
    assert stored.vat_rate == Decimal("0.22")
    assert (stored.inside_block_minutes, stored.session_review_hours) == (10, 8)
    assert page.rate_inside.text() == format_money(Decimal("45.50"))


def test_an_unreadable_amount_is_refused_by_its_field(
    qtbot: QtBot, admin_view: SettingsView, nothing_written: NothingWritten
) -> None:
    page = admin_view.rates
    _retype(qtbot, page.rate_outside, "sessenta")
    with nothing_written():
        _save(qtbot, page)
    assert page.errors.message("rate_outside")
    _retype(qtbot, page.rate_outside, "60,123")
    with nothing_written():
        _save(qtbot, page)
    assert page.errors.message("rate_outside")  # the services' "at most 2 decimal places"


def test_an_empty_outside_rate_bills_at_the_inside_rate(
    qtbot: QtBot, admin_view: SettingsView, admin_desk: Desk
) -> None:
    company.update_settings(admin_desk, company.settings().version, rate_outside=Decimal(70))
    admin_view.context.sync()
    page = admin_view.rates
    _retype(qtbot, page.rate_outside, "")
    _save(qtbot, page)
    assert company.settings().rate_outside is None


# --- technicians ----------------------------------------------------------------------------------


def _row_of(view: SettingsView, name: str) -> int:
    table = view.technicians.table.model()
    for row in range(table.rowCount()):
        if table.index(row, 0).data() == name:
            return row
    raise AssertionError(f"{name} is not listed")


def test_technicians_are_added_and_renamed(
    qtbot: QtBot, admin_view: SettingsView, monkeypatch: pytest.MonkeyPatch, warnings: list[str]
) -> None:
    page = admin_view.technicians
    _type(qtbot, page.new_name, "Inês")
    qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert warnings == []
    assert "Inês" in {technician.name for technician in company.technicians()}
    page.table.selectRow(_row_of(admin_view, "Inês"))
    monkeypatch.setattr(
        "ui.views.settings.technicians.QInputDialog.getText",
        lambda *_args, **_kwargs: ("Inês Martins", True),
    )
    qtbot.mouseClick(page.rename_button, Qt.MouseButton.LeftButton)
    names = {technician.name for technician in company.technicians()}
    assert "Inês Martins" in names and "Inês" not in names
    assert page.table.model().index(_row_of(admin_view, "Inês Martins"), 0).data()
    assert page.at_desk.findText("Inês Martins") >= 0


def test_a_duplicate_name_is_refused_by_the_field(
    qtbot: QtBot, admin_view: SettingsView, nothing_written: NothingWritten
) -> None:
    page = admin_view.technicians
    _type(qtbot, page.new_name, "rui")
    with nothing_written():
        qtbot.mouseClick(page.add_button, Qt.MouseButton.LeftButton)
    assert page.errors.message("name")
    assert page.new_name.text() == "rui"


def test_technicians_are_deactivated_reactivated_and_made_admin(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str]
) -> None:
    page = admin_view.technicians
    page.table.selectRow(_row_of(admin_view, "Rui"))
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    assert not {t.name: t for t in company.technicians(include_inactive=True)}["Rui"].active
    assert page.at_desk.findText("Rui") == -1  # only active technicians sit at a desk
    assert page.active_button.text() == _("Reac&tivate")
    qtbot.mouseClick(page.active_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(page.admin_button, Qt.MouseButton.LeftButton)
    rui = {t.name: t for t in company.technicians()}["Rui"]
    assert rui.active and rui.is_admin
    assert warnings == []


def test_the_last_administrator_refusal_is_shown(
    qtbot: QtBot, admin_view: SettingsView, warnings: list[str], nothing_written: NothingWritten
) -> None:
    page = admin_view.technicians
    page.table.selectRow(_row_of(admin_view, "Marta"))
    with nothing_written():
        qtbot.mouseClick(page.admin_button, Qt.MouseButton.LeftButton)
    assert warnings == [_("The last active administrator cannot stop being one.")]


def test_an_ordinary_technician_cannot_add_technicians(
    qtbot: QtBot, ordinary_view: SettingsView, warnings: list[str]
) -> None:
    view = ordinary_view
    _type(qtbot, view.technicians.new_name, "Inês")
    qtbot.mouseClick(view.technicians.add_button, Qt.MouseButton.LeftButton)
    assert warnings == [_("Only an administrator may do this.")]
    assert view.technicians.new_name.text() == "Inês"


def test_the_technician_at_this_desk_is_remembered_and_announced(
    qtbot: QtBot, admin_view: SettingsView, qsettings: QSettings
) -> None:
    combo = admin_view.technicians.at_desk
    assert combo.currentText() == "Marta"
    rui = combo.findText("Rui")
    with qtbot.waitSignal(admin_view.technician_changed) as announced:
        combo.activated.emit(rui)
    assert announced.args == [combo.itemData(rui)]
    assert remembered_technician(qsettings, LOCATION) == combo.itemData(rui)
    admin_view.reload()
    assert combo.currentText() == "Rui"


# --- the database ---------------------------------------------------------------------------------


def test_a_tested_location_is_kept_for_the_next_start(
    qtbot: QtBot, admin_view: SettingsView, qsettings: QSettings, tmp_path: Path, database: Any
) -> None:
    page = admin_view.database
    _type(qtbot, page.location, "postgresql://balcao:pw@127.0.0.1:1/balcao")
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert not page.save_button.isEnabled()  # tested in the background, the window free
    qtbot.waitUntil(lambda: page.last_probe is not None and page.save_button.isEnabled())
    assert saved_location(qsettings) is None  # refused: it does not connect
    assert not page.result.isHidden()
    good = tmp_path / "team.sqlite"
    _retype(qtbot, page.location, str(good))
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: qsettings.value(LOCATION_KEY) == str(good))
    assert str(good) in page.next_start.text()
    assert current_database() is database
    qtbot.mouseClick(page.default_button, Qt.MouseButton.LeftButton)
    assert saved_location(qsettings) is None


# --- models ---------------------------------------------------------------------------------------


def test_the_settings_models_pass_qt_model_tester(
    qtmodeltester: ModelTester, admin_view: SettingsView, admin_desk: Desk
) -> None:
    company.add_company_exception(admin_desk, day=date(2025, 12, 24), hours=[(time(9), time(13))])
    company.add_company_exception(admin_desk, day=date(2025, 8, 14), note="Ponte")
    admin_view.context.sync()
    holidays = _holidays(admin_view)
    assert holidays.exception_model.rowCount() == 2
    assert holidays.exception_table.model().index(0, 0).data(KEY_ROLE) is not None
    for model in (
        holidays.exception_model,
        holidays.exception_proxy,
        holidays.preview_model,
        holidays.preview_proxy,
        admin_view.technicians.model,
        admin_view.technicians.proxy,
    ):
        qtmodeltester.check(model)


def test_the_preview_follows_the_year(admin_view: SettingsView) -> None:
    holidays = _holidays(admin_view)
    holidays.year.setValue(2026)
    days = {row.day for row in holidays.preview_model.rows()}
    assert date(2026, 1, 1) in days
    assert all(day.year == 2026 for day in days)


def _shown_dates(table: Any) -> list[date]:
    model = table.model()
    return [
        datetime.strptime(model.index(row, 0).data(), "%d/%m/%Y").date()  # noqa: DTZ007 - a date
        for row in range(model.rowCount())
    ]


def test_the_tables_list_dates_in_order(admin_view: SettingsView, admin_desk: Desk) -> None:
    company.add_company_exception(admin_desk, day=date(2025, 12, 24), hours=[(time(9), time(13))])
    admin_view.context.sync()
    company.add_company_exception(admin_desk, day=date(2025, 8, 14), note="Ponte")
    admin_view.context.sync()  # added after the first: the model appends it, the table sorts
    holidays = _holidays(admin_view)
    assert _shown_dates(holidays.exception_table) == [date(2025, 8, 14), date(2025, 12, 24)]
    shown = _shown_dates(holidays.preview_table)
    assert shown == sorted(shown)
    assert date(2025, 8, 14) in shown
