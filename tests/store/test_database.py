"""Opening the database: where it is, how SQLite is set up, and the errors a user sees."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import peewee
import platformdirs
import pytest

from app.clock import ManualClock
from app.store import database as store_database
from app.store.database import (
    close_database,
    current_database,
    default_location,
    execute_sql,
    locking,
    open_database,
    write_transaction,
)
from app.store.errors import DatabaseBusyError, DatabaseOpenError
from app.store.migrations import latest_version, schema_version
from app.store.models import Customer, Technician
from tests.store import factories
from tests.store.fixtures import OPENED_AT, on_postgres

CLOCK = ManualClock(OPENED_AT)


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    """A SQLite location whatever the backend under test: SQLite's own settings are tested."""
    return tmp_path / "desk.sqlite"


@pytest.fixture(autouse=True)
def _closed_after() -> object:
    yield None
    close_database()


def test_sqlite_opens_in_wal_mode_with_foreign_keys(sqlite_file: Path) -> None:
    open_database(str(sqlite_file), clock=CLOCK)
    assert execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert execute_sql("PRAGMA busy_timeout").fetchone()[0] == store_database.BUSY_TIMEOUT_MS
    assert execute_sql("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    assert sqlite_file.exists()
    assert sqlite_file.with_name("desk.sqlite-wal").exists()


def test_sqlite_foreign_keys_are_enforced(sqlite_file: Path) -> None:
    open_database(str(sqlite_file), clock=CLOCK)
    with pytest.raises(peewee.IntegrityError):
        factories.session(factories.customer(), by=Technician(id=999))


def test_sqlite_url_opens_the_same_file(sqlite_file: Path) -> None:
    open_database(str(sqlite_file), clock=CLOCK)
    factories.technician(name="Ana")
    close_database()
    open_database(f"sqlite:///{sqlite_file}", clock=CLOCK)  # absolute: sqlite:////tmp/…
    assert [t.name for t in Technician.select()] == ["Ana"]


def test_default_location_is_in_the_platform_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[object, ...]] = []

    def user_data_path(*args: object, **kwargs: object) -> Path:
        calls.append((*args, *sorted(kwargs.items())))
        return tmp_path / "data" / "Balcao"

    monkeypatch.setattr(platformdirs, "user_data_path", user_data_path)
    assert default_location() == tmp_path / "data" / "Balcao" / "balcao.sqlite"
    assert calls == [("Balcao", ("appauthor", False), ("ensure_exists", True))]


