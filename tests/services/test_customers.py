"""Customers: the record, registered senders (P9), plan changes (P19), contracts (P18), search."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from app.clock import ManualClock
from app.domain.contract import ContractTerms
from app.domain.sla import Channel, Plan, Reason
from app.services.changes import Topic
from app.services.contacts import contact, register_contact
from app.services.context import Desk
from app.services.customers import (
    add_customer_email,
    add_customer_phone,
    archive_customer,
    change_plan,
    create_customer,
    customer,
    find_customer_by_sender,
    make_contract_terms,
    remove_customer_email,
    remove_customer_phone,
    search_customers,
    unarchive_customer,
    update_customer,
)
from app.services.errors import ConflictError, InputError, NotFoundError
from app.store.models import Customer

NothingWritten = Callable[[], AbstractContextManager[None]]


def test_a_new_customer_with_its_record(desk: Desk) -> None:
    result = create_customer(
        desk,
        name="  Loja do Bairro, Lda ",
        nif="PT 501 964 843",
        plan=Plan.STANDARD,
        address="Rua Direita, 1",
        postcode="1100 001",
        city="Lisboa",
        anydesk="123 456 789",
        notes="Abre às 10h.",
        emails=["Geral@Loja.pt"],
        phones=["912 345 678"],
    )
    record = result.customer
    assert Topic.CUSTOMERS in result.changes
    assert record == customer(record.id)
    assert record.name == "Loja do Bairro, Lda"
    assert record.nif == "501964843"
    assert record.postcode == "1100-001"
    assert record.plan is Plan.STANDARD
    assert record.plan_since == date(2025, 3, 10)  # today, in Lisbon
    assert [e.email for e in record.emails] == ["geral@loja.pt"]
    assert [p.number for p in record.phones] == ["+351912345678"]
    assert record.contract == ContractTerms()
    assert not record.archived


def test_a_customer_without_a_plan_has_no_plan_date(desk: Desk) -> None:
    record = create_customer(desk, name="Particular", plan_since=date(2025, 1, 1)).customer
    assert (record.plan, record.plan_since, record.nif) == (Plan.NONE, None, None)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"nif": "123456780"}, "nif"),
        ({"nif": "12345"}, "nif"),
        ({"postcode": "11000"}, "postcode"),
        ({"country": "Portugal"}, "country"),
        ({"plan": "gold"}, "plan"),
        ({"emails": ["geral@"]}, "email"),
        ({"phones": ["12"]}, "phone"),
        (
            {"contract": ContractTerms(business_response=timedelta(seconds=90))},
            "business_response_minutes",
        ),
        ({"contract": ContractTerms(rate_inside=Decimal("10.001"))}, "rate_inside"),
    ],
)
def test_bad_input_creates_no_customer(
    desk: Desk, nothing_written: NothingWritten, fields: dict[str, Any], field: str
) -> None:
    values = {"name": "Loja"} | fields
    with nothing_written(), pytest.raises(InputError) as refused:
        create_customer(desk, **values)
    assert refused.value.field == field


def test_a_nif_belongs_to_one_customer(desk: Desk, nothing_written: NothingWritten) -> None:
    create_customer(desk, name="Padaria Central", nif="501964843")
    with nothing_written(), pytest.raises(InputError) as refused:
        create_customer(desk, name="Outra", nif="501 964 843")
    assert refused.value.field == "nif"
    assert "Padaria Central" in refused.value.message


def test_a_foreign_tax_number_is_kept_as_typed(desk: Desk) -> None:
    record = create_customer(desk, name="Tienda", country="es", nif="b-1234 5678").customer
    assert (record.country, record.nif) == ("ES", "B12345678")


def test_p9_an_email_already_registered_elsewhere_names_its_customer(
    desk: Desk, nothing_written: NothingWritten
) -> None:
    create_customer(desk, name="Padaria Central", emails=["geral@padaria.pt"])
    other = create_customer(desk, name="Talho").customer
    with nothing_written(), pytest.raises(InputError) as refused:
        add_customer_email(desk, other.id, other.version, "GERAL@padaria.pt")
    assert refused.value.field == "email"
    assert "Padaria Central" in refused.value.message
    with nothing_written(), pytest.raises(InputError):
        create_customer(desk, name="Outra", emails=["geral@padaria.pt"])


def test_p9_a_phone_already_registered_elsewhere_names_its_customer(
    desk: Desk, nothing_written: NothingWritten
) -> None:
    create_customer(desk, name="Padaria Central", phones=["+351 212 345 678"])
    other = create_customer(desk, name="Talho").customer
    with nothing_written(), pytest.raises(InputError) as refused:
        add_customer_phone(desk, other.id, other.version, "212345678")
    assert refused.value.field == "phone"
    assert "Padaria Central" in refused.value.message


def test_p9_registered_emails_and_phones_are_added_and_removed(desk: Desk) -> None:
    record = create_customer(desk, name="Loja").customer
    record = add_customer_email(
        desk, record.id, record.version, "Ana@Loja.PT", label="Ana"
    ).customer
    record = add_customer_phone(desk, record.id, record.version, "00351 912 345 678").customer
    assert [(e.email, e.label) for e in record.emails] == [("ana@loja.pt", "Ana")]
    assert [p.number for p in record.phones] == ["+351912345678"]
    assert find_customer_by_sender("Ana da Loja <ana@loja.pt>").customer_id == record.id
    record = remove_customer_email(desk, record.id, record.version, record.emails[0].id).customer
    record = remove_customer_phone(desk, record.id, record.version, record.phones[0].id).customer
    assert (record.emails, record.phones) == ((), ())
    assert find_customer_by_sender("ana@loja.pt").customer_id is None


def test_p9_the_same_email_twice_in_one_record_is_refused(
    desk: Desk, nothing_written: NothingWritten
) -> None:
    record = create_customer(desk, name="Loja", emails=["ana@loja.pt"]).customer
    with nothing_written(), pytest.raises(InputError) as refused:
        add_customer_email(desk, record.id, record.version, "ana@loja.pt")
    assert refused.value.field == "email"


@pytest.mark.parametrize(
    ("kind", "value"), [("email", "ana@"), ("email", ""), ("phone", "123"), ("phone", "abc")]
)
def test_p9_an_invalid_email_or_phone_is_refused(
    desk: Desk, nothing_written: NothingWritten, kind: str, value: str
) -> None:
    record = create_customer(desk, name="Loja").customer
    add = add_customer_email if kind == "email" else add_customer_phone
    with nothing_written(), pytest.raises(InputError) as refused:
        add(desk, record.id, record.version, value)
    assert refused.value.field == kind


def test_p9_a_sender_is_found_by_its_registered_email_or_phone(desk: Desk) -> None:
    loja = create_customer(desk, name="Loja", emails=["ana@loja.pt"], phones=["912345678"]).customer
    by_email = find_customer_by_sender("Ana <ANA@loja.pt>")
    assert (by_email.kind, by_email.normalised, by_email.customer_name) == (
        "email",
        "ana@loja.pt",
        "Loja",
    )
    assert by_email.registered
    by_phone = find_customer_by_sender("+351 912 345 678")
    assert (by_phone.kind, by_phone.customer_id) == ("phone", loja.id)
    stranger = find_customer_by_sender("rui@outro.pt")
    assert (stranger.kind, stranger.customer_id, stranger.registered) == ("email", None, False)
    unreadable = find_customer_by_sender("o senhor da loja")
    assert (unreadable.kind, unreadable.normalised, unreadable.customer_id) == (None, None, None)


def test_an_edit_is_saved_only_over_the_version_seen(
    desk: Desk, nothing_written: NothingWritten
) -> None:
    record = create_customer(desk, name="Loja").customer
    edited = update_customer(
        desk, record.id, record.version, name="Loja Nova", city="Porto", nif="501964843"
    ).customer
    assert (edited.name, edited.city, edited.nif, edited.version) == (
        "Loja Nova",
        "Porto",
        "501964843",
        record.version + 1,
    )
    with nothing_written(), pytest.raises(ConflictError):
        update_customer(desk, record.id, record.version, city="Braga")
    with nothing_written(), pytest.raises(ConflictError):
        add_customer_email(desk, record.id, record.version, "ana@loja.pt")
    assert customer(record.id).city == "Porto"


def test_an_edit_keeps_the_nif_unique(desk: Desk, nothing_written: NothingWritten) -> None:
    create_customer(desk, name="Padaria Central", nif="501964843")
    other = create_customer(desk, name="Talho", nif="123456789").customer
    same = update_customer(desk, other.id, other.version, nif="123 456 789").customer
    assert same.nif == "123456789"
    with nothing_written(), pytest.raises(InputError) as refused:
        update_customer(desk, other.id, same.version, nif="501964843")
    assert "Padaria Central" in refused.value.message
    cleared = update_customer(desk, other.id, same.version, nif="").customer
    assert cleared.nif is None


def test_p18_contract_terms_are_kept_in_the_record(desk: Desk) -> None:
    terms = make_contract_terms(
        next_business_days=2,
        business_response_minutes=120,
        compensation_hours=3,
        inside_block_minutes=10,
        rate_inside=Decimal("35.50"),
    )
    record = create_customer(desk, name="Hotel", plan=Plan.PRIORITY, contract=terms).customer
    assert record.contract == terms
    assert record.contract.business_response == timedelta(hours=2)
    cleared = update_customer(desk, record.id, record.version, contract=ContractTerms()).customer
    assert cleared.contract == ContractTerms()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"next_business_days": 0}, "next_business_days"),
        ({"business_response_minutes": 0}, "business_response_minutes"),
        ({"urgent_response_minutes": -5}, "urgent_response_minutes"),
        ({"compensation_hours": -1}, "compensation_hours"),
        ({"outside_block_minutes": 0}, "outside_block_minutes"),
        ({"rate_outside": Decimal("-1")}, "rate_outside"),
        ({"rate_inside": Decimal("1.234")}, "rate_inside"),
    ],
)
def test_p18_a_refused_contract_term_names_its_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InputError) as refused:
        make_contract_terms(**fields)
    assert refused.value.field == field


def test_p19_plan_change_keeps_frozen_terms(desk: Desk, clock: ManualClock) -> None:
    loja = create_customer(desk, name="Loja", plan=Plan.STANDARD, emails=["ana@loja.pt"]).customer
    before = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject="Impressora"
    ).contact
    assert before.guaranteed and before.deadline is not None
    clock.advance(timedelta(hours=1))
    changed = change_plan(desk, loja.id, loja.version, Plan.NONE).customer
    assert (changed.plan, changed.plan_since) == (Plan.NONE, None)
    kept = contact(before.id)
    assert kept.plan_at_receipt is Plan.STANDARD
    assert (kept.guaranteed, kept.deadline, kept.reason) == (
        True,
        before.deadline,
        Reason.GUARANTEED,
    )
    assert kept.compensation_hours == 1
    after = register_contact(
        desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject="Outra vez"
    ).contact
    assert (after.plan_at_receipt, after.guaranteed, after.reason) == (
        Plan.NONE,
        False,
        Reason.NO_PLAN,
    )


def test_a_plan_starts_today_unless_told(desk: Desk) -> None:
    loja = create_customer(desk, name="Loja").customer
    on = change_plan(desk, loja.id, loja.version, Plan.PRIORITY_24_7, since=date(2025, 3, 1))
    assert (on.customer.plan, on.customer.plan_since) == (Plan.PRIORITY_24_7, date(2025, 3, 1))
    with pytest.raises(ConflictError):
        change_plan(desk, loja.id, loja.version, Plan.STANDARD)


def test_archived_customers_leave_the_list_but_keep_their_record(desk: Desk) -> None:
    loja = create_customer(desk, name="Loja Antiga").customer
    archived = archive_customer(desk, loja.id, loja.version).customer
    assert archived.archived
    assert search_customers("Antiga") == ()
    assert [row.id for row in search_customers("Antiga", include_archived=True)] == [loja.id]
    back = unarchive_customer(desk, loja.id, archived.version).customer
    assert [row.id for row in search_customers("antiga")] == [back.id]


def test_search_matches_name_nif_email_and_phone(desk: Desk) -> None:
    padaria = create_customer(
        desk,
        name="Padaria Central",
        nif="501964843",
        plan=Plan.STANDARD,
        city="Lisboa",
        emails=["encomendas@pao.pt"],
        phones=["966777888"],
    ).customer
    talho = create_customer(desk, name="Talho Silva", nif="123456789").customer
    create_customer(desk, name="Café 100%_")

    def found(text: str) -> list[int]:
        return [row.id for row in search_customers(text)]

    assert found("central") == [padaria.id]
    assert found("5019") == [padaria.id]
    assert found("PT 123 456") == [talho.id]
    assert found("pao.pt") == [padaria.id]
    assert found("966 777") == [padaria.id]
    assert found("silva") == [talho.id]
    assert found("%") == [row.id for row in search_customers("Café")]  # no LIKE wildcards
    assert len(found("")) == 3
    row = search_customers("Padaria")[0]
    assert (row.name, row.nif, row.plan, row.city, row.archived) == (
        "Padaria Central",
        "501964843",
        Plan.STANDARD,
        "Lisboa",
        False,
    )
    assert len(search_customers("", limit=2)) == 2


def test_the_list_counts_open_contacts(desk: Desk) -> None:
    loja = create_customer(desk, name="Loja", emails=["ana@loja.pt"]).customer
    create_customer(desk, name="Outra")
    for subject in ("Um", "Dois"):
        register_contact(desk, channel=Channel.EMAIL, sender="ana@loja.pt", subject=subject)
    counts = {row.name: row.open_contacts for row in search_customers("")}
    assert counts == {"Loja": 2, "Outra": 0}
    assert loja.id == search_customers("Loja")[0].id


def test_a_customer_that_does_not_exist(desk: Desk) -> None:
    with pytest.raises(NotFoundError):
        customer(404)
    with pytest.raises(NotFoundError):
        update_customer(desk, 404, 1, name="X")
    assert Customer.select().count() == 0
