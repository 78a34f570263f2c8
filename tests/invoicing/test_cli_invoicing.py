"""``balcao invoicing setup|push`` and ``balcao invoices`` against the local InvoiceXpress, with
the demo's issued invoices (issue 13's "Done when")."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.store.database import close_database, open_database
from app.store.legal_models import InvoicingOutbox, LegalDocument
from tests.invoicing.fake_invoicexpress import API_KEY, Fake, answer, fake
from tests.store.fixtures import fresh_location
from ui.main import main

__all__ = ["fake"]

ROOT = Path(__file__).resolve().parents[2]
ENV = "BALCAO_TEST_INVOICEXPRESS_KEY"
KEY_FORMS = (API_KEY, "s3cr3t-KEY%2Bwith%2Fodd%3Dchars", "s3cr3t-KEY%2Bwith/odd%3Dchars")


@pytest.fixture
def demo(tmp_path: Path, fake: Fake, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The demo's database, with the local InvoiceXpress set up as the certified program."""
    monkeypatch.setenv(ENV, API_KEY)
    with fresh_location(tmp_path) as location:
        assert main(["demo", "--db", location]) == 0
        base = fake.server.url_for("/").rstrip("/")
        setup = ["invoicing", "setup", "--db", location, "--provider", "invoicexpress"]
        setup += ["--account", "acme", "--api-key-env", ENV, "--base-url", base]
        assert main(setup) == 0
        yield location


def _invoices(location: str, capsys: pytest.CaptureFixture[str]) -> list[list[str]]:
    capsys.readouterr()
    assert main(["invoices", "--db", location]) == 0
    return [line.split("\t") for line in capsys.readouterr().out.splitlines()]


def _an_issued_invoice(location: str, capsys: pytest.CaptureFixture[str]) -> str:
    for line in _invoices(location, capsys):
        if line[0].startswith("FT") and line[4] == "Emitida":
            return line[0]
    raise AssertionError("the demo has no issued invoice")


def _no_key(*texts: str) -> None:
    for text in texts:
        for form in KEY_FORMS:
            assert form not in text


def _balcao(*arguments: str) -> subprocess.Popen[str]:
    environment = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    code = "import sys; from ui.main import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.Popen(
        [sys.executable, "-c", code, *arguments],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_the_demos_invoice_goes_through_push_finalize_and_comes_back_named(
    demo: str, fake: Fake, capsys: pytest.CaptureFixture[str], tmp_path: Path, qapp: object
) -> None:
    # ``qapp``: the PDF needs a Qt application; pytest-qt's, so later UI tests find theirs.
    number = _an_issued_invoice(demo, capsys)
    assert main(["invoicing", "push", "--db", demo, number, "--finalize"]) == 0
    out = capsys.readouterr().out
    assert out.split("\t")[0] == number
    (there,) = fake.by_reference(number)
    assert there["status"] == "final"
    legal_number, atcud = there["inverted_sequence_number"], there["atcud"]
    # balcao invoices: the existing columns first, then the legal number and state.
    (line,) = [line for line in _invoices(demo, capsys) if line[0] == number]
    assert line[4:] == ["Emitida", legal_number, "finalizada"]
    assert out.strip().split("\t") == [number, "finalizada", legal_number, atcud]
    # Again: exit 0, it already is there; nothing sent.
    creates = fake.creates()
    assert main(["invoicing", "push", "--db", demo, number, "--finalize"]) == 0
    assert fake.creates() == creates
    # Balcão's own PDF names the legal document.
    from tests.ui.pdf_fixtures import pdf_text

    pdf = tmp_path / "fatura.pdf"
    assert main(["export-invoice", "--db", demo, number, str(pdf)]) == 0
    text = " ".join(pdf_text(pdf).split())
    assert legal_number in text and atcud in text
    assert "não certificado" in text  # still Balcão's record (P22)


def test_push_that_could_not_be_made_exits_non_zero_and_stays_queued(
    demo: str, fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _an_issued_invoice(demo, capsys)
    fake.faults[("POST", "/invoices.json")] = [answer({}, 503)]
    assert main(["invoicing", "push", "--db", demo, number]) != 0
    err = capsys.readouterr().err
    assert "programa certificado" in err
    open_database(demo)
    try:
        assert InvoicingOutbox.select().count() == 1
    finally:
        close_database()
    assert main(["invoicing", "push", "--db", demo, number]) == 0
    assert len(fake.by_reference(number)) == 1


def test_401_is_an_error_in_portuguese_with_the_programs_message_and_no_key(
    demo: str, fake: Fake, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    number = _an_issued_invoice(demo, capsys)
    monkeypatch.setenv(ENV, "another-key")
    assert main(["invoicing", "push", "--db", demo, number]) != 0
    err = capsys.readouterr().err
    assert "Access denied: invalid API key" in err
    assert "chave" in err
    _no_key(err)


def test_the_api_key_is_in_no_file_of_ours(
    demo: str, fake: Fake, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    number = _an_issued_invoice(demo, capsys)
    assert main(["invoicing", "push", "--db", demo, number, "--finalize"]) == 0
    captured = capsys.readouterr()
    _no_key(captured.out, captured.err)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            _no_key(path.read_bytes().decode("latin-1"))


def test_a_push_killed_between_request_and_answer_leaves_one_document_after_restart(
    demo: str, fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    number = _an_issued_invoice(demo, capsys)
    import threading

    fake.hold_create = threading.Event()
    with _balcao("invoicing", "push", "--db", demo, number) as pushing:
        try:
            assert fake.created.wait(60)
            pushing.send_signal(signal.SIGKILL)  # the document is made there, its answer unread
            pushing.communicate(timeout=30)
        finally:
            fake.hold_create.set()
            if pushing.poll() is None:
                pushing.kill()
    assert pushing.returncode == -signal.SIGKILL
    fake.hold_create = None
    open_database(demo)
    try:
        assert LegalDocument.get().uncertain  # the mark written before the request left
    finally:
        close_database()
    with _balcao("invoicing", "push", "--db", demo, number) as restarted:
        _out, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err
    assert len(fake.by_reference(number)) == 1
    assert fake.creates() == 1
