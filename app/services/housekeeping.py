"""What the program does by itself: at start and every minute, at every desk."""

from __future__ import annotations

from app.services import compensation, packs
from app.services.changes import Changes
from app.services.context import Desk, read_only


def run_sweeps(desk: Desk, *, thorough: bool = False) -> Changes:
    """Missed deadlines get their free hours (P17), months begun get their monthly hours (P15),
    lapsed balances expire (P14, P15). ``thorough`` at start also catches what another program
    version or a late response left behind, and every balance that lapsed while no desk swept.

    Every minute it costs a few index lookups when there is nothing to do (no write lock is
    taken then); the month's turn writes each kind of entry for every pack in one statement
    (``app.services.packs.sweeps``). One desk sweeps at a time: on PostgreSQL a desk that finds
    another desk's sweep running skips its own (``app.services.sweep_lock``); on SQLite it waits,
    then finds nothing left. ``tests/bench/bench_sweeps.py`` times them on the large demo
    database. The window runs them in the background (``ui.app.Sweeper``).

    A desk that can only read the database sweeps nothing: the desks that can write do it."""
    if read_only():
        return Changes()
    granted = compensation.sweep_breaches(desk, thorough=thorough)
    allotted = packs.ensure_monthly_allotments(desk)
    expired = packs.expire_packs(desk, thorough=thorough)
    return granted.changes | allotted.changes | expired.changes
