"""Packs in the large build: subscriptions allotted month by month, unit packs bought and
expired, every balance kept as the domain's ``Balance`` and moved by ``balance_after``.

The rules are the domain's: which months a subscription covers (``covers_month``), how long a
unit pack lasts (``unit_pack_valid_until``), which days each balance can pay
(``balance_validity``), when it lapses (``lapses_at``), and that no balance goes below zero
(``balance_after``). What is simulated here is only who buys what, and when.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time
from decimal import Decimal

from app.demo.large.invoices import Invoicing
from app.demo.large.rows import Account, BalanceKey, Subscription
from app.demo.large.world import MINUTE, OpenHours, Schedule, World
from app.domain.months import Month
from app.domain.packs import (
    Balance,
    PackKind,
    balance_after,
    balance_validity,
    first_live_month,
    lapses_at,
    month_key,
    unit_pack_valid_until,
)
from app.domain.states import LedgerKind
from app.store.models import Pack

UNIT_PACKS = ((300, "215.00"), (600, "410.00"), (1200, "780.00"), (2400, "1500.00"))
MONTHLY_PACKS = ((120, "95.00"), (240, "180.00"), (480, "350.00"), (720, "520.00"))


class Packs:
    def __init__(self, world: World, invoicing: Invoicing) -> None:
        self.world = world
        self.invoicing = invoicing
        #: The balances that lapse in each month (free hours never do, P16).
        self.lapsing: dict[Month, list[tuple[datetime, Account, BalanceKey]]] = {}
        self._lapses: dict[date, tuple[datetime, Month]] = {}

    # --- balances -----------------------------------------------------------------------------

    def open_balance(
        self,
        account: Account,
        key: BalanceKey,
        kind: PackKind,
        minutes: int,
        *,
        starts_on: date,
        valid_until: date | None,
    ) -> None:
        """A new balance of ``minutes``, valid as the domain says for its kind."""
        on = starts_on if key[1] is None else key[1]
        valid_from, last_day = balance_validity(kind, starts_on, valid_until, on)
        account.balances[key] = Balance(key[0], kind, minutes, valid_from, last_day)
        if last_day is not None:
            lapse, month = self._lapse(last_day)
            self.lapsing.setdefault(month, []).append((lapse, account, key))

    def _lapse(self, last_day: date) -> tuple[datetime, Month]:
        """When a balance whose last day is ``last_day`` lapses, and in which month (each last
        day asked of the domain once: thousands of balances share it)."""
        found = self._lapses.get(last_day)
        if found is None:
            lapse = lapses_at(last_day, self.world.tz)
            found = self._lapses[last_day] = (lapse, month_key(self.world.local_day(lapse)))
        return found

    @staticmethod
    def move(account: Account, key: BalanceKey, change: int) -> None:
        """A movement of a balance held now (a draw when negative); never below zero (P16a)."""
        old = account.balances[key]
        left = balance_after(old.remaining, change)
        account.balances[key] = Balance(old.key, old.kind, left, old.valid_from, old.valid_until)

    def lapse_due(self, month: date, at: Schedule) -> None:
        """Plans the expiry of every balance that lapses in ``month`` (P14, P15): what it still
        holds then is written off by the sweep, within the minute."""
        for lapse, account, key in self.lapsing.pop(month_key(month), []):
            at(self.world.soon_after(lapse, 30), self._expire(account, key))

    def _expire(self, account: Account, key: BalanceKey) -> Callable[[], None]:
        def expire() -> None:
            balance = account.balances.pop(key)
            if balance.remaining > 0:
                self.world.entry(
                    account.id, key[0], LedgerKind.EXPIRY, -balance.remaining,
                    self.world.clock.now(), month=key[1],
                )  # fmt: skip

        return expire

    # --- monthly packs (P15) ------------------------------------------------------------------

    def subscriptions(self, index: int, hours: OpenHours, at: Schedule) -> None:
        """Each subscription covering the month is sold in its first month and allotted in the
        others, as the month begins (the sweep's minute)."""
        world = self.world
        month = world.months[index]
        month_start = world.local(month, time(0))
        for account in world.accounts:
            subscription = account.subscription
            if subscription is None or not subscription.covers(month):
                continue
            if month == subscription.first:
                sold = hours.instant(world.rng) if index else month_start + 2 * MINUTE
                at(sold, self._sell_monthly(account, subscription, sold))
            else:
                when = world.soon_after(month_start, 60)
                at(when, self._allotment(account, month))

    def _sell_monthly(
        self, account: Account, subscription: Subscription, sold: datetime
    ) -> Callable[[], None]:
        def sell() -> None:
            world = self.world
            pack_id = world.writer.new_id(Pack)
            subscription.pack_id = pack_id
            world.writer.add(
                Pack,
                (
                    pack_id, account.id, PackKind.MONTHLY, subscription.minutes,
                    subscription.price, world.local_day(sold), subscription.first, None,
                    subscription.last, "", sold, world.admin,
                ),
            )  # fmt: skip
            self.allot(account, subscription.first, sold)

        return sell

    def _allotment(self, account: Account, month: date) -> Callable[[], None]:
        def allot() -> None:
            self.allot(account, month, self.world.clock.now())

        return allot

    def allot(self, account: Account, month: date, at: datetime) -> None:
        """Credits the month's hours, once (the sweep, or a draw that comes first)."""
        subscription = account.subscription
        if subscription is None or subscription.pack_id is None:
            return
        if subscription.allotted == month or not subscription.covers(month):
            return
        pack_id, minutes = subscription.pack_id, subscription.minutes
        self.world.entry(
            account.id, pack_id, LedgerKind.MONTHLY_ALLOTMENT, minutes, at, month=month
        )
        self.open_balance(
            account, (pack_id, month), PackKind.MONTHLY, minutes, starts_on=month, valid_until=None
        )
        subscription.allotted = month
        self.invoicing.bill_pack(account, pack_id, subscription.price, minutes, month=month)

    def allot_before_draw(self, account: Account, on: date, at: datetime) -> None:
        """As a draw does in the service: this month's allotment recorded first."""
        self.allot(account, first_live_month(on), at)

    # --- unit packs (P14) ---------------------------------------------------------------------

    def buy_units(self, index: int, hours: OpenHours, at: Schedule) -> None:
        """A customer who buys hours buys again when little is left."""
        rng = self.world.rng
        for account in self.world.accounts:
            if not account.unit_buyer or account.active_until < index:
                continue
            if account.unit_minutes() < 120 and rng.random() < 0.3:
                at(hours.instant(rng), self._sell_unit(account))

    def _sell_unit(self, account: Account) -> Callable[[], None]:
        def sell() -> None:
            world = self.world
            now = world.clock.now()
            minutes, text = world.rng.choice(UNIT_PACKS)
            price = Decimal(text)
            bought = world.local_day(now)
            until = unit_pack_valid_until(bought)
            pack_id = world.writer.new_id(Pack)
            world.writer.add(
                Pack,
                (
                    pack_id, account.id, PackKind.UNIT, minutes, price, bought, bought, until,
                    None, "", now, world.admin,
                ),
            )  # fmt: skip
            world.entry(account.id, pack_id, LedgerKind.PURCHASE, minutes, now, by=world.admin)
            self.open_balance(
                account,
                (pack_id, None),
                PackKind.UNIT,
                minutes,
                starts_on=bought,
                valid_until=until,
            )
            self.invoicing.bill_pack(account, pack_id, price, minutes, unit=(bought, until))

        return sell
