"""The Relatórios view: the command line prints what the view's tables show, its models pass
Qt's model tester, its CSV is safe, and a missed guarantee opens its contact."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PySide6.QtCharts import QAreaSeries
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.clock import SystemClock
from app.domain.sla import Channel, Plan
from app.i18n import _
from app.services import exports
from app.services.context import Desk
from app.services.reports.response_times import guarantee_minutes
from app.services.reports.tables import REPORTS
from app.services.settings import add_technician, technicians
from app.store.database import close_database, open_database
from tests.store.fixtures import fresh_location
from ui.context import UiContext
from ui.main import main
from ui.views.reports.view import ReportsView, period_of, spreadsheet_cell

#: The demo is written around the real clock; every reading of "now" is this instant.
NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_location(tmp_path_factory.mktemp("reports")) as location:
        assert main(["demo", "--db", location]) == 0
        yield location


@pytest.fixture
def fixed_now(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(SystemClock, "now", lambda self: NOW)


@pytest.fixture
def view(qtbot: QtBot, demo_db: str, fixed_now: None) -> Iterator[ReportsView]:
    open_database(demo_db)
    try:
        shown = ReportsView(UiContext(Desk(SystemClock(), None)))
        qtbot.addWidget(shown)
        shown.kind.setCurrentIndex(shown.kind.findData("custom"))
        shown.first.setCurrentIndex(2)  # two months ago to this month: the demo's months
        shown.last.setCurrentIndex(0)
        shown.show()
        for position, name in enumerate(REPORTS):  # each tab loads when first shown
            shown.tabs.setCurrentIndex(position)
            qtbot.waitUntil(lambda name=name: shown.is_loaded(name), timeout=30_000)
        yield shown
    finally:
        close_database()


def _cli_lines(
    demo_db: str, name: str, view: ReportsView, capsys: pytest.CaptureFixture[str]
) -> list[list[str]]:
    period = view.period()
    first, last = f"{period.first:%Y-%m}", f"{period.last:%Y-%m}"
    capsys.readouterr()
    close_database()  # the command opens and closes its own
    try:
        assert main(["report", name, "--db", demo_db, "--from", first, "--to", last]) == 0
    finally:
        open_database(demo_db)
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


@pytest.mark.parametrize("name", REPORTS)
def test_the_command_line_prints_what_the_view_shows(
    view: ReportsView, demo_db: str, name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    tab = view.report_tabs[name]
    model = tab.model
    assert model is not None and tab.table_data is not None
    shown = [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]
    header, *lines = _cli_lines(demo_db, name, view, capsys)
    assert tuple(header) == tab.table_data.header
    assert lines == shown
    assert lines, "the demo has figures for every report"


def test_first_columns_are_the_issues(view: ReportsView) -> None:
    """Issue 14, item 4: the first columns, in this order."""
    headers = {name: view.report_tabs[name].table_data.header for name in REPORTS}  # type: ignore[union-attr]
    assert headers["guarantees"][:8] == (
        "month",
        "plan",
        "guaranteed",
        "met",
        "missed",
        "open",
        "free_hours_granted",
        "free_hours_revoked",
    )
    assert headers["response-times"][:6] == (
        "month",
        "plan",
        "channel",
        "responses",
        "median_minutes",
        "p90_minutes",
    )
    assert headers["hours"][:9] == (
        "month",
        "customer_id",
        "technician_id",
        "minutes_inside",
        "minutes_outside",
        "billed_minutes_inside",
        "billed_minutes_outside",
        "minutes_covered_by_packs",
        "minutes_invoiced",
    )
    assert headers["packs"][:7] == (
        "customer_id",
        "pack_id",
        "kind",
        "minutes_left",
        "expires",
        "lapsing_30_days",
        "lapsing_60_days",
    )
    assert headers["revenue"][:5] == ("month", "customer_id", "net", "vat", "gross")


def test_models_pass_the_model_tester(view: ReportsView, qtmodeltester: ModelTester) -> None:
    for tab in view.report_tabs.values():
        assert tab.model is not None
        qtmodeltester.check(tab.model)
    qtmodeltester.check(view.missed)


def test_a_missed_guarantee_opens_its_contact(view: ReportsView, qtbot: QtBot) -> None:
    assert view.missed.rowCount() > 0, "the demo has missed guarantees"
    index = view.missed_table.proxy.index(0, 0)
    expected = view.missed_table.proxy.key_at(0)
    with qtbot.waitSignal(view.context.show_record) as opened:
        view.missed_table.doubleClicked.emit(index)
    assert opened.args == ["contact", expected]


def test_csv_export_is_the_table_and_safe(view: ReportsView, qtbot: QtBot, tmp_path: Path) -> None:
    tab = view.report_tabs["revenue"]
    path = tmp_path / "revenue.csv"
    view.export_csv(tab, path)
    qtbot.waitUntil(path.exists, timeout=10_000)
    with path.open(encoding=exports.ENCODING, newline="") as file:
        rows = list(csv.reader(file, delimiter=exports.DELIMITER))
    assert tab.table_data is not None
    # The cells as shown, decimals with a comma (as the other exports: a number to a Portuguese
    # spreadsheet); a credit note's "-41,25" stays a number, not quoted as a formula would be.
    assert [tuple(row) for row in rows[1:]] == [
        tuple(spreadsheet_cell(cell) for cell in row) for row in tab.table_data.rows
    ]
    assert any(row[2].startswith("-") and "," in row[2] for row in rows[1:])
    unsafe = tmp_path / "unsafe.csv"
    exports.write_table_csv(unsafe, ["month", "=HYPERLINK(1)"], [["-12,50", "@SUM(A1)"]])
    with unsafe.open(encoding=exports.ENCODING, newline="") as file:
        header, row = list(csv.reader(file, delimiter=exports.DELIMITER))
    assert header == ["month", "'=HYPERLINK(1)"]
    assert row == ["-12,50", "'@SUM(A1)"]


def test_pdf_export_writes_a_pdf(view: ReportsView, qtbot: QtBot, tmp_path: Path) -> None:
    path = tmp_path / "hours.pdf"
    view.export_pdf(view.report_tabs["hours"], path)
    qtbot.waitUntil(path.exists, timeout=20_000)
    assert path.read_bytes().startswith(b"%PDF")


def test_pdf_export_asks_from_documents_and_offers_to_open_the_file(
    view: ReportsView, qtbot: QtBot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 15: the dialog opened in the program's own folder (a bare file name)."""
    from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

    from ui.feedback import save_folder

    offered: list[str] = []
    target = tmp_path / "horas"

    def save_as(*args: object) -> tuple[str, str]:
        offered.append(str(args[2]))
        return str(target), ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    view.export_pdf(view.report_tabs["hours"])
    assert Path(offered[0]).is_absolute()
    written = tmp_path / "horas.pdf"
    qtbot.waitUntil(written.exists, timeout=20_000)

    def offer() -> QMessageBox | None:
        boxes = [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox)]
        return next((box for box in boxes if str(written) in box.text()), None)

    qtbot.waitUntil(lambda: offer() is not None, timeout=10_000)
    box = offer()
    assert box is not None and box.isVisible()
    box.close()
    assert save_folder() == tmp_path  # the next dialog starts there


