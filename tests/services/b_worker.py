"""A desk in a process of its own, for the crash and concurrency tests.

python -m tests.services.b_worker start DB TECHNICIAN CUSTOMER AT
    starts a session at the instant AT (ISO), prints ``started <id>`` and waits for stdin to
    close: the test kills it with SIGKILL while the timer runs.
python -m tests.services.b_worker race DB TECHNICIAN CUSTOMER AT COUNT
    prints ``ready``, waits for a line on stdin (the start signal), then COUNT times: times a
    10-minute session from AT + i × 10 min, stops it (drawing on the customer's packs), drafts
    the day's invoice and issues it; prints one JSON line of what it did.
"""

from __future__ import annotations

import json
import sys
from datetime import datetime, timedelta

from app.clock import ManualClock
from app.services import invoices, sessions
from app.services.context import Desk
from app.services.errors import RuleError
from app.store.database import close_database, open_database


def start(technician_id: int, customer_id: int, at: datetime) -> None:
    desk = Desk(ManualClock(at), technician_id)
    started = sessions.start_session(desk, customer_id=customer_id)
    print(f"started {started.id}", flush=True)
    sys.stdin.read()  # the timer "runs" until the test kills this process


def race(technician_id: int, customer_id: int, at: datetime, count: int) -> None:
    clock = ManualClock(at)
    desk = Desk(clock, technician_id)
    print("ready", flush=True)
    sys.stdin.readline()
    stopped, issued, refused = [], [], 0
    for i in range(count):
        clock.set(at + timedelta(minutes=10 * i))
        session = sessions.start_session(desk, customer_id=customer_id)
        clock.advance(timedelta(minutes=10))
        session = sessions.stop_session(desk, session.id, session.version)
        stopped.append(session.id)
        day = clock.now().date()
        draft = invoices.draft_invoice(
            desk, customer_id=customer_id, period_start=day, period_end=day
        )
        try:
            if not draft.lines:
                raise RuleError("nothing left to invoice")
            issued.append(invoices.issue_invoice(desk, draft.id, draft.version).number_text)
        except RuleError:
            # The other desk invoiced these items first: this draft is of no use any more.
            refused += 1
            invoices.delete_draft(desk, draft.id, draft.version)
    print(json.dumps({"stopped": stopped, "issued": issued, "refused": refused}), flush=True)


def main(argv: list[str]) -> None:
    command, location, technician, customer, at = argv[:5]
    open_database(location)
    try:
        if command == "start":
            start(int(technician), int(customer), datetime.fromisoformat(at))
        elif command == "race":
            race(int(technician), int(customer), datetime.fromisoformat(at), int(argv[5]))
        else:
            raise SystemExit(f"unknown command {command}")
    finally:
        close_database()


if __name__ == "__main__":
    main(sys.argv[1:])
