"""``app.credentials``: the PostgreSQL password goes to the keyring or stays in memory, never in
an address that is kept or shown (issue 9, part 6)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from app import credentials
from app.clock import ManualClock
from app.credentials import split_password, with_password, without_password
from app.store.errors import DatabaseOpenError
from tests.keyrings import MemoryKeyring, memory_keyring, no_keyring

__all__ = ["memory_keyring", "no_keyring"]

CLOCK = ManualClock(datetime(2025, 3, 3, tzinfo=UTC))
ADDRESS = "postgresql://ana@db.example.pt:5432/balcao"


@pytest.mark.parametrize(
    ("location", "address", "password"),
    [
        ("postgresql://ana:s3cret@db.example.pt:5432/balcao", ADDRESS, "s3cret"),
        ("postgres://ana:p%40ss%3Aw%2Fd@h/b", "postgres://ana@h/b", "p@ss:w/d"),
        (
            "postgresql://ana@h/b?password=s3cret&sslmode=require",
            "postgresql://ana@h/b?sslmode=require",
            "s3cret",
        ),
        ("postgresql://ana:pw@[::1/b", "postgresql://ana@[::1/b", "pw"),  # malformed: still split
        ("postgresql://ana@h:5x4/b", "postgresql://ana@h:5x4/b", None),
        ("postgresql://:pw@h/b", "postgresql://@h/b", "pw"),
        ("/home/ana/balcao.sqlite", "/home/ana/balcao.sqlite", None),
        ("sqlite:////tmp/a:b@c.db", "sqlite:////tmp/a:b@c.db", None),
    ],
)
def test_an_address_is_split_from_its_password(
    location: str, address: str, password: str | None
) -> None:
    assert split_password(location) == (address, password)
    assert without_password(location) == address


@pytest.mark.parametrize("password", ["s3cret", "p@ss:w/d %&?#", "palavra-passe çã"])
def test_a_password_is_put_back_as_the_driver_reads_it(password: str) -> None:
    from urllib.parse import unquote, urlparse

    merged = with_password(ADDRESS, password)
    assert split_password(merged) == (ADDRESS, password)
    assert unquote(urlparse(merged).password or "") == password  # playhouse unquotes it so
    assert with_password("/a/b.sqlite", password) == "/a/b.sqlite"


def test_with_a_keyring_the_password_is_kept_there(memory_keyring: MemoryKeyring) -> None:
    assert credentials.keyring_usable()
    assert credentials.save_password(with_password(ADDRESS, "old"), "s3cret") is True
    assert memory_keyring.passwords[(credentials.SERVICE, ADDRESS)] == "s3cret"
    credentials._memory.clear()  # a new process
    assert credentials.saved_password(ADDRESS) == "s3cret"
    assert credentials.complete(ADDRESS) == with_password(ADDRESS, "s3cret")
    credentials.forget_password(ADDRESS)
    assert (credentials.SERVICE, ADDRESS) not in memory_keyring.passwords
    assert credentials.saved_password(ADDRESS) is None
    credentials.forget_password(ADDRESS)  # forgetting twice is no error


def test_without_a_keyring_the_password_lives_in_memory_only(no_keyring: None) -> None:
    assert not credentials.keyring_usable()
    assert credentials.save_password(ADDRESS, "s3cret") is False
    assert credentials.saved_password(ADDRESS) == "s3cret"
    credentials._memory.clear()  # a new process: gone
    assert credentials.saved_password(ADDRESS) is None
    assert credentials.complete(ADDRESS) == ADDRESS


class FakeServer:
    """``open_database`` for a server that wants the password ``right``."""

    def __init__(self, right: str) -> None:
        self.right = right
        self.opened: list[str] = []

    def __call__(self, location: str, *, clock: Any) -> None:
        address, password = split_password(location)
        if password is None:
            raise DatabaseOpenError(
                f"Cannot open the database {address}: fe_sendauth: no password supplied"
            )
        if password != self.right:
            raise DatabaseOpenError(
                f"Cannot open the database {address}: password authentication failed for user"
            )
        self.opened.append(location)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> FakeServer:
    from app.store import database

    fake = FakeServer("s3cret")
    monkeypatch.setattr(database, "open_database", fake)
    return fake


def test_a_password_asked_for_goes_to_the_keyring(
    server: FakeServer, memory_keyring: MemoryKeyring
) -> None:
    asked: list[tuple[str, str]] = []
    answers = iter(["wrong", "s3cret"])

    def ask(address: str, reason: str) -> str | None:
        asked.append((address, reason))
        return next(answers)

    opened = credentials.open_with_password(ADDRESS, clock=CLOCK, ask=ask)
    assert opened == with_password(ADDRESS, "s3cret")
    assert [address for address, _reason in asked] == [ADDRESS, ADDRESS]
    assert "no password supplied" in asked[0][1] and "s3cret" not in " ".join(asked[1])
    assert memory_keyring.passwords == {(credentials.SERVICE, ADDRESS): "s3cret"}
    credentials._memory.clear()  # the next start: the keyring answers, nobody is asked

    def never(address: str, reason: str) -> str | None:
        raise AssertionError("asked again")

    assert credentials.open_with_password(ADDRESS, clock=CLOCK, ask=never) == opened


def test_without_a_keyring_the_password_is_asked_at_each_start(
    server: FakeServer, no_keyring: None
) -> None:
    opened = credentials.open_with_password(ADDRESS, clock=CLOCK, ask=lambda a, r: "s3cret")
    assert opened == with_password(ADDRESS, "s3cret")
    credentials._memory.clear()  # the next start
    with pytest.raises(DatabaseOpenError):
        credentials.open_with_password(ADDRESS, clock=CLOCK, ask=lambda a, r: None)


def test_a_password_typed_in_the_address_is_not_asked_nor_put_in_the_keyring(
    server: FakeServer, memory_keyring: MemoryKeyring
) -> None:
    typed = with_password(ADDRESS, "s3cret")
    assert credentials.open_with_password(typed, clock=CLOCK, ask=lambda a, r: None) == typed
    assert memory_keyring.passwords == {}


def test_other_failures_are_not_taken_for_a_password(
    monkeypatch: pytest.MonkeyPatch, memory_keyring: MemoryKeyring
) -> None:
    from app.store import database

    def down(location: str, *, clock: Any) -> None:
        raise DatabaseOpenError("Cannot open the database: connection refused")

    monkeypatch.setattr(database, "open_database", down)

    def never(address: str, reason: str) -> str | None:
        raise AssertionError("asked for a password")

    with pytest.raises(DatabaseOpenError, match="connection refused"):
        credentials.open_with_password(ADDRESS, clock=CLOCK, ask=never)


def test_a_sqlite_file_opens_as_it_is(tmp_path: Any, memory_keyring: MemoryKeyring) -> None:
    from app.store.database import close_database

    location = str(tmp_path / "a.sqlite")
    assert credentials.open_with_password(location, clock=CLOCK, ask=lambda a, r: None) == location
    close_database()
