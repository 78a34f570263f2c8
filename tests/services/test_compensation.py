"""P17: free hours for a missed guarantee, granted once by the program, revoked by an admin."""

from __future__ import annotations

import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime, timedelta

import pytest
from peewee import fn

from app.clock import ManualClock
from app.domain.contract import ContractTerms
from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan
from app.domain.states import ContactState, LedgerKind
from app.services import changes, compensation
from app.services.changes import Topic
from app.services.compensation import (
    grant_for_contact,
    grant_if_breached,
    grants_of_customer,
    revoke_grant,
    sweep_breaches,
)
from app.services.contacts import (
    ContactRecord,
    close_contact,
    contact,
    open_contacts,
    record_first_response,
    register_contact,
)
from app.services.context import Desk, use_case
from app.services.customers import CustomerRecord, create_customer
from app.services.errors import InputError, RuleError
from app.store.database import current_database
from app.store.models import CompensationGrant, Customer, LedgerEntry, Pack, Technician
from tests.store import factories

NothingWritten = Callable[[], AbstractContextManager[None]]
#: The deadline of a Standard contact received on Monday 10 March 2025 at 10:00 (P5).
TUESDAY_CLOSE = datetime(2025, 3, 11, 18, 0, tzinfo=UTC)


def a_customer(desk: Desk, plan: Plan, email: str, **fields: object) -> CustomerRecord:
    return create_customer(
        desk,
        name=f"Cliente {email}",
        plan=plan,
        emails=[email],
        **fields,  # type: ignore[arg-type]
    ).customer


def a_contact(desk: Desk, sender: str, channel: Channel = Channel.EMAIL) -> ContactRecord:
    return register_contact(desk, channel=channel, sender=sender, subject="Ajuda").contact


def balance(pack_id: int) -> int:
    total = LedgerEntry.select(fn.SUM(LedgerEntry.minutes)).where(LedgerEntry.pack == pack_id)
    return int(total.scalar() or 0)


def test_p17_breach_grants_free_hours_once(desk: Desk, clock: ManualClock) -> None:
    loja = a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    missed = a_contact(desk, "ana@loja.pt")
    assert missed.deadline == TUESDAY_CLOSE
    clock.set(TUESDAY_CLOSE)
    assert sweep_breaches(desk).granted == ()  # at the deadline itself, still in time
    clock.advance(timedelta(seconds=1))
    before = changes.latest()
    swept = sweep_breaches(desk)
    (grant,) = swept.granted
    assert swept.changes.topics == {Topic.CONTACTS, Topic.PACKS}
    assert (grant.contact_id, grant.customer_id, grant.hours) == (missed.id, loja.id, 1)
    assert (grant.granted_at, grant.revoked) == (clock.now(), False)
    pack = Pack.get_by_id(grant.pack_id)
    assert (pack.kind, pack.minutes, pack.customer_id, pack.valid_until) == (
        PackKind.FREE,
        60,
        loja.id,
        None,
    )
    entry = LedgerEntry.get_by_id(grant.entry_id)
    assert (entry.kind, entry.minutes, entry.contact_id, entry.created_by_id) == (
        LedgerKind.COMPENSATION,
        60,
        missed.id,
        None,  # the program itself
    )
    assert balance(pack.id) == 60
    # Once per contact: later sweeps find nothing and note nothing.
    clock.advance(timedelta(days=3))
    again = sweep_breaches(desk)
    assert again == compensation.SweepResult(())
    assert not again.changes
    assert changes.latest() == before + 2
    assert CompensationGrant.select().count() == 1
    assert grant_for_contact(missed.id) == grant
    assert grants_of_customer(loja.id) == (grant,)


def test_p17_deadline_passed_while_closed_granted_at_start(desk: Desk, clock: ManualClock) -> None:
    a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    a_customer(desk, Plan.PRIORITY_24_7, "rui@hotel.pt", phones=["912345678"])
    standard = a_contact(desk, "ana@loja.pt")
    urgent = a_contact(desk, "+351912345678", Channel.PRIORITY_PHONE)
    by_email = a_contact(desk, "rui@hotel.pt", Channel.PRIORITY_EMAIL)
    in_time = a_contact(desk, "ana@loja.pt")
    record_first_response(desk, in_time.id, in_time.version)
    clock.advance(timedelta(days=10))  # the program was closed all this time
    granted = {grant.contact_id: grant.hours for grant in sweep_breaches(desk).granted}
    assert granted == {standard.id: 1, urgent.id: 2, by_email.id: 2}
    assert sweep_breaches(desk).granted == ()
    assert sweep_breaches(desk, thorough=True).granted == ()


