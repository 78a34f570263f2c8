"""The certified invoicing program from the window (P29, issue 13's "In the window"): Faturas's
legal state column and actions, the outbox's minute pass, and Definições › Faturação certificada,
against the local InvoiceXpress (tests/invoicing/fake_invoicexpress.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox, QWidget
from pytestqt.qtbot import QtBot

from app.clock import ManualClock
from app.i18n import _
from app.services import invoices
from app.services.context import Desk
from app.services.invoicing import setup
from app.services.invoicing.queries import LegalState, legal_status
from app.store.models import Customer
from tests.invoicing.fake_invoicexpress import API_KEY, PDF, Fake, answer, fake
from tests.keyrings import MemoryKeyring, memory_keyring
from tests.services.b_fixtures import company, customer
from tests.ui.conftest import finish
from ui.context import UiContext
from ui.views.invoices.handover import HANDOVER, OutboxRunner
from ui.views.invoices.tables import LEGAL_COLUMN
from ui.views.invoices.view import InvoicesView
from ui.views.settings.invoicing import InvoicingPage, parse_exemption_codes
from ui.views.settings.view import SettingsView

__all__ = ["company", "customer", "fake", "memory_keyring"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

ENV = "BALCAO_TEST_INVOICEXPRESS_KEY"


@pytest.fixture
def refusals(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The message boxes ``show_error`` would have opened."""
    shown: list[str] = []

    def warning(_parent: object, _title: str, text: str, *_args: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """What the window asked the desktop to open."""
    urls: list[QUrl] = []

    def open_url(url: QUrl) -> bool:
        urls.append(url)
        return True

    monkeypatch.setattr(QDesktopServices, "openUrl", open_url)
    return urls


@pytest.fixture
def configured(
    admin_desk: Desk, fake: Fake, monkeypatch: pytest.MonkeyPatch, company: object
) -> setup.ProgramSettings:
    monkeypatch.setenv(ENV, API_KEY)
    return setup.setup(
        admin_desk,
        provider="invoicexpress",
        account="acme",
        api_key_env=ENV,
        base_url=fake.server.url_for("/").rstrip("/"),
    )


@pytest.fixture
def invoice(desk: Desk, customer: Customer) -> int:
    """An issued invoice of 400 € + VAT (1.25 h at 40 € and a 350 € line)."""
    made = invoices.draft_invoice(
        desk, customer_id=customer.id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 1)
    )
    for quantity, price in (("1.25", "40.00"), ("1", "350.00")):
        made = invoices.add_line(
            desk,
            made.id,
            made.version,
            description="Assistência remota",
            quantity=Decimal(quantity),
            unit_price=Decimal(price),
        )
    return invoices.issue_invoice(desk, made.id, made.version).id


@pytest.fixture
def view(qtbot: QtBot, context: UiContext, invoice: int) -> Iterator[InvoicesView]:
    shown = InvoicesView(context)
    qtbot.addWidget(shown)
    shown.resize(1366, 700)
    shown.show()
    shown.reload()
    assert shown.table.select_key(invoice)
    yield shown


def legal_cell(view: InvoicesView, invoice_id: int) -> str:
    position = view.list_model.position_of(invoice_id)
    assert position is not None
    return str(view.list_model.index(position, LEGAL_COLUMN).data())


# --- Faturas ----------------------------------------------------------------------------------


def test_p29_an_issued_invoice_shows_not_sent_and_only_send_is_offered(
    view: InvoicesView, invoice: int, configured: setup.ProgramSettings
) -> None:
    assert legal_cell(view, invoice) == _("not sent")
    detail = view.detail
    assert _("not sent") in detail.legal_label.text()
    assert detail.send_button.isEnabled()
    assert not detail.finalize_button.isEnabled()
    assert not detail.legal_pdf_button.isEnabled()
    menu = view.context_menu()
    assert [a.text() for a in menu.actions() if a.isEnabled()] == [
        _("Send to the certified program")
    ]


def test_p29_send_then_finalize_shows_the_legal_number_and_atcud_as_the_program_writes_them(
    *,
    qtbot: QtBot,
    view: InvoicesView,
    invoice: int,
    configured: setup.ProgramSettings,
    fake: Fake,
    refusals: list[str],
) -> None:
    detail = view.detail
    sent = detail.send_to_program()
    assert sent is not None
    assert not detail.send_button.isEnabled()  # no second send while the first runs
    status = finish(qtbot, sent)
    assert status is not None and status.state is LegalState.DRAFT_SENT
    assert legal_cell(view, invoice) == _("draft sent")
    assert len(fake.documents) == 1
    assert detail.finalize_button.isEnabled() and not detail.send_button.isEnabled()

    finish(qtbot, detail.finalize_there())
    (there,) = fake.documents.values()
    assert there["inverted_sequence_number"] == "FT A2026/1"
    cell = legal_cell(view, invoice)
    assert cell.startswith(_("finalized"))
    assert "FT A2026/1" in cell and "JJ7B9XKQ-1" in cell
    assert "FT A2026/1" in detail.legal_label.text()
    assert not detail.finalize_button.isEnabled() and detail.legal_pdf_button.isEnabled()
    assert refusals == []


