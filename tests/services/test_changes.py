"""The change log: each change says its topic and, where one record changed, which."""

from __future__ import annotations

from app.domain.sla import Channel, Plan
from app.services import changes
from app.services.changes import MANY_RECORDS, Changes, Topic
from app.services.contacts import record_first_response, register_contact
from app.services.context import Desk
from app.services.customers import create_customer, update_customer


def test_a_use_case_says_which_record_changed_and_other_desks_learn_the_same(
    desk: Desk,
) -> None:
    seen = changes.latest()
    customer = create_customer(desk, name="Loja da Ana", plan=Plan.STANDARD, emails=["a@loja.pt"])
    registered = register_contact(
        desk, channel=Channel.EMAIL, sender="a@loja.pt", subject="Impressora"
    )
    contact_id = registered.contact.id
    assert registered.changes.ids(Topic.CONTACTS) == {contact_id}
    assert registered.changes.topics == {Topic.CONTACTS}

    newest, seen_by_others = changes.since(seen)
    assert newest == changes.latest() > seen
    assert seen_by_others.ids(Topic.CONTACTS) == {contact_id}
    assert seen_by_others.ids(Topic.CUSTOMERS) == {customer.customer.id}
    assert seen_by_others.ids(Topic.SETTINGS) == frozenset()  # not changed at all
    assert changes.since(newest) == (newest, Changes())


def test_the_side_effects_on_another_topic_are_wholesale(desk: Desk) -> None:
    """A contact answered late grants hours: the contact is named, the balances are not."""
    noted = changes.note(desk, {Topic.PACKS, Topic.CONTACTS}, 7)
    assert noted.ids(Topic.CONTACTS) == {7}
    assert noted.ids(Topic.PACKS) is None
    assert changes.since(0)[1] == noted


def test_a_change_without_an_id_is_everything_of_its_topic(desk: Desk) -> None:
    noted = changes.note(desk, [Topic.SETTINGS])
    assert noted.ids(Topic.SETTINGS) is None
    assert Topic.SETTINGS in noted
    merged = noted | changes.note(desk, [Topic.CONTACTS], 3) | Changes(frozenset({Topic.CONTACTS}))
    assert merged.ids(Topic.CONTACTS) is None  # one wholesale change covers the record's
    assert merged.topics == {Topic.SETTINGS, Topic.CONTACTS}


def test_many_records_are_read_as_everything(desk: Desk) -> None:
    changes.note(desk, [Topic.CONTACTS], record_ids=range(1, MANY_RECORDS + 2))
    assert changes.since(0)[1].ids(Topic.CONTACTS) is None


def test_several_changes_between_two_polls_name_every_record(desk: Desk) -> None:
    seen = changes.latest()
    customer = create_customer(
        desk, name="Clínica", plan=Plan.STANDARD, emails=["c@clinica.pt"]
    ).customer
    first = register_contact(desk, channel=Channel.EMAIL, sender="c@clinica.pt", subject="A")
    second = register_contact(desk, channel=Channel.EMAIL, sender="c@clinica.pt", subject="B")
    record_first_response(desk, first.contact.id, first.contact.version)
    update_customer(desk, customer.id, customer.version, city="Porto")
    _newest, seen_by_others = changes.since(seen)
    assert seen_by_others.ids(Topic.CONTACTS) == {first.contact.id, second.contact.id}
    assert seen_by_others.ids(Topic.CUSTOMERS) == {customer.id}
