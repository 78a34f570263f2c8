"""Benchmark: the sweeps the window runs by itself, on the large demo database.

Run as a script (pytest does not collect tests/bench):

    .venv/bin/python tests/bench/bench_sweeps.py [SOURCE_DB]

``SOURCE_DB``: a SQLite file made by ``balcao demo --size large --db FILE`` (10,000 customers,
200,000 contacts, ~1,000,000 ledger entries); default ``/tmp/large.sqlite``. The sweeps write, so
they run on a copy, made in a temporary folder and removed afterwards; opening the copy migrates
it to the latest schema first (its time is shown apart: an older file pays it once). A
``postgresql://`` URL (a throwaway schema filled by the same command) is swept in place.

The clock is the system's: run it on the day the database was made, or the settling sweep does
the work of every day since (its time is printed apart).

What is timed (wall time, median and max of ``REPEATS`` calls):

- the minute sweep with nothing to do: ``compensation.sweep_breaches``,
  ``packs.ensure_monthly_allotments``, ``packs.expire_packs``, and the three together
  (``housekeeping.run_sweeps``) — goal under 100 ms;
- the start sweep with nothing to do: ``run_sweeps(thorough=True)`` — goal under 1 s;
- a month turning: the clock moved to the 1st of next month, where every running subscription
  gets its allotment and every month's leftover lapses (one call each, real work).

Every figure is taken after one settling ``run_sweeps(thorough=True)`` that records whatever the
demo left to do at today's date.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import perf_counter
from zoneinfo import ZoneInfo

from app.clock import ManualClock, SystemClock
from app.services import compensation, packs
from app.services.context import Desk
from app.services.housekeeping import run_sweeps
from app.services.settings import company_today
from app.store.database import close_database, open_database

DEFAULT_SOURCE = Path("/tmp/large.sqlite")
REPEATS = 7
MINUTE_GOAL_MS = 100.0
START_GOAL_MS = 1000.0


def timed(call: Callable[[], object], repeats: int = REPEATS) -> list[float]:
    """Wall times of ``repeats`` calls, in milliseconds."""
    samples = []
    for _ in range(repeats):
        started = perf_counter()
        call()
        samples.append((perf_counter() - started) * 1000)
    return samples


def show(name: str, samples: list[float]) -> float:
    median = statistics.median(samples)
    print(f"  {name:<44} median {median:9.1f} ms   max {max(samples):9.1f} ms")
    return median


def next_month_start(today: date) -> datetime:
    """09:00 on the 1st of next month, Lisbon time, as a UTC instant."""
    first = (today.replace(day=28) + timedelta(days=4)).replace(day=1)
    return datetime.combine(first, time(9), tzinfo=ZoneInfo("Europe/Lisbon")).astimezone(UTC)


def run(location: str) -> int:
    """Opens ``location`` (migrating it), times the sweeps, closes it; the exit status."""
    clock = ManualClock(SystemClock().now())
    started = perf_counter()
    open_database(location, clock=clock)
    print(f"opened (and migrated) in {perf_counter() - started:.2f} s")
    try:
        desk = Desk(clock)
        started = perf_counter()
        run_sweeps(desk, thorough=True)
        print(f"settling run_sweeps(thorough=True): {perf_counter() - started:.2f} s\n")

        print("minute sweep, nothing to do:")
        show("compensation.sweep_breaches", timed(lambda: compensation.sweep_breaches(desk)))
        show(
            "packs.ensure_monthly_allotments",
            timed(lambda: packs.ensure_monthly_allotments(desk)),
        )
        show("packs.expire_packs", timed(lambda: packs.expire_packs(desk)))
        minute = show("run_sweeps (all three)", timed(lambda: run_sweeps(desk)))
        print("start sweep, nothing to do:")
        show(
            "compensation.sweep_breaches(thorough=True)",
            timed(lambda: compensation.sweep_breaches(desk, thorough=True)),
        )
        show(
            "packs.expire_packs(thorough=True)",
            timed(lambda: packs.expire_packs(desk, thorough=True)),
        )
        start = show("run_sweeps(thorough=True)", timed(lambda: run_sweeps(desk, thorough=True)))

        clock.set(next_month_start(company_today(clock.now())))
        print(f"a month turns ({company_today(clock.now())}), one call each, real work:")
        for name, sweep in (
            ("packs.ensure_monthly_allotments", packs.ensure_monthly_allotments),
            ("packs.expire_packs", packs.expire_packs),
        ):
            started = perf_counter()
            written = sweep(desk).entries
            took = (perf_counter() - started) * 1000
            print(f"  {name:<44} {took:9.1f} ms   ({written} entries written)")
        show("run_sweeps, nothing left to do", timed(lambda: run_sweeps(desk)))
    finally:
        close_database()
    print(
        f"\ngoal: minute sweep under {MINUTE_GOAL_MS:.0f} ms: "
        f"{'met' if minute < MINUTE_GOAL_MS else 'MISSED'}; "
        f"start sweep under {START_GOAL_MS:.0f} ms: {'met' if start < START_GOAL_MS else 'MISSED'}"
    )
    return 0 if minute < MINUTE_GOAL_MS and start < START_GOAL_MS else 1


def main(argv: list[str]) -> int:
    source = argv[1] if len(argv) > 1 else str(DEFAULT_SOURCE)
    if source.startswith(("postgresql:", "postgres:")):
        print(f"{source} (PostgreSQL: swept in place, the month's turn is written into it)")
        return run(source)
    if not Path(source).exists():
        print(f"no database at {source}: make one with balcao demo --size large --db {source}")
        return 2
    with tempfile.TemporaryDirectory(dir=Path(source).parent) as folder:
        copy = Path(folder) / "sweeps.sqlite"
        shutil.copyfile(source, copy)
        print(f"{source} (a copy of it)")
        return run(str(copy))


if __name__ == "__main__":
    sys.exit(main(sys.argv))
