"""``app.services.database``: what the window asks about the database (opening it, testing
another one, describing the one in use, keeping an address), without touching the store."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from peewee import Database

from app import credentials
from app.clock import ManualClock
from app.services import database as databases
from app.services import settings as company
from app.store.database import close_database, current_database
from tests.keyrings import MemoryKeyring, memory_keyring, no_keyring
from tests.store.fixtures import on_postgres, postgres_url

__all__ = ["memory_keyring", "no_keyring"]

CLOCK = ManualClock(datetime(2025, 3, 3, tzinfo=UTC))


# --- probing a location ---------------------------------------------------------------------------


def test_probing_a_good_sqlite_file_connects_without_replacing_the_open_database(
    database: Database, tmp_path: Path
) -> None:
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).close()
    probe = databases.probe_location(str(other))
    assert probe.ok, probe.message
    assert current_database() is database
    company.settings()  # the open database still answers


def test_probing_a_new_sqlite_file_does_not_create_it(tmp_path: Path) -> None:
    new = tmp_path / "new.sqlite"
    probe = databases.probe_location(str(new))
    assert probe.ok, probe.message
    assert not new.exists()


@pytest.mark.parametrize(
    "location",
    [
        "postgresql://balcao:secret-word@127.0.0.1:1/balcao",
        "mysql://balcao@localhost/balcao",
        "/no/such/folder/balcao.sqlite",
        "",
        ":memory:",
    ],
    ids=["unreachable-server", "unknown-kind", "missing-folder", "empty", "memory"],
)
def test_probing_a_bad_location_says_why(location: str) -> None:
    probe = databases.probe_location(location)
    assert not probe.ok
    assert probe.message
    assert "secret-word" not in probe.message


def test_probing_a_file_that_is_not_a_database_fails(tmp_path: Path) -> None:
    text = tmp_path / "notes.sqlite"
    text.write_text("not a database\n" * 200, encoding="utf-8")
    probe = databases.probe_location(str(text))
    assert not probe.ok, probe.message


@pytest.mark.postgres
@pytest.mark.skipif(not on_postgres(), reason="BALCAO_TEST_PG is not set")
def test_probing_the_team_postgresql_server_connects() -> None:
    url = postgres_url()
    assert url is not None
    assert databases.probe_location(url).ok


# --- opening and describing -----------------------------------------------------------------------


def test_opening_a_location_opens_and_migrates_it(tmp_path: Path) -> None:
    file = tmp_path / "opened.sqlite"
    try:
        assert databases.open_location(str(file), clock=CLOCK, ask=lambda a, r: None) == str(file)
        assert file.exists()
        company.settings()  # the schema is there: the settings row answers
        assert databases.describe_open_database() == str(file)
    finally:
        close_database()


def test_opening_without_a_location_takes_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    file = tmp_path / "from-env.sqlite"
    monkeypatch.setenv(databases.LOCATION_VARIABLE, str(file))
    try:
        assert databases.open_location(None, clock=CLOCK, ask=lambda a, r: None) == str(file)
    finally:
        close_database()


def test_the_open_database_is_described_without_a_password(database: Database) -> None:
    described = databases.describe_open_database()
    if on_postgres():
        assert described.startswith("postgresql://")
        assert ":" not in described.removeprefix("postgresql://").partition("@")[0]
    else:
        assert described == str(database.database)


def test_a_described_address_hides_its_password() -> None:
    shown = databases.describe_location("postgresql://ana:s3cret@db.example.pt/balcao")
    assert shown == "postgresql://ana@db.example.pt/balcao"


# --- keeping an address ---------------------------------------------------------------------------


def test_an_address_is_kept_without_its_password_which_goes_to_the_keyring(
    memory_keyring: MemoryKeyring,
) -> None:
    kept = databases.keep_address(" postgresql://ana:s3cret@db.example.pt/balcao ")
    assert kept == databases.KeptAddress("postgresql://ana@db.example.pt/balcao", True)
    assert memory_keyring.passwords[(credentials.SERVICE, kept.address)] == "s3cret"


@pytest.mark.usefixtures("no_keyring")
def test_without_a_keyring_the_password_stays_in_memory() -> None:
    kept = databases.keep_address("postgresql://ana:s3cret@db.example.pt/balcao")
    assert kept.in_keyring is False
    assert credentials.saved_password(kept.address) == "s3cret"


def test_a_file_is_kept_as_it_is() -> None:
    assert databases.keep_address("/home/ana/balcao.sqlite") == databases.KeptAddress(
        "/home/ana/balcao.sqlite", None
    )
