"""The Clientes view driven as a technician would: searching as they type, creating and editing a
record with Guardar, refusals shown next to their fields with nothing written, the registered
emails and phones (P9), the plan, the contract terms (P18), and another desk's edit (conflict)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from datetime import date
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit, QMessageBox, QPlainTextEdit, QWidget
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from app.domain.sla import Plan
from app.i18n import _
from app.services import customers
from app.services.context import Desk
from app.services.labels import plan_label, plan_short_label
from ui.context import UiContext
from ui.views.customers import record as customer_record
from ui.views.customers.view import CustomersView
from ui.widgets import FieldMessage

# Showing a window offscreen makes Qt say "This plugin does not support propagateSizeHints()".
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

NothingWritten = Callable[[], AbstractContextManager[None]]


# --- helpers --------------------------------------------------------------------------------------


@pytest.fixture
def view(qtbot: QtBot, context: UiContext) -> Iterator[CustomersView]:
    shown = CustomersView(context)
    qtbot.addWidget(shown)
    shown.resize(1186, 650)
    shown.show()
    yield shown


@pytest.fixture
def errors(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Message boxes the view would have shown (none is expected unless a test says so)."""
    shown: list[str] = []

    def warning(_parent: QWidget | None, _title: str, text: str, *_args: object) -> object:
        shown.append(text)
        return QMessageBox.StandardButton.Ok

    monkeypatch.setattr(QMessageBox, "warning", warning)
    return shown


