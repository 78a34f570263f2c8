"""Issue 15, point 2: "Anular" a first response for a moment, then an administrator's correction
with a reason, kept in an append-only record; the compensation (P17) follows the response."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import pytest
from peewee import IntegrityError

from app.clock import ManualClock
from app.domain.responses import UNDO_WINDOW, CorrectionKind, may_undo
from app.domain.sla import Channel, Plan
from app.domain.states import ContactState
from app.services.compensation import grant_for_contact, sweep_breaches
from app.services.contacts import (
    ContactRecord,
    close_contact,
    correct_response,
    record_first_response,
    register_contact,
    response_history,
    undo_first_response,
)
from app.services.context import Desk
from app.services.customers import create_customer
from app.services.errors import InputError, RuleError
from app.store.database import execute_sql, write_transaction
from app.store.errors import refused_by_guard
from app.store.models import ResponseCorrection, Technician
from tests.store.fixtures import on_postgres

NothingWritten = Callable[[], AbstractContextManager[None]]
#: The deadline of a Standard contact received on Monday 10 March 2025 at 10:00 (P5).
TUESDAY_CLOSE = datetime(2025, 3, 11, 18, 0, tzinfo=UTC)


@pytest.fixture
def received(desk: Desk) -> ContactRecord:
    create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["ana@loja.pt"])
    return register_contact(
        desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject="Impressora"
    ).contact


def _respond(desk: Desk, record: ContactRecord) -> ContactRecord:
    return record_first_response(desk, record.id, record.version).contact


def test_undo_within_the_window_puts_the_contact_back_in_waiting(
    desk: Desk, clock: ManualClock, received: ContactRecord
) -> None:
    answered = _respond(desk, received)
    clock.advance(UNDO_WINDOW)
    undone = undo_first_response(desk, answered.id, answered.version)
    assert undone.contact.state is ContactState.OPEN
    assert undone.contact.first_response_at is None
    assert undone.contact.first_response_by_id is None
    (entry,) = response_history(received.id)
    assert entry.kind is CorrectionKind.UNDONE
    assert entry.old_response_at == answered.first_response_at and entry.new_response_at is None


def test_undo_after_the_window_is_refused_and_writes_nothing(
    desk: Desk, clock: ManualClock, received: ContactRecord, nothing_written: NothingWritten
) -> None:
    answered = _respond(desk, received)
    clock.advance(UNDO_WINDOW + timedelta(seconds=1))
    with nothing_written(), pytest.raises(RuleError):
        undo_first_response(desk, answered.id, answered.version)


def test_undo_by_another_technician_is_refused(
    desk: Desk, admin_desk: Desk, received: ContactRecord, nothing_written: NothingWritten
) -> None:
    answered = _respond(desk, received)
    with nothing_written(), pytest.raises(RuleError):
        undo_first_response(admin_desk, answered.id, answered.version)


def test_undo_of_a_closing_is_refused(
    desk: Desk, received: ContactRecord, nothing_written: NothingWritten
) -> None:
    closed = close_contact(desk, received.id, received.version).contact
    with nothing_written(), pytest.raises(RuleError):
        undo_first_response(desk, closed.id, closed.version)


def test_the_undo_rule_is_real_time_and_by_the_same_technician() -> None:
    at = datetime(2025, 3, 10, 10, tzinfo=UTC)
    assert may_undo(at, 1, 1, at + UNDO_WINDOW)
    assert not may_undo(at, 1, 1, at + UNDO_WINDOW + timedelta(microseconds=1))
    assert not may_undo(at, 1, 2, at)
    assert not may_undo(at, None, None, at)
    assert not may_undo(at, 1, 1, at - timedelta(seconds=1))  # a clock gone back
    with pytest.raises(ValueError, match="naive"):
        may_undo(at.replace(tzinfo=None), 1, 1, at)


def test_p17_a_late_response_undone_keeps_its_compensation(
    desk: Desk, clock: ManualClock, received: ContactRecord
) -> None:
    """The guarantee was missed whether or not that response counts: the free hours stay, and
    the sweep grants nothing more."""
    clock.set(TUESDAY_CLOSE + timedelta(hours=1))
    answered = _respond(desk, received)
    grant = grant_for_contact(received.id)
    assert grant is not None and not grant.revoked
    undo_first_response(desk, answered.id, answered.version)
    assert grant_for_contact(received.id) == grant
    assert sweep_breaches(desk, thorough=True).granted == ()


def test_correction_needs_an_administrator_and_a_reason(
    desk: Desk, admin_desk: Desk, received: ContactRecord, nothing_written: NothingWritten
) -> None:
    answered = _respond(desk, received)
    with nothing_written(), pytest.raises(RuleError):
        correct_response(desk, answered.id, None, "Engano")
    with nothing_written(), pytest.raises(InputError):
        correct_response(admin_desk, answered.id, None, "  ")


def test_correction_removes_a_misclicked_response_and_keeps_what_it_was(
    desk: Desk, admin_desk: Desk, clock: ManualClock, received: ContactRecord, admin: Technician
) -> None:
    answered = _respond(desk, received)
    clock.advance(timedelta(minutes=5))
    corrected = correct_response(admin_desk, answered.id, None, "Clique por engano").contact
    assert (corrected.state, corrected.first_response_at) == (ContactState.OPEN, None)
    (entry,) = response_history(received.id)
    assert (entry.kind, entry.reason, entry.created_by_name) == (
        CorrectionKind.CORRECTED,
        "Clique por engano",
        admin.name,
    )
    assert entry.old_response_at == answered.first_response_at


def test_p17_a_correction_to_a_time_before_the_deadline_revokes_the_compensation(
    desk: Desk, admin_desk: Desk, clock: ManualClock, received: ContactRecord
) -> None:
    clock.set(TUESDAY_CLOSE + timedelta(hours=1))
    answered = _respond(desk, received)  # late: 1 h free granted
    in_time = TUESDAY_CLOSE - timedelta(hours=2)
    result = correct_response(admin_desk, answered.id, in_time, "Respondido por telefone às 16h")
    assert result.contact.first_response_at == in_time
    grant = grant_for_contact(received.id)
    assert grant is not None and grant.revoked
    assert grant.revoke_reason == "Respondido por telefone às 16h"


def test_p17_a_correction_to_a_late_time_grants_the_compensation(
    desk: Desk, admin_desk: Desk, clock: ManualClock, received: ContactRecord
) -> None:
    answered = _respond(desk, received)  # Monday 10:00: in time
    clock.set(TUESDAY_CLOSE + timedelta(days=1))
    assert grant_for_contact(received.id) is None
    late = TUESDAY_CLOSE + timedelta(minutes=30)
    correct_response(admin_desk, answered.id, late, "A resposta saiu na quarta")
    grant = grant_for_contact(received.id)
    assert grant is not None and not grant.revoked


def test_correction_times_are_checked(
    desk: Desk, admin_desk: Desk, clock: ManualClock, received: ContactRecord
) -> None:
    answered = _respond(desk, received)
    with pytest.raises(InputError):
        correct_response(admin_desk, answered.id, clock.now() + timedelta(hours=1), "Futuro")
    with pytest.raises(InputError):
        correct_response(
            admin_desk, answered.id, received.received_at - timedelta(hours=1), "Antes"
        )
    with pytest.raises(RuleError):
        correct_response(admin_desk, answered.id, answered.first_response_at, "Igual")


@pytest.mark.parametrize(
    "statement",
    [
        'UPDATE "response_correction" SET "reason" = \'x\'',
        'DELETE FROM "response_correction"',
        *(['TRUNCATE "response_correction"'] if on_postgres() else []),
    ],
)
def test_the_correction_record_is_append_only_in_the_database(
    desk: Desk, admin_desk: Desk, received: ContactRecord, statement: str
) -> None:
    answered = _respond(desk, received)
    correct_response(admin_desk, answered.id, None, "Engano")
    with pytest.raises(IntegrityError) as caught, write_transaction():
        execute_sql(statement)
    assert refused_by_guard(caught.value)  # the program says so as for a frozen document
    assert ResponseCorrection.select().count() == 1
