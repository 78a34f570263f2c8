"""The legal side of Balcão's documents (P22, P29): what the certified invoicing program holds.

Kept in tables of their own because an issued invoice's own columns are frozen by the database
(migration 6): its hand-over to the certified program changes here, never on ``invoice``.

``app.store.models.ALL_MODELS`` includes these models (it imports this module on first use).
"""

from __future__ import annotations

from enum import StrEnum

from peewee import (
    SQL,
    BlobField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from app.store.base import BaseModel, VersionedModel
from app.store.fields import EnumField, MoneyField, UTCDateTimeField
from app.store.models import Invoice

#: The single row of ``InvoicingSettings``.
INVOICING_SETTINGS_ID = 1


class LegalState(StrEnum):
    NOT_SENT = "not_sent"  # never reached the program (waiting in the outbox, or not asked)
    DRAFT_SENT = "draft_sent"  # a draft there, totals equal to ours
    FINALIZED = "finalized"  # legal number and ATCUD known
    CANCELLED = "cancelled"  # cancelled there too
    ERROR = "error"  # ``message`` says why (a refusal, totals that differ…)


class LegalDocument(BaseModel):
    """One of Balcão's documents in the certified program: at most one per document."""

    invoice = ForeignKeyField(Invoice, unique=True, backref="+")
    invoice_id: int
    provider = CharField(max_length=32)
    remote_id = CharField(max_length=64, null=True)  # the program's id, once known
    state = EnumField(LegalState, default=LegalState.NOT_SENT)
    legal_number = CharField(default="")  # exactly as the program writes it
    atcud = CharField(max_length=128, default="")
    message = TextField(default="")  # the last error, in the user's words
    net = MoneyField(null=True)  # the program's totals, as it answered them
    vat = MoneyField(null=True)
    gross = MoneyField(null=True)
    #: A create request was made and its answer not received: look for the draft by reference
    #: before sending again (P29: never twice).
    uncertain = BooleanField(default=False)
    pdf = BlobField(null=True)  # the legal PDF, once fetched
    updated_at = UTCDateTimeField()


class InvoicingOutbox(BaseModel):
    """A send waiting to be made (or made again): survives a restart; the background runner
    retries it with back-off."""

    invoice = ForeignKeyField(Invoice, unique=True, backref="+")
    invoice_id: int
    finalize = BooleanField(default=False)  # finalize there once the draft is sent
    cancel_reason = TextField(null=True)  # not None: cancel there, with this reason
    attempts = IntegerField(default=0)
    next_attempt_at = UTCDateTimeField(index=True)
    last_error = TextField(default="")
    created_at = UTCDateTimeField()


class InvoicingSettings(VersionedModel):
    """The company's certified invoicing program (one row, made by the setup). The API key is
    never here: only the name of the environment variable that holds it, or a note that it is
    in the system keyring."""

    provider = CharField(max_length=32)
    account = CharField()
    base_url = CharField(max_length=1024, default="")  # "" = the program's own address
    api_key_env = CharField(max_length=128, default="")
    key_in_keyring = BooleanField(default=False)
    #: JSON: {"0.23": "IVA23", "0.22": "IVA22", "0.16": "IVA16", "0": "IVA0"}.
    tax_names = TextField(default="{}")
    #: JSON: Balcão's exemption reason (as on the line) → its code, e.g. {"Artigo 53.º": "M10"}.
    exemption_codes = TextField(default="{}")
    auto_finalize = BooleanField(default=False)

    class Meta:
        constraints = (SQL(f"CHECK (id = {INVOICING_SETTINGS_ID})"),)


LEGAL_MODELS: tuple[type[BaseModel], ...] = (LegalDocument, InvoicingOutbox, InvoicingSettings)
