"""``balcao export-invoice``, ``balcao statement`` and ``balcao export-csv``: run in-process through
``ui.main.main``, and once as a real process on a machine without a display."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.i18n import _
from app.services.exports import cannot_write
from app.store.models import Customer
from tests.services.b_fixtures import lisbon
from tests.ui.pdf_fixtures import (
    SILVA_NAME,
    SILVA_NIF,
    Sample,
    admin,
    admin_desk,
    clock,
    company,
    database,
    db_location,
    desk,
    pdf_info,
    pdf_text,
    sample,
    silva,
    technician,
)
from ui.main import main

__all__ = [
    "admin",
    "admin_desk",
    "clock",
    "company",
    "database",
    "db_location",
    "desk",
    "sample",
    "silva",
    "technician",
]

ROOT = Path(__file__).resolve().parent.parent.parent


def error_line(message: str) -> str:
    return _("balcao: error: {message}").format(message=message)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


# --- export-invoice ---------------------------------------------------------------------------


def test_export_invoice_writes_the_pdf(
    sample: Sample, db_location: str, out: Path, qapp: QApplication
) -> None:
    target = out / "FT-2025-1.pdf"
    assert main(["export-invoice", "--db", db_location, "FT 2025/1", str(target)]) == 0
    text = pdf_text(target)
    assert "FT 2025/1" in text and SILVA_NAME in text
    assert pdf_info(target)["PDF version"] == "1.4"


def test_export_invoice_of_an_unknown_number_fails_in_portuguese(
    sample: Sample,
    db_location: str,
    out: Path,
    qapp: QApplication,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = out / "x.pdf"
    assert main(["export-invoice", "--db", db_location, "FT 2025/9", str(target)]) == 1
    message = _("There is no document numbered {number}.").format(number="FT 2025/9")
    assert capsys.readouterr().err.strip() == error_line(message)
    assert not target.exists()
    assert main(["--db", db_location, "export-invoice", "nove", str(target)]) == 1
    assert "nove" in capsys.readouterr().err


def test_export_invoice_to_an_unwritable_place_fails(
    sample: Sample,
    db_location: str,
    out: Path,
    qapp: QApplication,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = out / "missing" / "x.pdf"
    assert main(["export-invoice", "--db", db_location, "FT 2025/1", str(target)]) == 1
    expected = cannot_write(target, FileNotFoundError(2, "No such file or directory"))
    assert capsys.readouterr().err.strip() == error_line(expected)


def test_a_database_that_cannot_be_opened_fails(
    out: Path, qapp: QApplication, capsys: pytest.CaptureFixture[str]
) -> None:
    (out / "not-a-database.sqlite").write_text("isto não é uma base de dados")
    location = str(out / "not-a-database.sqlite")
    assert main(["export-invoice", "--db", location, "FT 2025/1", str(out / "x.pdf")]) == 1
    assert capsys.readouterr().err.startswith(error_line(""))


@pytest.mark.slow
def test_export_invoice_as_a_process_without_a_display(
    sample: Sample, db_location: str, out: Path
) -> None:
    """The installed ``balcao`` on a server: no DISPLAY, no platform chosen, no window."""
    program = Path(sys.executable).parent / "balcao"
    assert program.exists(), f"{program} missing: pip install -e ."
    environment = {
        name: value
        for name, value in os.environ.items()
        if name not in {"DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM"}
    }
    target = out / "fatura.pdf"
    done = subprocess.run(
        [str(program), "export-invoice", "--db", db_location, "FT 2025/1", str(target)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    assert "FT 2025/1" in pdf_text(target)
    missing = subprocess.run(
        [str(program), "export-invoice", "--db", db_location, "FT 2025/7", str(target)],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
        cwd=ROOT,
    )
    assert missing.returncode != 0
    assert "FT 2025/7" in missing.stderr and "Traceback" not in missing.stderr


# --- statement --------------------------------------------------------------------------------


@pytest.mark.parametrize("named_by", ["id", "nif", "name"])
def test_statement_by_id_nif_or_name(
    sample: Sample, db_location: str, out: Path, qapp: QApplication, named_by: str
) -> None:
    customer = {"id": str(sample.customer_id), "nif": SILVA_NIF, "name": SILVA_NAME}[named_by]
    target = out / "extrato.pdf"
    assert main(["statement", "--db", db_location, customer, "2025-03", str(target)]) == 0
    text = pdf_text(target)
    assert SILVA_NAME in text and "março de 2025" in text


def test_statement_by_a_part_of_the_name_and_an_invoice_in_lower_case(
    sample: Sample, db_location: str, out: Path, qapp: QApplication
) -> None:
    """Issue 15: ``statement … "silva"`` and ``export-invoice "ft 2025/1"`` find them."""
    target = out / "extrato.pdf"
    assert main(["statement", "--db", db_location, "silva", "2025-03", str(target)]) == 0
    assert SILVA_NAME in pdf_text(target)
    invoice = out / "fatura.pdf"
    assert main(["export-invoice", "--db", db_location, "ft 2025/1", str(invoice)]) == 0
    assert "FT 2025/1" in pdf_text(invoice)


def test_statement_errors(
    silva: Customer,
    db_location: str,
    out: Path,
    qapp: QApplication,
    capsys: pytest.CaptureFixture[str],
) -> None:
    Customer.create(name="Gémeo", created_at=lisbon(2025, 1, 2))
    Customer.create(name="Gémeo", created_at=lisbon(2025, 1, 3))
    target = str(out / "x.pdf")
    assert main(["statement", "--db", db_location, SILVA_NIF, "2025-13", target]) == 1
    assert capsys.readouterr().err.strip() == error_line(
        _("{text} is not a month; write it as 2026-03.").format(text="2025-13")
    )
    assert main(["statement", "--db", db_location, "Ninguém", "2025-03", target]) == 1
    assert capsys.readouterr().err.strip() == error_line(
        _("No customer has the id, NIF or name {text}.").format(text="Ninguém")
    )
    # Several customers named so: they are listed, with the exit status of a usage error.
    assert main(["statement", "--db", db_location, "gemeo", "2025-03", target]) == 2
    assert capsys.readouterr().err.count("Gémeo") == 2
    assert main(["statement", "--db", db_location, SILVA_NIF, "2999-01", target]) == 1
    assert "2999" in capsys.readouterr().err
    assert list(out.iterdir()) == []


# --- export-csv -------------------------------------------------------------------------------


@pytest.mark.parametrize(("table", "rows"), [("sessions", 2), ("ledger", 4)])
def test_export_csv(sample: Sample, db_location: str, out: Path, table: str, rows: int) -> None:
    target = out / f"{table}.csv"
    assert (
        main(["export-csv", "--db", db_location, table, "2025-03-01", "2025-03-31", str(target)])
        == 0
    )
    content = target.read_bytes()
    assert content.startswith(b"\xef\xbb\xbf")
    assert content.count(b"\r\n") == rows + 1


def test_export_csv_errors(
    silva: Customer, db_location: str, out: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = str(out / "x.csv")
    assert (
        main(["export-csv", "--db", db_location, "ledger", "2025-02-30", "2025-03-31", target]) == 1
    )
    assert capsys.readouterr().err.strip() == error_line(
        _("{text} is not a date; write it as 2026-03-31.").format(text="2025-02-30")
    )
    assert (
        main(["export-csv", "--db", db_location, "ledger", "2025-03-31", "2025-03-01", target]) == 1
    )
    assert capsys.readouterr().err.startswith(error_line(""))
    missing = out / "missing" / "x.csv"
    assert (
        main(
            [
                "export-csv",
                "--db",
                db_location,
                "sessions",
                "2025-03-01",
                "2025-03-31",
                str(missing),
            ]
        )
        == 1
    )
    assert capsys.readouterr().err.strip() == error_line(
        cannot_write(missing, FileNotFoundError(2, "No such file or directory"))
    )
    with pytest.raises(SystemExit):  # argparse: an unknown table
        main(["export-csv", "--db", db_location, "invoices", "2025-03-01", "2025-03-31", target])
    assert list(out.iterdir()) == []
