"""Migration 12: a contact's technician, added to a database that already holds contacts."""

from __future__ import annotations

import peewee
import pytest
from peewee import SqliteDatabase

from app.clock import ManualClock
from app.store.database import close_database, execute_sql, open_database
from app.store.fields import instant_to_database
from app.store.migrations import latest_version, schema_version
from app.store.models import Contact
from tests.store import factories
from tests.store.fixtures import OPENED_AT
from tests.store.test_migrations import connect_at, run

CLOCK = ManualClock(OPENED_AT)


@pytest.fixture(autouse=True)
def _closed_after() -> object:
    yield None
    close_database()


def test_contacts_kept_get_no_technician_and_can_be_given_one(db_location: str) -> None:
    # A version-9 database with a contact in it, written as that version wrote it.
    old = connect_at(db_location, 9)
    at = instant_to_database(OPENED_AT, old)
    run(
        old,
        "INSERT INTO contact (version, channel, sender_raw, received_at, subject, notes,"
        " plan_at_receipt, registered, guaranteed, reason, urgent, compensation_hours, state,"
        " created_at) VALUES (1, 'sms', '+351912345678', ?, 'Ligue-me', '', 'none', ?, ?,"
        " 'channel_without_guarantee', ?, 0, 'open', ?)",
        (at, False, False, False, at),
    )
    old.close()
    opened = open_database(db_location, clock=CLOCK)
    assert schema_version(opened) == latest_version() >= 12
    kept = Contact.get()
    assert (kept.subject, kept.technician_id) == ("Ligue-me", None)
    ana = factories.technician(name="Ana")
    Contact.update(technician=ana.id).where(Contact.id == kept.id).execute()
    assert Contact.get_by_id(kept.id).technician_id == ana.id
    # The reference holds: no contact is given a technician that does not exist.
    with pytest.raises(peewee.IntegrityError):
        Contact.update(technician=ana.id + 1000).where(Contact.id == kept.id).execute()
    if isinstance(opened, SqliteDatabase):
        # The table's text was rewritten in place: the file reads as sound, from a new
        # connection too.
        close_database()
        reopened = open_database(db_location, clock=CLOCK)
        check = execute_sql("PRAGMA integrity_check", database=reopened).fetchone()[0]
        assert check == "ok"
        assert Contact.get_by_id(kept.id).technician_id == ana.id
