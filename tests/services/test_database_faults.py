"""The database's faults on real SQLite files end in a Portuguese message and lose nothing.

Each fault is made for real: a file mounted read-only, a second process holding the write lock,
a filesystem that is full, a file of garbage. Mounting needs root (CAP_SYS_ADMIN); where the
machine does not allow it, those tests are skipped and say why. Tests run as root, where chmod
does not stop writes, hence the read-only bind mount rather than chmod.
"""

from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from app.clock import ManualClock
from app.services import customers
from app.services.context import Desk, read_only
from app.services.housekeeping import run_sweeps
from app.store import database as store_database
from app.store.database import close_database, execute_sql, is_read_only, open_database
from app.store.errors import (
    DatabaseBusyError,
    DatabaseDamagedError,
    DatabaseOpenError,
    DatabaseReadOnlyError,
    DiskFullError,
)
from app.store.models import Customer, Technician
from tests.services.conftest import MONDAY_10H

CLOCK = ManualClock(MONDAY_10H)


def _mount(*arguments: str) -> None:
    done = subprocess.run(["mount", *arguments], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"this machine does not let the tests mount ({done.stderr.strip()})")


def _umount(target: Path) -> None:
    # A statement still referenced (by a traceback) keeps a closed SQLite connection's files
    # open until it is collected; a lazy unmount detaches whatever is left.
    gc.collect()
    done = subprocess.run(["umount", str(target)], capture_output=True, check=False)
    if done.returncode != 0:
        subprocess.run(["umount", "-l", str(target)], capture_output=True, check=False)


def _new_desk_database(path: Path, names: list[str]) -> Desk:
    """A database at ``path`` with a technician and one customer per name; left open."""
    open_database(str(path), clock=CLOCK)
    technician = Technician.create(name="Rui", is_admin=True, created_at=MONDAY_10H)
    desk = Desk(CLOCK, technician.id)
    for name in names:
        customers.create_customer(desk, name=name)
    return desk


def _customers() -> list[tuple[int, str, int]]:
    return [(c.id, c.name, c.version) for c in Customer.select().order_by(Customer.id)]


@pytest.fixture(autouse=True)
def _closed_after() -> Iterator[None]:
    yield
    close_database()


# --- a read-only file ---------------------------------------------------------------------------


@pytest.fixture
def read_only_file(tmp_path: Path) -> Iterator[tuple[Path, list[tuple[int, str, int]]]]:
    """A database file with two customers, bind-mounted read-only over itself: the file cannot
    be opened for writing (EROFS), while its folder stays writable (for the WAL's files)."""
    path = tmp_path / "balcao.sqlite"
    _new_desk_database(path, ["Loja Azul", "Café Central"])
    records = _customers()
    close_database()
    _mount("--bind", str(path), str(path))
    try:
        _mount("-o", "remount,ro,bind", str(path))
        yield path, records
    finally:
        close_database()
        _umount(path)


def test_a_read_only_file_opens_read_only_and_refuses_every_save(
    read_only_file: tuple[Path, list[tuple[int, str, int]]],
) -> None:
    path, records = read_only_file
    open_database(str(path), clock=CLOCK)
    assert is_read_only() and read_only()
    assert _customers() == records  # it can be read
    desk = Desk(CLOCK, Technician.get().id)
    with pytest.raises(DatabaseReadOnlyError, match="só pode ser lida") as refused:
        customers.create_customer(desk, name="Nova Loja")
    assert "readonly" not in str(refused.value)
    loja = Customer.get(Customer.name == "Loja Azul")
    with pytest.raises(DatabaseReadOnlyError):
        customers.update_customer(desk, loja.id, loja.version, city="Porto")
    assert run_sweeps(desk).topics == frozenset()  # the sweeps leave it to desks that can write
    assert _customers() == records


def test_a_read_only_file_refuses_at_sqlite_too_when_written_around_the_check(
    read_only_file: tuple[Path, list[tuple[int, str, int]]],
) -> None:
    # Should a write slip past the check at open, SQLite's own refusal says the same.
    path, records = read_only_file
    opened = open_database(str(path), clock=CLOCK)
    opened.read_only = False
    with pytest.raises(DatabaseReadOnlyError, match="só pode ser lida") as refused:
        customers.create_customer(Desk(CLOCK, Technician.get().id), name="Nova Loja")
    assert "attempt to write a readonly database" in refused.value.detail
    opened.read_only = True
    assert _customers() == records


