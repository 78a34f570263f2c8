"""Migration 1: every table, as the schema stood at version 1, and the company settings row.

Frozen: these classes are copies of the models *as they were*, in storage types only (enums are
VARCHAR(32), amounts BIGINT, JSON TEXT), independent of ``app.store.models``. Never edit this file
to follow a model; add a migration instead. (Generated with ``playhouse.migrations.template`` from
the version-1 models, then reduced to storage types.)
"""

from __future__ import annotations

import json
from typing import Any

from peewee import (
    SQL,
    BigIntegerField,
    BooleanField,
    CharField,
    Database,
    DateField,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class _Instant(Field):
    """UTC instants: timestamptz on PostgreSQL, fixed-width UTC text on SQLite."""

    field_type = "TIMESTAMPTZ"


def _enum() -> CharField[str]:
    return CharField(max_length=32)


def _amount(null: bool = False) -> BigIntegerField[Any]:
    return BigIntegerField(null=True) if null else BigIntegerField()


_DEFAULT_WEEKLY = json.dumps(
    {str(day): [["09:00:00", "13:00:00"], ["14:00:00", "18:00:00"]] for day in range(5)}
)


def apply(database: Database) -> None:
    target = database

    class Base(Model):
        class Meta:
            database = target
            legacy_table_names = False

    class Technician(Base):
        version = IntegerField()
        name = CharField(unique=True)
        active = BooleanField()
        is_admin = BooleanField()
        created_at = _Instant()

    class CompanySettings(Base):
        version = IntegerField()
        name = CharField()
        nif = CharField(max_length=32, null=True)
        address = TextField()
        postcode = CharField(max_length=16)
        city = CharField()
        email = CharField()
        phone = CharField(max_length=32)
        iban = CharField(max_length=42)
        vat_rate = _amount()
        rate_inside = _amount()
        rate_outside = _amount(null=True)
        inside_block_minutes = IntegerField()
        outside_block_minutes = IntegerField()
        weekly_hours = TextField()
        holiday_district = CharField(max_length=8, null=True)
        closed_optional_days = TextField()
        time_zone = CharField(max_length=64)
        invoice_series = CharField(max_length=16)
        credit_note_series = CharField(max_length=16)
        invoice_legal_mention = TextField()
        session_review_hours = IntegerField()
        anydesk_path = CharField(max_length=1024)

        class Meta:
            constraints = (SQL("CHECK (id = 1)"),)

    class CompanyException(Base):
        version = IntegerField()
        day = DateField(unique=True)
        hours = TextField()
        note = CharField()

    class Customer(Base):
        version = IntegerField()
        name = CharField(index=True)
        nif = CharField(
            max_length=32, null=True, unique=True, constraints=[SQL("CHECK (nif <> '')")]
        )
        address = TextField()
        postcode = CharField(max_length=16)
        city = CharField()
        country = CharField(max_length=2)
        plan = _enum()
        plan_since = DateField(null=True)
        anydesk = CharField(max_length=64)
        notes = TextField()
        archived = BooleanField()
        next_business_days = IntegerField(null=True)
        business_response_minutes = IntegerField(null=True)
        urgent_response_minutes = IntegerField(null=True)
        compensation_hours = IntegerField(null=True)
        inside_block_minutes = IntegerField(null=True)
        outside_block_minutes = IntegerField(null=True)
        rate_inside = _amount(null=True)
        rate_outside = _amount(null=True)
        created_at = _Instant()

    class CustomerEmail(Base):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        email = CharField(unique=True)
        label = CharField()

    class CustomerPhone(Base):
        customer = ForeignKeyField(Customer, on_delete="CASCADE")
        number = CharField(max_length=32, unique=True)
        label = CharField()

    class Contact(Base):
        version = IntegerField()
        customer = ForeignKeyField(Customer, null=True)
        channel = _enum()
        sender_raw = CharField()
        sender_normalised = CharField(null=True, index=True)
        received_at = _Instant(index=True)
        subject = CharField(max_length=500)
        notes = TextField()
        plan_at_receipt = _enum()
        registered = BooleanField()
        guaranteed = BooleanField()
        deadline = _Instant(null=True)
        target = _Instant(null=True)
        reason = _enum()
        urgent = BooleanField()
        compensation_hours = IntegerField()
        first_response_at = _Instant(null=True)
        first_response_by = ForeignKeyField(Technician, null=True, backref="+")
        state = _enum()
        closed_at = _Instant(null=True)
        created_at = _Instant()
        created_by = ForeignKeyField(Technician, null=True, backref="+")

        class Meta:
            indexes = (
                (("state", "deadline"), False),
                (("state", "target"), False),
                (("customer", "received_at"), False),
            )

    class Pack(Base):
        version = IntegerField()
        customer = ForeignKeyField(Customer)
        kind = _enum()
        minutes = IntegerField()
        price = _amount()
        purchased_on = DateField()
        starts_on = DateField()
        valid_until = DateField(null=True)
        last_month = DateField(null=True)
        note = CharField()
        created_at = _Instant()
        created_by = ForeignKeyField(Technician, null=True, backref="+")

        class Meta:
            indexes = ((("customer", "kind"), False),)

    class Invoice(Base):
        version = IntegerField()
        kind = _enum()
        state = _enum()
        series = CharField(max_length=16)
        year = IntegerField(null=True)
        number = IntegerField(null=True)
        customer = ForeignKeyField(Customer)
        period_start = DateField(null=True)
        period_end = DateField(null=True)
        issued_at = _Instant(null=True)
        issue_date = DateField(null=True)
        issued_by = ForeignKeyField(Technician, null=True, backref="+")
        corrects = ForeignKeyField("self", null=True, backref="+")
        correction_reason = TextField()
        customer_name = CharField()
        customer_nif = CharField(max_length=32, null=True)
        customer_address = TextField()
        customer_postcode = CharField(max_length=16)
        customer_city = CharField()
        customer_country = CharField(max_length=2)
        supplier_name = CharField()
        supplier_nif = CharField(max_length=32, null=True)
        supplier_address = TextField()
        supplier_postcode = CharField(max_length=16)
        supplier_city = CharField()
        supplier_iban = CharField(max_length=42)
        legal_mention = TextField()
        net = _amount()
        vat = _amount()
        gross = _amount()
        created_at = _Instant()
        created_by = ForeignKeyField(Technician, null=True, backref="+")

        class Meta:
            indexes = (
                (("series", "year", "number"), True),
                (("customer", "state"), False),
            )
            constraints = (
                SQL("CHECK (state = 'draft' OR (year IS NOT NULL AND number IS NOT NULL))"),
            )

    class Session(Base):
        version = IntegerField()
        customer = ForeignKeyField(Customer)
        contact = ForeignKeyField(Contact, null=True)
        technician = ForeignKeyField(Technician)
        state = _enum()
        started_at = _Instant()
        stopped_at = _Instant(null=True)
        note = TextField()
        flagged_for_review = BooleanField()
        inside_seconds = IntegerField(null=True)
        outside_seconds = IntegerField(null=True)
        inside_billed_minutes = IntegerField(null=True)
        outside_billed_minutes = IntegerField(null=True)
        uncovered_inside_minutes = IntegerField(null=True)
        uncovered_outside_minutes = IntegerField(null=True)
        rate_inside = _amount(null=True)
        rate_outside = _amount(null=True)
        invoice = ForeignKeyField(Invoice, null=True)

        class Meta:
            indexes = (
                (("customer", "started_at"), False),
                (("technician", "state"), False),
            )

    class SessionInterval(Base):
        session = ForeignKeyField(Session, on_delete="CASCADE")
        started_at = _Instant()
        ended_at = _Instant(null=True)

        class Meta:
            indexes = ((("session", "started_at"), False),)

    class InvoiceLine(Base):
        invoice = ForeignKeyField(Invoice, on_delete="CASCADE")
        position = IntegerField()
        description = TextField()
        service_date = DateField(null=True)
        quantity = _amount()
        minutes = IntegerField(null=True)
        unit_price = _amount()
        vat_rate = _amount()
        exemption = CharField(null=True)
        net = _amount()
        pack = ForeignKeyField(Pack, null=True)
        pack_month = DateField(null=True)
        session = ForeignKeyField(Session, null=True)

        class Meta:
            indexes = ((("invoice", "position"), True),)

    class InvoiceCounter(Base):
        series = CharField(max_length=16)
        year = IntegerField()
        last_number = IntegerField()

        class Meta:
            indexes = ((("series", "year"), True),)

    class LedgerEntry(Base):
        customer = ForeignKeyField(Customer)
        pack = ForeignKeyField(Pack)
        kind = _enum()
        minutes = IntegerField(constraints=[SQL("CHECK (minutes <> 0)")])
        month = DateField(null=True)
        outside = BooleanField()
        session = ForeignKeyField(Session, null=True)
        contact = ForeignKeyField(Contact, null=True)
        reverses = ForeignKeyField("self", null=True, unique=True, backref="+")
        reason = TextField()
        created_at = _Instant()
        created_by = ForeignKeyField(Technician, null=True, backref="+")

        class Meta:
            indexes = (
                (("customer", "created_at"), False),
                (("pack", "month"), False),
            )

    class CompensationGrant(Base):
        version = IntegerField()
        contact = ForeignKeyField(Contact, unique=True, backref="+")
        customer = ForeignKeyField(Customer)
        hours = IntegerField()
        granted_at = _Instant()
        pack = ForeignKeyField(Pack, unique=True, backref="+")
        entry = ForeignKeyField(LedgerEntry, unique=True, backref="+")
        revoked_at = _Instant(null=True)
        revoked_by = ForeignKeyField(Technician, null=True, backref="+")
        revoke_reason = TextField()
        revocation_entry = ForeignKeyField(LedgerEntry, null=True, unique=True, backref="+")

    database.create_tables(
        [
            Technician,
            CompanySettings,
            CompanyException,
            Customer,
            CustomerEmail,
            CustomerPhone,
            Contact,
            Pack,
            Invoice,
            Session,
            SessionInterval,
            InvoiceLine,
            InvoiceCounter,
            LedgerEntry,
            CompensationGrant,
        ],
        safe=False,
    )
    CompanySettings.insert(
        id=1,
        version=1,
        name="",
        address="",
        postcode="",
        city="",
        email="",
        phone="",
        iban="",
        vat_rate=2300,  # 0.2300
        rate_inside=0,
        inside_block_minutes=15,
        outside_block_minutes=30,
        weekly_hours=_DEFAULT_WEEKLY,
        closed_optional_days="[]",
        time_zone="Europe/Lisbon",
        invoice_series="FT",
        credit_note_series="NC",
        invoice_legal_mention="",
        session_review_hours=10,
        anydesk_path="",
    ).execute()
