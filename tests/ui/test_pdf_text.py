"""User text in the PDFs (issue 9, part 7): isolated for bidirectional display, so that it can
neither reorder nor overflow its neighbours, and never printed as empty boxes. Read back with
poppler (text, and the boxes of the words); a full disk leaves the previous PDF as it was."""

from __future__ import annotations

import dataclasses
import itertools
import re
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.clock import ManualClock
from app.i18n import _
from app.services.exports import cannot_write
from app.services.invoices import InvoiceDocument
from app.services.statements import customer_statement
from tests.small_disk import fill, small_disk
from tests.ui.pdf_fixtures import (
    Sample,
    admin,
    admin_desk,
    clock,
    company,
    database,
    db_location,
    desk,
    long_invoice,
    pdf_text,
    pdf_words,
    poppler,
    sample,
    silva,
    technician,
)
from ui.main import main
from ui.pdf import write_invoice_pdf, write_statement_pdf
from ui.pdf.common import REPLACEMENT, field

__all__ = [
    "admin",
    "admin_desk",
    "clock",
    "company",
    "database",
    "db_location",
    "desk",
    "long_invoice",
    "sample",
    "silva",
    "small_disk",
    "technician",
]

RLO = "\u202e"
FSI, PDI = "\u2068", "\u2069"
ARABIC_NAME = "شركة الأمل للتجارة والخدمات العامة"
ARABIC_CITY = "الدار البيضاء"
#: A thumbs-up with a skin tone (one character to the reader, two code points) and two CJK
#: ideographs: no installed font has them here.
MISSING = "👍🏽中文"


# --- the text itself --------------------------------------------------------------------------


def test_an_override_cannot_reverse_a_name(qapp: QApplication) -> None:
    assert field(f"Ali {RLO}LDA") == "Ali LDA"
    assert field("Loja \u202dX\u202c") == "Loja X"


def test_right_to_left_text_is_isolated_line_by_line(qapp: QApplication) -> None:
    assert field(ARABIC_NAME) == f"{FSI}{ARABIC_NAME}{PDI}"
    assert field(f"Rua 1\n{ARABIC_CITY}") == f"Rua 1\n{FSI}{ARABIC_CITY}{PDI}"
    assert field("Maria Gonçalves") == "Maria Gonçalves"  # nothing to isolate
    # Isolates typed by the user are kept only in pairs: none left open, none closing ours.
    assert field(f"a{PDI}b") == "ab"
    assert field("a\u2067b") == f"a\u2067b{PDI}"
    # A piece isolated, then the line it went into: the piece stays isolated, no more.
    line = f"3000-177 {field(ARABIC_CITY)}"
    assert field(line) == line


def test_characters_no_font_has_print_as_a_replacement(qapp: QApplication) -> None:
    assert field(f"Café {MISSING}!") == f"Café {REPLACEMENT * 3}!"
    assert field("a\x00b\x1bc") == "abc"  # control characters print nothing


# --- the PDFs ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    text: str
    x_min: float
    x_max: float
    y_min: float


def words(path: Path, page: int = 1) -> list[Word]:
    """The words of a page with their boxes (``pdftotext -bbox``), in points."""
    found = poppler("pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-")
    root = ET.fromstring(re.sub(r"<!DOCTYPE[^>]*>", "", found))
    return [
        Word(
            unicodedata.normalize("NFKC", element.text or ""),
            float(element.get("xMin", 0)),
            float(element.get("xMax", 0)),
            float(element.get("yMin", 0)),
        )
        for element in root.iter()
        if element.tag.endswith("word")
    ]


def flat(text: str) -> str:
    """pdftotext's text without the direction marks it adds around right-to-left runs, and with
    Arabic in its plain letters (the PDF holds the joined forms, U+FE70…)."""
    return " ".join(unicodedata.normalize("NFKC", re.sub("[\u202a-\u202e]", "", text)).split())


@pytest.fixture
def hostile(sample: Sample) -> InvoiceDocument:
    """The sample invoice as a hostile or far-away customer would have it printed."""
    document = sample.invoice
    customer = dataclasses.replace(
        document.customer, name=f"Ali {RLO}LDA", city=ARABIC_CITY, postcode="3000-177"
    )
    first, second, *rest = document.lines
    lines = (
        dataclasses.replace(first, description=ARABIC_NAME),
        dataclasses.replace(second, description=f"Formação certificada {MISSING} fim"),
        *rest,
    )
    return dataclasses.replace(document, customer=customer, lines=lines)


def test_an_override_in_a_name_does_not_reverse_it_in_the_pdf(
    hostile: InvoiceDocument, tmp_path: Path, qapp: QApplication
) -> None:
    path = tmp_path / "fatura.pdf"
    write_invoice_pdf(hostile, path)
    text = flat(pdf_text(path))
    assert "Ali LDA" in text
    assert "ADL" not in text


