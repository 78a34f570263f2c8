"""The customer search's SQL: literal text in emails, and PostgreSQL's trigram indexes (migration
15) serving each part of the search (issue 12: a keystroke read every name and email)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from peewee import Database

from app.clock import ManualClock
from app.domain.sla import Plan
from app.services.context import Desk
from app.services.customers import create_customer, search_customers
from app.store import migration_0015
from app.store.database import close_database, execute_sql, open_database
from tests.store import factories
from tests.store.fixtures import OPENED_AT, on_postgres
from tests.store.queries import sent_statements

on_postgresql_only = pytest.mark.skipif(not on_postgres(), reason="PostgreSQL's trigram indexes")


def names(text: str) -> list[str]:
    return [row.name for row in search_customers(text)]


def test_an_email_search_takes_wildcards_literally(desk: Desk) -> None:
    create_customer(desk, name="Ana Silva", plan=Plan.STANDARD, emails=["ana_silva@loja.pt"])
    create_customer(desk, name="Outra", plan=Plan.STANDARD, emails=["anaxsilva@loja.pt"])
    create_customer(desk, name="Cem", plan=Plan.STANDARD, emails=["cem@loja.pt"])
    assert names("ANA_S") == ["Ana Silva"]
    assert names("a%s") == []
    assert names("Loja.PT") == ["Ana Silva", "Cem", "Outra"]


def statements_of(database: Database, text: str) -> list[tuple[str, Any]]:
    """The statements ``search_customers(text)`` sends, with their parameters."""
    with sent_statements(database) as sent:
        search_customers(text)
    return sent


def plan_of(database: Database, sql: str, params: Any) -> str:
    # Sequential scans made dear: the plan shows whether an index *can* serve the query (on a
    # few test rows the planner would rightly read the table).
    execute_sql("SET enable_seqscan = off", database=database)
    try:
        rows = execute_sql(f"EXPLAIN {sql}", params, database=database).fetchall()
    finally:
        execute_sql("RESET enable_seqscan", database=database)
    return "\n".join(row[0] for row in rows)


@on_postgresql_only
def test_each_part_of_the_search_can_read_its_trigram_index(database: Database, desk: Desk) -> None:
    create_customer(
        desk,
        name="Oficina do João",
        nif="501964843",
        plan=Plan.STANDARD,
        emails=["joao@oficina.pt"],
        phones=["912 345 678"],
    )
    sql, params = statements_of(database, "joão")[0]
    plan = plan_of(database, sql, params)
    assert "customer_name_trgm" in plan and "customer_email_trgm" in plan, plan
    sql, params = statements_of(database, "5019")[0]
    plan = plan_of(database, sql, params)
    for index in ("customer_name_trgm", "customer_nif_trgm", "customer_phone_trgm"):
        assert index in plan, plan
    assert names("joÃO") == names("5019") == names("345 67") == ["Oficina do João"]


@pytest.fixture
def no_trigram_extension(monkeypatch: pytest.MonkeyPatch, db_location: str) -> Iterator[str]:
    """A server on which the extension cannot be installed (here: one it does not have)."""
    monkeypatch.setattr(migration_0015, "EXTENSION", "balcao_no_such_extension")
    yield db_location
    close_database()


@on_postgresql_only
def test_without_pg_trgm_the_database_opens_and_the_search_finds(
    no_trigram_extension: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger=migration_0015.__name__):
        database = open_database(no_trigram_extension, clock=ManualClock(OPENED_AT))
    assert "without trigram indexes" in caplog.text
    indexes = {i.name for table in database.get_tables() for i in database.get_indexes(table)}
    assert not {name for name, _table, _column in migration_0015.TRIGRAM_INDEXES} & indexes
    desk = Desk(ManualClock(OPENED_AT), factories.technician(name="Rita").id)
    create_customer(desk, name="Oficina do João", plan=Plan.STANDARD, emails=["joao@oficina.pt"])
    assert names("JOÃO") == names("joao@") == ["Oficina do João"]