def test_p17_the_sweep_at_start_also_finds_late_answers_written_elsewhere(
    desk: Desk, clock: ManualClock
) -> None:
    loja = a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    # Answered late and closed by something other than the contact use cases (an import, the
    # demo): no grant was made when the response was recorded.
    late = factories.contact(
        Customer.get_by_id(loja.id),
        deadline=TUESDAY_CLOSE,
        first_response_at=TUESDAY_CLOSE + timedelta(minutes=1),
        state=ContactState.CLOSED,
    )
    in_time = factories.contact(
        Customer.get_by_id(loja.id),
        deadline=TUESDAY_CLOSE,
        first_response_at=TUESDAY_CLOSE,
        state=ContactState.ANSWERED,
    )
    clock.set(TUESDAY_CLOSE + timedelta(days=1))
    assert sweep_breaches(desk).granted == ()  # the minute sweep looks at waiting contacts
    (grant,) = sweep_breaches(desk, thorough=True).granted
    assert grant.contact_id == late.id != in_time.id


def test_p17_a_response_by_the_deadline_grants_nothing(desk: Desk, clock: ManualClock) -> None:
    a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    answered = a_contact(desk, "ana@loja.pt")
    clock.set(TUESDAY_CLOSE + timedelta(hours=1))
    # Recorded late, but the response itself was given at the deadline.
    result = record_first_response(desk, answered.id, answered.version, at=TUESDAY_CLOSE)
    assert Topic.PACKS not in result.changes
    assert result.contact.grant_id is None
    assert sweep_breaches(desk).granted == ()


def test_p17_a_late_response_grants_at_once(desk: Desk, clock: ManualClock) -> None:
    a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    late = a_contact(desk, "ana@loja.pt")
    clock.set(TUESDAY_CLOSE + timedelta(minutes=10))
    result = record_first_response(desk, late.id, late.version)
    assert result.changes.topics == {Topic.CONTACTS, Topic.PACKS}
    assert (result.contact.granted_hours, result.contact.grant_revoked) == (1, False)
    closed_late = a_contact(desk, "ana@loja.pt")
    clock.advance(timedelta(days=2))
    assert close_contact(desk, closed_late.id, closed_late.version).contact.granted_hours == 1
    assert CompensationGrant.select().count() == 2
    assert sweep_breaches(desk).granted == ()


def test_p17_no_guarantee_or_no_hours_grants_nothing(desk: Desk, clock: ManualClock) -> None:
    a_customer(desk, Plan.NONE, "ana@semplano.pt")
    a_customer(desk, Plan.STANDARD, "rui@contrato.pt", contract=ContractTerms(compensation_hours=0))
    a_customer(desk, Plan.STANDARD, "eva@loja.pt")
    no_plan = a_contact(desk, "ana@semplano.pt")
    zero_hours = a_contact(desk, "rui@contrato.pt")
    unregistered = a_contact(desk, "eva@gmail.com")
    assert (no_plan.compensation_hours, no_plan.guaranteed) == (0, False)
    assert (zero_hours.compensation_hours, zero_hours.guaranteed) == (0, True)
    assert unregistered.guaranteed is False
    clock.advance(timedelta(days=30))
    assert sweep_breaches(desk).granted == ()
    assert Pack.select().count() == 0


def test_p17_the_queue_shows_the_grant(desk: Desk, clock: ManualClock) -> None:
    a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    missed = a_contact(desk, "ana@loja.pt")
    clock.set(TUESDAY_CLOSE + timedelta(minutes=1))
    sweep_breaches(desk)
    (row,) = open_contacts()
    assert (row.id, row.granted_hours, row.grant_revoked) == (missed.id, 1, False)


def test_p17_revoke_needs_admin_and_reason(
    desk: Desk,
    admin_desk: Desk,
    admin: Technician,
    clock: ManualClock,
    nothing_written: NothingWritten,
) -> None:
    loja = a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    missed = a_contact(desk, "ana@loja.pt")
    clock.set(TUESDAY_CLOSE + timedelta(hours=2))
    (grant,) = sweep_breaches(desk).granted
    with nothing_written(), pytest.raises(RuleError):
        revoke_grant(desk, grant.id, "O cliente respondeu por telefone.")
    with nothing_written(), pytest.raises(RuleError):
        revoke_grant(Desk(clock, None), grant.id, "O programa não revoga sozinho.")
    with nothing_written(), pytest.raises(InputError) as refused:
        revoke_grant(admin_desk, grant.id, "   ")
    assert refused.value.field == "reason"
    with nothing_written(), pytest.raises(InputError, match="carácter de controlo") as refused:
        revoke_grant(admin_desk, grant.id, "Respondido\x00 por telefone")
    assert refused.value.field == "reason"
    clock.advance(timedelta(minutes=5))
    result = revoke_grant(admin_desk, grant.id, "  Respondido por telefone a tempo.  ")
    revoked = result.grant
    assert result.changes.topics == {Topic.CONTACTS, Topic.PACKS}
    assert (revoked.revoked_at, revoked.revoked_by_id, revoked.revoked_by_name) == (
        clock.now(),
        admin.id,
        admin.name,
    )
    assert revoked.revoke_reason == "Respondido por telefone a tempo."
    reversal = LedgerEntry.get_by_id(revoked.revocation_entry_id)
    assert (reversal.kind, reversal.minutes, reversal.reverses_id, reversal.created_by_id) == (
        LedgerKind.REVOCATION,
        -60,
        grant.entry_id,
        admin.id,
    )
    assert balance(grant.pack_id) == 0
    # Never deleted: the grant and its entry stay, and the contact is not granted again.
    assert grants_of_customer(loja.id) == (revoked,)
    assert contact(missed.id).grant_revoked
    (row,) = open_contacts()
    assert (row.granted_hours, row.grant_revoked_at) == (1, revoked.revoked_at)
    assert sweep_breaches(desk).granted == ()
    with nothing_written(), pytest.raises(RuleError):
        revoke_grant(admin_desk, grant.id, "Outra vez.")


