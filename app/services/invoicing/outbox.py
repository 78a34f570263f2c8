"""The background runner's pass over the sends waiting (``InvoicingOutbox``), with back-off."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from app.domain.states import InvoiceState
from app.invoicing.base import CertifiedProgram, InvoicingError
from app.services.context import Desk
from app.services.errors import ServiceError
from app.services.invoicing import setup
from app.services.invoicing.cancel import cancel_there
from app.services.invoicing.push import due, enqueue, push
from app.store.legal_models import InvoicingOutbox, LegalDocument, LegalState
from app.store.models import Invoice

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OutboxPass:
    done: int
    failed: int
    waiting: int  # still in the outbox after the pass


def _queue_cancellations(desk: Desk, provider: str) -> None:
    """Invoices cancelled in Balcão whose legal document is finalized there: to be cancelled."""
    waiting = InvoicingOutbox.select(InvoicingOutbox.invoice)
    rows = (
        LegalDocument.select(LegalDocument.invoice)
        .join(Invoice, on=(LegalDocument.invoice == Invoice.id))
        .where(
            (Invoice.state == InvoiceState.CANCELLED)
            & (LegalDocument.state == LegalState.FINALIZED)
            & LegalDocument.invoice.not_in(waiting)
        )
    )
    for row in rows:
        enqueue(desk, row.invoice_id, provider, finalize=False, cancel_reason="")


def run_outbox(
    desk: Desk, *, program: CertifiedProgram | None = None, limit: int = 20
) -> OutboxPass:
    """Tries again each send whose back-off is over (at most ``limit``)."""
    settings = setup.program_settings()
    if settings is None:
        return OutboxPass(0, 0, InvoicingOutbox.select().count())
    _queue_cancellations(desk, settings.provider)
    program = program or setup.program(settings)
    done = failed = 0
    for entry in due(desk.now())[:limit]:
        try:
            if entry.cancel_reason is not None:
                cancel_there(desk, entry.invoice_id, program=program)
            else:
                push(desk, entry.invoice_id, finalize=entry.finalize, program=program)
            done += 1
        except (InvoicingError, ServiceError) as error:
            log.info("invoice %s not handed over yet: %s", entry.invoice_id, error)
            failed += 1
    return OutboxPass(done, failed, InvoicingOutbox.select().count())
