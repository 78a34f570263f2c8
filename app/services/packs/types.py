"""Hour packs: what the use cases return (a pack, its balances, a ledger row, a sweep's count)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from app.domain.packs import Balance, PackKind
from app.domain.states import LedgerKind
from app.i18n import _
from app.services.changes import Changed
from app.store.models import Pack

#: The ledger page a view fetches at a time.
LEDGER_PAGE = 500
#: The rows a window's list reads at a time (a page), as they scroll into sight.
LIST_PAGE = 100


# --- results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackInfo:
    id: int
    version: int
    customer_id: int
    kind: PackKind
    #: Minutes bought (unit), given each month (monthly) or granted (free).
    minutes: int
    #: Net price; per month for a monthly pack.
    price: Decimal
    purchased_on: date
    starts_on: date
    #: Unit packs: the last usable day, inclusive (P14).
    valid_until: date | None
    #: Monthly packs: the first day of the last month; ``None`` while the subscription runs.
    last_month: date | None
    note: str
    created_at: datetime


@dataclass(frozen=True)
class PackResult(Changed):
    pack: PackInfo


@dataclass(frozen=True)
class PackBalance:
    """What one pack can still pay on a given day (a monthly pack: in that day's month)."""

    pack_id: int
    kind: PackKind
    #: What the pack gives: its hours (unit), one month's hours (monthly), the free hours.
    minutes: int
    remaining: int
    valid_from: date
    #: The last usable day; the month's last day for a monthly pack; ``None``: never expires.
    valid_until: date | None
    #: Monthly packs: the first day of the month this balance belongs to.
    month: date | None
    #: A unit pack with minutes left whose last day is within ``EXPIRY_WARNING_DAYS``.
    expiring_soon: bool

    @property
    def used(self) -> int:
        """Minutes drawn from what the pack gives (never below 0: a correction may add some)."""
        return max(self.minutes - self.remaining, 0)

    def as_balance(self) -> Balance:
        """The domain's view of it, for ``allocate``."""
        return Balance(
            key=self.pack_id,
            kind=self.kind,
            remaining=self.remaining,
            valid_from=self.valid_from,
            valid_until=self.valid_until,
        )


@dataclass(frozen=True)
class CustomerBalances:
    """A customer's balances usable on ``on``, each list in the order they pay (P16a)."""

    customer_id: int
    on: date
    monthly: tuple[PackBalance, ...]
    unit: tuple[PackBalance, ...]
    free: tuple[PackBalance, ...]

    @property
    def monthly_minutes(self) -> int:
        return sum(balance.remaining for balance in self.monthly)

    @property
    def monthly_given(self) -> int:
        """What the monthly packs give in the month of ``on``."""
        return sum(balance.minutes for balance in self.monthly)

    @property
    def monthly_used(self) -> int:
        """What was drawn from them in that month (never below 0)."""
        return max(self.monthly_given - self.monthly_minutes, 0)

    @property
    def unit_minutes(self) -> int:
        return sum(balance.remaining for balance in self.unit)

    @property
    def free_minutes(self) -> int:
        return sum(balance.remaining for balance in self.free)

    @property
    def total_minutes(self) -> int:
        return self.monthly_minutes + self.unit_minutes + self.free_minutes

    @property
    def all(self) -> tuple[PackBalance, ...]:
        return self.monthly + self.unit + self.free


@dataclass(frozen=True)
class ExpiringPack:
    customer_id: int
    customer_name: str
    pack_id: int
    valid_until: date
    minutes: int
    remaining: int


@dataclass(frozen=True)
class LedgerRow:
    """One ledger entry with who, when and why."""

    id: int
    created_at: datetime
    customer_id: int
    customer_name: str
    pack_id: int
    pack_kind: PackKind
    kind: LedgerKind
    #: Signed: credits positive, debits negative.
    minutes: int
    #: Monthly packs: the first day of the month the entry belongs to.
    month: date | None
    #: A consumption (or its reversal) that paid out-of-hours time.
    outside: bool
    session_id: int | None
    contact_id: int | None
    #: The entry this one reverses, and the entry that reversed this one.
    reverses_id: int | None
    reversed_by_id: int | None
    reason: str
    #: ``None``: recorded by the program itself (a sweep, a compensation).
    created_by_id: int | None
    created_by_name: str | None


@dataclass(frozen=True)
class SweepResult(Changed):
    """What a sweep recorded: entries written (0 when there was nothing to do)."""

    entries: int


@dataclass(frozen=True)
class EntryCorrected(Changed):
    correction: LedgerRow


def info_of(pack: Pack) -> PackInfo:
    return PackInfo(
        id=pack.id,
        version=pack.version,
        customer_id=pack.customer_id,
        kind=pack.kind,
        minutes=pack.minutes,
        price=pack.price,
        purchased_on=pack.purchased_on,
        starts_on=pack.starts_on,
        valid_until=pack.valid_until,
        last_month=pack.last_month,
        note=pack.note,
        created_at=pack.created_at,
    )


def missing_pack(pack_id: int) -> str:
    return _("The pack {id} does not exist.").format(id=pack_id)