def test_p29_open_legal_pdf_writes_the_programs_pdf_and_opens_it(
    qtbot: QtBot,
    view: InvoicesView,
    invoice: int,
    configured: setup.ProgramSettings,
    opened: list[QUrl],
) -> None:
    finish(qtbot, view.detail.send_to_program())
    finish(qtbot, view.detail.finalize_there())
    path = finish(qtbot, view.detail.open_legal_pdf())
    assert path is not None and path.read_bytes() == PDF
    assert path.name == "FT A2026-1.pdf"
    assert opened == [QUrl.fromLocalFile(str(path))]
    path.unlink()


def test_p29_a_422_shows_its_message_in_the_column_and_once_as_a_refusal(
    *,
    qtbot: QtBot,
    view: InvoicesView,
    invoice: int,
    configured: setup.ProgramSettings,
    fake: Fake,
    refusals: list[str],
) -> None:
    fake.faults[("POST", "/invoices.json")] = [
        answer({"errors": [{"error": "Client is invalid"}]}, 422)
    ]
    assert finish(qtbot, view.detail.send_to_program()) is None
    assert len(refusals) == 1 and "Client is invalid" in refusals[0]
    cell = legal_cell(view, invoice)
    assert cell.startswith(_("error")) and "Client is invalid" in cell
    assert "Client is invalid" in view.detail.legal_label.text()
    assert view.detail.send_button.isEnabled()  # sent again once put right
    assert fake.documents == {}