@pytest.mark.skipif(sys.platform != "linux", reason="XDG folders are Linux's")
def test_default_location_is_made_on_first_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("BALCAO_DB", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    expected = tmp_path / "xdg" / "Balcao" / "balcao.sqlite"
    assert default_location() == expected
    assert expected.parent.is_dir()
    open_database(None, clock=CLOCK)
    assert Path(current_database().database) == expected
    assert expected.exists()


def test_balcao_db_variable_is_used_when_no_location_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chosen = tmp_path / "team.sqlite"
    monkeypatch.setenv("BALCAO_DB", str(chosen))
    monkeypatch.setattr(platformdirs, "user_data_path", pytest.fail)  # must not be asked
    open_database(None, clock=CLOCK)
    assert Path(current_database().database) == chosen


def test_a_given_location_wins_over_balcao_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BALCAO_DB", str(tmp_path / "ignored.sqlite"))
    open_database(str(tmp_path / "given.sqlite"), clock=CLOCK)
    assert Path(current_database().database) == tmp_path / "given.sqlite"
    assert not (tmp_path / "ignored.sqlite").exists()


def test_nothing_is_opened_at_import() -> None:
    code = (
        "import app.store.models, app.store.numbering, app.store.migrations\n"
        "from app.store.database import db\n"
        "print(db.obj)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "None"


def test_models_are_unbound_after_closing(database: peewee.Database) -> None:
    factories.technician()
    close_database()
    with pytest.raises(AttributeError, match="uninitialized"):
        Technician.select().count()


def test_opening_another_database_closes_the_first(tmp_path: Path) -> None:
    first = open_database(str(tmp_path / "one.sqlite"), clock=CLOCK)
    second = open_database(str(tmp_path / "two.sqlite"), clock=CLOCK)
    assert first.is_closed()
    assert current_database() is second


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    missing = tmp_path / "no such folder" / "balcao.sqlite"
    with pytest.raises(DatabaseOpenError, match="no such folder"):
        open_database(str(missing), clock=CLOCK)
    assert not missing.parent.exists()


def test_a_folder_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseOpenError, match=str(tmp_path)):
        open_database(str(tmp_path), clock=CLOCK)


def test_a_file_that_is_not_sqlite_is_refused_and_left_alone(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("Lista de compras: café, pão\n" * 100)
    before = notes.read_bytes()
    with pytest.raises(DatabaseOpenError, match=r"notes\.txt"):
        open_database(str(notes), clock=CLOCK)
    assert notes.read_bytes() == before
    with pytest.raises(RuntimeError, match="no database is open"):
        current_database()


def test_a_database_of_another_program_is_refused_and_left_alone(tmp_path: Path) -> None:
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE recipes (name TEXT)")
    with pytest.raises(DatabaseOpenError, match=r"other\.sqlite"):
        open_database(str(other), clock=CLOCK)
    with sqlite3.connect(other) as connection:
        tables = connection.execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("recipes",)]


def test_unknown_kind_of_address_is_refused() -> None:
    with pytest.raises(DatabaseOpenError, match="mysql://"):
        open_database("mysql://server/balcao", clock=CLOCK)


@pytest.mark.parametrize(
    ("address", "shown"),
    [
        ("postgresql://u:pw@host:5x4/db", "postgresql://u@host:5x4/db"),
        ("postgresql://u:pw@host:99999/db", "postgresql://u@host:99999/db"),
        ("postgresql://u:pw@[::1/db", "postgresql://u@[::1/db"),
        ("postgres://u:pw@host/", "postgres://u@host/"),
        ("sqlite://[::1/balcao.sqlite", "sqlite://[::1/balcao.sqlite"),
        ("postgresql://u@host:5x4/db?password=pw", "postgresql://u@host:5x4/db?password=***"),
        (
            "postgresql://u:pw@host:5x4/db?sslmode=require&PASSWORD=pw#x",
            "postgresql://u@host:5x4/db?sslmode=require&PASSWORD=***#x",
        ),
    ],
)
def test_a_malformed_address_is_refused_in_portuguese_without_its_password(
    address: str, shown: str
) -> None:
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(address, clock=CLOCK)
    message = str(refused.value)
    assert message.startswith(f"O endereço da base de dados {shown} não é válido")
    assert "pw" not in message and "ValueError" not in message
    assert store_database.describe_location(address) == shown


def test_unreachable_server_is_an_error_without_the_password() -> None:
    # Port 1 on this machine: nothing listens there, the connection is refused at once.
    with pytest.raises(DatabaseOpenError) as raised:
        open_database("postgresql://ana:segredo@127.0.0.1:1/balcao", clock=CLOCK)
    assert "127.0.0.1:1" in str(raised.value)
    assert "segredo" not in str(raised.value)
    assert "o servidor não responde" in str(raised.value)
    assert "Connection refused" not in str(raised.value)  # the driver's text: details only
    assert "Connection refused" in raised.value.detail


def test_newer_schema_is_refused(db_location: str) -> None:
    param = open_database(db_location, clock=CLOCK).param
    execute_sql(
        f"INSERT INTO schema_version (version, migrated_at) VALUES ({param}, {param})",
        (latest_version() + 1, "2030-01-01 00:00:00.000000+00:00"),
    )
    close_database()
    with pytest.raises(DatabaseOpenError, match=str(latest_version() + 1)):
        open_database(db_location, clock=CLOCK)


def test_open_database_brings_the_schema_to_the_latest_version(database: peewee.Database) -> None:
    assert schema_version(database) == latest_version()


def test_write_transaction_takes_the_sqlite_write_lock_at_once(sqlite_file: Path) -> None:
    # BEGIN IMMEDIATE: another desk cannot start writing even before this one has written.
    open_database(str(sqlite_file), clock=CLOCK)
    inside = threading.Event()
    release = threading.Event()

    def hold_the_lock() -> None:
        with write_transaction():
            inside.set()
            release.wait(timeout=30)
        current_database().close()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert inside.wait(timeout=30)
        other_desk = sqlite3.connect(sqlite_file, timeout=0)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other_desk.execute("BEGIN IMMEDIATE")
        other_desk.close()
    finally:
        release.set()
        holder.join(timeout=30)


def test_write_transaction_commits_or_rolls_back(database: peewee.Database) -> None:
    with write_transaction():
        factories.technician(name="Ana")
    with pytest.raises(RuntimeError), write_transaction():
        factories.technician(name="Bruno")
        raise RuntimeError("the use case failed")
    assert [t.name for t in Technician.select()] == ["Ana"]


def test_nested_write_transaction_is_a_savepoint(database: peewee.Database) -> None:
    with write_transaction():
        factories.technician(name="Ana")
        with pytest.raises(RuntimeError), write_transaction():
            factories.technician(name="Bruno")
            raise RuntimeError("the inner step failed")
    assert [t.name for t in Technician.select()] == ["Ana"]


def test_locking_reads_the_rows_to_change_on_either_backend(database: peewee.Database) -> None:
    loja = factories.customer(name="Loja")
    with write_transaction():
        [locked] = locking(Customer.select().where(Customer.id == loja.id))
        locked.notes = "lida e alterada na mesma transação"
        locked.save()
    assert Customer.get_by_id(loja.id).version == 2


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="needs BALCAO_TEST_PG")
def test_locking_holds_the_rows_until_the_transaction_ends(database: peewee.Database) -> None:
    loja = factories.customer(name="Loja")
    holding = threading.Event()
    release = threading.Event()

    def first_desk() -> None:
        with write_transaction():
            locking(Customer.select().where(Customer.id == loja.id)).get()
            holding.set()
            release.wait(timeout=30)
        current_database().close()

    desk = threading.Thread(target=first_desk)
    desk.start()
    try:
        assert holding.wait(timeout=30)
        # lock_not_available (55P03): another desk holds the row, said in the user's words.
        with pytest.raises(DatabaseBusyError, match="Outro posto"), write_transaction():
            Customer.select().where(Customer.id == loja.id).for_update(nowait=True).get()
    finally:
        release.set()
        desk.join(timeout=30)
    with write_transaction():
        assert locking(Customer.select().where(Customer.id == loja.id)).get().name == "Loja"


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="needs BALCAO_TEST_PG")
def test_a_row_held_by_another_desk_is_waited_for_a_bounded_time(
    database: peewee.Database,
) -> None:
    # lock_timeout, set on each connection: the wait is shortened here (BUSY_TIMEOUT_MS: 5 s).
    database.lock_timeout_ms = 200
    loja = factories.customer(name="Loja")
    holding = threading.Event()
    release = threading.Event()

    def first_desk() -> None:
        with write_transaction():
            locking(Customer.select().where(Customer.id == loja.id)).get()
            holding.set()
            release.wait(timeout=30)
        current_database().close()

    desk = threading.Thread(target=first_desk)
    desk.start()
    try:
        assert holding.wait(timeout=30)
        with pytest.raises(DatabaseBusyError, match="Outro posto") as busy, write_transaction():
            locking(Customer.select().where(Customer.id == loja.id)).get()
        assert "lock timeout" in busy.value.detail
    finally:
        release.set()
        desk.join(timeout=30)
    with write_transaction():
        assert locking(Customer.select().where(Customer.id == loja.id)).get().name == "Loja"


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="needs BALCAO_TEST_PG")
def test_each_connection_runs_without_jit_compiling(database: peewee.Database) -> None:
    """Compiling took longer than running the desk's index lookups (issue 12): off on every
    connection, the one re-opened after a loss included."""
    assert execute_sql("SHOW jit").fetchone()[0] == "off"
    database.close()
    database.connect()
    assert execute_sql("SHOW jit").fetchone()[0] == "off"


