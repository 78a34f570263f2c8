"""A session recorded by hand after the fact (issue 14): billed, split and drawn from the packs
exactly as a timed session over the same minutes (P11–P16a); its preview writes nothing; its
times are checked and may not overlap the technician's other sessions."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from peewee import Database

from app.clock import ManualClock
from app.domain.sla import Plan
from app.i18n import _, format_datetime
from app.services import invoices, sessions
from app.services.changes import Topic
from app.services.context import Desk
from app.services.errors import InputError, RuleError
from app.services.exports import write_sessions_csv
from app.services.sessions import SessionBilling, SessionRecord
from app.services.settings.calendar import company_zone
from app.services.statements import customer_statement
from app.store.models import Customer, LedgerEntry, Session, Technician
from tests.services.b_fixtures import company, customer, lisbon, sell_unit
from tests.store import factories

__all__ = ["company", "customer"]

Nothing = Callable[[], AbstractContextManager[None]]
Period = tuple[datetime, datetime]


@pytest.fixture
def twin(customer: Customer) -> Customer:
    """A second customer on the same terms as ``customer``: one gets the timed session, the
    other the recorded one, and their ledgers and invoices are compared."""
    return Customer.create(
        name="Padaria do Largo",
        nif="987654321",
        address="Rua Direita, 2",
        postcode="3000-001",
        city="Coimbra",
        plan=Plan.STANDARD,
        created_at=datetime(2025, 1, 2, tzinfo=UTC),
    )


def timed_with_pauses(
    desk: Desk,
    clock: ManualClock,
    customer_id: int,
    start: datetime,
    end: datetime,
    *,
    pauses: Sequence[Period] = (),
) -> SessionRecord:
    """The timer run by hand: started at ``start``, paused and resumed at each pause, stopped at
    ``end``."""
    clock.set(start)
    state = sessions.start_session(desk, customer_id=customer_id)
    for pause_start, pause_end in pauses:
        clock.set(pause_start)
        state = sessions.pause_session(desk, state.id, state.version)
        clock.set(pause_end)
        state = sessions.resume_session(desk, state.id, state.version)
    clock.set(end)
    return sessions.stop_session(desk, state.id, state.version)


def billing_shape(billing: SessionBilling | None) -> Any:
    """The billing with the draws named by what they are, not by which customer's pack."""
    assert billing is not None
    draws = tuple((d.kind, d.minutes, d.outside, d.month) for d in billing.draws)
    return (
        billing.inside,
        billing.outside,
        billing.inside_billed_minutes,
        billing.outside_billed_minutes,
        billing.uncovered_inside_minutes,
        billing.uncovered_outside_minutes,
        billing.rate_inside,
        billing.rate_outside,
        draws,
    )


def ledger_shape(customer_id: int) -> list[tuple[Any, ...]]:
    return [
        (e.kind, e.minutes, e.outside, e.month, e.session_id is not None, e.created_at)
        for e in LedgerEntry.select()
        .where(LedgerEntry.customer == customer_id)
        .order_by(LedgerEntry.id)
    ]


def invoice_shape(desk: Desk, customer_id: int) -> list[tuple[Any, ...]]:
    draft = invoices.draft_invoice(
        desk, customer_id=customer_id, period_start=date(2025, 3, 1), period_end=date(2025, 3, 31)
    )
    return [
        (
            line.description,
            line.service_date,
            line.quantity,
            line.minutes,
            line.unit_price,
            line.net,
        )
        for line in draft.lines
    ]


