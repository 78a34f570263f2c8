"""CSV files for the import's tests: a WHMCS client export of 1,000 clients with bad rows, and a
Balcão file."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from stdnum.pt import nif as pt_nif

WHMCS_HEADER = [
    "ID",
    "First Name",
    "Last Name",
    "Company Name",
    "Email",
    "Address 1",
    "Address 2",
    "City",
    "State",
    "Postcode",
    "Country",
    "Phone Number",
    "Tax ID",
    "Status",
]


def make_nif(seed: int) -> str:
    """A valid Portuguese company NIF (5xxxxxxxc)."""
    base = f"5{seed:07d}"
    return base + pt_nif.calc_check_digit(base)


def bad_nif(seed: int) -> str:
    good = make_nif(seed)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def phone(seed: int) -> str:
    return f"+351.91{seed:07d}"


@dataclass
class WhmcsFile:
    path: Path
    rows: list[list[str]]
    #: line number → a piece of the reason expected for it
    bad: dict[int, str] = field(default_factory=dict)

    @property
    def good(self) -> int:
        return len(self.rows) - len(self.bad)


def whmcs_row(i: int, *, company: bool = True) -> list[str]:
    return [
        str(i + 1),
        f"Nome{i}",
        f"Apelido{i}",
        f"Empresa {i}, Lda." if company else "",
        f"cliente{i}@empresa{i}.pt",
        f"Rua {i}, n.º {i % 90 + 1}",
        "2.º Esq." if i % 3 == 0 else "",
        "Lisboa" if i % 2 else "Porto",
        "Lisboa",
        f"{1000 + i % 8000:04d}-{i % 1000:03d}",
        "PT",
        phone(i),
        make_nif(i),
        "Active",
    ]


def write_whmcs(path: Path, count: int = 1000) -> WhmcsFile:
    """``count`` clients as WHMCS's Clients report exports them, with bad rows among them."""
    rows = [whmcs_row(i, company=i % 4 != 0) for i in range(count)]
    made = WhmcsFile(path, rows)

    def spoil(i: int, column: int, value: str, reason: str) -> None:
        if i >= count:  # a shorter file has fewer bad rows
            return
        rows[i][column] = value
        made.bad[i + 2] = reason  # the header is line 1

    spoil(10, 12, bad_nif(10), "dígito de controlo")
    spoil(120, 12, "12345", "9 algarismos")
    spoil(30, 4, "não é um email", "email")
    spoil(340, 4, "ana@@exemplo.pt", "email")
    spoil(50, 12, make_nif(7), "linha 9")  # the NIF of row 7 (line 9)
    spoil(560, 4, "cliente8@empresa8.pt", "linha 10")  # the email of row 8
    for i in (70, 780):
        if i < count:
            rows[i][1] = rows[i][2] = ""
        spoil(i, 3, "", "Nome")
    spoil(90, 3, "Empresa\x00Nula", "U+0000")
    spoil(910, 5, "Rua\x1b[31m vermelha", "U+001B")
    spoil(95, 3, '=HYPERLINK("http://mal.example","clique")', "fórmula")
    spoil(960, 7, "@SUM(1+1)", "fórmula")
    spoil(990, 11, "12", "telefone")
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(WHMCS_HEADER)
        writer.writerows(rows)
    return made


BALCAO_HEADER = (
    "nome;nif;email;telefone;morada;código postal;localidade;país;plano;remetentes;notas"
)


def write_balcao(path: Path, *lines: str, bom: bool = True) -> Path:
    text = "\r\n".join((BALCAO_HEADER, *lines)) + "\r\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path
