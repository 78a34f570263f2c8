"""Issue 15: customers brought in from WHMCS's client export and from Balcão's own CSV."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from app.domain.sla import Plan
from app.services import customers, imports
from app.services.context import Desk
from app.services.errors import InputError
from app.services.imports.reader import parse_text
from app.store.models import Customer, CustomerEmail, CustomerPhone
from tests.services.import_files import bad_nif, make_nif, write_balcao, write_whmcs

NothingWritten = Callable[[], AbstractContextManager[None]]


def test_a_whmcs_export_of_1000_clients_with_bad_rows(desk: Desk, tmp_path: Path) -> None:
    made = write_whmcs(tmp_path / "clients.csv")
    file = imports.read_customers(made.path)
    assert file.format == "whmcs"

    report = imports.run_import(desk, file)

    assert report.count("created") == made.good == 1000 - len(made.bad)
    assert report.count("updated") == report.count("unchanged") == 0
    assert {o.line for o in report.failed} == set(made.bad)
    for outcome in report.failed:
        assert made.bad[outcome.line] in outcome.reason, (outcome.line, outcome.reason)
    assert Customer.select().count() == made.good
    # Nothing of a failed row was written: its NIF, email and phone are nowhere.
    assert find_by_nif(make_nif(10)) is None
    assert CustomerPhone.select().where(CustomerPhone.number == "+351910000990").count() == 0
    assert (
        CustomerEmail.select().where(CustomerEmail.email == "cliente30@empresa30.pt").count() == 0
    )

    # A company's name is its company; a person's, the first and last names. The email and the
    # phone (written +351.9…, as WHMCS does) are registered senders (P9).
    company = customers.customer(find_by_nif(make_nif(1)))
    assert company.name == "Empresa 1, Lda."
    assert company.address == "Rua 1, n.º 2"
    assert (company.postcode, company.city, company.country) == ("1001-001", "Lisboa", "PT")
    assert [e.email for e in company.emails] == ["cliente1@empresa1.pt"]
    assert [p.number for p in company.phones] == ["+351910000001"]
    person = customers.customer(find_by_nif(make_nif(0)))
    assert person.name == "Nome0 Apelido0"
    assert person.address == "Rua 0, n.º 1\n2.º Esq."

    lines = report.lines()
    assert lines[0] == (
        f"Criados: {made.good}. Atualizados: 0. Ignorados (sem alterações): 0. "
        f"Com erros: {len(made.bad)}."
    )
    assert f"linha 12: O NIF {bad_nif(10)} não é válido: o dígito de controlo está errado." in lines


def find_by_nif(nif: str) -> int | None:
    row = Customer.get_or_none(Customer.nif == nif)
    return None if row is None else int(row.id)


def test_a_second_import_updates_and_duplicates_nothing(desk: Desk, tmp_path: Path) -> None:
    made = write_whmcs(tmp_path / "clients.csv", count=200)
    imports.run_import(desk, imports.read_customers(made.path))
    count = Customer.select().count()
    emails = CustomerEmail.select().count()

    made.rows[3][7] = "Coimbra"  # one client moved
    again = write_whmcs(tmp_path / "again.csv", count=200)
    again.rows[3][7] = "Coimbra"
    rewritten = tmp_path / "again2.csv"
    import csv

    with rewritten.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(imports_header())
        writer.writerows(again.rows)
    report = imports.run_import(desk, imports.read_customers(rewritten))

    assert report.count("created") == 0
    assert report.count("updated") == 1
    assert report.count("unchanged") == count - 1
    assert Customer.select().count() == count
    assert CustomerEmail.select().count() == emails
    assert customers.customer(find_by_nif(make_nif(3))).city == "Coimbra"


def imports_header() -> list[str]:
    from tests.services.import_files import WHMCS_HEADER

    return WHMCS_HEADER


def test_rows_are_matched_by_nif_then_by_email(desk: Desk, tmp_path: Path) -> None:
    by_nif = customers.create_customer(desk, name="Velho Nome", nif=make_nif(1)).customer
    by_email = customers.create_customer(desk, name="Sem NIF", emails=["geral@b.pt"]).customer
    path = write_balcao(
        tmp_path / "b.csv",
        f"Novo Nome;{make_nif(1)};outro@a.pt;;;;;;;;",
        f"Com NIF agora;{make_nif(2)};geral@b.pt;;;;;;;;",
        "Novo;;novo@c.pt;;;;;;;;",
    )
    report = imports.run_import(desk, imports.read_customers(path))

    assert [o.action for o in report.outcomes] == ["updated", "updated", "created"]
    first = customers.customer(by_nif.id)
    assert first.name == "Novo Nome"
    assert [e.email for e in first.emails] == ["outro@a.pt"]  # added to the record
    second = customers.customer(by_email.id)
    assert (second.name, second.nif) == ("Com NIF agora", make_nif(2))


def test_p9_a_balcao_file_sets_plan_registered_senders_and_notes(
    desk: Desk, tmp_path: Path
) -> None:
    path = write_balcao(
        tmp_path / "b.csv",
        f'Oficina Silva;{make_nif(5)};geral@silva.pt;+351 912 345 678;"Rua A, 1\nArmazém 2";'
        '1000-001;Lisboa;PT;prioritário 24/7;"ana@silva.pt; 213 456 789\nrui@silva.pt";'
        "Cliente desde 2019",
        f"Loja;{make_nif(6)};;;;;;;standard;;",
    )
    report = imports.run_import(desk, imports.read_customers(path))
    assert report.count("created") == 2, report.lines()

    silva = customers.customer(find_by_nif(make_nif(5)))
    assert silva.plan is Plan.PRIORITY_24_7
    assert silva.address == "Rua A, 1\nArmazém 2"
    assert silva.notes == "Cliente desde 2019"
    assert [e.email for e in silva.emails] == ["geral@silva.pt", "ana@silva.pt", "rui@silva.pt"]
    assert [p.number for p in silva.phones] == ["+351912345678", "+351213456789"]
    assert customers.find_customer_by_sender("ana@silva.pt").customer_id == silva.id
    assert customers.customer(find_by_nif(make_nif(6))).plan is Plan.STANDARD

    # A second import with another plan changes the plan, and an empty notes cell keeps them.
    path = write_balcao(tmp_path / "c.csv", f"Oficina Silva;{make_nif(5)};;;;;;;standard;;")
    report = imports.run_import(desk, imports.read_customers(path))
    assert report.count("updated") == 1
    silva = customers.customer(silva.id)
    assert silva.plan is Plan.STANDARD
    assert silva.notes == "Cliente desde 2019"


def test_a_dry_run_writes_nothing_and_reports_the_same(
    desk: Desk, tmp_path: Path, nothing_written: NothingWritten
) -> None:
    made = write_whmcs(tmp_path / "clients.csv", count=120)
    file = imports.read_customers(made.path)
    with nothing_written():
        preview = imports.run_import(desk, file, dry_run=True)
    assert preview.lines()[0] == "Simulação: nada foi gravado."
    report = imports.run_import(desk, file)
    assert [(o.line, o.action, o.reason) for o in preview.outcomes] == [
        (o.line, o.action, o.reason) for o in report.outcomes
    ]
    assert preview.lines()[1:] == report.lines()


def test_a_row_refused_by_the_services_writes_nothing_of_itself(desk: Desk, tmp_path: Path) -> None:
    other = customers.create_customer(desk, name="Dono", phones=["912345678"]).customer
    # The email is new, but the phone belongs to another customer: the row is refused whole.
    path = write_balcao(tmp_path / "b.csv", "Novo;;novo@x.pt;912 345 678;;;;;;;")
    report = imports.run_import(desk, imports.read_customers(path))
    assert report.count("failed") == 1
    assert "Dono" in report.failed[0].reason
    assert customers.find_customer_by_sender("novo@x.pt").customer_id is None
    assert Customer.select().count() == 1
    assert other.id == Customer.get().id


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        ("=1+1", "fórmula"),
        ("+SUM(A1)", "fórmula"),
        ("-2+3", "fórmula"),
        ("Nome\x07", "U+0007"),
        ("x" * (10 * 1024 * 1024), "no máximo"),
    ],
)
def test_hostile_cells_are_refused_by_their_row(
    desk: Desk, tmp_path: Path, cell: str, reason: str
) -> None:
    path = write_balcao(tmp_path / "h.csv", f"{cell};;;;;;;;;;", "Boa;;;;;;;;;;")
    report = imports.run_import(desk, imports.read_customers(path))
    assert [o.action for o in report.outcomes] == ["failed", "created"]
    assert report.failed[0].line == 2
    assert reason in report.failed[0].reason


def test_headers_in_any_case_accents_and_delimiter() -> None:
    api_style = (
        "firstname,lastname,companyname,email,phonenumber,tax_id,country\nAna,Silva,,a@b.pt,,,PT\n"
    )
    labels = "FIRST NAME;Last name;Company Name;E-mail;Phone Number;Tax ID\nAna;Silva;;a@b.pt;;\n"
    for text in (api_style, labels):
        file = parse_text(text, "x.csv")
        assert file.format == "whmcs"
        (row,) = file.rows
        assert isinstance(row, imports.ImportRow)
        assert (row.name, row.emails) == ("Ana Silva", ("a@b.pt",))
    balcao = parse_text("Nome,Código Postal,País\nLoja,1000-001,pt\n", "x.csv")
    assert balcao.format == "balcao"
    (row,) = balcao.rows
    assert isinstance(row, imports.ImportRow)
    assert (row.postcode, row.country) == ("1000-001", "PT")


def test_a_file_that_is_no_customer_list_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="nem uma exportação de clientes do WHMCS"):
        parse_text("a,b,c\n1,2,3\n", "x.csv")
    with pytest.raises(InputError, match="está vazio"):
        parse_text("", "x.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes("nome;localidade\nJoão;Évora\n".encode("cp1252"))
    (row,) = imports.read_customers(latin).rows
    assert isinstance(row, imports.ImportRow)
    assert (row.name, row.city) == ("João", "Évora")


def test_an_unclosed_quote_ends_the_file_with_a_message(desk: Desk) -> None:
    file = parse_text('nome;nif\nBoa;\n"Aspas por fechar;\nOutra;\n', "x.csv")
    assert isinstance(file.rows[0], imports.ImportRow)
    assert file.rows[-1] == imports.RowFault(
        3, "a linha não é CSV válido (umas aspas por fechar?); as linhas seguintes não foram lidas."
    )
    report = imports.run_import(desk, file)
    assert [o.action for o in report.outcomes] == ["created", "failed"]