#: Another desk: a process of its own that opens the file, writes a technician and closes.
OTHER_DESK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1])
connection.execute("PRAGMA journal_mode = wal")
connection.execute(
    "INSERT INTO technician (version, name, active, is_admin, created_at)"
    " VALUES (1, 'Ana', 1, 0, '2025-03-10 09:30:00')"
)
connection.commit()
connection.close()
"""


@pytest.mark.skipif(on_postgres(), reason="SQLite files")
def test_another_desk_closing_leaves_this_desks_wal_in_place(tmp_path: Path) -> None:
    """A desk that closes the file believes itself the last one, and deletes the -wal and -shm
    files, unless this desk's locks say otherwise: opening the file to see if it is writable
    once dropped them (this desk then read "disk I/O error", and wrote to a deleted file)."""
    path = tmp_path / "balcao.sqlite"
    open_database(str(path), clock=CLOCK)
    factories.technician(name="Rui")
    close_database()
    open_database(str(path), clock=CLOCK)  # an existing file, as a desk opens it each morning
    subprocess.run([sys.executable, "-c", OTHER_DESK, str(path)], check=True)
    assert (tmp_path / "balcao.sqlite-wal").exists()
    assert (tmp_path / "balcao.sqlite-shm").exists()

    def names() -> list[str]:
        return sorted(row[0] for row in execute_sql("SELECT name FROM technician"))

    from_a_thread: list[list[str]] = []
    reader = threading.Thread(target=lambda: from_a_thread.append(names()))
    reader.start()
    reader.join()
    factories.technician(name="Zé")
    assert from_a_thread == [["Ana", "Rui"]]
    assert names() == ["Ana", "Rui", "Zé"]