def test_period_picker_means_month_quarter_year_and_custom() -> None:
    from datetime import date

    day = date(2026, 11, 1)
    assert period_of("month", day, day).months() == [date(2026, 11, 1)]
    assert [m.month for m in period_of("quarter", day, day).months()] == [10, 11, 12]
    assert len(period_of("year", day, day).months()) == 12
    custom = period_of("custom", date(2026, 12, 1), date(2026, 9, 1))
    assert (custom.first, custom.last) == (date(2026, 9, 1), date(2026, 12, 1))


# --- by technician (issue 14) ---------------------------------------------------------------------


def _hours_technicians(view: ReportsView) -> set[str]:
    tab = view.report_tabs["hours"]
    assert tab.table_data is not None
    return {row[2] for row in tab.table_data.rows}


def test_the_technician_picker_filters_the_hours_as_the_command_line(
    view: ReportsView, demo_db: str, qtbot: QtBot, capsys: pytest.CaptureFixture[str]
) -> None:
    view.tabs.setCurrentIndex(REPORTS.index("hours"))
    everyone = view.report_tabs["hours"].table_data
    assert everyone is not None and len(_hours_technicians(view)) > 1, "the demo has several"
    assert view.technician.isEnabled()
    chosen = int(sorted(_hours_technicians(view))[0])
    view.technician.setCurrentIndex(view.technician.findData(chosen))
    qtbot.waitUntil(lambda: view.is_loaded("hours"), timeout=30_000)
    assert _hours_technicians(view) == {str(chosen)}
    shown = view.report_tabs["hours"].table_data
    assert shown is not None
    # That technician's rows of everyone's report, and what ``--technician`` prints.
    assert list(shown.rows) == [row for row in everyone.rows if row[2] == str(chosen)]
    period = view.period()
    capsys.readouterr()
    close_database()
    try:
        argv = ["report", "hours", "--db", demo_db, "--technician", str(chosen)]
        argv += ["--from", f"{period.first:%Y-%m}", "--to", f"{period.last:%Y-%m}"]
        assert main(argv) == 0
    finally:
        open_database(demo_db)
    header, *lines = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert tuple(header) == shown.header
    assert [tuple(line) for line in lines] == list(shown.rows)
    # Packs and revenue are the customers': the picker does not apply there.
    view.tabs.setCurrentIndex(REPORTS.index("packs"))
    assert not view.technician.isEnabled()
    assert view.technician_of("packs") is None


