"""Crash safety: a desk killed with SIGKILL while its timer runs loses nothing (P12).

A real process starts a session on the database (a SQLite file, or PostgreSQL with
``BALCAO_TEST_PG``) and is killed with ``kill -9``; the program, opened again, finds the session
running from the instant it was started, because the interval was written at the start.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.services import sessions
from app.services.context import Desk
from app.store.database import close_database, open_database
from app.store.models import Customer, Technician
from tests.services.b_fixtures import company, customer, entry_count, lisbon, pack_total, sell_unit

__all__ = ["company", "customer"]

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
STARTED_AT = lisbon(2025, 3, 10, 10)


def killed_while_timing(location: str, technician: Technician, customer: Customer) -> int:
    """Starts a session in another process, kills that process with SIGKILL, and returns the
    session's id."""
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.services.b_worker",
            "start",
            location,
            str(technician.id),
            str(customer.id),
            STARTED_AT.isoformat(),
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert worker.stdout is not None
    line = worker.stdout.readline()  # printed once the start is committed
    if not line.startswith("started "):
        worker.kill()
        _out, errors = worker.communicate(timeout=30)
        pytest.fail(f"the worker did not start a session: {line!r} {errors}")
    os.kill(worker.pid, signal.SIGKILL)
    worker.communicate(timeout=30)
    assert worker.returncode == -signal.SIGKILL
    return int(line.split()[1])


def restart(location: str) -> None:
    close_database()
    open_database(location)


def test_a_running_session_survives_kill_9(
    db_location: str, desk: Desk, clock: ManualClock, technician: Technician, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 600)
    session_id = killed_while_timing(db_location, technician, customer)
    restart(db_location)
    clock.set(STARTED_AT + timedelta(hours=1, minutes=23, seconds=45))
    found = sessions.running_session(technician.id)
    assert found is not None
    assert (found.id, found.running, found.started_at) == (session_id, True, STARTED_AT)
    assert found.elapsed(clock.now()) == timedelta(hours=1, minutes=23, seconds=45)
    assert sessions.live_billing(found.id, clock.now()).total_billed == timedelta(minutes=90)
    stopped = sessions.stop_session(Desk(clock, technician.id), found.id, found.version)
    assert stopped.billing is not None
    assert stopped.billing.inside_billed_minutes == 90
    assert pack_total(unit) == 600 - 90


def test_a_session_found_running_past_the_review_limit_is_flagged_not_billed(
    db_location: str, desk: Desk, clock: ManualClock, technician: Technician, customer: Customer
) -> None:
    unit = sell_unit(desk, customer.id, 600)
    session_id = killed_while_timing(db_location, technician, customer)
    restart(db_location)
    before = entry_count()
    clock.set(STARTED_AT + timedelta(hours=11))  # the desk comes back the next morning
    found = sessions.running_session(technician.id)
    assert found is not None and found.id == session_id
    assert found.elapsed(clock.now()) == timedelta(hours=11)
    stopped = sessions.stop_session(Desk(clock, technician.id), found.id, found.version)
    assert stopped.flagged_for_review
    assert stopped.billing is None
    assert entry_count() == before
    assert pack_total(unit) == 600
    assert [s.id for s in sessions.sessions_to_review()] == [session_id]
