"""The interface to a certified invoicing program, and what crosses it.

A second program (Moloni, Vendus) implements ``CertifiedProgram`` with the same dataclasses; the
services never see a program's own shapes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Protocol

from app.errors import KnownError


class DocumentKind(StrEnum):
    INVOICE = "invoice"
    CREDIT_NOTE = "credit_note"


class RemoteState(StrEnum):
    """The document's state in the certified program."""

    DRAFT = "draft"
    FINALIZED = "finalized"  # has its legal number and ATCUD
    CANCELLED = "cancelled"
    OTHER = "other"  # settled, deleted…: kept as the program wrote it in ``raw_state``


@dataclass(frozen=True)
class Customer:
    name: str
    nif: str | None  # None: the program's final consumer
    address: str
    postcode: str
    city: str
    country: str  # ISO 3166-1 alpha-2


@dataclass(frozen=True)
class Line:
    description: str
    quantity: Decimal  # positive, also on a credit note
    unit_price: Decimal  # net
    vat_rate: Decimal  # 0.23, 0.22, 0.16, or 0 with an exemption
    exemption: str | None  # the M-code (e.g. "M07") when vat_rate is 0


@dataclass(frozen=True)
class LegalDraft:
    """One of Balcão's issued documents, as it goes to the program."""

    kind: DocumentKind
    reference: str  # Balcão's number, e.g. "FT 2026/17": how a send is found again
    customer: Customer
    lines: tuple[Line, ...]
    issue_date: date
    net: Decimal
    vat: Decimal
    gross: Decimal
    #: For a credit note: the program's id of the finalized invoice it corrects.
    corrects_remote_id: str | None = None
    correction_reason: str = ""
    observations: str = ""


@dataclass(frozen=True)
class RemoteDocument:
    """A document as the program answers it."""

    remote_id: str
    kind: DocumentKind
    state: RemoteState
    raw_state: str
    reference: str
    legal_number: str  # exactly as the program writes it; "" while a draft
    atcud: str  # "" while a draft
    net: Decimal
    vat: Decimal
    gross: Decimal
    extra: dict[str, str] = field(default_factory=dict, compare=False)


class CertifiedProgram(Protocol):
    """What Balcão asks of a certified invoicing program."""

    name: str

    def create_draft(self, draft: LegalDraft) -> RemoteDocument: ...

    def finalize(self, kind: DocumentKind, remote_id: str) -> RemoteDocument: ...

    def get(self, kind: DocumentKind, remote_id: str) -> RemoteDocument: ...

    def find_by_reference(self, kind: DocumentKind, reference: str) -> RemoteDocument | None: ...

    def legal_pdf(self, kind: DocumentKind, remote_id: str) -> bytes: ...

    def cancel(self, kind: DocumentKind, remote_id: str, reason: str) -> RemoteDocument: ...

    def check_connection(self) -> None: ...


# --- errors -----------------------------------------------------------------------------------


class InvoicingError(KnownError):
    """The certified program could not do what was asked; ``str`` is a sentence for the user."""


class UncertainSend(InvoicingError):
    """No answer (timeout, connection lost mid-way, 5xx to a POST): the request may or may not
    have been carried out. Before sending again, look for the document by its reference."""


class ProgramUnreachable(InvoicingError):
    """The request surely did not reach the program (no connection, name not found) or a safe
    request kept failing: nothing happened there."""


class ProgramRefused(InvoicingError):
    """The program answered with a refusal (401, 404, 406, 422…): nothing happened there, and
    sending the same again will be refused again."""

    def __init__(self, message: str, *, status: int, program_message: str, detail: str = ""):
        super().__init__(message, detail=detail)
        self.status = status
        #: The program's own words, as it wrote them.
        self.program_message = program_message


class TotalsMismatch(InvoicingError):
    """The program's totals differ from Balcão's: the document stays a draft there."""


class NotConfigured(InvoicingError):
    """No certified program is set up, or its API key is missing."""
