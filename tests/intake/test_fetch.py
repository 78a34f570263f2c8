"""The email intake over a real Dovecot: messages become contacts, once (P23–P28, issue 11)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from app.domain.sla import Channel, Plan, Reason
from app.domain.states import ContactState, IntakeLogKind
from app.services import changes
from app.services.changes import Topic
from app.services.contacts import all_contacts, close_contact, contact, record_first_response
from app.services.context import Desk
from app.services.intake.associate import associate_sender
from app.services.intake.conversation import attachment_content, conversation
from app.services.intake.fetch import fetch_all, fetch_mailbox
from app.services.intake.log import failing_mailboxes, intake_log
from app.store.models import Contact, CustomerEmail, MailMessage
from tests.intake.conftest import MONDAY_10H, NOW, Intake
from tests.store import factories

#: Tuesday 10 March 2026 at 11:00 UTC: after the mailboxes' day of adding began.
TUESDAY_11H = datetime(2026, 3, 10, 11, 0, tzinfo=UTC)


def mail(
    *,
    sender: str = "maria@cliente.pt",
    to: str = "suporte@empresa.pt",
    subject: str = "Pedido",
    extra: str = "",
    message_id: str | None = None,
    body: str = "Bom dia.",
    date: str = "Mon, 9 Mar 2026 10:00:00 +0000",
) -> tuple[bytes, str]:
    mid = message_id or f"{uuid.uuid4().hex}@cliente.pt"
    raw = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{mid}>\r\n"
        f"Date: {date}\r\n{extra}\r\n{body}\r\n"
    ).encode()
    return raw, mid


def standard_customer(address: str = "maria@cliente.pt", plan: Plan = Plan.STANDARD) -> int:
    customer = factories.customer(plan=plan)
    CustomerEmail.create(customer=customer, email=address)
    return int(customer.id)


@pytest.mark.parametrize(
    "date", ["Thu, 1 Jan 2099 00:00:00 +0000", "Fri, 1 Jan 1999 00:00:00 +0000"]
)
def test_p23_the_deadline_follows_internaldate_not_the_date_header(
    intake: Intake, date: str
) -> None:
    customer_id = standard_customer()
    box = intake.mailbox()
    intake.put(mail(date=date)[0], MONDAY_10H)

    summary = fetch_mailbox(intake.program, box.id)

    assert summary.error is None and summary.counts.new == 1
    (row,) = all_contacts()
    assert row.received_at == MONDAY_10H
    assert row.channel is Channel.EMAIL and row.customer_id == customer_id
    assert row.reason is Reason.GUARANTEED
    assert row.deadline == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # P5: next day's close


def test_p28_a_second_pass_takes_nothing_again(intake: Intake) -> None:
    box = intake.mailbox()
    for _n in range(3):
        intake.put(mail()[0], MONDAY_10H)
    assert fetch_mailbox(intake.program, box.id).counts.new == 3
    assert fetch_mailbox(intake.program, box.id).counts.new == 0
    assert len(all_contacts()) == 3 == MailMessage.select().count()


def test_issue_11_a_pass_names_the_contacts_it_made_so_the_queue_reads_those_alone(
    intake: Intake,
) -> None:
    box = intake.mailbox()
    for _n in range(3):
        intake.put(mail()[0], MONDAY_10H)
    intake.put(mail(extra="Auto-Submitted: auto-replied\r\n")[0], MONDAY_10H)
    before = changes.latest()
    assert fetch_mailbox(intake.program, box.id).counts.new == 3
    _newest, noted = changes.since(before)
    assert noted.ids(Topic.CONTACTS) == {row.id for row in all_contacts()}  # not "all of them"


def test_issue_11_a_new_mailbox_takes_only_what_arrives_after_it_was_added(
    intake: Intake,
) -> None:
    intake.put(mail(subject="antes")[0], MONDAY_10H)
    box = intake.mailbox()
    intake.put(mail(subject="depois")[0], MONDAY_10H)  # an old INTERNALDATE: taken all the same
    fetch_mailbox(intake.program, box.id)
    assert [row.subject for row in all_contacts()] == ["depois"]


def test_issue_11_since_also_takes_those_already_there_from_that_day(intake: Intake) -> None:
    intake.put(mail(subject="velha")[0], datetime(2026, 3, 1, 10, 0, tzinfo=UTC))
    intake.put(mail(subject="recente")[0], MONDAY_10H)
    box = intake.mailbox(since=MONDAY_10H.date())
    fetch_mailbox(intake.program, box.id)
    assert [row.subject for row in all_contacts()] == ["recente"]


def test_p28_a_mailbox_recreated_with_a_new_uidvalidity_gives_no_duplicates(
    intake: Intake,
) -> None:
    box = intake.mailbox()
    raws = [mail(subject=f"m{n}")[0] for n in range(3)]
    for raw in raws:
        intake.put(raw, TUESDAY_11H)
    assert fetch_mailbox(intake.program, box.id).counts.new == 3
    before = intake.writer.folder_status(intake.folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]
    intake.writer.delete_folder(intake.folder)
    intake.writer.create_folder(intake.folder)
    after = intake.writer.folder_status(intake.folder, ["UIDVALIDITY"])[b"UIDVALIDITY"]
    assert before != after
    for raw in raws:
        intake.put(raw, TUESDAY_11H)
    intake.put(mail(subject="nova")[0], TUESDAY_11H)

    summary = fetch_mailbox(intake.program, box.id)

    assert summary.error is None and summary.counts.new == 1
    assert sorted(row.subject for row in all_contacts()) == ["m0", "m1", "m2", "nova"]


def test_p24_one_message_to_the_general_and_priority_addresses_in_two_mailboxes(
    intake: Intake,
) -> None:
    customer_id = standard_customer(plan=Plan.PRIORITY)
    intake.mailbox(name="geral")
    other_folder = intake.new_folder()
    intake.mailbox(name="prioritario", folder=other_folder, sent_folder=None)
    raw, mid = mail(to="suporte@empresa.pt", extra="Cc: prioritario@empresa.pt\r\n")
    earlier = MONDAY_10H - timedelta(minutes=3)
    intake.put(b"Delivered-To: suporte@empresa.pt\r\n" + raw, MONDAY_10H)
    intake.put(b"Delivered-To: prioritario@empresa.pt\r\n" + raw, earlier, other_folder)

    summaries = fetch_all(intake.program)

    assert [s.error for s in summaries] == [None, None]
    (row,) = all_contacts()
    assert row.customer_id == customer_id
    assert row.channel is Channel.PRIORITY_EMAIL  # guaranteed beats the public channel (P24)
    assert row.reason is Reason.GUARANTEED
    assert row.received_at == earlier  # the earliest INTERNALDATE of the copies
    # P6: 4 business hours, lunch (13:00–14:00) not counted
    assert row.deadline == datetime(2026, 3, 9, 14, 57, tzinfo=UTC)
    assert MailMessage.select().where(MailMessage.incoming_message_id == mid).count() == 1


def test_p10a_the_priority_address_from_an_unregistered_sender_is_rejected(
    intake: Intake,
) -> None:
    box = intake.mailbox()
    intake.put(mail(sender="alguem@fora.pt", to="prioritario@empresa.pt")[0], MONDAY_10H)
    summary = fetch_mailbox(intake.program, box.id)
    assert summary.counts.rejected == 1 and summary.counts.new == 0
    (row,) = all_contacts()
    assert row.state is ContactState.REJECTED and row.reason is Reason.REJECTED


def test_p26_an_auto_reply_loop_makes_no_contact_and_no_response(intake: Intake) -> None:
    standard_customer()
    box = intake.mailbox()
    raw, mid = mail()
    intake.put(raw, MONDAY_10H)
    fetch_mailbox(intake.program, box.id)
    (first,) = all_contacts()
    # Our automatic acknowledgement, then the customer's out-of-office answering it.
    ack, ack_id = mail(
        sender="suporte@empresa.pt",
        to="maria@cliente.pt",
        subject=f"Re: Pedido [#{first.id}]",
        extra=f"In-Reply-To: <{mid}>\r\nAuto-Submitted: auto-replied\r\n",
    )
    intake.put(ack, MONDAY_10H + timedelta(minutes=1), intake.sent)
    away, _away_id = mail(
        subject=f"Ausente: Re: Pedido [#{first.id}]",
        extra=f"In-Reply-To: <{ack_id}>\r\nAuto-Submitted: auto-replied\r\nX-Autoreply: yes\r\n",
    )
    intake.put(away, MONDAY_10H + timedelta(minutes=2))

    summary = fetch_mailbox(intake.program, box.id)

    assert summary.counts.new == 0 and summary.counts.responses == 0
    assert summary.counts.ignored == 1
    (row,) = all_contacts()
    assert row.first_response_at is None and row.state is ContactState.OPEN
    ignored = [e for e in intake_log() if e.kind is IntakeLogKind.IGNORED]
    assert [e.reason for e in ignored] == ["auto_submitted"]


def test_p27_a_reply_in_the_sent_folder_records_the_response_and_stops_the_countdown(
    intake: Intake,
) -> None:
    standard_customer()
    box = intake.mailbox()
    raw, mid = mail()
    intake.put(raw, MONDAY_10H)
    fetch_mailbox(intake.program, box.id)
    reply_at = MONDAY_10H + timedelta(hours=2)
    reply, _reply_id = mail(
        sender="Rui <rui@empresa.pt>",
        to="maria@cliente.pt",
        subject="Re: Pedido",
        extra=f"In-Reply-To: <{mid}>\r\nReferences: <{mid}>\r\n",
    )
    intake.put(reply, reply_at, intake.sent)

    summary = fetch_mailbox(intake.program, box.id)

    assert summary.counts.responses == 1
    (row,) = all_contacts()
    assert row.first_response_at == reply_at
    assert row.state is ContactState.ANSWERED  # out of the waiting queue: no countdown
    # The conversation holds both messages, in order.
    assert [m.direction.value for m in conversation(row.id)] == ["in", "out"]


def test_p27_the_earlier_of_the_sent_reply_and_the_hand_recorded_response(
    intake: Intake,
) -> None:
    box = intake.mailbox()
    intake.put(mail()[0], MONDAY_10H)
    fetch_mailbox(intake.program, box.id)
    (row,) = all_contacts()
    hand = MONDAY_10H + timedelta(hours=5)
    record_first_response(intake.admin, row.id, row.version, hand)
    earlier = MONDAY_10H + timedelta(hours=1)
    reply, _id = mail(sender="suporte@empresa.pt", subject=f"Re: Pedido [#{row.id}]")
    intake.put(reply, earlier, intake.sent)
    fetch_mailbox(intake.program, box.id)
    assert contact(row.id).first_response_at == earlier


def test_p25_the_token_joins_and_a_closed_contact_reopens_within_7_days(intake: Intake) -> None:
    box = intake.mailbox()
    intake.put(mail()[0], MONDAY_10H)
    fetch_mailbox(intake.program, box.id)
    (row,) = all_contacts()
    intake.put(mail(subject=f"Re: [#{row.id}] mais uma coisa")[0], MONDAY_10H + timedelta(hours=1))
    summary = fetch_mailbox(intake.program, box.id)
    assert summary.counts.joined == 1 and summary.counts.new == 0
    closed = close_contact(intake.admin, row.id, contact(row.id).version).contact
    assert closed.state is ContactState.CLOSED
    intake.put(mail(subject=f"[#{row.id}] outra vez")[0], MONDAY_10H + timedelta(hours=2))
    fetch_mailbox(intake.program, box.id)
    assert contact(row.id).state is ContactState.ANSWERED  # reopened, its response kept
    assert len(all_contacts()) == 1
    assert len(conversation(row.id)) == 3


def test_p25_a_contact_closed_7_days_ago_gets_a_new_contact_naming_it(intake: Intake) -> None:
    box = intake.mailbox()
    old = factories.contact(
        None,
        received_at=MONDAY_10H - timedelta(days=20),
        created_at=MONDAY_10H - timedelta(days=20),
        state=ContactState.CLOSED,
        closed_at=MONDAY_10H - timedelta(days=10),
        first_response_at=MONDAY_10H - timedelta(days=19),
    )
    intake.put(mail(subject=f"Re: [#{old.id}] voltou")[0], MONDAY_10H)
    summary = fetch_mailbox(intake.program, box.id)
    assert summary.counts.new == 1
    newest = max(all_contacts(), key=lambda r: r.id)
    assert newest.id != old.id
    assert f"#{old.id}" in contact(newest.id).notes
    assert Contact.get_by_id(old.id).state is ContactState.CLOSED


def test_faults_each_failing_mailbox_is_logged_in_portuguese_and_the_others_go_on(
    intake: Intake,
) -> None:
    good = intake.mailbox(name="boa")
    down = intake.mailbox(name="desligada", port=1, check=False)
    wrong = intake.mailbox(name="senha", check=False)
    intake.monkeypatch.setenv("BALCAO_WRONG_PASSWORD", "not-it")
    from app.store.models import Mailbox

    Mailbox.update(password_env="BALCAO_WRONG_PASSWORD").where(Mailbox.id == wrong.id).execute()
    unknown_ca = intake.mailbox(name="certificado", ca_file=None, check=False)
    missing = intake.mailbox(name="pasta", folder="nao-existe", check=False)
    intake.put(mail()[0], MONDAY_10H)

    summaries = {s.mailbox: s for s in fetch_all(intake.program)}

    assert summaries["boa"].error is None and summaries["boa"].counts.new == 1
    assert summaries["desligada"].failure == "refused"
    assert summaries["senha"].failure == "login"
    assert summaries["certificado"].failure == "certificate"
    assert summaries["pasta"].failure == "folder_missing"
    failures = {e.mailbox: e for e in intake_log() if e.kind is IntakeLogKind.FAILED}
    assert set(failures) == {"desligada", "senha", "certificado", "pasta"}
    for entry in failures.values():
        assert "Traceback" not in entry.message and entry.message
    assert set(failing_mailboxes()) == set(failures)
    # Backed off: a later pass within the minute leaves them alone, the good one is read.
    again = {s.mailbox: s for s in fetch_all(intake.program)}
    assert again["desligada"].skipped and not again["boa"].skipped
    assert {down.id, unknown_ca.id, missing.id, good.id}


def test_big_attachment_only_and_textless_messages_are_taken(intake: Intake) -> None:
    box = intake.mailbox()
    big = (
        b"From: maria@cliente.pt\r\nTo: suporte@empresa.pt\r\nSubject: grande\r\n"
        b"Message-ID: <big@cliente.pt>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nVai em anexo.\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="dados.bin"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\n"
        + (b"QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\r\n" * 480_000)
        + b"--b--\r\n"
    )
    assert len(big) > 30 * 1024 * 1024
    only_attachment = (
        b"From: maria@cliente.pt\r\nTo: suporte@empresa.pt\r\nSubject: anexo\r\n"
        b"Message-ID: <att@cliente.pt>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: application/pdf\r\n"
        b'Content-Disposition: attachment; filename="fatura.pdf"\r\n'
        b"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n"
    )
    no_text = (
        b"From: maria@cliente.pt\r\nTo: suporte@empresa.pt\r\nSubject: vazio\r\n"
        b"Message-ID: <empty@cliente.pt>\r\nMIME-Version: 1.0\r\n"
        b"Content-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0K\r\n"
    )
    for raw in (big, only_attachment, no_text):
        intake.put(raw, MONDAY_10H)

    summary = fetch_mailbox(intake.program, box.id)

    assert summary.error is None and summary.counts.new == 3
    by_subject = {row.subject: row for row in all_contacts()}
    (big_message,) = conversation(by_subject["grande"].id)
    assert big_message.truncated and "Vai em anexo." in big_message.text
    (attached,) = conversation(by_subject["anexo"].id)
    assert [(a.name, a.size) for a in attached.attachments] == [("fatura.pdf", 9)]
    assert attachment_content(attached.id, 0) == b"%PDF-1.4\n"
    problems = {p for e in intake_log() for p in e.problems}
    assert {"truncated", "no_text"} <= problems


def test_associating_the_sender_registers_the_next_message_and_keeps_frozen_terms(
    intake: Intake,
) -> None:
    box = intake.mailbox()
    intake.put(mail(sender="novo@cliente.pt")[0], MONDAY_10H)
    fetch_mailbox(intake.program, box.id)
    (first,) = all_contacts()
    assert first.reason is Reason.UNREGISTERED_SENDER or first.customer_id is None
    customer = factories.customer(plan=Plan.STANDARD)
    associate_sender(intake.admin, first.id, customer.id)
    assert contact(first.id).customer_id is None  # P19: frozen
    intake.put(mail(sender="novo@cliente.pt", subject="Outro")[0], MONDAY_10H)
    fetch_mailbox(intake.program, box.id)
    second = max(all_contacts(), key=lambda r: r.id)
    assert second.customer_id == customer.id and second.reason is Reason.GUARANTEED


def test_program_desk_is_the_program(program: Desk) -> None:
    assert program.technician_id is None and program.now() == NOW
