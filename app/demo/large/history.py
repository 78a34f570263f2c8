"""The large build's five years, month by month: what falls due, who calls, who is served.

Each month plans its events (lapses, allotments, sales, grants, draws) and plays those of the
month in time order with the clock set to each one's instant, as a desk used day after day would
have (an event planned for a later month waits for it); each quarter is then invoiced and its
rows written.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
from itertools import count

from dateutil.relativedelta import relativedelta

from app.demo.large.contacts import Answered, Contacts, ContactSeed
from app.demo.large.customers import make_customers
from app.demo.large.invoices import Invoicing
from app.demo.large.packs import Packs
from app.demo.large.rows import Account
from app.demo.large.sessions import Sessions
from app.demo.large.world import DAY, OpenHours, World
from app.i18n import _, format_month
from app.store.models import CompensationGrant, InvoiceCounter, Session


class History:
    def __init__(self, world: World) -> None:
        self.world = world
        self.invoicing = Invoicing(world)
        self.packs = Packs(world, self.invoicing)
        self.contacts = Contacts(world, self.packs)
        self.sessions = Sessions(world, self.packs)
        self.weights: list[float] = []
        #: What is planned and not played yet, in time order (ties: in the order planned).
        self.events: list[tuple[datetime, int, Callable[[], None]]] = []
        self.planned = count()

    def write(self) -> None:
        world = self.world
        size = world.size
        self.weights = make_customers(world)
        waiting = self._waiting_times(size.open_contacts)
        # The month still running has only its past: each month's share of the contacts and
        # sessions is its share of the open hours.
        until = world.end - timedelta(hours=2)
        hours = [
            OpenHours(world.calendar, first, first + relativedelta(months=1) - DAY, until)
            for first in world.months
        ]
        weights = [month.total for month in hours]
        contacts = apportion(size.contacts - size.open_contacts, weights)
        sessions = apportion(size.sessions, weights)
        with world.writer.indexes_deferred():
            world.writer.flush()
            for index, first in enumerate(world.months):
                if index % 6 == 0:
                    world.progress(
                        _("History of {month}…").format(month=format_month(first.year, first.month))
                    )
                self._month(index, hours[index], contacts[index], sessions[index], waiting)
                if index % 3 == 2 or index == size.months - 1:
                    self.invoicing.quarter(index, self.sessions.records)
                    self._flush()
            world.progress(_("Rebuilding the indexes…"))
        world.writer.move_sequences()
        counters = [
            {"series": series, "year": year, "last_number": number}
            for (series, year), number in sorted(self.invoicing.counters.items())
        ]
        if counters:
            InvoiceCounter.insert_many(counters).execute()

    def _waiting_times(self, count: int) -> list[datetime]:
        """When the contacts still waiting now came in: most in the last two days."""
        world = self.world
        times = []
        for _number in range(count):
            ago = min(world.rng.expovariate(1 / 1.5), 14.0)
            times.append(world.end - timedelta(days=ago) - timedelta(seconds=30))
        return sorted(times)

    def _month(
        self, index: int, hours: OpenHours, contacts: int, sessions: int, waiting: list[datetime]
    ) -> None:
        world = self.world
        first = world.months[index]
        month_start = world.local(first, time(0))
        next_start = world.local(first + relativedelta(months=1), time(0))

        def at(when: datetime, action: Callable[[], None]) -> None:
            if world.before_end(when):
                # In UTC: instants of one zone compare without asking it for offsets.
                utc = when.astimezone(UTC)
                heapq.heappush(self.events, (utc, next(self.planned), action))

        self.packs.lapse_due(first, at)
        self.packs.subscriptions(index, hours, at)
        self.packs.buy_units(index, hours, at)
        seeds = [
            ContactSeed(
                self._pick(index), self._contact_time(hours, month_start, next_start), False
            )
            for _number in range(contacts)
        ]
        seeds += [
            ContactSeed(self._pick(index), received, True)
            for received in waiting
            if month_start <= received < next_start
        ]
        answered: list[Answered] = []
        for seed in sorted(seeds, key=lambda s: s.received_at):
            if world.before_end(seed.received_at):
                found = self.contacts.contact(seed, at)
                if found is not None:
                    answered.append(found)
        self.sessions.month(
            index, sessions, hours, answered, self._pick, next_start=next_start, at=at
        )
        # Only this month's: what falls due later (a grant whose deadline is next month) waits.
        while self.events and self.events[0][0] < next_start:
            when, _order, action = heapq.heappop(self.events)
            world.clock.set(when)
            action()

    def _pick(self, month: int) -> Account:
        """A customer still active in ``month``, the busier ones more often."""
        world = self.world
        while True:
            account = world.rng.choices(world.accounts, cum_weights=self.weights)[0]
            if account.active_until >= month:
                return account

    def _contact_time(self, hours: OpenHours, start: datetime, end: datetime) -> datetime:
        """Mostly in business hours; the rest at any hour (received then, counted from the next
        opening, P3)."""
        rng = self.world.rng
        end = min(end, self.world.end - timedelta(hours=2))
        if rng.random() < 0.85 or end <= start:
            return hours.instant(rng)
        return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))

    def _flush(self) -> None:
        """Writes the quarter's sessions (now marked with their invoices) and its grants (those
        that may still be revoked wait)."""
        writer = self.world.writer
        for session in self.sessions.records:
            writer.add(Session, tuple(session.row))
        for grant in self.contacts.settled():
            writer.add(CompensationGrant, grant.row())
        self.sessions.records.clear()
        writer.flush()


def apportion(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights``, in whole numbers that add up to it."""
    whole = sum(weights)
    shares = [total * weight / whole for weight in weights]
    counts = [int(share) for share in shares]
    by_remainder = sorted(range(len(shares)), key=lambda i: counts[i] - shares[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts
