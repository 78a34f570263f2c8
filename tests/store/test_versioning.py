"""Optimistic concurrency: a save based on an old read is refused, never silently applied."""

from __future__ import annotations

import threading

import pytest
from peewee import Database

from app import i18n
from app.domain.sla import Plan
from app.store.base import delete_versioned, save_versioned
from app.store.database import current_database, write_transaction
from app.store.errors import StaleRecordError
from app.store.models import CompanySettings, Customer
from tests.store import factories


def test_each_save_raises_the_version(database: Database) -> None:
    loja = factories.customer(name="Loja")
    assert loja.version == 1
    loja.city = "Lisboa"
    loja.save()
    assert loja.version == 2
    assert Customer.get_by_id(loja.id).version == 2
    assert Customer.get_by_id(loja.id).city == "Lisboa"


def test_the_second_of_two_desks_is_refused(database: Database) -> None:
    loja = factories.customer(name="Loja")
    desk_a = Customer.get_by_id(loja.id)
    desk_b = Customer.get_by_id(loja.id)
    desk_a.plan = Plan.PRIORITY
    desk_a.save()
    desk_b.notes = "Ligar depois das 14h"
    with pytest.raises(StaleRecordError):
        desk_b.save()
    stored = Customer.get_by_id(loja.id)
    assert (stored.plan, stored.notes, stored.version) == (Plan.PRIORITY, "", 2)


def test_save_versioned_checks_the_version_the_technician_saw(database: Database) -> None:
    loja = factories.customer(name="Loja")
    seen = loja.version  # shown in a form at version 1
    Customer.update(city="Porto", version=Customer.version + 1).where(
        Customer.id == loja.id
    ).execute()  # another desk saves meanwhile
    fresh = Customer.get_by_id(loja.id)  # the use case reloads the record…
    fresh.city = "Braga"
    with pytest.raises(StaleRecordError):
        save_versioned(fresh, seen)  # …but the technician's edit was based on version 1
    assert Customer.get_by_id(loja.id).city == "Porto"
    save_versioned(fresh, fresh.version)
    assert (Customer.get_by_id(loja.id).city, fresh.version) == ("Braga", 3)


def test_a_record_deleted_meanwhile_is_reported_as_deleted(database: Database) -> None:
    i18n.set_language("en")  # to tell the two messages apart (the fixture restores pt_PT)
    this_desk = CompanySettings.current()
    other_desk = CompanySettings.current()
    other_desk.name = "WebPlug"
    other_desk.save()
    this_desk.name = "Outra"
    with pytest.raises(StaleRecordError, match="changed"):
        this_desk.save()
    loja = factories.customer()
    stale = Customer.get_by_id(loja.id)
    loja.delete_instance()
    stale.name = "Loja Nova"
    with pytest.raises(StaleRecordError, match="deleted"):
        stale.save()


def test_a_versioned_delete_refuses_a_stale_read(database: Database) -> None:
    loja = factories.customer()
    stale = Customer.get_by_id(loja.id)
    loja.notes = "alterado"
    loja.save()
    with pytest.raises(StaleRecordError):
        stale.delete_instance()
    with pytest.raises(StaleRecordError):
        delete_versioned(loja, expected_version=1)
    delete_versioned(loja, expected_version=2)
    assert Customer.select().count() == 0


def test_save_with_only_some_fields_still_checks_the_version(database: Database) -> None:
    loja = factories.customer(name="Loja", city="Faro")
    stale = Customer.get_by_id(loja.id)
    loja.save()
    stale.notes = "só as notas"
    with pytest.raises(StaleRecordError):
        stale.save(only=[Customer.notes])
    fresh = Customer.get_by_id(loja.id)
    fresh.notes = "só as notas"
    fresh.city = "não gravada"
    fresh.save(only=[Customer.notes])
    stored = Customer.get_by_id(loja.id)
    assert (stored.notes, stored.city, stored.version) == ("só as notas", "Faro", 3)


def test_desks_saving_at_the_same_moment_one_wins_one_is_told(database: Database) -> None:
    loja = factories.customer(name="Loja")
    both_read = threading.Barrier(2)
    outcomes: list[str] = []

    def desk(notes: str) -> None:
        try:
            mine = Customer.get_by_id(loja.id)  # the form is filled…
            both_read.wait(timeout=30)
            mine.notes = notes  # …and both technicians press Save together
            with write_transaction():
                mine.save()
            outcomes.append("saved")
        except StaleRecordError:
            outcomes.append("stale")
        finally:
            current_database().close()

    desks = [threading.Thread(target=desk, args=(f"desk {n}",)) for n in (1, 2)]
    for thread in desks:
        thread.start()
    for thread in desks:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["saved", "stale"]
    assert Customer.get_by_id(loja.id).version == 2