def test_p17_revoking_hours_already_used_is_refused(
    desk: Desk, admin_desk: Desk, clock: ManualClock, nothing_written: NothingWritten
) -> None:
    a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    a_contact(desk, "ana@loja.pt")
    clock.set(TUESDAY_CLOSE + timedelta(hours=2))
    (grant,) = sweep_breaches(desk).granted
    pack = Pack.get_by_id(grant.pack_id)
    factories.ledger_entry(pack, kind=LedgerKind.CONSUMPTION, minutes=-15, created_at=clock.now())
    with nothing_written(), pytest.raises(RuleError) as refused:
        revoke_grant(admin_desk, grant.id, "Engano.")
    assert "15" in refused.value.message
    assert not grant_for_contact(grant.contact_id).revoked  # type: ignore[union-attr]


def test_p17_a_grant_made_meanwhile_by_another_desk_is_no_error(
    desk: Desk, clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    a_customer(desk, Plan.STANDARD, "ana@loja.pt")
    missed = a_contact(desk, "ana@loja.pt")
    clock.set(TUESDAY_CLOSE + timedelta(hours=1))
    assert len(sweep_breaches(desk).granted) == 1
    # As if the other desk's grant were committed between this desk's check and its insert:
    # the unique contact of the grant refuses the second one, and only its savepoint is undone.
    monkeypatch.setattr(compensation, "_granted_among", lambda contact_ids: set())
    with use_case():
        assert grant_if_breached(desk, missed.id) is None
        changes.note(desk, {Topic.CONTACTS})  # the transaction is still usable
    assert (Pack.select().count(), LedgerEntry.select().count()) == (1, 1)


def test_p17_two_desks_sweeping_at_once_grant_once(
    desk: Desk, admin_desk: Desk, clock: ManualClock
) -> None:
    for number in range(5):
        a_customer(desk, Plan.STANDARD, f"cliente{number}@loja.pt")
        a_contact(desk, f"cliente{number}@loja.pt")
    clock.set(TUESDAY_CLOSE + timedelta(hours=1))
    start = threading.Barrier(2)
    granted: dict[int, int] = {}
    failures: list[BaseException] = []

    def sweep(at_desk: Desk) -> None:
        try:
            start.wait()
            granted[at_desk.technician_id or 0] = len(sweep_breaches(at_desk).granted)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            current_database().close()  # this thread's connection

    threads = [threading.Thread(target=sweep, args=(d,)) for d in (desk, admin_desk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert failures == []
    assert sum(granted.values()) == 5
    assert CompensationGrant.select().count() == Pack.select().count() == 5
    assert LedgerEntry.select().count() == 5


def _row(model: type[Pack] | type[LedgerEntry] | type[CompensationGrant], row_id: int) -> dict:
    """A row's columns, without those that name other rows of the grant."""
    values = dict(model.select().where(model.id == row_id).dicts().get())
    for name in ("id", "pack", "entry", "contact", "customer"):
        values.pop(name, None)
    return values


def test_p17_the_sweep_writes_the_same_rows_as_a_grant_one_at_a_time(
    desk: Desk, clock: ManualClock
) -> None:
    """The sweep writes its grants a few hundred per statement; each is the three rows that
    ``grant_if_breached`` writes one contact at a time, and names its own pack and entry."""
    customers = [a_customer(desk, Plan.STANDARD, f"cliente{n}@loja.pt") for n in range(4)]
    missed = [a_contact(desk, f"cliente{n}@loja.pt") for n in range(4)]
    clock.set(TUESDAY_CLOSE + timedelta(minutes=1))
    with use_case():
        one_id = grant_if_breached(desk, missed[0].id)
    assert one_id is not None
    one = CompensationGrant.get_by_id(one_id)

    swept = sweep_breaches(desk).granted

    assert [grant.contact_id for grant in swept] == [contact.id for contact in missed[1:]]
    assert [grant.customer_id for grant in swept] == [c.id for c in customers[1:]]
    for grant in swept:
        row = CompensationGrant.get_by_id(grant.id)
        entry = LedgerEntry.get_by_id(row.entry_id)
        pack = Pack.get_by_id(row.pack_id)
        assert (entry.pack_id, entry.contact_id) == (pack.id, grant.contact_id)
        assert entry.customer_id == pack.customer_id == grant.customer_id
        assert _row(CompensationGrant, grant.id) == _row(CompensationGrant, one.id)
        assert _row(LedgerEntry, row.entry_id) == _row(LedgerEntry, one.entry_id)
        assert _row(Pack, row.pack_id) == _row(Pack, one.pack_id)
    assert len({grant.pack_id for grant in swept} | {one.pack_id}) == 4
    assert sweep_breaches(desk).granted == ()
