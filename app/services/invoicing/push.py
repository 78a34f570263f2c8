"""Sending a document to the certified program once, whatever fails (P29); finalizing there;
fetching the legal PDF.

Never twice: before the create request, the document's legal row is marked ``uncertain`` (its
own committed transaction); the mark is cleared only when the answer names the program's id, or
when the program surely did not act (a refusal, no connection). A later attempt that finds the
mark looks for the draft by Balcão's number in its reference first, and adopts it if it is
there. Each attempt also leaves the send in the outbox until it succeeds, so that a crash, a
timeout or the program being down is retried by the background runner.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from app.domain.states import InvoiceKind, InvoiceState
from app.i18n import _, format_money
from app.invoicing.base import (
    CertifiedProgram,
    DocumentKind,
    InvoicingError,
    NotConfigured,
    ProgramRefused,
    ProgramUnreachable,
    RemoteDocument,
    RemoteState,
    TotalsMismatch,
)
from app.services import changes, invoices
from app.services.changes import Topic
from app.services.context import Desk, use_case
from app.services.errors import RuleError
from app.services.invoices import InvoiceDocument
from app.services.invoicing import mapping, setup
from app.services.invoicing.queries import LegalStatus, legal_status
from app.store.legal_models import InvoicingOutbox, LegalDocument, LegalState

#: The outbox waits this long after the first failure, doubling up to ``MAX_BACKOFF``.
FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=6)


def backoff(attempts: int) -> timedelta:
    wait: timedelta = FIRST_BACKOFF * 2 ** min(max(attempts - 1, 0), 16)
    return min(wait, MAX_BACKOFF)


def _kind(document: InvoiceDocument) -> DocumentKind:
    if document.kind is InvoiceKind.CREDIT_NOTE:
        return DocumentKind.CREDIT_NOTE
    return DocumentKind.INVOICE


def _row(invoice_id: int) -> LegalDocument:
    return LegalDocument.get(LegalDocument.invoice == invoice_id)


def _update(invoice_id: int, desk: Desk, **values: object) -> None:
    """One short transaction: the legal row's new values, and a change note for the views."""
    with use_case():
        LegalDocument.update(updated_at=desk.now(), **values).where(
            LegalDocument.invoice == invoice_id
        ).execute()
        changes.note(desk, {Topic.INVOICES}, invoice_id)


def enqueue(
    desk: Desk, invoice_id: int, provider: str, *, finalize: bool, cancel_reason: str | None = None
) -> None:
    """Records that the document is to be sent (and finalized, or cancelled) there: the legal
    row and the outbox entry, in one transaction."""
    now = desk.now()
    with use_case():
        if LegalDocument.get_or_none(LegalDocument.invoice == invoice_id) is None:
            LegalDocument.create(invoice=invoice_id, provider=provider, updated_at=now)
        waiting = InvoicingOutbox.get_or_none(InvoicingOutbox.invoice == invoice_id)
        if waiting is None:
            InvoicingOutbox.create(
                invoice=invoice_id,
                finalize=finalize,
                cancel_reason=cancel_reason,
                next_attempt_at=now,
                created_at=now,
            )
        else:
            InvoicingOutbox.update(
                finalize=InvoicingOutbox.finalize | finalize,
                cancel_reason=cancel_reason
                if cancel_reason is not None
                else InvoicingOutbox.cancel_reason,
                next_attempt_at=now,
            ).where(InvoicingOutbox.id == waiting.id).execute()


def _done(invoice_id: int) -> None:
    InvoicingOutbox.delete().where(InvoicingOutbox.invoice == invoice_id).execute()


def _later(desk: Desk, invoice_id: int, error: InvoicingError) -> None:
    """The send stays in the outbox, tried again after the back-off; the error is shown."""
    with use_case():
        waiting = InvoicingOutbox.get_or_none(InvoicingOutbox.invoice == invoice_id)
        if waiting is not None:
            attempts = waiting.attempts + 1
            InvoicingOutbox.update(
                attempts=attempts,
                next_attempt_at=desk.now() + backoff(attempts),
                last_error=str(error),
            ).where(InvoicingOutbox.id == waiting.id).execute()
        LegalDocument.update(message=str(error), updated_at=desk.now()).where(
            LegalDocument.invoice == invoice_id
        ).execute()
        changes.note(desk, {Topic.INVOICES}, invoice_id)


