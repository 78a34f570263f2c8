"""The legal state of each document, as Faturas, ``balcao invoices`` and the PDF show it."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.i18n import N_, _
from app.store.legal_models import InvoicingOutbox, LegalDocument, LegalState

# LegalState is named here for the window, which does not import app.store.
__all__ = ["LegalState", "LegalStatus", "legal_status", "legal_statuses"]

_STATE_TEXT = {
    LegalState.NOT_SENT: N_("not sent"),
    LegalState.DRAFT_SENT: N_("draft sent"),
    LegalState.FINALIZED: N_("finalized"),
    LegalState.CANCELLED: N_("cancelled there"),
    LegalState.ERROR: N_("error"),
}


@dataclass(frozen=True)
class LegalStatus:
    invoice_id: int
    state: LegalState
    provider: str
    legal_number: str  # exactly as the certified program writes it
    atcud: str
    message: str  # the last error, in the user's words
    queued: bool  # a send is waiting in the outbox
    has_pdf: bool

    @property
    def state_text(self) -> str:
        """ "não enviada", "rascunho enviado", "finalizada", "erro: …"."""
        label = _(_STATE_TEXT[self.state])
        if self.state is LegalState.ERROR and self.message:
            return _("{state}: {message}").format(state=label, message=self.message)
        return label

    @property
    def in_program(self) -> bool:
        """The document is in the certified program (a draft at least)."""
        return self.state in (LegalState.DRAFT_SENT, LegalState.FINALIZED, LegalState.CANCELLED)


def _not_sent(invoice_id: int, queued: bool) -> LegalStatus:
    return LegalStatus(invoice_id, LegalState.NOT_SENT, "", "", "", "", queued, False)


def legal_statuses(invoice_ids: Iterable[int]) -> dict[int, LegalStatus]:
    """Each document's legal state (never sent: ``NOT_SENT``), without reading the PDFs."""
    ids = sorted(set(invoice_ids))
    if not ids:
        return {}
    queued = {
        row.invoice_id
        for row in InvoicingOutbox.select(InvoicingOutbox.invoice).where(
            InvoicingOutbox.invoice.in_(ids)
        )
    }
    found = {
        row.invoice_id: LegalStatus(
            invoice_id=row.invoice_id,
            state=row.state,
            provider=row.provider,
            legal_number=row.legal_number,
            atcud=row.atcud,
            message=row.message,
            queued=row.invoice_id in queued,
            has_pdf=bool(getattr(row, "has_pdf", False)),
        )
        for row in LegalDocument.select(
            LegalDocument.invoice,
            LegalDocument.state,
            LegalDocument.provider,
            LegalDocument.legal_number,
            LegalDocument.atcud,
            LegalDocument.message,
            LegalDocument.pdf.is_null(False).alias("has_pdf"),
        ).where(LegalDocument.invoice.in_(ids))
    }
    return {i: found.get(i) or _not_sent(i, i in queued) for i in ids}


def legal_status(invoice_id: int) -> LegalStatus:
    return legal_statuses([invoice_id])[invoice_id]
