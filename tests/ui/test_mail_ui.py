"""Email intake in the window (issue 11), against the test Dovecot: Definições › Correio adds a
mailbox and tests its connection, the intake log, the conversation in the contact's window,
"Associar a um cliente…", "Responder por email", and the issue's "Done when"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QUrl
from pytestqt.qtbot import QtBot

import ui.views.queue.conversation as conversation_module
import ui.views.queue.detail as detail_module
from app.domain.intake import IgnoreReason, ignore_reason_text
from app.domain.sla import Channel, Plan, response_terms
from app.domain.states import ContactState
from app.intake.imap import MailboxFailure, failure_text
from app.services import settings as company
from app.services.contacts import all_contacts, contact
from app.services.customers import create_customer, customer
from app.services.intake.fetch import fetch_all
from app.services.intake.mailboxes import mailboxes
from app.store.models import Technician
from tests.intake.conftest import (
    Intake,
    addresses,
    dovecot,
    folder,
    intake,
    sent_folder,
    writer,
)
from tests.intake.test_fetch import mail
from tests.keyrings import MemoryKeyring, memory_keyring
from ui import operations
from ui.app import build_window
from ui.context import UiContext
from ui.mail import MailFetcher
from ui.views.queue.conversation import AssociateDialog, reply_url
from ui.views.queue.detail import ContactDetailDialog
from ui.views.settings.mail import MailPage

# Fixtures, used by name.
__all__ = ["addresses", "dovecot", "folder", "intake", "memory_keyring", "sent_folder", "writer"]

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def _idle(qtbot: QtBot) -> None:
    qtbot.waitUntil(lambda: operations.running() == 0, timeout=30_000)


@pytest.fixture
def opened_urls(monkeypatch: pytest.MonkeyPatch) -> list[QUrl]:
    """What the window handed to the desktop (a mail program, a file's program)."""
    urls: list[QUrl] = []

    def record(url: QUrl) -> bool:
        urls.append(QUrl(url))
        return True

    monkeypatch.setattr(conversation_module.QDesktopServices, "openUrl", record)
    monkeypatch.setattr(detail_module.QDesktopServices, "openUrl", record)
    return urls


def _attachment_mail(sender: str, subject: str, content: bytes) -> tuple[bytes, str]:
    import base64
    import uuid

    mid = f"{uuid.uuid4().hex}@cliente.pt"
    encoded = base64.b64encode(content).decode()
    raw = (
        f"From: {sender}\r\nTo: suporte@empresa.pt\r\nSubject: {subject}\r\n"
        f"Message-ID: <{mid}>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
        "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nSegue o registo do erro.\r\n"
        '--b1\r\nContent-Type: text/plain; name="erro.log"\r\n'
        'Content-Disposition: attachment; filename="erro.log"\r\n'
        f"Content-Transfer-Encoding: base64\r\n\r\n{encoded}\r\n--b1--\r\n"
    ).encode()
    return raw, mid


# --- Definições › Correio ------------------------------------------------------------------------


def test_the_mail_page_tests_the_connection_and_adds_a_mailbox(
    intake: Intake, qtbot: QtBot, memory_keyring: MemoryKeyring
) -> None:
    page = MailPage(UiContext(intake.admin))
    qtbot.addWidget(page)
    page.reload()
    form = page.mailboxes
    assert form.form_group.isEnabled() and form.admin_note.isHidden()
    server = intake.dovecot
    form.name.setText("geral")
    form.host.setText(server.host)
    form.port.setValue(server.tls_port)
    form.ca_file.setText(str(server.ca_file))
    form.user.setText("suporte")
    form.folder.setText(intake.folder)
    form.sent_folder.setText(intake.sent)

    form.password.setText("errada")
    form.test_connection()
    _idle(qtbot)
    assert form.result.text() == failure_text(MailboxFailure.LOGIN).format(host=server.host)
    assert "palavra-passe" in form.result.text()

    form.password.setText(server.password)
    form.test_connection()
    _idle(qtbot)
    assert form.result.text() == "Ligação OK."

    form.save()
    _idle(qtbot)
    assert [row.name for row in form.model.rows()] == ["geral"]
    assert list(memory_keyring.passwords.values()) == [server.password]
    # Shown again to be changed: the password never comes back into the form.
    assert form.editing is not None and form.password.text() == ""
    assert "porta-chaves" in form.password.placeholderText()
    # Testing it as saved uses the kept password.
    form.test_connection()
    _idle(qtbot)
    assert form.result.text() == "Ligação OK."

    # Changed without typing the password again: the kept one serves, the new folder is read.
    other = intake.new_folder()
    form.sent_folder.setText(other)
    form.save()
    _idle(qtbot)
    (saved,) = mailboxes()
    assert saved.sent_folder == other and form.result.text().startswith("Guardada")
    assert list(memory_keyring.passwords.values()) == [server.password]


def test_clear_text_is_offered_only_for_this_computer(intake: Intake, qtbot: QtBot) -> None:
    page = MailPage(UiContext(intake.admin))
    qtbot.addWidget(page)
    form = page.mailboxes
    none = form.security.findData("none")
    form.host.setText("mail.empresa.pt")
    assert not form.security.model().item(none).isEnabled()  # type: ignore[attr-defined]
    form.host.setText("127.0.0.1")
    assert form.security.model().item(none).isEnabled()  # type: ignore[attr-defined]
    form.security.setCurrentIndex(form.security.findData("starttls"))
    assert form.port.value() == 143  # the port follows the security until one is typed


def test_a_technician_sees_the_page_but_cannot_change_it(intake: Intake, qtbot: QtBot) -> None:
    rui = Technician.create(name="Rui", is_admin=False, created_at=intake.clock.now())
    page = MailPage(UiContext(type(intake.admin)(intake.clock, rui.id)))
    qtbot.addWidget(page)
    page.reload()
    assert not page.mailboxes.form_group.isEnabled()
    assert not page.mailboxes.admin_note.isHidden()


def test_the_mail_page_lists_and_adds_the_company_addresses(intake: Intake, qtbot: QtBot) -> None:
    page = MailPage(UiContext(intake.admin))
    qtbot.addWidget(page)
    page.reload()
    form = page.mailboxes
    form.new_address.setText("Urgente@Empresa.pt")
    form.address_kind.setCurrentIndex(form.address_kind.findData("priority_email"))
    form.add_address()
    listed = {row.address: row.kind.value for row in form.address_model.rows()}
    assert listed["urgente@empresa.pt"] == "priority_email"
    assert listed["suporte@empresa.pt"] == "email" and listed["rui@empresa.pt"] == "team"


# --- the intake log ------------------------------------------------------------------------------


def test_the_log_shows_a_fetchs_counts_and_an_ignored_messages_reason(
    intake: Intake, qtbot: QtBot
) -> None:
    intake.mailbox()
    now = intake.clock.now()
    intake.put(mail(subject="Impressora")[0], now - timedelta(minutes=5))
    intake.put(
        mail(subject="Ausente", extra="Auto-Submitted: auto-replied\r\n")[0],
        now - timedelta(minutes=4),
    )
    page = MailPage(UiContext(intake.admin))
    qtbot.addWidget(page)
    page.show()
    page.tabs.setCurrentWidget(page.log)
    fetch_all(intake.program)
    page.context.sync()  # the fetch's changes, as the window's poll announces them

    (summary,) = page.log.summary.rows()
    assert summary.name == "geral" and summary.last_fetch_at is not None
    assert summary.last is not None and (summary.last.new, summary.last.ignored) == (1, 1)
    model = page.log.model
    texts = [
        [model.index(row, column).data() for column in range(model.columnCount())]
        for row in range(model.rowCount())
    ]
    ignored = next(line for line in texts if line[2] == "Ignorada")
    assert ignored[9] == ignore_reason_text(IgnoreReason.AUTO_SUBMITTED)
    assert "Ausente" in ignored[8]
    read = next(line for line in texts if line[2] == "Leitura")
    assert read[3:8] == ["1", "", "", "1", ""]


# --- the conversation in the contact's window ----------------------------------------------------


@pytest.fixture
def thread(intake: Intake) -> Iterator[tuple[int, bytes]]:
    """An unknown sender's contact with an attachment, and their second message on it."""
    intake.mailbox()
    now = intake.clock.now()
    content = b"erro 42 na impressora\n"
    first, mid = _attachment_mail("Ana <ana@desconhecida.pt>", "Impressora parada", content)
    intake.put(first, now - timedelta(hours=2))
    second = mail(
        sender="ana@desconhecida.pt",
        subject="Re: Impressora parada",
        body="Continua parada.",
        extra=f"In-Reply-To: <{mid}>\r\n",
    )[0]
    intake.put(second, now - timedelta(hours=1))
    fetch_all(intake.program)
    (found,) = all_contacts()
    yield found.id, content


def test_the_conversation_shows_every_message_in_order_and_opens_an_attachment(
    intake: Intake, thread: tuple[int, bytes], qtbot: QtBot, opened_urls: list[QUrl]
) -> None:
    contact_id, content = thread
    dialog = ContactDetailDialog(UiContext(intake.admin), contact_id)
    qtbot.addWidget(dialog)
    shown = dialog.conversation
    assert shown.isHidden()  # read in the background
    _idle(qtbot)
    assert not shown.isHidden()
    messages = shown.messages
    assert [m.text.strip() for m in messages] == ["Segue o registo do erro.", "Continua parada."]
    assert messages[0].received_at < messages[1].received_at
    text = shown.browser.toPlainText()
    assert text.index("Segue o registo") < text.index("Continua parada")
    assert "ana@desconhecida.pt" in text and "erro.log" in text

    (attachment,) = messages[0].attachments
    shown.browser.anchorClicked.emit(QUrl(f"attachment:{messages[0].id}/{attachment.index}"))
    qtbot.waitUntil(lambda: bool(opened_urls), timeout=10_000)
    (url,) = opened_urls
    path = Path(url.toLocalFile())
    assert path.name == "erro.log" and path.read_bytes() == content
    shown.browser.anchorClicked.emit(QUrl("https://exemplo.pt/pixel.png"))
    _idle(qtbot)
    assert len(opened_urls) == 1  # no other link is followed


def test_associating_the_sender_adds_the_address_and_keeps_the_contacts_terms(
    intake: Intake, thread: tuple[int, bytes], qtbot: QtBot
) -> None:
    contact_id, _content = thread
    context = UiContext(intake.admin)
    buyer = create_customer(intake.admin, name="Gráfica Ana", plan=Plan.PRIORITY).customer
    before = contact(contact_id)
    detail = ContactDetailDialog(context, contact_id)
    qtbot.addWidget(detail)
    assert not detail.associate_button.isHidden()

    dialog = AssociateDialog(context, contact_id, "ana@desconhecida.pt")
    qtbot.addWidget(dialog)
    dialog.search.set_customer(buyer.id)
    dialog.associate()

    assert dialog.result() == dialog.DialogCode.Accepted
    assert "ana@desconhecida.pt" in [item.email for item in customer(buyer.id).emails]
    after = contact(contact_id)
    frozen = ("customer_id", "plan_at_receipt", "registered", "deadline", "target", "reason")
    assert [getattr(after, name) for name in frozen] == [getattr(before, name) for name in frozen]


def test_p25_reply_by_email_opens_a_mailto_with_re_subject_and_the_token(
    intake: Intake, thread: tuple[int, bytes], qtbot: QtBot, opened_urls: list[QUrl]
) -> None:
    contact_id, _content = thread
    dialog = ContactDetailDialog(UiContext(intake.admin), contact_id)
    qtbot.addWidget(dialog)
    dialog.reply_button.click()
    (url,) = opened_urls
    expected = (
        f"mailto:ana@desconhecida.pt?subject=Re%3A%20Impressora%20parada%20%5B%23{contact_id}%5D"
    )
    assert bytes(url.toEncoded().data()).decode() == expected
    # A subject that already answers and carries the token is not made longer.
    again = reply_url("ana@desconhecida.pt", f"RE: Impressora [#{contact_id}]", contact_id)
    assert again.query(QUrl.ComponentFormattingOption.FullyDecoded) == (
        f"subject=RE: Impressora [#{contact_id}]"
    )


# --- Done when ---------------------------------------------------------------------------------


def test_a_message_put_into_the_mailbox_appears_in_an_open_window_and_a_reply_stops_it(
    intake: Intake, qtbot: QtBot, tmp_path: Path
) -> None:
    """Issue 11's "Done when": within 5 s of the APPEND the contact is in the open window's
    queue with its deadline, by IDLE; a reply in the sent folder stops its countdown."""
    create_customer(intake.admin, name="Maria", plan=Plan.STANDARD, emails=["maria@cliente.pt"])
    intake.mailbox()
    context = UiContext(intake.admin)
    settings = QSettings(str(tmp_path / "desk.ini"), QSettings.Format.IniFormat)
    window = build_window(context, technician_name="Marta", settings=settings)
    qtbot.addWidget(window)
    window.show()
    window.show_view(0)
    queue = window.view_named("contacts")
    fetcher = MailFetcher(context, window.statusBar())
    fetcher.watching = True  # as start() does, without the minute's timer
    try:
        fetcher.fetch()
        qtbot.waitUntil(lambda: bool(fetcher.watches) and fetcher.running is None, timeout=30_000)
        assert queue.model.rowCount() == 0  # type: ignore[attr-defined]

        received = intake.clock.now() - timedelta(hours=1)
        raw, mid = mail(subject="Servidor em baixo")
        intake.put(raw, received)
        qtbot.waitUntil(lambda: queue.model.rowCount() == 1, timeout=5_000)  # type: ignore[attr-defined]

        (row,) = queue.model.rows()  # type: ignore[attr-defined]
        terms = response_terms(
            Plan.STANDARD, Channel.EMAIL, received, True, company.business_calendar()
        )
        assert row.subject == "Servidor em baixo" and row.received_at == received
        assert row.deadline == terms.deadline and row.state is ContactState.OPEN

        answered = received + timedelta(minutes=30)
        reply = mail(
            sender="suporte@empresa.pt",
            to="maria@cliente.pt",
            subject=f"Re: Servidor em baixo [#{row.id}]",
            extra=f"In-Reply-To: <{mid}>\r\n",
        )[0]
        intake.put(reply, answered, intake.sent)
        fetcher.fetch()  # the sent folder is read by the pass (IDLE watches the inbox)

        def stopped() -> bool:
            rows = [r for r in queue.model.rows() if r.id == row.id]  # type: ignore[attr-defined]
            return all(r.state is not ContactState.OPEN for r in rows)

        qtbot.waitUntil(stopped, timeout=5_000)
        assert contact(row.id).first_response_at == answered
    finally:
        fetcher.stop()
        qtbot.waitUntil(lambda: not fetcher.watches, timeout=30_000)
        window.close()