def _failed(desk: Desk, invoice_id: int, error: InvoicingError) -> None:
    """A refusal that sending again will not cure: shown as an error, out of the outbox."""
    with use_case():
        _done(invoice_id)
        LegalDocument.update(
            state=LegalState.ERROR, message=str(error), updated_at=desk.now()
        ).where(LegalDocument.invoice == invoice_id).execute()
        changes.note(desk, {Topic.INVOICES}, invoice_id)


def check_totals(document: InvoiceDocument, remote: RemoteDocument) -> None:
    """P29: the program's totals equal Balcão's to the cent, or ``TotalsMismatch``."""
    ours = (abs(document.net), abs(document.vat), abs(document.gross))
    theirs = (abs(remote.net), abs(remote.vat), abs(remote.gross))
    if all(abs(a - b) < Decimal("0.01") for a, b in zip(ours, theirs, strict=True)):
        return
    raise TotalsMismatch(
        _(
            "The certified program's totals (net {their_net}, VAT {their_vat}, total "
            "{their_gross}) differ from Balcão's (net {net}, VAT {vat}, total {gross}): the "
            "document stays a draft there. Correct the tax names in the settings or the "
            "document there."
        ).format(
            their_net=format_money(theirs[0]),
            their_vat=format_money(theirs[1]),
            their_gross=format_money(theirs[2]),
            net=format_money(ours[0]),
            vat=format_money(ours[1]),
            gross=format_money(ours[2]),
        )
    )


def _corrected_remote_id(document: InvoiceDocument) -> str | None:
    if document.kind is not InvoiceKind.CREDIT_NOTE or document.corrects is None:
        return None
    corrected = LegalDocument.get_or_none(LegalDocument.invoice == document.corrects.id)
    if (
        corrected is None
        or corrected.remote_id is None
        or corrected.state
        not in (
            LegalState.FINALIZED,
            LegalState.CANCELLED,
        )
    ):
        raise InvoicingError(
            _(
                "The invoice {number} this credit note corrects is not finalized in the "
                "certified program yet: send and finalize it first."
            ).format(number=document.corrects.number or "—")
        )
    return str(corrected.remote_id)


def _draft_there(
    desk: Desk,
    document: InvoiceDocument,
    settings: setup.ProgramSettings,
    program: CertifiedProgram,
) -> RemoteDocument:
    """The document's draft (or later state) in the program: read back when its id is known,
    found by reference after an uncertain send, else created."""
    kind = _kind(document)
    legal = _row(document.id)
    if legal.remote_id:
        there = program.get(kind, legal.remote_id)
        if there.raw_state != "deleted":
            return there
        _update(document.id, desk, remote_id=None)  # its draft was deleted there: send anew
    reference = document.number_text or ""
    if legal.uncertain:
        found = program.find_by_reference(kind, reference)
        if found is not None:
            _update(document.id, desk, remote_id=found.remote_id, uncertain=False)
            return found
    draft = mapping.legal_draft(
        document,
        exemption_codes=settings.exemption_codes,
        corrects_remote_id=_corrected_remote_id(document),
    )
    missing = mapping.missing_exemption_codes(draft, document)
    if missing:
        raise NotConfigured(
            _("No exemption code (M01…M99) is set for the reason: {reasons}.").format(
                reasons="; ".join(missing)
            )
        )
    _update(document.id, desk, uncertain=True)  # committed before the request leaves
    try:
        created = program.create_draft(draft)
    except (ProgramRefused, ProgramUnreachable, NotConfigured):
        _update(document.id, desk, uncertain=False)  # surely nothing was made there
        raise
    _update(
        document.id,
        desk,
        remote_id=created.remote_id,
        uncertain=False,
        state=LegalState.DRAFT_SENT,
        message="",
    )
    return created


