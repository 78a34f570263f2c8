"""Hour packs (P14–P16a): selling them, their balances, and every movement of the ledger.

One module a concern: ``sales``, ``sweeps`` (allotments and expiry), ``balances``, ``ledger``,
``draws`` (steps of the session use cases), and ``types`` (what they return). The use cases are
named here too, as ``packs.sell_pack`` and so on, the way their callers know them.

A balance is never stored: it is the sum of the pack's ledger entries (for a monthly pack, of the
entries of one month), computed with aggregate queries. The ledger is append-only; a mistake is
put right by a reversing entry (``LedgerKind.CORRECTION`` with ``reverses``).

Decisions:
- Monthly packs (P15) are credited lazily, one ``MONTHLY_ALLOTMENT`` entry per pack and month
  (``month`` = its first day), by ``ensure_monthly_allotments``: the window runs it at start and
  every minute, and every draw runs it first. ``balances`` already counts the current month of a
  subscription whose allotment the sweep has not recorded yet, so the display never dips at
  midnight on the 1st.
- What a month leaves unused lapses with the month (no carry-over). ``expire_packs`` records it as
  an ``EXPIRY`` entry of that month, as it does for a unit pack past its last day (P14), so that
  the ledger explains every minute and a pack's entries always sum to what it can still pay.
  An expiry is recorded once per balance; a later reversal that gives minutes back to a lapsed
  balance (a session edited afterwards) is expired again by the next sweep. The minute sweep
  looks only at what lapsed or was credited in the last ``RECENT_DAYS`` (and, once this program
  has swept, only at what lapsed since); the sweep at start (``thorough``) at every balance, for
  what lapsed while no desk was sweeping.
- The sweeps are set-based: a month's turn is one ``INSERT … SELECT`` per kind of entry (the
  allotments, the months' lapse, the unit packs' expiry) for every pack at once, each writing
  only what is still missing, so that a second desk writes nothing twice; on PostgreSQL one desk
  sweeps at a time (an advisory lock, ``app.services.sweep_lock``).
- Free hours (P16) never expire; they are granted and revoked by ``app.services.compensation``.
- Correcting an entry by hand (``correct_entry``) is for administrators only, as revoking a
  compensation is (P17): it changes what a customer has paid for.
"""

from app.domain.packs import EXPIRY_WARNING_DAYS
from app.services.packs.balances import (
    balance_at,
    balances,
    expiring_packs,
    pack,
    packs_of_customer,
)
from app.services.packs.draws import draw_for_session, plan_draws, reverse_session_draws
from app.services.packs.ledger import correct_entry, count_ledger, ledger
from app.services.packs.sales import end_monthly_pack, sell_pack
from app.services.packs.sweeps import RECENT_DAYS, ensure_monthly_allotments, expire_packs
from app.services.packs.types import (
    LEDGER_PAGE,
    LIST_PAGE,
    CustomerBalances,
    EntryCorrected,
    ExpiringPack,
    LedgerRow,
    PackBalance,
    PackInfo,
    PackResult,
    SweepResult,
)

__all__ = [
    "EXPIRY_WARNING_DAYS",
    "LEDGER_PAGE",
    "LIST_PAGE",
    "RECENT_DAYS",
    "CustomerBalances",
    "EntryCorrected",
    "ExpiringPack",
    "LedgerRow",
    "PackBalance",
    "PackInfo",
    "PackResult",
    "SweepResult",
    "balance_at",
    "balances",
    "correct_entry",
    "count_ledger",
    "draw_for_session",
    "end_monthly_pack",
    "ensure_monthly_allotments",
    "expire_packs",
    "expiring_packs",
    "ledger",
    "pack",
    "packs_of_customer",
    "plan_draws",
    "reverse_session_draws",
    "sell_pack",
]