def test_no_empty_box_remains_and_ligatures_stay_off(
    hostile: InvoiceDocument, tmp_path: Path, qapp: QApplication
) -> None:
    path = tmp_path / "fatura.pdf"
    write_invoice_pdf(hostile, path)
    text = flat(pdf_words(path))
    # Every character is read back: the replacement where no font had one, nothing blank.
    assert f"Formação certificada {REPLACEMENT * 3} fim" in text
    assert "中" not in text


def test_arabic_keeps_its_order_and_its_column(
    hostile: InvoiceDocument, tmp_path: Path, qapp: QApplication
) -> None:
    path = tmp_path / "fatura.pdf"
    write_invoice_pdf(hostile, path)
    text = flat(pdf_text(path))
    assert f"3000-177 {ARABIC_CITY}" in text  # the postcode stays before the city
    assert ARABIC_NAME in text  # read back in its own order
    placed = words(path)

    def first(word: str) -> Word:
        return next(found for found in placed if found.text == word)

    def arabic_near(y: float) -> list[Word]:
        # poppler reads joined Arabic glyph by glyph: every "word" of Arabic letters on the line.
        return [
            word
            for word in placed
            if abs(word.y_min - y) < 3 and re.search("[\u0600-\u06ff]", word.text)
        ]

    caption, postcode = first(_("Customer")), first("3000-177")
    description, quantity = first(_("Description")), first(_("Quantity"))
    # The city: on the postcode's line, after it, in the customer's column, which the postcode
    # starts, left-aligned as every line of the address.
    assert postcode.x_min == pytest.approx(caption.x_min, abs=1)
    city = arabic_near(postcode.y_min)
    assert city and min(word.x_min for word in city) > postcode.x_max
    period = first(_("Period of the services").split()[0])
    assert max(word.x_max for word in city) < period.x_min
    # The Arabic description: left-aligned in its column, clear of the next one.
    # (the line's date, below the table's header: the period of the services may print it too)
    row = next(
        word for word in placed if word.text == "03/03/2025" and word.y_min > description.y_min
    )
    name = arabic_near(row.y_min)
    assert name
    assert min(word.x_min for word in name) == pytest.approx(description.x_min, abs=1)
    assert max(word.x_max for word in name) < quantity.x_min


def test_a_long_name_does_not_run_over_the_running_header(
    long_invoice: InvoiceDocument, tmp_path: Path, qapp: QApplication
) -> None:
    long_name = "Sociedade de Representações " * 8 + ARABIC_NAME
    customer = dataclasses.replace(long_invoice.customer, name=long_name)
    path = tmp_path / "longa.pdf"
    write_invoice_pdf(dataclasses.replace(long_invoice, customer=customer), path)
    top = sorted((word for word in words(path, page=2) if word.y_min < 60), key=lambda w: w.x_min)
    assert top, "no running header on page 2"
    assert top[-1].text.endswith("...")  # cut short ("…", which NFKC spells so)
    for left, right in itertools.pairwise(top):
        assert left.x_max <= right.x_min + 0.5, (left, right)


def test_a_statement_isolates_the_customer_too(
    sample: Sample, clock: ManualClock, tmp_path: Path, qapp: QApplication
) -> None:
    made = customer_statement(sample.customer_id, 2025, 3, now=clock.now())
    customer = dataclasses.replace(made.customer, name=f"Ali {RLO}LDA {MISSING}")
    path = tmp_path / "extrato.pdf"
    write_statement_pdf(dataclasses.replace(made, customer=customer), path)
    text = flat(pdf_text(path))
    assert f"Ali LDA {REPLACEMENT * 3}" in text
    assert "ADL" not in text


# --- a full disk ------------------------------------------------------------------------------


def test_export_invoice_on_a_full_disk_leaves_the_previous_pdf(
    sample: Sample,
    db_location: str,
    small_disk: Path,
    qapp: QApplication,
    capsys: pytest.CaptureFixture[str],
) -> None:
    target = small_disk / "fatura.pdf"
    target.write_bytes(b"%PDF-1.4 the previous one")
    fill(small_disk, leave=8 * 1024)
    assert main(["export-invoice", "--db", db_location, "FT 2025/1", str(target)]) == 1
    error = capsys.readouterr().err
    assert cannot_write(target, OSError(28, "No space left on device")) in error
    assert _("the disk is full") in error
    assert target.read_bytes() == b"%PDF-1.4 the previous one"
    assert sorted(p.name for p in small_disk.iterdir()) == ["fatura.pdf", "filler"]
