"""Schema versions: a new database, an old one brought up to date, and the copy made first."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any

import peewee
import pytest
from peewee import Database, SqliteDatabase
from playhouse.schema_diff import diff_models

from app.clock import ManualClock
from app.domain.calendar import DEFAULT_WEEKLY
from app.domain.states import SessionState
from app.store import migration_0015, migrations
from app.store.database import (
    close_database,
    connect_database,
    execute_sql,
    open_database,
    write_transaction,
)
from app.store.errors import DatabaseOpenError
from app.store.fields import instant_to_database
from app.store.migrations import latest_version, migrate, schema_version
from app.store.models import ALL_MODELS, CompanySettings, Session, Technician
from tests.store import factories
from tests.store.fixtures import OPENED_AT, fresh_location, on_postgres

CLOCK = ManualClock(OPENED_AT)
LATER = datetime(2025, 11, 3, 8, 15, 42, tzinfo=UTC)


def connect_at(location: str, version: int) -> Database:
    """A database at an older schema, the way that version of Balcão left it."""
    database = connect_database(location)
    database.connect()
    migrate(database, clock=CLOCK, target=version)
    return database


def run(database: Database, sql: str, params: tuple[Any, ...] = ()) -> Any:
    """Plain SQL with ``?`` placeholders on either backend (an old schema has no models)."""
    return execute_sql(sql.replace("?", database.param), params, database=database)


def add_v1_technician(database: Database, name: str) -> int:
    run(
        database,
        "INSERT INTO technician (version, name, active, is_admin, created_at)"
        " VALUES (1, ?, ?, ?, ?)",
        (name, True, False, instant_to_database(OPENED_AT, database)),
    )
    return int(run(database, "SELECT id FROM technician WHERE name = ?", (name,)).fetchone()[0])


def add_v1_customer(database: Database, name: str) -> int:
    run(
        database,
        "INSERT INTO customer (version, name, address, postcode, city, country, plan, anydesk,"
        " notes, archived, created_at) VALUES (1, ?, '', '', '', 'PT', 'standard', '', '', ?, ?)",
        (name, False, instant_to_database(OPENED_AT, database)),
    )
    return int(run(database, "SELECT id FROM customer WHERE name = ?", (name,)).fetchone()[0])


def add_v1_running_session(database: Database, customer_id: int, technician_id: int) -> None:
    run(
        database,
        "INSERT INTO session (version, customer_id, technician_id, state, started_at, note,"
        " flagged_for_review) VALUES (1, ?, ?, 'running', ?, '', ?)",
        (customer_id, technician_id, instant_to_database(OPENED_AT, database), False),
    )


def versions_recorded(database: Database) -> list[tuple[int, datetime]]:
    rows = run(database, "SELECT version, migrated_at FROM schema_version ORDER BY version")
    read = Technician.created_at.python_value  # a UTCDateTimeField reads either backend's form
    return [(version, read(at)) for version, at in rows.fetchall()]


def is_trigram(index: str) -> bool:
    """PostgreSQL only, and only where pg_trgm could be installed (migration 15)."""
    return index in {name for name, _table, _column in migration_0015.TRIGRAM_INDEXES}


def schema_of(database: Database) -> dict[str, Any]:
    """The schema as the backend itself describes it: table and index definitions on SQLite;
    columns, indexes and constraints on PostgreSQL."""
    if isinstance(database, SqliteDatabase):
        rows = run(
            database,
            "SELECT name, sql FROM sqlite_master WHERE type IN ('table', 'index')"
            " AND sql IS NOT NULL AND name <> 'schema_version'",
        ).fetchall()
        return dict(rows)
    schema = run(database, "SELECT current_schema()").fetchone()[0]
    described: dict[str, Any] = {}
    for table in database.get_tables():
        if table == "schema_version":
            continue
        constraints = run(
            database,
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = CAST(? AS regclass)",
            (table,),
        ).fetchall()
        described[table] = (
            sorted((c.name, c.data_type, c.null) for c in database.get_columns(table)),
            sorted(
                (i.name, i.sql.replace(f"{schema}.", ""), i.unique)
                for i in database.get_indexes(table)
                if not is_trigram(i.name)
            ),
            sorted(constraints),
        )
    return described


@pytest.fixture(autouse=True)
def _closed_after() -> object:
    yield None
    close_database()


def test_a_new_database_gets_every_migration_in_order(db_location: str) -> None:
    opened = open_database(db_location, clock=CLOCK)
    assert schema_version(opened) == latest_version() == len(migrations.MIGRATIONS)
    assert versions_recorded(opened) == [
        (version, OPENED_AT) for version in range(1, latest_version() + 1)
    ]


def test_a_new_database_has_the_default_settings(database: Database) -> None:
    settings = CompanySettings.current()
    assert settings.vat_rate == Decimal("0.23")
    assert (settings.inside_block_minutes, settings.outside_block_minutes) == (15, 30)
    assert settings.weekly_hours == DEFAULT_WEEKLY
    assert settings.weekly_hours[0] == [(time(9), time(13)), (time(14), time(18))]
    assert settings.time_zone == "Europe/Lisbon"
    assert (settings.invoice_series, settings.credit_note_series) == ("FT", "NC")
    assert settings.session_review_hours == 10
    assert settings.closed_optional_days == []
    assert settings.rate_outside is None
    assert settings.version == 1


def test_the_migrations_build_exactly_the_schema_of_the_models(
    db_location: str, tmp_path: Path
) -> None:
    migrated = open_database(db_location, clock=CLOCK)
    with fresh_location(tmp_path, "declared.sqlite") as other:
        declared = connect_database(other)
        with declared.bind_ctx(ALL_MODELS):
            declared.create_tables(ALL_MODELS)
        expected = schema_of(declared)
        declared.close()
    assert schema_of(migrated) == expected
    found = diff_models(migrated, list(ALL_MODELS))
    # The optional trigram indexes of migration 15 are not in the models.
    found = found._replace(drop_indexes=[i for i in found.drop_indexes if not is_trigram(i.name)])
    assert not found, str(found)


def test_an_old_database_opens_and_is_brought_up_to_date(db_location: str) -> None:
    old = connect_at(db_location, 1)
    ana = add_v1_technician(old, "Ana")
    loja = add_v1_customer(old, "Loja do Bairro")
    add_v1_running_session(old, loja, ana)
    old.close()

    opened = open_database(db_location, clock=ManualClock(LATER))

    assert schema_version(opened) == latest_version()
    assert versions_recorded(opened)[:2] == [(1, OPENED_AT), (2, LATER)]
    session = Session.get()
    assert (session.technician.name, session.customer.name) == ("Ana", "Loja do Bairro")
    assert session.state is SessionState.RUNNING
    # Migration 2's guard now holds: Ana cannot run a second timer.
    with pytest.raises(peewee.IntegrityError):
        factories.session(session.customer, by=session.technician)


@pytest.mark.skipif(on_postgres(), reason="the copy before migrating is made of SQLite files")
def test_a_copy_of_the_old_file_is_made_before_migrating(tmp_path: Path) -> None:
    location = tmp_path / "balcao.sqlite"
    old = connect_at(str(location), 1)
    add_v1_technician(old, "Ana")
    old.close()

    open_database(str(location), clock=ManualClock(LATER))

    copy = tmp_path / "balcao.sqlite.bak-v1-20251103T081542Z"
    assert sorted(p.name for p in tmp_path.glob("*.bak-*")) == [copy.name]
    with sqlite3.connect(copy) as connection:
        assert connection.execute("SELECT MAX(version) FROM schema_version").fetchone() == (1,)
        assert connection.execute("SELECT name FROM technician").fetchall() == [("Ana",)]


@pytest.mark.skipif(on_postgres(), reason="the copy before migrating is made of SQLite files")
def test_no_copy_is_made_of_a_new_or_current_database(tmp_path: Path) -> None:
    location = str(tmp_path / "balcao.sqlite")
    open_database(location, clock=CLOCK)
    close_database()
    open_database(location, clock=CLOCK)
    assert list(tmp_path.glob("*.bak-*")) == []


def test_a_failed_migration_changes_nothing_and_says_where_the_copy_is(
    db_location: str, tmp_path: Path
) -> None:
    old = connect_at(db_location, 1)
    ana = add_v1_technician(old, "Ana")
    loja = add_v1_customer(old, "Loja do Bairro")
    # Allowed by schema 1, refused by migration 2's guard: Ana's two running timers.
    add_v1_running_session(old, loja, ana)
    add_v1_running_session(old, loja, ana)
    old.close()

    with pytest.raises(DatabaseOpenError) as raised:
        open_database(db_location, clock=ManualClock(LATER))

    assert "2" in str(raised.value)
    if not on_postgres():
        assert str(tmp_path / "balcao.sqlite.bak-v1-20251103T081542Z") in str(raised.value)
    still_old = connect_database(db_location)
    assert schema_version(still_old) == 1
    assert run(still_old, "SELECT COUNT(*) FROM session").fetchone()[0] == 2
    # Once the data is put right, the next start completes the update.
    run(still_old, "UPDATE session SET state = 'paused' WHERE id = (SELECT MIN(id) FROM session)")
    still_old.close()
    opened = open_database(db_location, clock=ManualClock(LATER))
    assert schema_version(opened) == latest_version()


def test_a_later_migration_runs_once_on_the_next_open(
    db_location: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_database(db_location, clock=CLOCK)
    factories.customer(name="Loja do Bairro")
    close_database()
    runs: list[int] = []

    def add_website(database: Database) -> None:
        runs.append(schema_version(database))
        execute_sql("ALTER TABLE customer ADD COLUMN website VARCHAR(255)", database=database)

    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, add_website))
    newest = len(migrations.MIGRATIONS)

    opened = open_database(db_location, clock=ManualClock(LATER))
    assert schema_version(opened) == newest
    assert "website" in [column.name for column in opened.get_columns("customer")]
    assert run(opened, "SELECT name FROM customer").fetchall() == [("Loja do Bairro",)]
    close_database()
    open_database(db_location, clock=ManualClock(LATER))
    assert runs == [newest - 1]


def test_desks_opening_a_new_database_together_migrate_it_once(db_location: str) -> None:
    errors: list[BaseException] = []
    start = threading.Barrier(3)

    def open_like_a_desk() -> None:
        database = connect_database(db_location)
        try:
            start.wait(timeout=30)
            migrate(database, clock=CLOCK)
        except BaseException as error:  # reported to the test below
            errors.append(error)
        finally:
            database.close()

    desks = [threading.Thread(target=open_like_a_desk) for _ in range(3)]
    for desk in desks:
        desk.start()
    for desk in desks:
        desk.join(timeout=60)
    assert errors == []
    opened = open_database(db_location, clock=CLOCK)
    assert [version for version, _ in versions_recorded(opened)] == list(
        range(1, latest_version() + 1)
    )
    assert CompanySettings.select().count() == 1
    assert Technician.select().count() == 0


def test_p20_migration_6_freezes_the_documents_already_issued(db_location: str) -> None:
    """An invoice issued under schema 5 (when only the services froze it) is frozen by the
    database once migrated; a draft stays editable."""
    old = connect_at(db_location, 5)
    customer_id = add_v1_customer(old, "Loja Antiga")
    at = instant_to_database(OPENED_AT, old)
    for state, number in (("issued", 1), ("draft", None)):
        run(
            old,
            "INSERT INTO invoice (version, kind, state, series, year, number, customer_id,"
            " correction_reason, customer_name, customer_address, customer_postcode,"
            " customer_city, customer_country, supplier_name, supplier_address,"
            " supplier_postcode, supplier_city, supplier_iban, legal_mention, net, vat, gross,"
            " created_at) VALUES (1, 'invoice', ?, 'FT', ?, ?, ?, '', 'Loja Antiga', '', '',"
            " '', 'PT', '', '', '', '', '', '', 1000, 230, 1230, ?)",
            (state, 2025 if number else None, number, customer_id, at),
        )
    run(old, "INSERT INTO invoice_counter (series, year, last_number) VALUES ('FT', 2025, 1)")
    migrate(old, clock=CLOCK)
    for statement in (
        "UPDATE invoice SET net = 0 WHERE state = 'issued'",
        "DELETE FROM invoice WHERE state = 'issued'",
        "UPDATE invoice_counter SET last_number = 0",
    ):
        with pytest.raises(peewee.IntegrityError, match="frozen"), write_transaction(old):
            run(old, statement)
    run(old, "UPDATE invoice SET net = 0 WHERE state = 'draft'")
    assert run(old, "SELECT state, net FROM invoice ORDER BY id").fetchall() == [
        ("issued", 1000),
        ("draft", 0),
    ]
    old.close()
