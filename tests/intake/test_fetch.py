"""The email intake over a real Dovecot: messages become contacts once (P23–P28)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from imapclient import IMAPClient

from app.clock import ManualClock
from app.domain.sla import Channel, Reason
from app.services.context import Desk
from app.services.contacts import all_contacts, contact, record_first_response
from app.services.intake.fetch import fetch_all, fetch_mailbox
from app.services.intake.log import intake_log
from app.store.enums import ContactState, IntakeLogKind
from app.store.models import CustomerEmail, Contact, MailMessage
from tests.intake.conftest import MONDAY_10H, Dovecot, append, make_mailbox
from tests.store import factories

pytestmark = pytest.mark.usefixtures("addresses")


def mail(
    *,
    sender: str = "maria@cliente.pt",
    to: str = "suporte@empresa.pt",
    subject: str = "Pedido",
    extra: str = "",
    message_id: str | None = None,
    body: str = "Bom dia.",
) -> tuple[bytes, str]:
    mid = message_id or f"{uuid.uuid4().hex}@cliente.pt"
    raw = (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{mid}>\r\n"
        f"Date: Mon, 9 Mar 2026 10:00:00 +0000\r\n{extra}\r\n{body}\r\n"
    ).encode()
    return raw, mid


def test_p23_a_new_message_becomes_a_contact_received_at_internaldate(
    dovecot: Dovecot,
    folder: str,
    writer: IMAPClient,
    admin_desk: Desk,
    program: Desk,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customer = factories.customer(plan="standard")
    CustomerEmail.create(customer=customer, email="maria@cliente.pt")
    box = make_mailbox(dovecot, admin_desk, monkeypatch, folder=folder)
    raw, _mid = mail(extra="Date: Thu, 1 Jan 2099 00:00:00 +0000\r\n")
    append(writer, folder, raw, MONDAY_10H)

    summary = fetch_mailbox(program, box.id)

    assert summary.error is None and summary.counts.new == 1
    (row,) = all_contacts()
    assert row.received_at == MONDAY_10H  # P23: never the Date: of 2099
    assert row.channel is Channel.EMAIL and row.customer_id == customer.id
    assert row.reason is Reason.GUARANTEED
    assert row.deadline == datetime(2026, 3, 10, 18, 0, tzinfo=UTC)  # P5
    # Nothing is taken twice.
    assert fetch_mailbox(program, box.id).counts.new == 0
    assert len(all_contacts()) == 1
