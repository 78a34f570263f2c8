"""Contacts in the large build, with the terms frozen at receipt and the compensations they cause.

Terms come from ``response_terms`` (P5–P10a, P18) on the company's calendar, the hours owed from
``compensation_hours`` (P17), a rejection from the ``REJECTED`` reason (P10a), a breach from
``is_breached``: then the sweep's grant follows within the minute (a FREE pack, its ledger
entry, the grant), and a few grants are revoked whole the next day, as ``revoke_grant`` does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from app.demo import data
from app.demo.large.packs import Packs
from app.demo.large.rows import Account, Grant
from app.demo.large.world import Schedule, World
from app.domain.calendar import elapsed
from app.domain.contract import NO_CONTRACT
from app.domain.packs import PackKind
from app.domain.sla import Channel, Plan, Reason, compensation_hours, is_breached, response_terms
from app.domain.states import ContactState, LedgerKind
from app.store.models import CompensationGrant, Contact, Pack

_REVOKE_REASON = "Resposta dada por telefone dentro do prazo; registo tardio."
_MINUTES_PER_HOUR = 60
#: How often each plan's customers use each channel: (cumulative share, channel); past the last
#: share, a channel without a guarantee.
_PUBLIC_CHANNELS = ((0.62, Channel.EMAIL), (0.9, Channel.PHONE))
_CHANNELS = {
    Plan.PRIORITY_24_7: (
        (0.5, Channel.PRIORITY_PHONE),
        (0.9, Channel.PRIORITY_EMAIL),
        (1.0, Channel.WHATSAPP),
    ),
    Plan.PRIORITY: (
        (0.6, Channel.PRIORITY_EMAIL),
        (0.85, Channel.PRIORITY_PHONE),
        (0.95, Channel.EMAIL),
        (1.0, Channel.SMS),
    ),
}


@dataclass
class ContactSeed:
    account: Account
    received_at: datetime
    waiting: bool  # one of the contacts still waiting now


@dataclass(frozen=True)
class Answered:
    """A contact answered before now, that sessions may follow."""

    id: int
    account: Account
    responded: datetime
    subject: str


class Contacts:
    def __init__(self, world: World, packs: Packs) -> None:
        self.world = world
        self.packs = packs
        #: Grants made since the last flush.
        self.grants: list[Grant] = []
        #: Grants an administrator may still revoke (their row waits for it).
        self.revoking: set[int] = set()

    def _channel(self, plan: Plan) -> Channel:
        draw = self.world.rng.random()
        for limit, channel in _CHANNELS.get(plan, _PUBLIC_CHANNELS):
            if draw < limit:
                return channel
        return self.world.rng.choice((Channel.SMS, Channel.WHATSAPP, Channel.SOCIAL, Channel.OTHER))

    def _sender(self, account: Account, channel: Channel) -> tuple[str, str | None]:
        if channel in (Channel.EMAIL, Channel.PRIORITY_EMAIL):
            return self.world.rng.choice(account.emails)
        if channel is Channel.SOCIAL:
            return f"Facebook — {account.name}", None
        if channel is Channel.OTHER:
            return f"Visita ao escritório — {account.name}", None
        if channel in (Channel.SMS, Channel.WHATSAPP):
            return account.phones[-1]  # the mobile
        return self.world.rng.choice(account.phones)

    def contact(self, seed: ContactSeed, at: Schedule) -> Answered | None:
        """Writes a contact with its frozen terms (P19); returns it when it was answered."""
        world = self.world
        rng = world.rng
        received = seed.received_at
        account = seed.account
        channel = self._channel(account.plan)
        sender, normalised = self._sender(account, channel)
        registered = normalised is not None
        customer: Account | None = account
        if rng.random() < 0.012 and channel in (Channel.EMAIL, Channel.PRIORITY_EMAIL):
            # An address nobody registered: on a priority channel it is rejected (P10a); on the
            # public one the technician files it under the customer, unregistered (P9).
            normalised = f"pedido{rng.randrange(10**7)}@gmail.com"
            sender, registered = normalised, False
            if channel is Channel.PRIORITY_EMAIL:
                customer = None
        plan = Plan.NONE if customer is None else account.plan
        contract = NO_CONTRACT if customer is None else account.contract
        terms = response_terms(
            plan, channel, received, registered, world.calendar, contract=contract
        )
        hours = compensation_hours(plan, contract) if terms.guaranteed else 0
        state = ContactState.REJECTED if terms.reason is Reason.REJECTED else ContactState.CLOSED
        responded = closed = None
        if state is ContactState.CLOSED:
            responded = self._response_time(received, terms.deadline, terms.urgent)
            closed = responded + timedelta(minutes=rng.randrange(10, 2 * 24 * 60))
            if seed.waiting or not world.before_end(responded):
                responded = closed = None
                state = ContactState.OPEN
            elif not world.before_end(closed):
                closed = None
                state = ContactState.ANSWERED
        contact_id = world.writer.new_id(Contact)
        subject = rng.choice(data.SUBJECTS)
        by = world.technician()
        # Issue 14: who answers looks after it; of those waiting, half have been taken on (by
        # id, not by a random draw: the rest of the demo stays as it was).
        taken = state is not ContactState.REJECTED and (
            responded is not None or contact_id % 2 == 0
        )
        world.writer.add(
            Contact,
            (
                contact_id, None if customer is None else customer.id, channel, sender,
                normalised, received, subject, plan, registered, terms.guaranteed,
                terms.deadline, terms.target, terms.reason, terms.urgent, hours, responded,
                None if responded is None else by, state, closed, received, world.technician(),
                by if taken else None,
            ),
        )  # fmt: skip
        if (
            customer is not None
            and hours
            and terms.deadline is not None
            and is_breached(terms, responded, world.end)
        ):
            # P17: the sweep grants within the minute after the deadline passes.
            late = elapsed(terms.deadline, responded or world.end)
            granted = terms.deadline + min(timedelta(seconds=30), late / 2)
            at(granted, self._grant(customer, contact_id, hours, granted, at))
        if responded is None or customer is None:
            return None
        return Answered(contact_id, customer, responded, subject)

    def _response_time(
        self, received: datetime, deadline: datetime | None, urgent: bool
    ) -> datetime:
        rng = self.world.rng
        calendar = self.world.calendar
        if urgent and deadline is not None:
            late = rng.random() < 0.04
            return received + timedelta(
                seconds=rng.randrange(360, 1800) if late else rng.randrange(40, 280)
            )
        if deadline is not None:
            if rng.random() < 0.04:  # missed (P17)
                return deadline + timedelta(minutes=rng.randrange(5, 600))
            window = calendar.between(received, deadline)
            return calendar.add(received, window * rng.uniform(0.03, 0.85))
        return calendar.add(received, timedelta(minutes=rng.randrange(10, 8 * 60)))

    def _grant(
        self, account: Account, contact_id: int, hours: int, granted: datetime, at: Schedule
    ) -> Callable[[], None]:
        def grant() -> None:
            world = self.world
            minutes = hours * _MINUTES_PER_HOUR
            today = world.local_day(granted)
            pack_id = world.writer.new_id(Pack)
            world.writer.add(
                Pack,
                (
                    pack_id, account.id, PackKind.FREE, minutes, Decimal("0.00"), today, today,
                    None, None, "", granted, None,
                ),
            )  # fmt: skip
            entry_id = world.entry(
                account.id, pack_id, LedgerKind.COMPENSATION, minutes, granted, contact=contact_id
            )
            self.packs.open_balance(
                account, (pack_id, None), PackKind.FREE, minutes, starts_on=today, valid_until=None
            )
            grant_id = world.writer.new_id(CompensationGrant)
            record = Grant(grant_id, contact_id, account.id, hours, granted, pack_id, entry_id)
            self.grants.append(record)
            if world.rng.random() < 0.05:
                self._revoke_later(account, record, at)

        return grant

    def _revoke_later(self, account: Account, record: Grant, at: Schedule) -> None:
        """A few grants are taken back by an administrator the next day: whole, and only while
        unused, since ``revoke_grant`` refuses hours already drawn."""
        world = self.world
        revoked = record.granted_at + timedelta(hours=world.rng.randrange(16, 30))
        key = (record.pack_id, None)
        granted = record.hours * _MINUTES_PER_HOUR

        def revoke() -> None:
            self.revoking.discard(record.id)
            balance = account.balances.get(key)
            if balance is None or balance.remaining < granted:
                return
            del account.balances[key]
            entry_id = world.entry(
                account.id, record.pack_id, LedgerKind.REVOCATION, -granted, revoked,
                contact=record.contact_id, reverses=record.entry_id, reason=_REVOKE_REASON,
                by=world.admin,
            )  # fmt: skip
            record.revoked_at, record.revoked_by = revoked, world.admin
            record.revoke_reason = _REVOKE_REASON
            record.revocation_entry = entry_id

        if world.before_end(revoked):
            self.revoking.add(record.id)
            at(revoked, revoke)

    def settled(self) -> list[Grant]:
        """The grants that will not change any more, taken off the list."""
        done = [grant for grant in self.grants if grant.id not in self.revoking]
        self.grants = [grant for grant in self.grants if grant.id in self.revoking]
        return done
