"""The benchmark database: ten thousand customers and five years of their support, in bulk.

At full size: 10,000 customers, 200,000 contacts (about 10,000 waiting now), 300,000 sessions,
about a million ledger entries, and the packs, compensations and quarterly invoices that go with
them. Writing that through the use cases would take hours; instead the history is simulated
month by month in memory and written in large batches (``BulkWriter``). Every value a rule
decides comes from the same ``app.domain`` function the services call:

- ``contacts``: terms (``sla.response_terms``, P5–P10a, P18), compensation hours and breaches
  (``compensation_hours``, ``is_breached``, P17);
- ``sessions``: the review limit (``billing.needs_review``), billed time (``billing.bill``,
  P11–P13, with ``contract.effective_blocks``/``effective_rates``), which balances pay how much
  (``packs.allocate``, P16a);
- ``packs``: unit validity (``unit_pack_valid_until``, P14), the months a subscription covers
  (``covers_month``, P15), each balance's days (``balance_validity``), when it lapses
  (``lapses_at``), no balance below zero (``balance_after``);
- ``invoices``: lines, credit notes and totals (``invoice.InvoiceLine``, ``time_line``,
  ``credit_lines``, ``totals``, ``uncovered_time``, P20, P21), the date of issue that picks the
  numbering year (``issue_date``), the series from the company's settings.

What is simulated (who calls when, how long a session lasts, who buys what) is the build's own.
Everything the window's sweeps would do at start (grants, allotments, expiries) is already done.
A ``scale`` below 1 makes a smaller database with the same shape, for the tests;
``tests/services/test_demo_large.py`` checks it against the services' read models.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.clock import ManualClock
from app.demo.company import DemoSummary, count_rows, require_empty
from app.demo.large.history import History
from app.demo.large.rows import Account
from app.demo.large.world import LargeSize, Progress, World
from app.services import changes
from app.services.changes import Topic
from app.services.context import Desk

__all__ = ["LargeBuild", "LargeSize", "build_large_demo", "fill_large_demo"]


@dataclass(frozen=True)
class LargeBuild:
    """What the build wrote, and what it held at the end (for the tests to compare)."""

    summary: DemoSummary
    #: Every customer as the build left it, with the balances it computed.
    accounts: tuple[Account, ...]
    #: The last number given per (series, year).
    counters: dict[tuple[str, int], int]


def build_large_demo(
    location: str, now: datetime, progress: Progress, *, scale: float = 1.0
) -> LargeBuild:
    """Fills the open, empty database with the benchmark data (``scale`` 1: full size)."""
    require_empty(location)
    world = World(now, LargeSize().scaled(scale), progress)
    history = History(world)
    with world.writer.unsynced():
        history.write()
    # Other desks refresh everything. The sweeps have nothing left to do: the tests check it.
    changes.note(Desk(ManualClock(now)), set(Topic))
    return LargeBuild(count_rows(), tuple(world.accounts), dict(history.invoicing.counters))


def fill_large_demo(
    location: str, now: datetime, progress: Progress, *, scale: float = 1.0
) -> DemoSummary:
    """``balcao demo --size large``: the benchmark data; what was written."""
    return build_large_demo(location, now, progress, scale=scale).summary
