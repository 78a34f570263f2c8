"""The Faturas view, driven as a technician would: a draft for a customer and month, its lines
reviewed and completed by hand, issued (numbered, frozen), exported as PDF, cancelled by a
credit note (P20–P22)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QInputDialog, QMessageBox, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.packs import PackKind
from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import _, format_money
from app.services import customers, invoices, packs, settings
from app.services.context import Desk
from app.services.labels import invoice_kind_label, invoice_state_label
from tests.ui.conftest import finish
from ui.context import UiContext
from ui.views.invoices.detail import InvoiceDetail, pdf_file_name
from ui.views.invoices.view import InvoicesView
from ui.widgets import RowTable, combo_index

# Showing a window offscreen makes Qt say "This plugin does not support propagateSizeHints()".
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

MARCH = date(2025, 3, 1)  # the month of MONDAY_10H


def texts(table: RowTable, column: int) -> list[str]:
    proxy = table.proxy
    return [str(proxy.index(row, column).data()) for row in range(proxy.rowCount())]


@pytest.fixture
def company(admin_desk: Desk) -> None:
    """What an invoice needs of the company (P21): name, NIF and address."""
    settings.update_settings(
        admin_desk,
        settings.settings().version,
        name="Webplug, Lda.",
        nif="501964843",
        address="Rua do Comércio, 45",
        postcode="3000-123",
        city="Coimbra",
    )


@pytest.fixture
def flor(desk: Desk, company: None) -> int:
    """A customer who bought a 10 h unit pack (400 €) this month."""
    customer_id = customers.create_customer(
        desk, name="Padaria Flor de Sal", nif="508332222", city="Coimbra"
    ).customer.id
    packs.sell_pack(
        desk, customer_id=customer_id, kind=PackKind.UNIT, minutes=600, price=Decimal("400.00")
    )
    return customer_id


@pytest.fixture
def view(qtbot: QtBot, context: UiContext) -> Iterator[InvoicesView]:
    shown = InvoicesView(context)
    qtbot.addWidget(shown)
    shown.resize(1366, 700)
    shown.show()
    shown.reload()
    yield shown


def issued_invoice(desk: Desk, customer_id: int) -> int:
    draft = invoices.draft_invoice(
        desk, customer_id=customer_id, period_start=MARCH, period_end=date(2025, 3, 31)
    )
    return invoices.issue_invoice(desk, draft.id, draft.version).id


def answer_yes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    asked: list[str] = []

    def question(_parent: QWidget, _title: str, text: str, *_rest: object) -> object:
        asked.append(text)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", question)
    return asked


def click(qtbot: QtBot, button: QWidget) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def detail_buttons(detail: InvoiceDetail) -> dict[str, bool]:
    return {
        "add": detail.add_line_button.isEnabled(),
        "remove": detail.remove_line_button.isEnabled(),
        "delete": detail.delete_button.isEnabled(),
        "issue": detail.issue_button.isEnabled(),
        "export": detail.export_button.isEnabled(),
        "credit": detail.credit_button.isEnabled(),
    }


# --- draft, lines, issue ----------------------------------------------------------------------


def test_p20_draft_review_add_a_line_issue_and_the_draft_is_frozen(
    qtbot: QtBot, view: InvoicesView, flor: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    dialog = view.open_new_draft_dialog()
    qtbot.keyClicks(dialog.picker.search, "Flor de Sal")
    dialog.set_month(MARCH)
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))

    detail = view.detail
    assert detail.document is not None
    draft_id = detail.document.id
    assert detail.document.state is InvoiceState.DRAFT
    (pack_line,) = invoices.invoice(draft_id).lines
    assert texts(detail.line_table, 1) == [pack_line.description]
    assert texts(detail.line_table, 4) == [format_money(Decimal("400.00"))]
    assert view.table.selected_key() == draft_id  # the new draft is selected in the list
    assert detail_buttons(detail) == {
        "add": True,
        "remove": False,
        "delete": True,
        "issue": True,
        "export": True,
        "credit": False,
    }

    line_dialog = detail.open_add_line_dialog()
    assert line_dialog is not None
    qtbot.keyClicks(line_dialog.description, "Deslocacao as instalacoes")  # QTest types ASCII only
    line_dialog.quantity.clear()
    qtbot.keyClicks(line_dialog.quantity, "2")
    qtbot.keyClicks(line_dialog.unit_price, "12,50")
    click(qtbot, line_dialog.buttons.button(QDialogButtonBox.StandardButton.Save))

    assert texts(detail.line_table, 1)[1] == "Deslocacao as instalacoes"
    assert texts(detail.line_table, 4)[1] == format_money(Decimal("25.00"))
    stored = invoices.invoice(draft_id)
    assert stored.net == Decimal("425.00")
    assert stored.gross == Decimal("522.75")
    totals_text = [
        label.text() for label in detail.totals.findChildren(type(detail.heading)) if label.text()
    ]
    assert format_money(Decimal("522.75")) in totals_text
    assert format_money(Decimal("97.75")) in totals_text

    asked = answer_yes(monkeypatch)
    click(qtbot, detail.issue_button)

    assert len(asked) == 1
    issued = invoices.invoice(draft_id)
    assert (issued.state, issued.number_text) == (InvoiceState.ISSUED, "FT 2025/1")
    assert "FT 2025/1" in detail.heading.text()
    assert texts(view.table, 0) == ["FT 2025/1"]
    assert texts(view.table, 7) == [invoice_state_label(InvoiceState.ISSUED)]
    assert detail_buttons(detail) == {
        "add": False,
        "remove": False,
        "delete": False,
        "issue": False,
        "export": True,
        "credit": True,
    }
    detail.line_table.selectRow(0)
    assert not detail.remove_line_button.isEnabled()


def test_a_line_with_a_bad_price_is_refused_next_to_its_field(
    qtbot: QtBot,
    view: InvoicesView,
    desk: Desk,
    flor: int,
    nothing_written: Callable[[], AbstractContextManager[None]],
) -> None:
    draft = invoices.draft_invoice(
        desk, customer_id=flor, period_start=MARCH, period_end=date(2025, 3, 31)
    )
    view.reload()
    view.show_invoice(draft.id)
    dialog = view.detail.open_add_line_dialog()
    assert dialog is not None
    qtbot.keyClicks(dialog.description, "Cabo de rede")

    with nothing_written():
        qtbot.keyClicks(dialog.unit_price, "-5")
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    assert dialog.isVisible()
    assert dialog.errors.labels["unit_price"].text() == _("The unit price cannot be negative.")

    with nothing_written():
        dialog.unit_price.clear()
        qtbot.keyClicks(dialog.unit_price, "tres")
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Save))
    assert dialog.errors.labels["unit_price"].isVisible()
    assert dialog.description.text() == "Cabo de rede"


def test_removing_a_line_and_deleting_the_draft(
    qtbot: QtBot, view: InvoicesView, desk: Desk, flor: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    draft = invoices.draft_invoice(
        desk, customer_id=flor, period_start=MARCH, period_end=date(2025, 3, 31)
    )
    draft = invoices.add_line(
        desk,
        draft.id,
        draft.version,
        description="Deslocação",
        quantity=Decimal(1),
        unit_price=Decimal("25.00"),
    )
    view.reload()
    view.show_invoice(draft.id)
    detail = view.detail
    detail.line_table.selectRow(1)
    assert detail.remove_line_button.isEnabled()

    click(qtbot, detail.remove_line_button)

    assert [line.description for line in invoices.invoice(draft.id).lines] == [
        draft.lines[0].description
    ]
    assert len(texts(detail.line_table, 1)) == 1

    answer_yes(monkeypatch)
    click(qtbot, detail.delete_button)

    assert invoices.invoices() == ()
    assert view.list_model.rows() == ()
    assert detail.document is None


def test_an_empty_draft_says_so_and_cannot_be_issued(
    qtbot: QtBot, view: InvoicesView, desk: Desk, company: None
) -> None:
    nobody = customers.create_customer(desk, name="Hotel Miradouro").customer.id
    dialog = view.open_new_draft_dialog()
    dialog.picker.set_customer(nobody)
    click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))

    assert view.detail.document is not None
    assert view.detail.empty.isVisible()
    assert not view.detail.issue_button.isEnabled()


def test_a_draft_needs_a_customer(
    qtbot: QtBot,
    view: InvoicesView,
    flor: int,
    nothing_written: Callable[[], AbstractContextManager[None]],
) -> None:
    dialog = view.open_new_draft_dialog()
    dialog.picker.set_customer(None)
    with nothing_written():
        click(qtbot, dialog.buttons.button(QDialogButtonBox.StandardButton.Ok))
    assert dialog.isVisible()
    assert dialog.errors.labels["customer"].text() == _("Choose the customer to invoice.")


# --- credit notes ---------------------------------------------------------------------------


def test_p20_cancelling_shows_the_credit_note_in_the_list(
    qtbot: QtBot, view: InvoicesView, admin_desk: Desk, flor: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    desk = view.context.desk
    invoice_id = issued_invoice(desk, flor)
    me = settings.technician(desk.technician_id or 0)  # only an administrator cancels
    settings.set_technician_admin(admin_desk, me.id, me.version, True)
    view.reload()
    view.show_invoice(invoice_id)
    asked: list[str] = []

    def reason(_parent: QWidget, _title: str, question: str, _text: str = "") -> tuple[str, bool]:
        asked.append(question)
        return "Preço do pack errado", True

    monkeypatch.setattr(QInputDialog, "getMultiLineText", reason)
    click(qtbot, view.detail.credit_button)

    assert "FT 2025/1" in asked[0]
    cancelled = invoices.invoice(invoice_id)
    assert cancelled.state is InvoiceState.CANCELLED
    assert cancelled.corrected_by is not None
    note = invoices.invoice(cancelled.corrected_by.id)
    assert note.correction_reason == "Preço do pack errado"
    # The credit note is listed and shown.
    assert sorted(texts(view.table, 0)) == ["FT 2025/1", "NC 2025/1"]
    assert invoice_kind_label(InvoiceKind.CREDIT_NOTE) in texts(view.table, 8)
    assert view.detail.document is not None and view.detail.document.id == note.id
    assert "NC 2025/1" in view.detail.heading.text()
    assert "FT 2025/1" in view.detail.facts.text()
    assert texts(view.detail.line_table, 4) == [format_money(Decimal("-400.00"))]
    assert not view.detail.credit_button.isEnabled()  # a credit note is not cancelled

    view.show_invoice(invoice_id)
    assert invoice_state_label(InvoiceState.CANCELLED) == view.detail.state.text()
    assert not view.detail.credit_button.isEnabled()


# --- the PDF ----------------------------------------------------------------------------------


def test_p20_exporting_the_pdf(
    qtbot: QtBot,
    *,
    view: InvoicesView,
    desk: Desk,
    flor: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pytest.importorskip(
        "ui.pdf.invoice", reason="ui.pdf.invoice.write_invoice_pdf is not written yet"
    )
    invoice_id = issued_invoice(desk, flor)
    view.reload()
    view.show_invoice(invoice_id)
    offered: list[str] = []

    def save_as(_parent: QWidget, _title: str, suggested: str, _filter: str) -> tuple[str, str]:
        offered.append(suggested)
        return str(tmp_path / "fatura"), "PDF (*.pdf)"

    monkeypatch.setattr(QFileDialog, "getSaveFileName", save_as)
    click(qtbot, view.detail.export_button)  # written in the background

    assert Path(offered[0]).name == "FT 2025-1.pdf"
    written = tmp_path / "fatura.pdf"  # the extension is added when left out
    qtbot.waitUntil(lambda: str(written) in view.detail.status.text(), timeout=10_000)
    assert written.read_bytes().startswith(b"%PDF")
    assert str(written) in view.detail.status.text()


def test_a_pdf_that_cannot_be_written_says_why(
    qtbot: QtBot,
    *,
    view: InvoicesView,
    desk: Desk,
    flor: int,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    pytest.importorskip(
        "ui.pdf.invoice", reason="ui.pdf.invoice.write_invoice_pdf is not written yet"
    )
    invoice_id = issued_invoice(desk, flor)
    view.reload()
    view.show_invoice(invoice_id)
    target = tmp_path / "missing-folder" / "x.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_args: (str(target), ""))
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_r: warnings.append(text))

    assert finish(qtbot, view.detail.export_pdf()) is None

    assert len(warnings) == 1 and str(target) in warnings[0]
    assert "não existe" in warnings[0]  # why, in words: its folder does not exist


def test_pdf_file_names_carry_no_slash(desk: Desk, flor: int) -> None:
    invoice_id = issued_invoice(desk, flor)
    assert pdf_file_name(invoices.invoice(invoice_id)) == "FT 2025-1.pdf"


# --- the list -------------------------------------------------------------------------------


def test_the_list_filters_by_year_and_state(
    qtbot: QtBot, view: InvoicesView, desk: Desk, flor: int
) -> None:
    issued_invoice(desk, flor)
    invoices.draft_invoice(
        desk, customer_id=flor, period_start=date(2025, 2, 1), period_end=date(2025, 2, 28)
    )
    view.reload()
    assert sorted(texts(view.table, 0)) == sorted(["FT 2025/1", _("(draft)")])

    view.state_filter.setCurrentIndex(combo_index(view.state_filter, InvoiceState.DRAFT))
    assert texts(view.table, 0) == [_("(draft)")]

    view.state_filter.setCurrentIndex(0)
    view.year_filter.setCurrentIndex(combo_index(view.year_filter, 2025))
    assert texts(view.table, 0) == ["FT 2025/1"]  # a draft has no year yet
    years = [view.year_filter.itemText(i) for i in range(view.year_filter.count())]
    assert years == [_("Every year"), "2025"]

    view.year_filter.setCurrentIndex(0)
    qtbot.keyClicks(view.search, "2025/1")  # the search narrows what the filters show
    assert texts(view.table, 0) == ["FT 2025/1"]


def test_show_invoice_clears_the_filters_that_hide_it(
    view: InvoicesView, desk: Desk, flor: int
) -> None:
    draft = invoices.draft_invoice(
        desk, customer_id=flor, period_start=MARCH, period_end=date(2025, 3, 31)
    )
    view.state_filter.setCurrentIndex(combo_index(view.state_filter, InvoiceState.ISSUED))
    assert view.list_model.rows() == ()

    view.show_invoice(draft.id)

    assert view.table.selected_key() == draft.id
    assert view.detail.document is not None and view.detail.document.id == draft.id


def test_the_views_models_pass_qt_model_tester(
    qtmodeltester: ModelTester, view: InvoicesView, desk: Desk, flor: int
) -> None:
    invoice_id = issued_invoice(desk, flor)
    view.reload()
    view.show_invoice(invoice_id)
    for model in (view.list_model, view.detail.lines):
        assert model.rowCount() > 0
        qtmodeltester.check(model)
    qtmodeltester.check(view.table.proxy)


def test_the_window_gets_the_new_draft_action(view: InvoicesView) -> None:
    ((menu, action),) = view.window_actions()
    assert menu and action.text()
    assert view.objectName() == "invoices"
    assert view.title() == _("Invoices")
    assert not view.icon().isNull()
    view.focus_search()


def test_an_invoice_issued_at_another_desk_shows_after_sync(
    view: InvoicesView, admin_desk: Desk, flor: int, context: UiContext
) -> None:
    context.sync()
    issued_invoice(admin_desk, flor)
    assert view.list_model.rows() == ()

    context.sync()  # what the window's poll does every few seconds

    assert texts(view.table, 0) == ["FT 2025/1"]


def test_a_long_list_shows_the_newest_and_the_search_finds_the_others(
    qtbot: QtBot, view: InvoicesView, desk: Desk, flor: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("ui.views.invoices.view.LIST_LIMIT", 1)
    oldest = issued_invoice(desk, flor)
    other = customers.create_customer(desk, name="Talho Moderno").customer.id
    packs.sell_pack(desk, customer_id=other, kind=PackKind.UNIT, minutes=60, price=Decimal(40))
    issued_invoice(desk, other)
    view.reload()
    assert texts(view.table, 0) == ["FT 2025/2"]
    assert view.capped and view.capped_note.isVisible()

    qtbot.keyClicks(view.search, "2025/1")  # not listed: the services are asked after a pause
    qtbot.waitUntil(lambda: texts(view.table, 0) == ["FT 2025/1"])
    assert not view.capped_note.isVisible()

    view.search.clear()
    qtbot.waitUntil(lambda: texts(view.table, 0) == ["FT 2025/2"])
    view.show_invoice(oldest)  # older than the list: shown all the same
    assert view.table.selected_key() == oldest
    assert sorted(texts(view.table, 0)) == ["FT 2025/1", "FT 2025/2"]


def test_the_list_reads_a_page_at_a_time_as_it_scrolls(
    view: InvoicesView, desk: Desk, flor: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = [issued_invoice(desk, flor)]
    for n in range(4):
        other = customers.create_customer(desk, name=f"Cliente {n}").customer.id
        packs.sell_pack(desk, customer_id=other, kind=PackKind.UNIT, minutes=60, price=Decimal(40))
        made.append(issued_invoice(desk, other))
    monkeypatch.setattr("ui.views.invoices.view.PAGE", 2)
    read = invoices.invoices
    pages: list[tuple[int, int | None]] = []

    def spy(*args: object, offset: int = 0, limit: int | None = None, **kwargs: object) -> object:
        pages.append((offset, limit))
        return read(*args, offset=offset, limit=limit, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(invoices, "invoices", spy)
    view.state_filter.setCurrentIndex(combo_index(view.state_filter, InvoiceState.ISSUED))
    view.list_model.fetch_all()  # what scrolling to the end asks for

    assert pages and all(limit == 2 for _offset, limit in pages)  # never more than a page
    assert [offset for offset, _limit in pages] == [0, 2, 4]
    view.show_invoice(made[0])
    assert view.table.selected_key() == made[0]
    assert sorted(texts(view.table, 0)) == [f"FT 2025/{n}" for n in range(1, 6)]


def test_numbers_sort_newest_first_and_a_draft_issued_later_takes_its_place(
    view: InvoicesView, desk: Desk, admin_desk: Desk, flor: int, context: UiContext
) -> None:
    """Issue 15 (4): FT 2026/22 showed below FT 2026/1. A draft made first and issued last
    has the highest number: it goes to the top with the others by number, not where its
    creation put it (and "FT 2025/10" sorts above "FT 2025/9", by number, not as text)."""
    early = invoices.draft_invoice(
        desk, customer_id=flor, period_start=MARCH, period_end=date(2025, 3, 31)
    )
    for number in range(1, 11):
        customer_id = customers.create_customer(
            desk, name=f"Cliente {number}", nif=None, city="Coimbra"
        ).customer.id
        packs.sell_pack(
            desk, customer_id=customer_id, kind=PackKind.UNIT, minutes=60, price=Decimal("40")
        )
        issued_invoice(desk, customer_id)
    context.sync()
    assert texts(view.table, 0)[:3] == [_("(draft)"), "FT 2025/10", "FT 2025/9"]
    invoices.issue_invoice(admin_desk, early.id, early.version)
    context.sync()
    assert texts(view.table, 0)[:3] == ["FT 2025/11", "FT 2025/10", "FT 2025/9"]
