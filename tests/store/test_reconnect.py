"""A lost PostgreSQL connection: re-opened on the next use, or a clear error inside a use case.

The restart test stops and starts a real server (its own, from ``.ci/postgres``) between two use
cases; the others kill this desk's connection on the test server with pg_terminate_backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import closing
from urllib.parse import parse_qsl, urlencode, urlparse, urlunparse

import peewee
import psycopg2
import pytest

from app.clock import ManualClock
from app.services import customers
from app.services.context import Desk
from app.store.database import (
    close_database,
    execute_sql,
    is_read_only,
    open_database,
    write_transaction,
)
from app.store.errors import ConnectionLostError, DatabaseReadOnlyError, DatabaseUnavailableError
from app.store.models import Customer, Technician
from tests.store.fixtures import OPENED_AT, on_postgres, postgres_url
from tests.store.pg_cluster import Cluster, own_cluster

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not on_postgres(), reason="needs BALCAO_TEST_PG"),
]

CLOCK = ManualClock(OPENED_AT)


def _names() -> list[str]:
    return [c.name for c in Customer.select().order_by(Customer.id)]


def _kill_this_desks_connection() -> None:
    """Ends this desk's server process, as an administrator or a crash would."""
    pid = execute_sql("SELECT pg_backend_pid()").fetchone()[0]
    url = postgres_url()
    assert url is not None
    with closing(psycopg2.connect(url)) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", (pid,))
            assert cursor.fetchone() == (True,)


@pytest.fixture
def desk(database: peewee.Database) -> Desk:
    return Desk(CLOCK, Technician.create(name="Rui", created_at=OPENED_AT).id)


def test_a_killed_connection_is_reopened_on_the_next_use(desk: Desk) -> None:
    customers.create_customer(desk, name="Antes")
    _kill_this_desks_connection()
    assert _names() == ["Antes"]  # a read outside a transaction: asked again, on a new connection
    _kill_this_desks_connection()
    customers.create_customer(desk, name="Depois")  # BEGIN on the dead connection, then again
    assert _names() == ["Antes", "Depois"]


def test_a_connection_lost_inside_a_use_case_saves_nothing_and_says_so(desk: Desk) -> None:
    customers.create_customer(desk, name="Antes")
    lost_midway = "perdeu-se a meio: nada foi guardado"
    with pytest.raises(ConnectionLostError, match=lost_midway) as lost, write_transaction():
        Customer.create(name="Meio", created_at=OPENED_AT)
        _kill_this_desks_connection()
        Customer.create(name="Meio 2", created_at=OPENED_AT)
    assert "InterfaceError" not in str(lost.value)  # no failed ROLLBACK hides the cause
    assert _names() == ["Antes"]
    customers.create_customer(desk, name="Depois")
    assert _names() == ["Antes", "Depois"]


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with own_cluster() as started:
        yield started
    close_database()


def test_the_desk_comes_back_by_itself_after_a_server_restart(cluster: Cluster) -> None:
    open_database(cluster.url, clock=CLOCK)
    desk = Desk(CLOCK, Technician.create(name="Rui", created_at=OPENED_AT).id)
    customers.create_customer(desk, name="Antes")
    cluster.stop()
    cluster.start()
    customers.create_customer(desk, name="Depois do reinício")  # no new open_database
    assert _names() == ["Antes", "Depois do reinício"]

    cluster.stop()
    with pytest.raises(DatabaseUnavailableError, match="Não há ligação à base de dados") as down:
        customers.create_customer(desk, name="Durante")
    assert "Connection refused" in down.value.detail or "closed" in down.value.detail
    with pytest.raises(DatabaseUnavailableError):
        _names()
    cluster.start()
    customers.create_customer(desk, name="Depois")
    assert _names() == ["Antes", "Depois do reinício", "Depois"]


def test_a_connection_lost_at_commit_says_the_change_may_not_be_saved(desk: Desk) -> None:
    customers.create_customer(desk, name="Antes")
    with pytest.raises(ConnectionLostError, match="enquanto gravava"), write_transaction():
        Customer.create(name="Meio", created_at=OPENED_AT)
        _kill_this_desks_connection()
    assert _names() == ["Antes"]  # here the server had not committed it: it died first


def test_a_read_only_session_opens_read_only_and_refuses_every_save(
    database: peewee.Database, db_location: str
) -> None:
    # What a standby server or a user whose transactions are read-only looks like.
    customers.create_customer(
        Desk(CLOCK, Technician.create(name="Rui", created_at=OPENED_AT).id), name="Antes"
    )
    close_database()
    parsed = urlparse(db_location)
    query = [
        (key, f"{value} -cdefault_transaction_read_only=on" if key == "options" else value)
        for key, value in parse_qsl(parsed.query)
    ]
    open_database(urlunparse(parsed._replace(query=urlencode(query))), clock=CLOCK)
    assert is_read_only()
    desk = Desk(CLOCK, Technician.get().id)
    with pytest.raises(DatabaseReadOnlyError, match="só pode ser lida"):
        customers.create_customer(desk, name="Depois")
    assert _names() == ["Antes"]