def _record(desk: Desk, invoice_id: int, remote: RemoteDocument) -> None:
    state = {
        RemoteState.DRAFT: LegalState.DRAFT_SENT,
        RemoteState.FINALIZED: LegalState.FINALIZED,
        RemoteState.CANCELLED: LegalState.CANCELLED,
    }.get(remote.state, LegalState.FINALIZED if remote.legal_number else LegalState.DRAFT_SENT)
    with use_case():
        _done(invoice_id)
        LegalDocument.update(
            remote_id=remote.remote_id,
            state=state,
            legal_number=remote.legal_number,
            atcud=remote.atcud,
            message="",
            net=remote.net,
            vat=remote.vat,
            gross=remote.gross,
            uncertain=False,
            updated_at=desk.now(),
        ).where(LegalDocument.invoice == invoice_id).execute()
        changes.note(desk, {Topic.INVOICES}, invoice_id)


def _numbered(invoice_id: int) -> InvoiceDocument:
    document = invoices.invoice(invoice_id)
    if document.state is InvoiceState.DRAFT:
        raise RuleError(
            _("A draft has no number: issue it before sending it to the certified program.")
        )
    return document


def _configured() -> setup.ProgramSettings:
    settings = setup.program_settings()
    if settings is None:
        setup.program(None)  # raises NotConfigured with the sentence to show
        raise AssertionError("unreachable")
    return settings


def push(
    desk: Desk,
    invoice_id: int,
    *,
    finalize: bool = False,
    program: CertifiedProgram | None = None,
) -> LegalStatus:
    """Sends the issued document to the certified program as a draft (once, whatever fails),
    compares the totals (P29), and finalizes it there when asked or when the company's setting
    says so. Raises an ``InvoicingError`` when it could not be done: the send then waits in the
    outbox (a timeout, no connection, a busy program) or is shown as an error (a refusal,
    totals that differ)."""
    document = _numbered(invoice_id)
    settings = _configured()
    finalize = finalize or settings.auto_finalize
    current = legal_status(invoice_id)
    if current.state in (LegalState.FINALIZED, LegalState.CANCELLED) or (
        current.state is LegalState.DRAFT_SENT and not finalize
    ):
        return current  # already there
    program = program or setup.program(settings)
    enqueue(desk, invoice_id, settings.provider, finalize=finalize)
    try:
        remote = _draft_there(desk, document, settings, program)
        check_totals(document, remote)
        if finalize and remote.state is RemoteState.DRAFT:
            remote = program.finalize(_kind(document), remote.remote_id)
        _record(desk, invoice_id, remote)
    except (TotalsMismatch, ProgramRefused) as error:
        if isinstance(error, ProgramRefused) and error.status == 401:
            _later(desk, invoice_id, error)  # a key put right lets the outbox carry on
        else:
            _failed(desk, invoice_id, error)
        raise
    except InvoicingError as error:
        _later(desk, invoice_id, error)
        raise
    return legal_status(invoice_id)


def finalize(
    desk: Desk, invoice_id: int, *, program: CertifiedProgram | None = None
) -> LegalStatus:
    """The deliberate act: finalizes there a document whose draft was sent."""
    current = legal_status(invoice_id)
    if current.state is LegalState.FINALIZED:
        return current
    if current.state is LegalState.CANCELLED:
        raise RuleError(_("This document was cancelled in the certified program."))
    return push(desk, invoice_id, finalize=True, program=program)


def fetch_legal_pdf(
    desk: Desk, invoice_id: int, *, program: CertifiedProgram | None = None
) -> bytes:
    """The legal PDF of a finalized document: kept once fetched."""
    legal = LegalDocument.get_or_none(LegalDocument.invoice == invoice_id)
    if legal is None or legal.state not in (LegalState.FINALIZED, LegalState.CANCELLED):
        raise RuleError(_("Only a document finalized in the certified program has a legal PDF."))
    if legal.pdf is not None:
        return bytes(legal.pdf)
    document = invoices.invoice(invoice_id)
    program = program or setup.program(_configured())
    content = program.legal_pdf(_kind(document), str(legal.remote_id))
    _update(invoice_id, desk, pdf=content)
    return content


def due(now: datetime) -> list[InvoicingOutbox]:
    return list(
        InvoicingOutbox.select()
        .where(InvoicingOutbox.next_attempt_at <= now)
        .order_by(InvoicingOutbox.next_attempt_at, InvoicingOutbox.id)
    )
