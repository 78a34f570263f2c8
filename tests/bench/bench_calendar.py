"""Benchmark: BusinessCalendar against businesstimedelta, on the same random instants.

Run as a script (pytest does not collect tests/bench):

    .venv/bin/python tests/bench/bench_calendar.py

Both calendars are Lisbon's default hours (Mon–Fri 09:00–13:00 and 14:00–18:00) closed on the
same Portuguese holidays (with Lisboa's municipal one). Two operations, each on 4,000 random
instants over two years (fixed seed): (a) the instant 4 business hours later, (b) the business
time between an instant and another up to two weeks later. The answers are compared; the times
are the best of a few runs, per operation, in microseconds. The machine is often shared: compare
the ratios, over a few runs.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from time import perf_counter
from typing import Any, TypeVar

import pytz
from businesstimedelta import BusinessTimeDelta, HolidayRule, Rules, WorkDayRule

from app.domain.calendar import BusinessCalendar

SEED = 20260329
SAMPLES = 4_000
FIRST_DAY, DAYS = date(2026, 1, 1), 2 * 365
LONGEST_SPAN = timedelta(days=14)
BUSINESS_HOURS = timedelta(hours=4)
REPEATS = 3
OUR_PASSES = 50
GOAL = 200.0  # ours must be at least this many times faster (issue 10, item 8)

T = TypeVar("T")


def random_instants(rng: random.Random) -> list[datetime]:
    """Whole seconds: businesstimedelta drops sub-second parts of its results."""
    start = datetime.combine(FIRST_DAY, time(), tzinfo=UTC)
    return [start + timedelta(seconds=rng.randrange(DAYS * 86_400)) for _ in range(SAMPLES)]


def their_rules(calendar: BusinessCalendar) -> Any:
    lisbon = pytz.timezone("Europe/Lisbon")
    weekdays = [0, 1, 2, 3, 4]
    # The same closed days as ours, with a year of margin for the spans that end in 2028.
    days = (FIRST_DAY + timedelta(days=n) for n in range(-365, DAYS + 2 * 365))
    closed = {day for day in days if day.weekday() < 5 and day in calendar.closed}
    return Rules(
        [
            WorkDayRule(time(9), time(13), weekdays, tz=lisbon),
            WorkDayRule(time(14), time(18), weekdays, tz=lisbon),
            HolidayRule(closed, tz=lisbon),
        ]
    )


def best_time(operation: Callable[[], T], passes: int = 1) -> tuple[float, T]:
    """The fastest of REPEATS runs of ``passes`` passes each, in seconds per pass, and the last
    pass's result. Ours takes a few milliseconds a pass: one pass is at the mercy of the
    scheduler on a shared machine, so it is timed over OUR_PASSES, near theirs' one."""
    best = float("inf")
    result: T | None = None
    for _ in range(REPEATS):
        started = perf_counter()
        for _pass in range(passes):
            result = operation()
        best = min(best, (perf_counter() - started) / passes)
    assert result is not None
    return best, result


def disagreements(ours: Sequence[object], theirs: Sequence[object]) -> list[int]:
    return [i for i, (a, b) in enumerate(zip(ours, theirs, strict=True)) if a != b]


def report(
    name: str, ours_s: float, theirs_s: float, wrong: list[int], show: Callable[[int], str]
) -> bool:
    ours_us, theirs_us = ours_s / SAMPLES * 1e6, theirs_s / SAMPLES * 1e6
    ratio = theirs_us / ours_us
    print(
        f"{name:<9} ours {ours_us:8.2f} µs/op   businesstimedelta {theirs_us:9.2f} µs/op"
        f"   ratio {ratio:7.1f}×   disagreements {len(wrong)}/{SAMPLES}"
    )
    for i in wrong[:5]:
        print(f"    {show(i)}")
    return ratio >= GOAL and not wrong


def main() -> int:
    rng = random.Random(SEED)
    starts = random_instants(rng)
    ends = [
        at + timedelta(seconds=rng.randrange(int(LONGEST_SPAN.total_seconds()))) for at in starts
    ]

    started = perf_counter()
    calendar = BusinessCalendar.portugal(municipality="Lisboa")
    calendar.between(starts[0], starts[0] + timedelta(days=DAYS + 30))  # builds the table
    calendar.add(starts[0], BUSINESS_HOURS)  # and the grid over it, built on the next question
    table_ms = (perf_counter() - started) * 1e3
    rules = their_rules(calendar)
    four_hours = BusinessTimeDelta(rules, hours=4)

    print(
        f"{SAMPLES} random instants, {DAYS} days from {FIRST_DAY}, seed {SEED}, best of {REPEATS}"
        f" (ours: of {REPEATS} runs of {OUR_PASSES} passes)"
    )
    print(f"our table (and grid) for Lisbon's hours and holidays built once in {table_ms:.1f} ms")

    ours_s, ours_add = best_time(
        lambda: [calendar.add(at, BUSINESS_HOURS) for at in starts], OUR_PASSES
    )
    theirs_s, theirs_add = best_time(lambda: [at + four_hours for at in starts])
    add_ok = report(
        "add 4 h",
        ours_s,
        theirs_s,
        disagreements(ours_add, theirs_add),
        lambda i: f"{starts[i]:%Y-%m-%d %H:%M:%S}Z → ours {ours_add[i]}, theirs {theirs_add[i]}",
    )

    pairs = list(zip(starts, ends, strict=True))
    ours_s, ours_between = best_time(lambda: [calendar.between(a, b) for a, b in pairs], OUR_PASSES)
    theirs_s, theirs_delta = best_time(lambda: [rules.difference(a, b) for a, b in pairs])
    theirs_between = [delta.timedelta for delta in theirs_delta]
    between_ok = report(
        "between",
        ours_s,
        theirs_s,
        disagreements(ours_between, theirs_between),
        lambda i: f"{starts[i]} → {ends[i]}: ours {ours_between[i]}, theirs {theirs_between[i]}",
    )

    if add_ok and between_ok:
        print(f"goal met: at least {GOAL:.0f}× faster on both, same answers")
        return 0
    print(f"goal NOT met: {GOAL:.0f}× faster on both with the same answers")
    return 1


if __name__ == "__main__":
    sys.exit(main())
