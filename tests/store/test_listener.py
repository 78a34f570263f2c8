"""PostgreSQL tells the other desks of a change as it is committed (migration 11's trigger, the
``ChangeListener``). Runs on PostgreSQL only (``BALCAO_TEST_PG``); SQLite desks poll."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from peewee import Database

from app.clock import ManualClock
from app.store.database import close_database, execute_sql, open_database, write_transaction
from app.store.faults import BalcaoPostgresDatabase
from app.store.listener import ChangeListener
from app.store.models import ChangeLog
from tests.store.fixtures import on_postgres
from tests.store.pg_cluster import Cluster, own_cluster

pytestmark = pytest.mark.skipif(not on_postgres(), reason="LISTEN/NOTIFY: PostgreSQL only")

#: The brief's promise: another desk hears a change within a second.
HEARD_WITHIN_S = 1.0
#: Long enough for a reconnection on a loaded machine (the first retry is after 0.2 s).
RECONNECTED_WITHIN_S = 20.0

AT = datetime(2025, 3, 10, 10, tzinfo=UTC)


class Wakes:
    """Counts the listener's calls; ``event`` is set by each."""

    def __init__(self) -> None:
        self.count = 0
        self.event = threading.Event()

    def __call__(self) -> None:
        self.count += 1
        self.event.set()


@pytest.fixture
def wakes() -> Wakes:
    return Wakes()


@pytest.fixture
def listener(database: Database, wakes: Wakes) -> Iterator[ChangeListener]:
    assert isinstance(database, BalcaoPostgresDatabase)
    started = ChangeListener(database, wakes)
    started.start()
    assert started.listening.wait(RECONNECTED_WITHIN_S)
    try:
        yield started
    finally:
        started.stop()


def note_change(record_id: int = 1) -> None:
    """What ``changes.note`` writes, committed by this test's own connection (another desk)."""
    with write_transaction():
        ChangeLog.insert(topic="contacts", record_id=record_id, at=AT).execute()


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    """Whether ``condition`` became true within ``seconds`` (what another thread does)."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_change_noted_by_one_connection_wakes_a_listener_on_another(
    listener: ChangeListener, wakes: Wakes
) -> None:
    assert wakes.count == 0
    note_change()
    assert wakes.event.wait(HEARD_WITHIN_S)


def test_a_change_not_committed_wakes_nobody_until_it_is(
    database: Database, listener: ChangeListener, wakes: Wakes
) -> None:
    with write_transaction():
        ChangeLog.insert(topic="contacts", record_id=1, at=AT).execute()
        # Still inside the transaction: nothing was said yet.
        assert not wakes.event.wait(0.3)
    assert wakes.event.wait(HEARD_WITHIN_S)


def test_several_rows_in_one_transaction_wake_once(listener: ChangeListener, wakes: Wakes) -> None:
    with write_transaction():
        for record_id in range(20):
            ChangeLog.insert(topic="contacts", record_id=record_id, at=AT).execute()
    assert wakes.event.wait(HEARD_WITHIN_S)
    note_change()  # a later change is heard too: the first wake was the only one before it
    assert wait_for(lambda: wakes.count >= 2, HEARD_WITHIN_S)
    assert wakes.count == 2


def test_a_change_in_another_schema_does_not_wake_this_one(
    database: Database, listener: ChangeListener, wakes: Wakes
) -> None:
    # Another Balcão database on the same server, in its own schema, on the same channel.
    execute_sql("SELECT pg_notify('balcao_changes', 'some_other_schema')")
    assert not wakes.event.wait(0.3)


def test_the_listener_survives_its_connection_being_terminated(
    database: Database, listener: ChangeListener, wakes: Wakes
) -> None:
    first = listener.backend_pid
    assert first is not None
    killed = execute_sql("SELECT pg_terminate_backend(%s)", (first,)).fetchone()[0]
    assert killed is True
    assert wait_for(lambda: listener.connections == 2, RECONNECTED_WITHIN_S)
    assert listener.backend_pid not in (None, first)
    # Listening again, it woke the desk once: changes made meanwhile were not heard.
    assert wakes.count == 1
    wakes.event.clear()
    note_change(2)
    assert wakes.event.wait(HEARD_WITHIN_S)
    assert wakes.count == 2


def test_stopping_the_listener_closes_its_connection(
    database: Database, listener: ChangeListener
) -> None:
    pid = listener.backend_pid
    listener.stop()
    assert not listener.listening.is_set()
    assert wait_for(
        lambda: (
            execute_sql("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[
                0
            ]
            == 0
        ),
        RECONNECTED_WITHIN_S,
    )


def test_a_wake_that_fails_does_not_stop_the_listening(database: Database) -> None:
    assert isinstance(database, BalcaoPostgresDatabase)
    heard: list[int] = []
    event = threading.Event()

    def wake() -> None:
        heard.append(1)
        if len(heard) == 1:
            raise RuntimeError("the window that was to hear it is gone")
        event.set()

    failing = ChangeListener(database, wake)
    failing.start()
    try:
        assert failing.listening.wait(RECONNECTED_WITHIN_S)
        note_change(1)
        assert wait_for(lambda: len(heard) == 1, HEARD_WITHIN_S)
        note_change(2)
        assert event.wait(HEARD_WITHIN_S)
        assert failing.connections == 1  # the same connection: nothing was lost
    finally:
        failing.stop()


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with own_cluster() as started:
        yield started
    close_database()


def test_the_listener_listens_again_after_its_server_restarts(cluster: Cluster) -> None:
    database = open_database(cluster.url, clock=ManualClock(AT))
    assert isinstance(database, BalcaoPostgresDatabase)
    wakes = Wakes()
    listener = ChangeListener(database, wakes)
    listener.start()
    try:
        assert listener.listening.wait(RECONNECTED_WITHIN_S)
        cluster.stop()
        assert wait_for(lambda: not listener.listening.is_set(), RECONNECTED_WITHIN_S)
        cluster.start()  # the listener has been asking meanwhile, less and less often
        assert wait_for(lambda: listener.connections == 2, RECONNECTED_WITHIN_S)
        wakes.event.clear()
        note_change()  # this desk's connection is re-opened on this use (app.store.faults)
        assert wakes.event.wait(HEARD_WITHIN_S)
    finally:
        listener.stop()
