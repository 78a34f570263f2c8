"""Migration 8: the legal side of the documents (P29), in tables of their own.

``invoice`` is frozen once issued (migration 6), so the hand-over to the certified invoicing
program is kept beside it: ``legal_document`` (one per document: the program's id, legal number,
ATCUD, state, totals, legal PDF), ``invoicing_outbox`` (sends waiting, retried with back-off) and
``invoicing_settings`` (the company's program; never its API key).

Frozen: storage types only, independent of ``app.store.legal_models``.
"""

from __future__ import annotations

from peewee import (
    SQL,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    Database,
    Field,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


class _Instant(Field):
    field_type = "TIMESTAMPTZ"


def apply(database: Database) -> None:
    target = database

    class Base(Model):
        class Meta:
            database = target
            legacy_table_names = False

    class Invoice(Base):  # only to point at; not created here
        class Meta:
            table_name = "invoice"

    class LegalDocument(Base):
        invoice = ForeignKeyField(Invoice, unique=True)
        provider = CharField(max_length=32)
        remote_id = CharField(max_length=64, null=True)
        state = CharField(max_length=32)
        legal_number = CharField()
        atcud = CharField(max_length=128)
        message = TextField()
        net = BigIntegerField(null=True)
        vat = BigIntegerField(null=True)
        gross = BigIntegerField(null=True)
        uncertain = BooleanField()
        pdf = BlobField(null=True)
        updated_at = _Instant()

    class InvoicingOutbox(Base):
        invoice = ForeignKeyField(Invoice, unique=True)
        finalize = BooleanField()
        cancel_reason = TextField(null=True)
        attempts = IntegerField()
        next_attempt_at = _Instant(index=True)
        last_error = TextField()
        created_at = _Instant()

    class InvoicingSettings(Base):
        version = IntegerField()
        provider = CharField(max_length=32)
        account = CharField()
        base_url = CharField(max_length=1024)
        api_key_env = CharField(max_length=128)
        key_in_keyring = BooleanField()
        tax_names = TextField()
        exemption_codes = TextField()
        auto_finalize = BooleanField()

        class Meta:
            constraints = (SQL("CHECK (id = 1)"),)

    database.create_tables([LegalDocument, InvoicingOutbox, InvoicingSettings], safe=False)
