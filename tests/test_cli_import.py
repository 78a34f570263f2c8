"""``balcao import customers --db DB FILE.csv [--dry-run]`` (issue 15): the report on stdout in
Portuguese, exit 0 when no row failed and 1 otherwise."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.database import close_database, open_database
from app.store.models import Customer
from tests.services.import_files import make_nif, write_balcao, write_whmcs
from tests.store.fixtures import fresh_location
from ui.main import main


@pytest.fixture
def db(tmp_path: Path) -> Iterator[str]:
    with fresh_location(tmp_path) as location:
        open_database(location)
        close_database()
        yield location
        close_database()


def customers_in(location: str) -> int:
    open_database(location)
    try:
        return int(Customer.select().count())
    finally:
        close_database()


def test_import_with_bad_rows_reports_them_and_exits_1(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    made = write_whmcs(tmp_path / "clients.csv", count=300)

    assert main(["import", "customers", "--db", db, str(made.path), "--dry-run"]) == 1
    dry = capsys.readouterr().out.splitlines()
    assert dry[0] == "Simulação: nada foi gravado."
    assert customers_in(db) == 0

    assert main(["import", "customers", "--db", db, str(made.path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[0] == (
        f"Criados: {made.good}. Atualizados: 0. Ignorados (sem alterações): 0. "
        f"Com erros: {len(made.bad)}."
    )
    assert out[1:] == dry[2:]
    assert [line.split(":")[0] for line in out[1:]] == [f"linha {n}" for n in sorted(made.bad)]
    assert customers_in(db) == made.good

    # Again, the database first: nothing new, every good row unchanged.
    assert main(["--db", db, "import", "customers", str(made.path)]) == 1
    again = capsys.readouterr().out.splitlines()
    assert again[0].startswith(
        f"Criados: 0. Atualizados: 0. Ignorados (sem alterações): {made.good}."
    )
    assert customers_in(db) == made.good


def test_a_clean_file_exits_0(db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_balcao(tmp_path / "b.csv", f"Loja;{make_nif(3)};loja@x.pt;;;;;;priority;;")
    assert main(["import", "customers", "--db", db, str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "Criados: 1. Atualizados: 0. Ignorados (sem alterações): 0. Com erros: 0."
    ]


def test_an_unreadable_file_is_an_error_in_portuguese(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nao-existe.csv"
    assert main(["import", "customers", "--db", db, str(missing)]) == 1
    assert capsys.readouterr().err.startswith("balcao: erro: Não é possível ler nao-existe.csv")
    other = tmp_path / "outro.csv"
    other.write_text("a,b\n1,2\n", encoding="utf-8")
    assert main(["import", "customers", "--db", db, str(other)]) == 1
    captured = capsys.readouterr()
    assert "nem uma exportação de clientes do WHMCS" in captured.err
    assert captured.out == ""


def test_the_help_says_the_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["import", "customers", "--help"])
    assert "1 quando alguma linha falhou" in " ".join(capsys.readouterr().out.split())


def test_the_documented_example_imports(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "IMPORT.md").read_text("utf-8")
    example = [
        line.strip() for line in doc.split("Example (`;`, UTF-8):", 1)[1].splitlines() if line
    ]
    path = tmp_path / "exemplo.csv"
    path.write_text("\n".join(example) + "\n", encoding="utf-8")
    assert main(["import", "customers", "--db", db, str(path)]) == 0
    assert capsys.readouterr().out.startswith("Criados: 2. ")