CASES = {
    # P12's example: 10 min inside → 15, 20 min outside → 30, billed 45.
    "across closing time": (lisbon(2025, 3, 10, 17, 50), lisbon(2025, 3, 10, 18, 20), []),
    "with pauses": (
        lisbon(2025, 3, 10, 10, 0),
        lisbon(2025, 3, 10, 11, 10),
        [
            (lisbon(2025, 3, 10, 10, 20), lisbon(2025, 3, 10, 10, 40)),
            (lisbon(2025, 3, 10, 10, 50), lisbon(2025, 3, 10, 10, 55)),
        ],
    ),
    "pauses across lunch and closing": (
        lisbon(2025, 3, 10, 12, 40),
        lisbon(2025, 3, 10, 18, 40),
        [(lisbon(2025, 3, 10, 13, 10), lisbon(2025, 3, 10, 17, 45))],
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_p12_recorded_session_equals_timed_session(
    case: str,
    desk: Desk,
    *,
    clock: ManualClock,
    customer: Customer,
    twin: Customer,
    admin: Technician,
) -> None:
    start, end, pauses = CASES[case]
    # The same small pack for each, bought the same day: 30 minutes, less than either session.
    clock.set(lisbon(2025, 3, 1, 9))
    for owner in (customer, twin):
        sell_unit(desk, owner.id, 30, on=date(2025, 3, 1))

    timed = timed_with_pauses(desk, clock, customer.id, start, end, pauses=pauses)
    # Another technician (the same minutes would overlap Rui's session), at the same instant.
    recorded = sessions.record_session(
        desk,
        customer_id=twin.id,
        technician_id=admin.id,
        start=start,
        end=end,
        pauses=pauses,
    )

    assert recorded.recorded_by_hand and not timed.recorded_by_hand
    assert recorded.state is timed.state
    assert (recorded.started_at, recorded.stopped_at) == (timed.started_at, timed.stopped_at)
    assert [(i.started_at, i.ended_at) for i in recorded.intervals] == [
        (i.started_at, i.ended_at) for i in timed.intervals
    ]
    assert billing_shape(recorded.billing) == billing_shape(timed.billing)
    assert recorded.billing is not None and recorded.billing.draws  # the pack paid part of it
    assert ledger_shape(twin.id) == ledger_shape(customer.id)
    assert recorded.changes.topics == {Topic.SESSIONS, Topic.PACKS}
    lines = invoice_shape(desk, customer.id)
    assert any(line[3] for line in lines)  # a time line: uncovered minutes go to the invoice
    # The lines name who worked ("… por Marta"); all else is the same.
    twin_lines = [(d.replace("Marta", "Rui"), *rest) for d, *rest in invoice_shape(desk, twin.id)]
    assert twin_lines == lines


def test_p12_recorded_across_closing_time_bills_45_minutes(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    """The worked example of P12, recorded by hand: 17:50–18:20, closing at 18:00."""
    clock.set(lisbon(2025, 3, 11, 9))
    recorded = sessions.record_session(
        desk,
        customer_id=customer.id,
        start=lisbon(2025, 3, 10, 17, 50),
        end=lisbon(2025, 3, 10, 18, 20),
    )
    assert recorded.billing is not None
    assert recorded.billing.inside == timedelta(minutes=10)
    assert recorded.billing.outside == timedelta(minutes=20)
    assert (recorded.billing.inside_billed_minutes, recorded.billing.outside_billed_minutes) == (
        15,
        30,
    )
    assert recorded.technician_id == desk.technician_id


def test_the_preview_writes_nothing_and_is_what_is_saved(
    desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    clock.set(lisbon(2025, 3, 1, 9))
    pack_id = sell_unit(desk, customer.id, 60, on=date(2025, 3, 1))
    clock.set(lisbon(2025, 3, 12, 9))
    fields: dict[str, Any] = {
        "customer_id": customer.id,
        "start": lisbon(2025, 3, 10, 17, 30),
        "end": lisbon(2025, 3, 10, 19, 0),
        "pauses": [(lisbon(2025, 3, 10, 18, 0), lisbon(2025, 3, 10, 18, 10))],
    }
    with nothing_written():
        preview = sessions.preview_recorded_session(desk, **fields)
    saved = sessions.record_session(desk, **fields)
    assert preview.billing == saved.billing
    assert preview.billing is not None
    # 30 min inside → 30, 50 min outside → 60: the pack pays the out-of-hours time first.
    assert [(d.pack_id, d.minutes, d.outside) for d in preview.billing.draws] == [
        (pack_id, 60, True)
    ]
    assert preview.billing.uncovered_inside_minutes == 30
    assert preview.active == timedelta(minutes=80)
    assert [(i.started_at, i.ended_at) for i in preview.intervals] == [
        (i.started_at, i.ended_at) for i in saved.intervals
    ]


def test_a_contact_gives_its_customer_and_is_kept(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    contact = factories.contact(customer, subject="Impressora não imprime")
    clock.set(lisbon(2025, 3, 11, 9))
    recorded = sessions.record_session(
        desk,
        contact_id=contact.id,
        start=lisbon(2025, 3, 10, 10, 0),
        end=lisbon(2025, 3, 10, 10, 20),
    )
    assert (recorded.customer_id, recorded.contact_id) == (customer.id, contact.id)
    assert recorded.contact_subject == "Impressora não imprime"


def test_longer_than_the_review_limit_is_flagged_as_a_timed_one_would_be(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    clock.set(lisbon(2025, 3, 12, 9))
    fields: dict[str, Any] = {
        "customer_id": customer.id,
        "start": lisbon(2025, 3, 10, 8, 0),
        "end": lisbon(2025, 3, 10, 20, 0),
    }
    assert sessions.preview_recorded_session(desk, **fields).billing is None
    recorded = sessions.record_session(desk, **fields)
    assert recorded.flagged_for_review and recorded.billing is None
    assert LedgerEntry.select().where(LedgerEntry.session == recorded.id).count() == 0


# --- overlaps ---------------------------------------------------------------------------------


def test_an_overlap_with_the_technicians_stopped_session_is_refused_naming_it(
    desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    timed = timed_with_pauses(
        desk, clock, customer.id, lisbon(2025, 3, 10, 10, 0), lisbon(2025, 3, 10, 10, 30)
    )
    clock.set(lisbon(2025, 3, 10, 12, 0))
    with nothing_written(), pytest.raises(RuleError) as refused:
        sessions.record_session(
            desk,
            customer_id=customer.id,
            start=lisbon(2025, 3, 10, 10, 15),
            end=lisbon(2025, 3, 10, 10, 45),
        )
    # Named by its number, customer and times, in the user's language.
    assert str(timed.id) in str(refused.value)
    assert "10:00" in str(refused.value) and "10:30" in str(refused.value)
    assert "Padaria Central" in str(refused.value)
    with pytest.raises(RuleError):  # the preview refuses it the same way
        sessions.preview_recorded_session(
            desk,
            customer_id=customer.id,
            start=lisbon(2025, 3, 10, 10, 15),
            end=lisbon(2025, 3, 10, 10, 45),
        )


def test_an_overlap_with_the_running_timer_is_refused(
    desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    clock.set(lisbon(2025, 3, 10, 10, 0))
    sessions.start_session(desk, customer_id=customer.id)
    clock.set(lisbon(2025, 3, 10, 11, 0))
    with nothing_written(), pytest.raises(RuleError) as refused:
        sessions.record_session(
            desk,
            customer_id=customer.id,
            start=lisbon(2025, 3, 10, 10, 30),
            end=lisbon(2025, 3, 10, 10, 45),
        )
    still_open = _("since {start}, still open").format(
        start=format_datetime(lisbon(2025, 3, 10, 10), company_zone())
    )
    assert still_open in str(refused.value)


def test_a_pause_of_another_session_is_free_and_other_technicians_do_not_clash(
    desk: Desk, clock: ManualClock, customer: Customer, admin: Technician
) -> None:
    timed_with_pauses(
        desk,
        clock,
        customer.id,
        lisbon(2025, 3, 10, 10, 0),
        lisbon(2025, 3, 10, 11, 0),
        pauses=[(lisbon(2025, 3, 10, 10, 20), lisbon(2025, 3, 10, 10, 40))],
    )
    during_the_pause = sessions.record_session(
        desk,
        customer_id=customer.id,
        start=lisbon(2025, 3, 10, 10, 20),
        end=lisbon(2025, 3, 10, 10, 40),
    )
    by_marta = sessions.record_session(
        desk,
        customer_id=customer.id,
        technician_id=admin.id,
        start=lisbon(2025, 3, 10, 10, 0),
        end=lisbon(2025, 3, 10, 11, 0),
    )
    assert during_the_pause.technician_id == desk.technician_id
    assert by_marta.technician_name == "Marta"


def test_a_discarded_session_does_not_clash(
    desk: Desk, clock: ManualClock, customer: Customer
) -> None:
    timed = timed_with_pauses(
        desk, clock, customer.id, lisbon(2025, 3, 10, 10, 0), lisbon(2025, 3, 10, 10, 30)
    )
    sessions.discard_session(desk, timed.id, timed.version)
    recorded = sessions.record_session(
        desk,
        customer_id=customer.id,
        start=lisbon(2025, 3, 10, 10, 0),
        end=lisbon(2025, 3, 10, 10, 30),
    )
    assert recorded.billing is not None


# --- bad input ------------------------------------------------------------------------------------


BAD = {
    "end before start": (lisbon(2025, 3, 10, 11), lisbon(2025, 3, 10, 10), [], "end"),
    "end equal to start": (lisbon(2025, 3, 10, 10), lisbon(2025, 3, 10, 10), [], "end"),
    "in the future": (lisbon(2025, 3, 10, 11), lisbon(2025, 3, 10, 13), [], "end"),
    "pause outside": (
        lisbon(2025, 3, 10, 9),
        lisbon(2025, 3, 10, 10),
        [(lisbon(2025, 3, 10, 9, 50), lisbon(2025, 3, 10, 10, 10))],
        "pauses",
    ),
    "pauses overlapping": (
        lisbon(2025, 3, 10, 9),
        lisbon(2025, 3, 10, 10),
        [
            (lisbon(2025, 3, 10, 9, 10), lisbon(2025, 3, 10, 9, 30)),
            (lisbon(2025, 3, 10, 9, 20), lisbon(2025, 3, 10, 9, 40)),
        ],
        "pauses",
    ),
    "pause ending before it starts": (
        lisbon(2025, 3, 10, 9),
        lisbon(2025, 3, 10, 10),
        [(lisbon(2025, 3, 10, 9, 30), lisbon(2025, 3, 10, 9, 20))],
        "pauses",
    ),
    "pauses taking it all": (
        lisbon(2025, 3, 10, 9),
        lisbon(2025, 3, 10, 10),
        [
            (lisbon(2025, 3, 10, 9), lisbon(2025, 3, 10, 9, 30)),
            (lisbon(2025, 3, 10, 9, 30), lisbon(2025, 3, 10, 10)),
        ],
        "pauses",
    ),
    "no time zone": (datetime(2025, 3, 10, 9), datetime(2025, 3, 10, 10), [], "start"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_bad_times_are_refused_and_leave_nothing_written(
    case: str, desk: Desk, clock: ManualClock, customer: Customer, nothing_written: Nothing
) -> None:
    start, end, pauses, field = BAD[case]
    clock.set(lisbon(2025, 3, 10, 12))
    with nothing_written(), pytest.raises(InputError) as refused:
        sessions.record_session(desk, customer_id=customer.id, start=start, end=end, pauses=pauses)
    assert refused.value.field == field
    with pytest.raises(InputError):
        sessions.preview_recorded_session(
            desk, customer_id=customer.id, start=start, end=end, pauses=pauses
        )


def test_no_customer_nor_contact_is_refused(
    desk: Desk, clock: ManualClock, database: Database, nothing_written: Nothing
) -> None:
    clock.set(lisbon(2025, 3, 10, 12))
    with nothing_written(), pytest.raises(InputError) as refused:
        sessions.record_session(desk, start=lisbon(2025, 3, 10, 10), end=lisbon(2025, 3, 10, 11))
    assert refused.value.field == "customer"
    assert Session.select().count() == 0


# --- the mark -----------------------------------------------------------------------------------


def test_the_export_and_the_statement_mark_the_session_recorded_by_hand(
    desk: Desk, clock: ManualClock, customer: Customer, tmp_path: Path
) -> None:
    timed = timed_with_pauses(
        desk, clock, customer.id, lisbon(2025, 3, 10, 10, 0), lisbon(2025, 3, 10, 10, 30)
    )
    recorded = sessions.record_session(
        desk,
        customer_id=customer.id,
        start=lisbon(2025, 3, 10, 9, 0),
        end=lisbon(2025, 3, 10, 9, 20),
        note="Telefonema",
    )
    path = tmp_path / "sessions.csv"
    assert write_sessions_csv(path, date(2025, 3, 1), date(2025, 3, 31)) == 2
    with path.open(encoding="utf-8-sig", newline="") as file:
        header, *rows = list(csv.reader(file, delimiter=";"))
    marks = {row[0]: row[header.index(_("Recorded by hand"))] for row in rows}
    assert marks == {str(recorded.id): _("yes"), str(timed.id): _("no")}

    statement = customer_statement(customer.id, 2025, 3, now=clock.now())
    assert [(s.id, s.recorded_by_hand) for s in statement.sessions] == [
        (recorded.id, True),
        (timed.id, False),
    ]