def test_report_technician_refusals_on_the_command_line(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for argv in (
        ["report", "packs", "--db", demo_db, "--from", "2026-01", "--to", "2026-01"],
        ["report", "hours", "--db", demo_db, "--from", "2026-01", "--to", "2026-01"],
    ):
        capsys.readouterr()
        technician = "1" if argv[1] == "packs" else "999999"
        assert main([*argv, "--technician", technician]) != 0
        error = capsys.readouterr().err
        assert error.strip() and "Traceback" not in error


def test_the_response_time_chart_draws_each_plans_guarantee(view: ReportsView) -> None:
    loaded = view.reports["response-times"]
    series = loaded.chart
    assert len(series.bands) == len(series.categories)
    bands = dict(zip(series.categories, series.bands, strict=True))
    # The default calendar opens 8 h a weekday: P5's close of the next business day is 8 to 16
    # business hours away; P7's 24/7 phone line 5 minutes; plans without a guarantee, none.
    assert guarantee_minutes(Plan.STANDARD, Channel.EMAIL) == (480, 960)
    assert guarantee_minutes(Plan.PRIORITY, Channel.PRIORITY_EMAIL) == (240, 240)
    assert guarantee_minutes(Plan.NONE, Channel.EMAIL) is None
    assert bands["Std email"] == (480.0, 960.0)
    assert bands["24/7 tel P"] == (5.0, 5.0)
    drawn = view.report_tabs["response-times"].chart.chart().series()
    areas = [s for s in drawn if isinstance(s, QAreaSeries)]
    assert len(areas) == sum(band is not None for band in series.bands) > 0
    assert areas[0].name() == _("Plan's guarantee")


def test_the_technician_picker_follows_the_technicians(view: ReportsView) -> None:
    admin = next(person for person in technicians() if person.is_admin)
    names = {view.technician.itemText(i) for i in range(view.technician.count())}
    assert names >= {person.name for person in technicians(include_inactive=True)}
    added = add_technician(Desk(SystemClock(), admin.id), name="Joaquina Reis")
    view.context.changed.emit(added.changes)
    assert view.technician.findData(added.technician.id) > 0
    assert view.technician.itemText(0) == _("Everyone")
