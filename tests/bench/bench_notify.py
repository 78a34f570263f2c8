"""Benchmark: how soon a desk hears another desk's change on PostgreSQL (LISTEN/NOTIFY).

Run as a script on a PostgreSQL server (a new schema is made there and dropped after):

    BALCAO_TEST_PG=postgresql://user@host:port/db .venv/bin/python tests/bench/bench_notify.py

One connection notes a change (a change-log row, committed) ``CHANGES`` times, a little apart;
a ``ChangeListener`` on its own connection hears each. Printed: the time from the start of the
noting transaction to the listener's wake (p50, p95, max, in ms), then the time the listener
takes to listen again after its server process is terminated (``pg_terminate_backend``). The
issue's goal: heard within 1 s. The desk then reads the rows (one ``since`` query) on its next
event-loop turn, at most ``ui.context.HEARD_GAP_MS`` later.
"""

from __future__ import annotations

import os
import statistics
import sys
import threading
import time
from datetime import UTC, datetime

from app.clock import ManualClock
from app.store.database import close_database, execute_sql, open_database, write_transaction
from app.store.faults import BalcaoPostgresDatabase
from app.store.listener import ChangeListener
from app.store.models import ChangeLog
from tests.store.fixtures import postgres_schema

CHANGES = 200
APART_S = 0.01
AT = datetime(2025, 3, 10, 10, tzinfo=UTC)


def main() -> int:
    url = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("BALCAO_TEST_PG", "")
    if not url:
        print("give a PostgreSQL URL (argument or BALCAO_TEST_PG)", file=sys.stderr)
        return 2
    with postgres_schema(url) as location:
        database = open_database(location, clock=ManualClock(AT))
        assert isinstance(database, BalcaoPostgresDatabase)
        heard = threading.Event()
        woken_at: list[float] = []

        def wake() -> None:
            woken_at.append(time.perf_counter())
            heard.set()

        listener = ChangeListener(database, wake)
        listener.start()
        try:
            if not listener.listening.wait(10):
                print("the listener did not connect", file=sys.stderr)
                return 1
            latencies = []
            for number in range(CHANGES):
                heard.clear()
                began = time.perf_counter()
                with write_transaction():
                    ChangeLog.insert(topic="contacts", record_id=number, at=AT).execute()
                if not heard.wait(5):
                    print(f"change {number} was not heard within 5 s", file=sys.stderr)
                    return 1
                latencies.append((woken_at[-1] - began) * 1000)
                time.sleep(APART_S)
            latencies.sort()
            p95 = latencies[int(len(latencies) * 0.95) - 1]
            print(
                f"heard after noting ({CHANGES} changes): p50 {statistics.median(latencies):.2f} ms"
                f", p95 {p95:.2f} ms, max {latencies[-1]:.2f} ms"
            )
            began = time.perf_counter()
            execute_sql("SELECT pg_terminate_backend(%s)", (listener.backend_pid,))
            while listener.connections < 2:
                if time.perf_counter() - began > 30:
                    print("the listener did not listen again within 30 s", file=sys.stderr)
                    return 1
                time.sleep(0.001)
            again = time.perf_counter() - began
            print(f"listening again after its connection was ended: {again:.3f} s")
        finally:
            listener.stop()
            close_database()
    return 0


if __name__ == "__main__":
    sys.exit(main())
