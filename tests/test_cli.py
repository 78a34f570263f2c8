"""``balcao demo`` and ``balcao invoices``: in-process through ``ui.main.main`` and as the
installed command, on SQLite (or PostgreSQL with BALCAO_TEST_PG)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.i18n import format_date, format_money
from app.services.invoices import issued_invoices
from app.store.database import close_database, open_database
from app.store.models import Customer
from tests.store.fixtures import fresh_location
from ui.main import main

ROOT = Path(__file__).resolve().parent.parent
BALCAO = ROOT / ".venv" / "bin" / "balcao"
NUMBER = re.compile(r"(FT|NC) \d{4}/\d+")
DATE = re.compile(r"\d{2}/\d{2}/\d{4}")
# pt_PT money: "1 234,50 €" with no-break spaces, negative for a credit note.
MONEY = re.compile(r"-?\d{1,3}(\u00a0\d{3})*,\d{2}\u00a0€")


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database filled by ``balcao demo`` itself (in-process, the real clock)."""
    with fresh_location(tmp_path_factory.mktemp("cli")) as location:
        assert main(["demo", "--db", location]) == 0
        yield location


def _expected_lines(location: str) -> list[list[str]]:
    """What ``balcao invoices`` must print, read through the service."""
    open_database(location)
    try:
        rows = issued_invoices()
    finally:
        close_database()
    return [
        [
            row.number_text or "",
            format_date(row.issue_date),
            row.customer_name,
            format_money(row.gross),
        ]
        for row in rows
        if row.issue_date is not None
    ]


def _lines(output: str) -> list[list[str]]:
    return [line.split("\t") for line in output.splitlines()]


def test_invoices_prints_one_document_a_line_number_first(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invoices", "--db", demo_db]) == 0
    lines = _lines(capsys.readouterr().out)
    assert len(lines) >= 5
    for number, issued, customer, gross, state, *_legal in lines:
        assert NUMBER.fullmatch(number)
        assert DATE.fullmatch(issued)
        assert customer
        assert MONEY.fullmatch(gross), gross
        assert state
    assert [line[:4] for line in lines] == _expected_lines(demo_db)
    states = {line[4] for line in lines}
    assert len(states) == 3  # issued, cancelled, and the credit note naming its invoice
    (note,) = [line for line in lines if line[0].startswith("NC")]
    assert note[3].startswith("-")
    corrected = NUMBER.search(note[4])
    assert corrected is not None
    (cancelled,) = [line for line in lines if line[0] == corrected.group(0)]
    assert cancelled[3] == note[3][1:]


def test_invoices_takes_the_database_before_or_after_the_command(
    demo_db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["invoices", "--db", demo_db]) == 0
    after = capsys.readouterr().out
    assert main(["--db", demo_db, "invoices"]) == 0
    before = capsys.readouterr().out
    monkeypatch.setenv("BALCAO_DB", demo_db)
    assert main(["invoices"]) == 0
    from_environment = capsys.readouterr().out
    assert after == before == from_environment != ""


def test_invoices_as_the_installed_command(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["invoices", "--db", demo_db]) == 0
    in_process = capsys.readouterr().out
    environment = {key: value for key, value in os.environ.items() if key != "BALCAO_DB"}
    done = subprocess.run(
        [str(BALCAO), "invoices", "--db", demo_db],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == in_process


def test_demo_refuses_a_database_with_customers(
    demo_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    open_database(demo_db)
    customers = Customer.select().count()
    close_database()
    assert main(["demo", "--db", demo_db]) == 1
    error = capsys.readouterr().err
    assert error.startswith("balcao: erro: ")
    # The location as shown: a PostgreSQL URL loses its password.
    assert demo_db.partition("?")[0].rpartition("@")[2] in error
    open_database(demo_db)
    assert Customer.select().count() == customers
    close_database()


@pytest.mark.parametrize("command", ["invoices", "demo"])
def test_a_bad_database_path_is_refused_in_portuguese(
    tmp_path: Path, command: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing_folder = tmp_path / "não-existe" / "balcao.sqlite"
    assert main([command, "--db", str(missing_folder)]) == 1
    error = capsys.readouterr().err
    assert error.startswith("balcao: erro: ")
    assert f"A pasta {missing_folder.parent} não existe." in error
    assert not missing_folder.parent.exists()


def test_invoices_does_not_create_a_missing_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "engano.sqlite"
    assert main(["invoices", "--db", str(missing)]) == 1
    assert str(missing) in capsys.readouterr().err
    assert not missing.exists()


def test_invoices_refuses_a_file_that_is_not_a_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = tmp_path / "notas.sqlite"
    other.write_text("isto não é uma base de dados\n" * 100, encoding="utf-8")
    done = subprocess.run(
        [str(BALCAO), "invoices", "--db", str(other)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr.startswith("balcao: erro: ")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "address",
    [
        "postgresql://u:pw@host:5x4/db",
        "postgresql://u:pw@host:99999/db",
        "postgresql://u:pw@[::1/db",
        "mysql://u:pw@host/db",
    ],
)
def test_a_malformed_address_is_a_portuguese_error_not_a_traceback(address: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "ui.main", "invoices", "--db", address],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.returncode == 1
    assert done.stderr.startswith("balcao: erro: ")
    assert "Traceback" not in done.stderr and "ValueError" not in done.stderr
    assert "pw" not in done.stderr
    assert "não é válido" in done.stderr or "desconhecido" in done.stderr
