"""An invoice cancelled in Balcão after it was finalized there: cancelled there too, with the
reason, where the certified program allows it; otherwise the user is told to send the credit
note instead."""

from __future__ import annotations

from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import _
from app.invoicing.base import (
    CertifiedProgram,
    DocumentKind,
    InvoicingError,
    ProgramRefused,
)
from app.services import invoices
from app.services.context import Desk
from app.services.errors import RuleError
from app.services.invoicing import setup
from app.services.invoicing.push import _configured, _failed, _later, _record, enqueue
from app.services.invoicing.queries import LegalStatus, legal_status
from app.store.legal_models import LegalDocument, LegalState


class CancelRefused(InvoicingError):
    """The program does not allow cancelling this document: a credit note it is."""


def cancel_there(
    desk: Desk, invoice_id: int, *, program: CertifiedProgram | None = None
) -> LegalStatus:
    """Cancels there the finalized legal document of an invoice cancelled in Balcão, with the
    reason of the credit note that cancelled it."""
    document = invoices.invoice(invoice_id)
    if document.kind is not InvoiceKind.INVOICE or document.state is not InvoiceState.CANCELLED:
        raise RuleError(_("Only an invoice cancelled in Balcão is cancelled there."))
    legal = LegalDocument.get_or_none(LegalDocument.invoice == invoice_id)
    if legal is None or legal.state is LegalState.CANCELLED:
        return legal_status(invoice_id)
    if legal.state is not LegalState.FINALIZED or not legal.remote_id:
        raise RuleError(
            _("This invoice is not finalized in the certified program: there is nothing to cancel.")
        )
    reason = document.correction_reason or (
        document.corrected_by
        and _("Cancelled by credit note {number}").format(
            number=document.corrected_by.number or "—"
        )
    )
    if document.corrected_by is not None:
        note = invoices.invoice(document.corrected_by.id)
        reason = note.correction_reason or str(reason or "")
    settings = _configured()
    program = program or setup.program(settings)
    enqueue(desk, invoice_id, settings.provider, finalize=False, cancel_reason=str(reason))
    try:
        remote = program.cancel(DocumentKind.INVOICE, legal.remote_id, str(reason))
    except ProgramRefused as refused:
        error = CancelRefused(
            _(
                "The certified program does not allow cancelling {number} ({said}): send the "
                "credit note {note} there instead."
            ).format(
                number=legal.legal_number,
                said=refused.program_message or refused.status,
                note=(document.corrected_by.number if document.corrected_by else None) or "—",
            ),
            detail=refused.detail,
        )
        _failed(desk, invoice_id, error)
        # The legal document is still finalized there.
        LegalDocument.update(state=LegalState.FINALIZED).where(
            LegalDocument.invoice == invoice_id
        ).execute()
        raise error from refused
    except InvoicingError as error:
        _later(desk, invoice_id, error)
        raise
    _record(desk, invoice_id, remote)
    return legal_status(invoice_id)