@pytest.fixture
def agree(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The technician answers Yes to every question; the questions asked."""
    asked: list[str] = []

    def confirm(_parent: QWidget | None, _title: str, question: str) -> bool:
        asked.append(question)
        return True

    monkeypatch.setattr(customer_record, "confirm", confirm)
    return asked


def listed_names(view: CustomersView) -> list[str]:
    proxy = view.proxy
    return [str(proxy.index(row, 0).data()) for row in range(proxy.rowCount())]


def listed_row(view: CustomersView, name: str) -> list[str]:
    proxy = view.proxy
    for row in range(proxy.rowCount()):
        if proxy.index(row, 0).data() == name:
            return [str(proxy.index(row, column).data()) for column in range(proxy.columnCount())]
    raise AssertionError(f"{name} is not listed")


def shown_message(message: FieldMessage) -> str:
    return message.text() if not message.isHidden() else ""


def type_into(qtbot: QtBot, field: QWidget, text: str) -> None:
    """Types ``text``; QTest types ASCII only, so accented letters are inserted as an input
    method would."""
    field.setFocus()
    for character in text:
        if character.isascii():
            qtbot.keyClicks(field, character)
        elif isinstance(field, QLineEdit):
            field.insert(character)
        else:
            assert isinstance(field, QPlainTextEdit)
            field.insertPlainText(character)


def replace_text(qtbot: QtBot, field: QWidget, text: str) -> None:
    field.clear()  # type: ignore[attr-defined]
    type_into(qtbot, field, text)


def create(desk: Desk, name: str, **fields: object) -> customers.CustomerRecord:
    return customers.create_customer(desk, name=name, **fields).customer  # type: ignore[arg-type]


# --- the list -------------------------------------------------------------------------------------


def test_typing_a_search_lists_the_matching_customers(
    qtbot: QtBot, view: CustomersView, desk: Desk
) -> None:
    create(desk, "Padaria Estrela", nif="501964843", city="Porto", emails=["geral@estrela.pt"])
    create(desk, "Farmácia Central", nif="123456789", plan=Plan.STANDARD, phones=["912345678"])
    create(desk, "Oficina Ribeiro", emails=["oficina@ribeiro.pt"])
    view.run_search()
    assert listed_names(view) == ["Farmácia Central", "Oficina Ribeiro", "Padaria Estrela"]

    type_into(qtbot, view.search, "estrela")
    qtbot.waitUntil(lambda: listed_names(view) == ["Padaria Estrela"])
    assert listed_row(view, "Padaria Estrela") == [
        "Padaria Estrela",
        "501964843",
        plan_short_label(Plan.NONE),
        "Porto",
        "",
    ]

    for typed, expected in (
        ("501 964", ["Padaria Estrela"]),  # NIF, typed with spaces
        ("ribeiro.pt", ["Oficina Ribeiro"]),  # registered email
        ("912 345", ["Farmácia Central"]),  # registered phone
    ):
        replace_text(qtbot, view.search, typed)
        qtbot.waitUntil(lambda expected=expected: listed_names(view) == expected)
    assert listed_row(view, "Farmácia Central")[2] == plan_short_label(Plan.STANDARD)


def test_archived_customers_show_only_when_asked(
    qtbot: QtBot, view: CustomersView, desk: Desk
) -> None:
    create(desk, "Ativa, Lda.")
    gone = create(desk, "Fechada, Lda.")
    customers.archive_customer(desk, gone.id, gone.version)
    view.run_search()
    assert listed_names(view) == ["Ativa, Lda."]
    qtbot.mouseClick(view.include_archived, Qt.MouseButton.LeftButton)
    assert listed_names(view) == ["Ativa, Lda.", "Fechada, Lda."]


def test_the_list_counts_open_contacts(view: CustomersView, desk: Desk) -> None:
    from app.domain.sla import Channel
    from app.services import contacts

    record = create(desk, "Loja do Zé", plan=Plan.STANDARD, emails=["ze@loja.pt"])
    for subject in ("Impressora", "Email"):
        contacts.register_contact(desk, channel=Channel.EMAIL, sender="ze@loja.pt", subject=subject)
    view.context.sync()
    assert listed_row(view, record.name)[4] == "2"


def test_the_list_model_passes_qt_model_tester(
    qtmodeltester: ModelTester, view: CustomersView, desk: Desk
) -> None:
    for name in ("Ana", "Bruno", "Carla"):
        create(desk, name)
    view.run_search()
    qtmodeltester.check(view.model)
    qtmodeltester.check(view.proxy)


def test_choosing_a_line_shows_that_record(qtbot: QtBot, view: CustomersView, desk: Desk) -> None:
    create(desk, "Ana, Lda.", city="Braga")
    create(desk, "Bruno, Lda.", city="Faro")
    view.run_search()
    index = view.proxy.index(1, 0)
    qtbot.mouseClick(
        view.table.viewport(),
        Qt.MouseButton.LeftButton,
        pos=view.table.visualRect(index).center(),
    )
    assert view.panel.form.name.text() == "Bruno, Lda."
    assert view.panel.form.city.text() == "Faro"
    assert view.panel.title.text() == "Bruno, Lda."


def test_show_customer_selects_its_line_and_finds_an_archived_one(
    view: CustomersView, desk: Desk
) -> None:
    create(desk, "Ana, Lda.")
    old = create(desk, "Zulmira, Lda.", nif="999999990")
    customers.archive_customer(desk, old.id, old.version)
    view.run_search()
    view.show_customer(old.id)
    assert view.panel.customer_id == old.id
    assert view.include_archived.isChecked()
    selected = view.table.selectionModel().selectedRows()
    assert [index.data() for index in selected] == ["Zulmira, Lda."]


# --- creating and editing -------------------------------------------------------------------------


def test_a_new_customer_typed_and_saved_with_guardar_is_stored(
    qtbot: QtBot, view: CustomersView, desk: Desk, errors: list[str]
) -> None:
    qtbot.mouseClick(view.new_button, Qt.MouseButton.LeftButton)
    form = view.panel.form
    type_into(qtbot, form.name, "Clínica Sorriso Azul")
    type_into(qtbot, form.nif, "PT 500 100 144")
    type_into(qtbot, form.address, "Rua das Flores, 12")
    type_into(qtbot, form.postcode, "1050094")
    type_into(qtbot, form.city, "Lisboa")
    form.plan.setCurrentIndex(form.plan.findData(Plan.PRIORITY))
    type_into(qtbot, form.anydesk, "123 456 789")
    type_into(qtbot, form.emails.entry, "Geral@Sorriso.pt")
    qtbot.mouseClick(form.emails.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, form.phones.entry, "21 123 4567")
    qtbot.keyClick(form.phones.entry, Qt.Key.Key_Return)
    assert form.emails.texts() == ["geral@sorriso.pt"]
    assert not customers.search_customers("Sorriso")  # nothing written before Guardar

    qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)

    assert errors == []
    (row,) = customers.search_customers("Sorriso")
    stored = customers.customer(row.id)
    assert (stored.name, stored.nif, stored.postcode, stored.city, stored.plan) == (
        "Clínica Sorriso Azul",
        "500100144",
        "1050-094",
        "Lisboa",
        Plan.PRIORITY,
    )
    assert stored.plan_since == date(2025, 3, 10)  # the desk's day
    assert [e.email for e in stored.emails] == ["geral@sorriso.pt"]
    assert [p.number for p in stored.phones] == ["+351211234567"]
    # The list shows it, selected; the record shows what was stored.
    assert view.panel.customer_id == stored.id
    assert [i.data() for i in view.table.selectionModel().selectedRows()] == [stored.name]
    assert form.nif.text() == "500100144"
    assert not view.panel.save_button.isEnabled()  # nothing left to save


def test_an_invalid_nif_says_what_is_wrong_and_nothing_is_written(
    qtbot: QtBot, view: CustomersView, desk: Desk, nothing_written: NothingWritten
) -> None:
    record = create(desk, "Padaria Estrela", nif="501964843")
    view.show_customer(record.id)
    form = view.panel.form
    replace_text(qtbot, form.nif, "123456780")
    wrong = _("The NIF {nif} is not valid: its check digit is wrong.").format(nif="123456780")
    assert shown_message(form.errors.labels["nif"]) == wrong  # as it is typed
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert shown_message(form.errors.labels["nif"]) == wrong
    assert form.nif.text() == "123456780"  # what was typed stays
    assert customers.customer(record.id).nif == "501964843"


def test_the_nif_message_moves_no_field_under_the_cursor(
    qtbot: QtBot, view: CustomersView, desk: Desk
) -> None:
    """Issue 15: the NIF's error line pushed Morada down as the technician moved to it."""
    record = create(desk, "Padaria Estrela", nif="501964843")
    view.show_customer(record.id)
    form = view.panel.form
    fields = (form.address, form.postcode, form.city, form.notes)
    before = [field.mapTo(view, field.rect().topLeft()) for field in fields]
    replace_text(qtbot, form.nif, "123456780")  # a wrong check digit: said as it is typed
    assert shown_message(form.errors.labels["nif"])
    view.layout().activate()
    qtbot.wait(10)
    assert [field.mapTo(view, field.rect().topLeft()) for field in fields] == before


def test_a_new_customer_with_a_bad_nif_is_not_created(
    qtbot: QtBot, view: CustomersView, nothing_written: NothingWritten
) -> None:
    form = view.panel.form
    type_into(qtbot, form.name, "Oficina Nova")
    type_into(qtbot, form.nif, "12345")
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert shown_message(form.errors.labels["nif"]) == _(
        "A NIF has 9 digits; {nif} has {count}."
    ).format(nif="12345", count=5)
    assert form.name.text() == "Oficina Nova"


def test_a_refusal_of_the_service_shows_next_to_its_field(
    qtbot: QtBot, view: CustomersView, desk: Desk, nothing_written: NothingWritten
) -> None:
    record = create(desk, "Livraria Gato Preto")
    view.show_customer(record.id)
    form = view.panel.form
    replace_text(qtbot, form.postcode, "70005")
    replace_text(qtbot, form.name, "   ")
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert shown_message(form.errors.labels["name"])  # the first refusal: an empty name
    replace_text(qtbot, form.name, "Livraria Gato Preto, Lda.")
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert "1234-567" in shown_message(form.errors.labels["postcode"])
    assert not shown_message(form.errors.labels["name"])


def test_a_nif_already_taken_names_its_customer(
    qtbot: QtBot, view: CustomersView, desk: Desk, nothing_written: NothingWritten
) -> None:
    create(desk, "Farmácia Central", nif="123456789")
    form = view.panel.form
    type_into(qtbot, form.name, "Farmácia Nova")
    type_into(qtbot, form.nif, "123456789")
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert "Farmácia Central" in shown_message(form.errors.labels["nif"])


def test_ctrl_s_saves_the_record(qtbot: QtBot, view: CustomersView, desk: Desk) -> None:
    record = create(desk, "Ginásio Força")
    view.show_customer(record.id)
    form = view.panel.form
    type_into(qtbot, form.city, "Aveiro")
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    qtbot.keyClick(form.city, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert customers.customer(record.id).city == "Aveiro"


def test_changing_the_plan_is_stored_with_its_date(
    qtbot: QtBot, view: CustomersView, desk: Desk
) -> None:
    record = create(desk, "Hotel Miramar", plan=Plan.STANDARD, plan_since=date(2024, 1, 1))
    view.show_customer(record.id)
    form = view.panel.form
    form.plan.setCurrentIndex(form.plan.findData(Plan.PRIORITY_24_7))
    form.plan_since.setDate(date(2025, 3, 1))
    type_into(qtbot, form.notes, "Contrato 24/7 assinado em março.")
    qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    stored = customers.customer(record.id)
    assert (stored.plan, stored.plan_since) == (Plan.PRIORITY_24_7, date(2025, 3, 1))
    assert stored.notes == "Contrato 24/7 assinado em março."
    assert view.panel.subtitle.text().startswith(plan_label(Plan.PRIORITY_24_7))

    form.plan.setCurrentIndex(form.plan.findData(Plan.NONE))
    assert not form.plan_since.isEnabled()
    qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    stored = customers.customer(record.id)
    assert (stored.plan, stored.plan_since) == (Plan.NONE, None)


def test_reset_puts_back_the_saved_record(qtbot: QtBot, view: CustomersView, desk: Desk) -> None:
    record = create(desk, "Mercearia Rosa", city="Tavira")
    view.show_customer(record.id)
    replace_text(qtbot, view.panel.form.city, "Faro")
    assert view.panel.is_dirty()
    qtbot.mouseClick(view.panel.reset_button, Qt.MouseButton.LeftButton)
    assert view.panel.form.city.text() == "Tavira"
    assert not view.panel.is_dirty()


def test_leaving_a_record_with_unsaved_changes_asks_first(
    qtbot: QtBot, view: CustomersView, desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = create(desk, "Ana, Lda.")
    second = create(desk, "Bruno, Lda.")
    view.run_search()
    view.show_customer(first.id)
    type_into(qtbot, view.panel.form.city, "Braga")
    monkeypatch.setattr(customer_record, "confirm", lambda *_args: False)
    view.show_customer(second.id)
    assert view.panel.customer_id == first.id
    assert view.panel.form.city.text() == "Braga"
    monkeypatch.setattr(customer_record, "confirm", lambda *_args: True)
    view.show_customer(second.id)
    assert view.panel.customer_id == second.id


# --- contract terms (P18) -------------------------------------------------------------------------


def test_p18_contract_terms_typed_are_stored_and_empty_ones_keep_the_default(
    qtbot: QtBot, view: CustomersView, desk: Desk, nothing_written: NothingWritten
) -> None:
    record = create(desk, "Construções Serra", plan=Plan.STANDARD)
    view.show_customer(record.id)
    contract = view.panel.contract
    assert "1" in contract.edits["next_business_days"].placeholderText()
    assert "1" in contract.edits["compensation_hours"].placeholderText()

    type_into(qtbot, contract.edits["next_business_days"], "0")
    assert shown_message(contract.errors.labels["next_business_days"])  # at once
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert view.panel.tabs.currentIndex() == 1  # the tab of the refused field

    replace_text(qtbot, contract.edits["next_business_days"], "2")
    type_into(qtbot, contract.edits["rate_inside"], "52,50")
    qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    terms = customers.customer(record.id).contract
    assert terms.next_business_days == 2
    assert terms.rate_inside == Decimal("52.50")
    assert terms.compensation_hours is None  # left empty: the plan's

    view.panel.form.plan.setCurrentIndex(view.panel.form.plan.findData(Plan.PRIORITY_24_7))
    assert "2" in contract.edits["compensation_hours"].placeholderText()


def test_p18_the_contract_tab_shows_the_defaults_of_the_customer_plan_only(
    view: CustomersView, desk: Desk
) -> None:
    """Issue 15: a Standard customer was shown the priority plans' "4 h" and "5 min"."""
    record = create(desk, "Construções Serra", plan=Plan.STANDARD)
    view.show_customer(record.id)
    edits = view.panel.contract.edits
    shown = {field: edit.placeholderText() for field, edit in edits.items()}
    assert shown["business_response_minutes"] == shown["urgent_response_minutes"] == ""
    assert "1" in shown["next_business_days"] and shown["inside_block_minutes"]
    plans = view.panel.form.plan
    plans.setCurrentIndex(plans.findData(Plan.PRIORITY))
    assert "4 h" in edits["business_response_minutes"].placeholderText()
    assert edits["urgent_response_minutes"].placeholderText() == ""
    assert edits["next_business_days"].placeholderText() == ""
    plans.setCurrentIndex(plans.findData(Plan.PRIORITY_24_7))
    assert "5 min" in edits["urgent_response_minutes"].placeholderText()
    plans.setCurrentIndex(plans.findData(Plan.NONE))
    assert edits["compensation_hours"].placeholderText() == ""
    assert edits["rate_inside"].placeholderText()  # the company's: every plan has one


def test_p18_a_contract_value_that_is_not_a_number_is_refused_next_to_it(
    qtbot: QtBot, view: CustomersView, desk: Desk, nothing_written: NothingWritten
) -> None:
    record = create(desk, "Quinta do Vale")
    view.show_customer(record.id)
    contract = view.panel.contract
    type_into(qtbot, contract.edits["rate_outside"], "muito")
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert "muito" in shown_message(contract.errors.labels["rate_outside"])


# --- emails and phones (P9) -----------------------------------------------------------------------


def test_p9_emails_and_phones_are_added_and_removed_at_once(
    qtbot: QtBot, view: CustomersView, desk: Desk, agree: list[str]
) -> None:
    record = create(desk, "Veterinário Amigo", emails=["geral@amigo.pt"])
    view.show_customer(record.id)
    form = view.panel.form
    type_into(qtbot, form.emails.entry, "contas@amigo.pt")
    type_into(qtbot, form.emails.label_edit, "Joana, contabilidade")
    qtbot.mouseClick(form.emails.add_button, Qt.MouseButton.LeftButton)
    type_into(qtbot, form.phones.entry, "+351 912 345 678")
    qtbot.mouseClick(form.phones.add_button, Qt.MouseButton.LeftButton)

    stored = customers.customer(record.id)
    assert [(e.email, e.label) for e in stored.emails] == [
        ("geral@amigo.pt", ""),
        ("contas@amigo.pt", "Joana, contabilidade"),
    ]
    assert [p.number for p in stored.phones] == ["+351912345678"]
    assert form.emails.texts() == ["geral@amigo.pt", "contas@amigo.pt — Joana, contabilidade"]
    assert form.phones.texts() == ["+351 912 345 678"]
    assert form.emails.entry.text() == ""

    form.emails.list.setCurrentRow(0)
    qtbot.mouseClick(form.emails.remove_button, Qt.MouseButton.LeftButton)
    assert len(agree) == 1 and "geral@amigo.pt" in agree[0]
    assert [e.email for e in customers.customer(record.id).emails] == ["contas@amigo.pt"]
    form.phones.list.setCurrentRow(0)
    qtbot.keyClick(form.phones.list, Qt.Key.Key_Delete)
    assert customers.customer(record.id).phones == ()
    assert form.phones.texts() == []


def test_p9_adding_an_email_keeps_the_other_fields_as_typed(
    qtbot: QtBot, view: CustomersView, desk: Desk
) -> None:
    record = create(desk, "Florista Jardim")
    view.show_customer(record.id)
    form = view.panel.form
    type_into(qtbot, form.city, "Sintra")
    type_into(qtbot, form.emails.entry, "flores@jardim.pt")
    qtbot.mouseClick(form.emails.add_button, Qt.MouseButton.LeftButton)
    assert form.city.text() == "Sintra"  # still typed, not saved yet
    assert customers.customer(record.id).city == ""
    qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    stored = customers.customer(record.id)
    assert stored.city == "Sintra"
    assert [e.email for e in stored.emails] == ["flores@jardim.pt"]


@pytest.mark.parametrize(("kind", "typed"), [("email", "ana@"), ("phone", "12")])
def test_p9_an_invalid_email_or_phone_is_refused_next_to_it(
    qtbot: QtBot,
    view: CustomersView,
    *,
    desk: Desk,
    nothing_written: NothingWritten,
    kind: str,
    typed: str,
) -> None:
    expected = (
        _("{address} is not a valid email address.").format(address=typed)
        if kind == "email"
        else _("{number} is not a valid phone number.").format(number=typed)
    )
    record = create(desk, "Papelaria Lápis")
    view.show_customer(record.id)
    senders = view.panel.form.emails if kind == "email" else view.panel.form.phones
    type_into(qtbot, senders.entry, typed)
    with nothing_written():
        qtbot.mouseClick(senders.add_button, Qt.MouseButton.LeftButton)
    assert shown_message(senders.message) == expected
    assert senders.entry.text() == typed


def test_p9_an_email_of_another_customer_names_that_customer(
    qtbot: QtBot, view: CustomersView, desk: Desk, nothing_written: NothingWritten
) -> None:
    create(desk, "Restaurante O Pescador", emails=["reservas@pescador.pt"], phones=["912345678"])
    record = create(desk, "Hotel Miramar")
    view.show_customer(record.id)
    form = view.panel.form
    type_into(qtbot, form.emails.entry, "Reservas@Pescador.pt")
    with nothing_written():
        qtbot.mouseClick(form.emails.add_button, Qt.MouseButton.LeftButton)
    assert "Restaurante O Pescador" in shown_message(form.emails.message)
    type_into(qtbot, form.phones.entry, "912 345 678")
    with nothing_written():
        qtbot.mouseClick(form.phones.add_button, Qt.MouseButton.LeftButton)
    assert "Restaurante O Pescador" in shown_message(form.phones.message)


def test_p9_a_new_customer_takes_emails_before_it_is_saved(
    qtbot: QtBot, view: CustomersView, desk: Desk, nothing_written: NothingWritten
) -> None:
    create(desk, "Outra, Lda.", emails=["geral@outra.pt"])
    form = view.panel.form
    type_into(qtbot, form.name, "Nova, Lda.")
    with nothing_written():
        for address in ("geral@nova.pt", "geral@outra.pt", "geral@nova.pt"):
            replace_text(qtbot, form.emails.entry, address)
            qtbot.mouseClick(form.emails.add_button, Qt.MouseButton.LeftButton)
    assert form.emails.texts() == ["geral@nova.pt"]
    assert shown_message(form.emails.message) == _(
        "{email} is already registered for this customer."
    ).format(email="geral@nova.pt")
    form.emails.list.setCurrentRow(0)
    qtbot.mouseClick(form.emails.remove_button, Qt.MouseButton.LeftButton)
    assert form.emails.texts() == []


def test_p9_an_address_typed_but_never_added_is_not_lost_on_guardar(
    qtbot: QtBot, view: CustomersView, nothing_written: NothingWritten
) -> None:
    form = view.panel.form
    type_into(qtbot, form.name, "Talho Moderno")
    type_into(qtbot, form.emails.entry, "geral@talho.pt")
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert shown_message(form.emails.message) == _(
        "Press Add to register {address}, or empty the field."
    ).format(address="geral@talho.pt")
    qtbot.mouseClick(form.emails.add_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    (row,) = customers.search_customers("Talho")
    assert [e.email for e in customers.customer(row.id).emails] == ["geral@talho.pt"]


# --- archiving ------------------------------------------------------------------------------------


def test_archive_and_unarchive(
    qtbot: QtBot, view: CustomersView, desk: Desk, agree: list[str]
) -> None:
    record = create(desk, "Escola Avenida")
    view.run_search()
    view.show_customer(record.id)
    qtbot.mouseClick(view.panel.archive_button, Qt.MouseButton.LeftButton)
    assert customers.customer(record.id).archived
    assert "Escola Avenida" in agree[0]
    assert listed_names(view) == []  # archived customers leave the list…
    assert view.panel.customer_id == record.id  # …but the record stays open
    qtbot.mouseClick(view.panel.archive_button, Qt.MouseButton.LeftButton)
    assert not customers.customer(record.id).archived
    assert listed_names(view) == ["Escola Avenida"]


# --- another desk ---------------------------------------------------------------------------------


def test_a_stale_version_shows_the_conflict_keeps_the_typed_values_and_offers_to_reload(
    qtbot: QtBot,
    view: CustomersView,
    desk: Desk,
    admin_desk: Desk,
    nothing_written: NothingWritten,
) -> None:
    record = create(desk, "Seguros Atlântico", city="Ponta Delgada")
    view.show_customer(record.id)
    # Another desk saves first; this desk has not polled yet.
    customers.update_customer(admin_desk, record.id, record.version, notes="Pagam a 60 dias.")
    replace_text(qtbot, view.panel.form.city, "Angra do Heroísmo")
    with nothing_written():
        qtbot.mouseClick(view.panel.save_button, Qt.MouseButton.LeftButton)
    assert not view.panel.conflict.isHidden()
    assert view.panel.conflict.text.text()
    assert view.panel.form.city.text() == "Angra do Heroísmo"
    qtbot.mouseClick(view.panel.conflict.reload_button, Qt.MouseButton.LeftButton)
    assert view.panel.conflict.isHidden()
    assert view.panel.form.city.text() == "Ponta Delgada"
    assert view.panel.form.notes.toPlainText() == "Pagam a 60 dias."


def test_another_desks_change_reloads_a_clean_record_and_warns_over_a_typed_one(
    qtbot: QtBot, view: CustomersView, desk: Desk, admin_desk: Desk
) -> None:
    record = create(desk, "Transportes do Sul")
    view.show_customer(record.id)
    changed = customers.update_customer(admin_desk, record.id, record.version, city="Beja")
    view.context.sync()
    assert view.panel.form.city.text() == "Beja"  # nothing typed: it simply follows
    assert view.panel.conflict.isHidden()

    type_into(qtbot, view.panel.form.notes, "Ligar depois das 14h.")
    customers.update_customer(admin_desk, record.id, changed.customer.version, city="Mértola")
    view.context.sync()
    assert not view.panel.conflict.isHidden()
    assert view.panel.form.notes.toPlainText() == "Ligar depois das 14h."
    assert view.panel.form.city.text() == "Beja"


# --- the window's side ----------------------------------------------------------------------------


def test_focus_search_and_the_new_customer_action(
    qtbot: QtBot, view: CustomersView, desk: Desk
) -> None:
    record = create(desk, "Imobiliária Casa Nova")
    view.show_customer(record.id)
    view.activateWindow()
    qtbot.waitUntil(view.isActiveWindow)
    view.focus_search()
    assert view.search.hasFocus()
    (menu, action), *_import = view.window_actions()  # then Clientes › Importar…
    assert menu and action.shortcut().toString()
    action.trigger()
    assert view.panel.record is None
    assert view.panel.form.name.text() == ""
