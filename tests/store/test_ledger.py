"""P16a: the pack ledger is append-only; a mistake is put right by a reversing entry."""

from __future__ import annotations

from datetime import date

import peewee
import pytest
from peewee import Database, fn

from app.domain.packs import PackKind
from app.domain.states import LedgerKind
from app.store.database import execute_sql, write_transaction
from app.store.errors import AppendOnlyError
from app.store.models import LedgerEntry, Pack
from tests.store import factories


def balance(pack: Pack) -> int:
    return int(
        LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.minutes), 0))
        .where(LedgerEntry.pack == pack)
        .scalar()
    )


@pytest.fixture
def bought(database: Database) -> Pack:
    """A 10-hour unit pack with its purchase entry."""
    pack = factories.pack(factories.customer(), minutes=600)
    factories.ledger_entry(pack)
    return pack


def test_p16a_the_balance_is_the_sum_of_the_entries(bought: Pack) -> None:
    session = factories.session(bought.customer, by=factories.technician())
    factories.ledger_entry(bought, kind=LedgerKind.CONSUMPTION, minutes=-45, session=session)
    factories.ledger_entry(
        bought, kind=LedgerKind.CONSUMPTION, minutes=-30, session=session, outside=True
    )
    assert balance(bought) == 600 - 75
    assert [e.minutes for e in bought.ledger.order_by(LedgerEntry.id)] == [600, -45, -30]


def test_p16a_an_entry_cannot_be_changed(bought: Pack) -> None:
    entry = LedgerEntry.get()
    entry.minutes = 6000
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.update(minutes=6000)
    assert balance(bought) == 600


def test_p16a_an_entry_cannot_be_deleted(bought: Pack) -> None:
    entry = LedgerEntry.get()
    with pytest.raises(AppendOnlyError):
        entry.delete_instance()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.delete()
    assert LedgerEntry.select().count() == 1


def test_p16a_the_database_refuses_changes_made_behind_the_models_back(bought: Pack) -> None:
    for statement in ("UPDATE ledger_entry SET minutes = 6000", "DELETE FROM ledger_entry"):
        with pytest.raises(peewee.DatabaseError, match="append-only"), write_transaction():
            execute_sql(statement)
    assert balance(bought) == 600


def test_p16a_a_mistake_is_reversed_by_a_new_entry(bought: Pack) -> None:
    wrong = factories.ledger_entry(bought, kind=LedgerKind.CONSUMPTION, minutes=-120)
    factories.ledger_entry(
        bought,
        kind=LedgerKind.CORRECTION,
        minutes=120,
        reverses=wrong,
        reason="Sessão registada no cliente errado",
    )
    assert balance(bought) == 600
    assert LedgerEntry.select().count() == 3


def test_p16a_a_reversal_gives_back_exactly_what_it_reverses(bought: Pack) -> None:
    wrong = factories.ledger_entry(bought, kind=LedgerKind.CONSUMPTION, minutes=-120)
    with pytest.raises(ValueError, match="estorn"):
        factories.ledger_entry(bought, kind=LedgerKind.CORRECTION, minutes=60, reverses=wrong)


def test_p16a_an_entry_is_reversed_once(bought: Pack) -> None:
    wrong = factories.ledger_entry(bought, kind=LedgerKind.CONSUMPTION, minutes=-120)
    factories.ledger_entry(bought, kind=LedgerKind.CORRECTION, minutes=120, reverses=wrong)
    with pytest.raises(peewee.IntegrityError), write_transaction():
        factories.ledger_entry(bought, kind=LedgerKind.CORRECTION, minutes=120, reverses=wrong)
    assert balance(bought) == 600


def test_an_entry_belongs_to_its_packs_customer(bought: Pack) -> None:
    someone_else = factories.customer()
    with pytest.raises(ValueError, match="cliente"):
        factories.ledger_entry(bought, customer=someone_else, minutes=-15)


def test_an_entry_moves_some_minutes(bought: Pack) -> None:
    with pytest.raises(peewee.IntegrityError), write_transaction():
        factories.ledger_entry(bought, kind=LedgerKind.CORRECTION, minutes=0)


def test_p15_monthly_draws_are_kept_per_month(database: Database) -> None:
    monthly = factories.pack(
        factories.customer(),
        kind=PackKind.MONTHLY,
        minutes=300,
        starts_on=date(2025, 1, 1),
        valid_until=None,
    )
    for month, used in ((date(2025, 1, 1), -200), (date(2025, 2, 1), -50)):
        factories.ledger_entry(monthly, kind=LedgerKind.CONSUMPTION, minutes=used, month=month)
    per_month = dict(
        LedgerEntry.select(LedgerEntry.month, fn.SUM(LedgerEntry.minutes))
        .where(LedgerEntry.pack == monthly)
        .group_by(LedgerEntry.month)
        .tuples()
    )
    assert per_month == {date(2025, 1, 1): -200, date(2025, 2, 1): -50}
