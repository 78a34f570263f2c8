"""Benchmark: every report of issue 14 on the large demo database, against 1 s each.

Run as a script (pytest does not collect tests/bench), on a COPY of a large demo database
(``balcao demo --size large --db X``: 10,000 customers, 200,000 contacts, 300,000 sessions):

    .venv/bin/python tests/bench/bench_reports.py /tmp/copy-of-large.sqlite [FROM TO]

FROM and TO are months (default: the last 12 months of the data, by the latest contact). Each
report runs ``RUNS`` times after one warm-up; the median and the worst wall time are printed,
with the rows each returned. Opening the database applies pending migrations to the copy.
"""

from __future__ import annotations

import statistics
import sys
from datetime import UTC, datetime
from time import perf_counter

from dateutil.relativedelta import relativedelta
from peewee import fn

from app.services.reports.period import Period, month_text
from app.services.reports.tables import REPORTS, report_table
from app.store.database import close_database, open_database
from app.store.models import Contact

RUNS = 3
GOAL_S = 1.0


def main(argv: list[str]) -> int:
    open_database(argv[0])
    try:
        latest = Contact.select(fn.MAX(Contact.received_at)).scalar()
        if isinstance(latest, str):
            latest = datetime.fromisoformat(latest).replace(tzinfo=UTC)
        now = latest or datetime.now(UTC)
        if len(argv) >= 3:
            period = Period.of(argv[1], argv[2])
        else:
            last = now.date().replace(day=1)
            period = Period.of(month_text(last - relativedelta(months=11)), month_text(last))
        print(f"period {month_text(period.first)} .. {month_text(period.last)}, now {now}")
        worst = 0.0
        for name in REPORTS:
            report_table(name, period, now)  # warm-up: caches, the calendar
            times = []
            for _ in range(RUNS):
                start = perf_counter()
                table = report_table(name, period, now)
                times.append(perf_counter() - start)
            worst = max(worst, *times)
            print(
                f"{name:15} rows {len(table.rows):7}  median {statistics.median(times) * 1000:7.0f}"
                f" ms  max {max(times) * 1000:7.0f} ms"
            )
        print(("OK" if worst < GOAL_S else "SLOWER THAN") + f" the goal of {GOAL_S:.0f} s")
        return 0 if worst < GOAL_S else 1
    finally:
        close_database()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