def test_a_database_on_a_read_only_disk_is_refused_at_open_and_left_alone(tmp_path: Path) -> None:
    # SQLite needs to write its WAL index beside the file: on a read-only disk with no such
    # index left there, the file cannot be opened at all. Said at open, in Portuguese.
    folder = tmp_path / "disk"
    folder.mkdir()
    _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder))
    try:
        path = folder / "balcao.sqlite"
        _new_desk_database(path, ["Loja Azul"])
        close_database()
        before = path.read_bytes()
        _mount("-o", "remount,ro", str(folder))
        with pytest.raises(DatabaseOpenError) as refused:
            open_database(str(path), clock=CLOCK)
        assert "não é possível ler e escrever no ficheiro ou na sua pasta" in str(refused.value)
        assert "unable to open" in refused.value.detail
        assert path.read_bytes() == before
    finally:
        close_database()
        _umount(folder)


# --- another desk holding the write lock --------------------------------------------------------

_HOLD_THE_LOCK = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("UPDATE customer SET city = 'Faro'")
print("holding", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


def test_a_busy_database_waits_a_bounded_time_then_says_another_desk_is_writing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The wait is shortened for the test; the production value is BUSY_TIMEOUT_MS's comment's.
    monkeypatch.setattr(store_database, "BUSY_TIMEOUT_MS", 300)
    path = tmp_path / "balcao.sqlite"
    desk = _new_desk_database(path, ["Loja Azul"])
    records = _customers()
    other = subprocess.Popen(
        [sys.executable, "-c", _HOLD_THE_LOCK, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert other.stdout is not None and other.stdout.readline() == "holding\n"
        with pytest.raises(DatabaseBusyError, match="Outro posto está a gravar") as refused:
            customers.create_customer(desk, name="Nova Loja")
        assert "locked" in refused.value.detail
        assert _customers() == records  # readers are not blocked by the writer (WAL)
    finally:
        assert other.stdin is not None
        other.stdin.write("\n")
        other.stdin.close()
        other.wait(timeout=30)
        if other.stdout is not None:
            other.stdout.close()
    customers.create_customer(desk, name="Nova Loja")  # the lock is free: it goes through
    assert [name for _id, name, _v in _customers()] == ["Loja Azul", "Nova Loja"]


# --- a full disk --------------------------------------------------------------------------------


@pytest.fixture
def small_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs: room for the database, and little more."""
    folder = tmp_path / "small"
    folder.mkdir()
    _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(folder))
    try:
        yield folder
    finally:
        close_database()
        _umount(folder)


def _fill(folder: Path) -> Path:
    filler = folder / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError:
        pass  # ENOSPC: full
    finally:
        os.close(descriptor)
    return filler


def test_a_full_disk_says_so_and_keeps_every_saved_record(small_filesystem: Path) -> None:
    path = small_filesystem / "balcao.sqlite"
    desk = _new_desk_database(path, ["Loja Azul", "Café Central"])
    filler = _fill(small_filesystem)
    saved = _customers()
    failure: DiskFullError | None = None
    for number in range(2000):  # the WAL has a few free pages left; the next ones are not there
        try:
            customers.create_customer(desk, name=f"Cliente {number}", notes="n" * 2000)
        except DiskFullError as error:
            failure = error
            break
        saved = _customers()
    assert failure is not None, "the disk never filled"
    assert "disco onde está a base de dados está cheio" in str(failure)
    assert "rollback" not in failure.detail  # the real cause, not the failed rollback after it
    assert "full" in failure.detail
    assert _customers() == saved  # every customer saved before is there, unchanged
    filler.unlink()
    customers.create_customer(desk, name="Depois")
    close_database()
    with closing(sqlite3.connect(path)) as check:
        assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert check.execute("SELECT COUNT(*) FROM customer").fetchone()[0] == len(saved) + 1


# --- a damaged file -----------------------------------------------------------------------------


def test_a_file_of_garbage_is_said_to_be_damaged_at_open_and_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "balcao.sqlite"
    path.write_bytes(bytes(range(256)) * 64)
    before = path.read_bytes()
    with pytest.raises(DatabaseOpenError) as refused:
        open_database(str(path), clock=CLOCK)
    message = str(refused.value)
    assert "Não é possível abrir a base de dados" in message
    assert "danificado ou não é uma base de dados" in message
    assert "file is not a database" not in message
    assert "file is not a database" in refused.value.detail
    assert path.read_bytes() == before


def test_a_damaged_page_is_said_when_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "balcao.sqlite"
    _new_desk_database(path, [f"Cliente {n}" for n in range(40)])
    root = execute_sql("SELECT rootpage FROM sqlite_master WHERE name = 'customer'").fetchone()[0]
    page_size = execute_sql("PRAGMA page_size").fetchone()[0]
    close_database()  # checkpoints the WAL into the file
    with path.open("r+b") as file:
        file.seek((root - 1) * page_size)
        file.write(b"\xff" * page_size)
    open_database(str(path), clock=CLOCK)
    with pytest.raises(DatabaseDamagedError, match="danificado") as refused:
        list(Customer.select(Customer.name, Customer.notes))
    assert "malformed" in refused.value.detail