def test_p29_balcaos_pdf_written_from_the_window_names_the_legal_document(
    *,
    qtbot: QtBot,
    view: InvoicesView,
    invoice: int,
    configured: setup.ProgramSettings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    finish(qtbot, view.detail.send_to_program())
    finish(qtbot, view.detail.finalize_there())
    written: list[object] = []

    def write(document: object, path: Path, legal: object = None) -> None:
        written.append(legal)

    monkeypatch.setattr("ui.pdf.invoice.write_invoice_pdf", write)
    monkeypatch.setattr(
        "ui.views.invoices.detail.ask_pdf_path", lambda *_args: tmp_path / "out.pdf"
    )
    finish(qtbot, view.detail.export_pdf())
    assert written == [legal_status(invoice)]
    assert legal_status(invoice).legal_number == "FT A2026/1"


def test_p29_a_failing_send_shows_in_the_column_and_the_minute_pass_sends_it_later(
    *,
    qtbot: QtBot,
    view: InvoicesView,
    invoice: int,
    configured: setup.ProgramSettings,
    fake: Fake,
    context: UiContext,
    clock: ManualClock,
    refusals: list[str],
) -> None:
    fake.faults[("POST", "/invoices.json")] = [answer({"errors": []}, 503)] * 9
    fake.faults[("GET", "/invoices.json")] = [answer({"errors": []}, 503)] * 9
    assert finish(qtbot, view.detail.send_to_program()) is None
    assert len(refusals) == 1
    assert legal_status(invoice).queued
    cell = legal_cell(view, invoice)
    assert cell.startswith(_("not sent")) and refusals[0] in cell

    fake.faults.clear()
    runner = OutboxRunner(context)
    clock.advance(timedelta(minutes=5))
    done = finish(qtbot, runner())
    assert done is not None and done.done == 1 and done.waiting == 0
    assert runner.running is None
    assert legal_cell(view, invoice) == _("draft sent")
    assert len(fake.documents) == 1
    assert len(refusals) == 1  # the minute's pass shows nothing by itself


def test_the_minute_sweep_runs_the_outbox_pass(
    qtbot: QtBot, context: UiContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ui.app import Sweeper

    sweeper = Sweeper(context)
    passes: list[object] = []

    def outbox_pass(runner: OutboxRunner) -> None:
        passes.append(runner)

    monkeypatch.setattr(OutboxRunner, "__call__", outbox_pass)
    sweeper.minute()
    assert passes == [sweeper.outbox]
    finish(qtbot, sweeper.running)


# --- Definições › Faturação certificada -------------------------------------------------------


@pytest.fixture
def page(
    qtbot: QtBot, admin_desk: Desk, company: object, refusals: list[str]
) -> Iterator[InvoicingPage]:
    host = QWidget()
    qtbot.addWidget(host)
    shown = InvoicingPage(UiContext(admin_desk), host)
    host.resize(1186, 640)
    shown.resize(host.size())
    host.show()
    shown.reload()
    yield shown


def test_the_settings_page_saves_the_account_and_puts_the_typed_key_in_the_keyring_only(
    *,
    qtbot: QtBot,
    page: InvoicingPage,
    fake: Fake,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    refusals: list[str],
) -> None:
    qsettings = QSettings(str(tmp_path / "balcao.ini"), QSettings.Format.IniFormat)
    qtbot.keyClicks(page.account, "acme")
    qtbot.keyClicks(page.base_url, fake.server.url_for("/").rstrip("/"))
    qtbot.keyClicks(page.api_key, API_KEY)
    page.tax_names["0.23"].setText("IVA23")
    page.exemption_codes.setPlainText("Artigo 53.º do CIVA = m10")
    page.auto_finalize.setChecked(True)
    qtbot.mouseClick(page.save_button, Qt.MouseButton.LeftButton)
    assert refusals == [] and page.status.text() == _("Saved.")
    saved = setup.program_settings()
    assert saved is not None
    assert (saved.account, saved.key_in_keyring, saved.api_key_env) == ("acme", True, "")
    assert saved.exemption_codes == {"Artigo 53.º do CIVA": "M10"}
    assert saved.auto_finalize
    assert memory_keyring.passwords == {("Balcao", "invoicing:invoicexpress:acme"): API_KEY}
    assert page.api_key.text() == ""  # never shown back
    assert page.key_note.isVisibleTo(page)
    qsettings.sync()
    for file in tmp_path.rglob("*"):  # the settings file, the database: no key anywhere
        if file.is_file():
            assert API_KEY.encode() not in file.read_bytes()

    # Saved again without retyping: the key stays in the keyring.
    page.auto_finalize.setChecked(False)
    assert page.save()
    again = setup.program_settings()
    assert again is not None and again.key_in_keyring and not again.auto_finalize


def test_the_page_shown_in_definicoes_writes_no_key_to_the_computers_settings(
    *,
    qtbot: QtBot,
    admin_desk: Desk,
    company: object,
    fake: Fake,
    memory_keyring: MemoryKeyring,
    tmp_path: Path,
    refusals: list[str],
) -> None:
    host = QWidget()
    qtbot.addWidget(host)
    ini = tmp_path / "balcao.ini"
    qsettings = QSettings(str(ini), QSettings.Format.IniFormat)
    view = SettingsView(UiContext(admin_desk), host, location="x.sqlite", settings=qsettings)
    host.show()
    page = view.invoicing
    assert view.tabs.indexOf(page) >= 0
    qtbot.keyClicks(page.account, "acme")
    qtbot.keyClicks(page.api_key, API_KEY)
    assert page.save()
    qsettings.sync()
    assert not ini.exists() or API_KEY not in ini.read_text()
    assert memory_keyring.passwords


def test_an_ordinary_technician_cannot_save_the_program(
    qtbot: QtBot, context: UiContext, company: object, refusals: list[str]
) -> None:
    page = InvoicingPage(context)
    qtbot.addWidget(page)
    page.reload()
    qtbot.keyClicks(page.account, "acme")
    qtbot.keyClicks(page.api_key_env, ENV)
    assert not page.save()
    assert refusals == [_("Only an administrator may do this.")]
    assert setup.program_settings() is None


def test_a_wrong_field_is_said_by_it(page: InvoicingPage, refusals: list[str]) -> None:
    page.account.setText("acme")
    page.api_key_env.setText(ENV)
    page.exemption_codes.setPlainText("Artigo 53.º")
    assert not page.save()
    assert page.errors.labels["exemption_codes"].text()
    assert refusals == []
    with pytest.raises(Exception, match="M10"):
        parse_exemption_codes("reason = X")


def test_testar_ligacao_says_ok_then_the_401_message(
    qtbot: QtBot,
    page: InvoicingPage,
    configured: setup.ProgramSettings,
    monkeypatch: pytest.MonkeyPatch,
    refusals: list[str],
) -> None:
    page.reload()
    finish(qtbot, page.test_connection())
    assert page.test_result.text() == _("Connection OK: the program answered.")
    assert page.test_button.isEnabled()

    monkeypatch.setenv(ENV, "wrong")
    finish(qtbot, page.test_connection())
    text = page.test_result.text()
    assert "Access denied: invalid API key" in text
    assert "wrong" not in text and API_KEY not in text
    assert refusals == []  # said next to the button, not in a message box


def test_p29_the_minute_pass_waits_while_a_send_of_the_users_runs(
    qtbot: QtBot, invoice: int, configured: setup.ProgramSettings, fake: Fake, desk: Desk
) -> None:
    """Never twice: a pass and a user's send of the same document never run at once."""
    from app.services.invoicing.push import enqueue

    enqueue(desk, invoice, "invoicexpress", finalize=False)
    runner = OutboxRunner(UiContext(desk))
    with HANDOVER:
        assert finish(qtbot, runner()) is None  # skipped: nothing was sent
    assert fake.documents == {} and legal_status(invoice).queued
    done = finish(qtbot, runner())
    assert done is not None and done.done == 1 and len(fake.documents) == 1
