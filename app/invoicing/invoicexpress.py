"""InvoiceXpress, API v2 (https://invoicexpress.com/api-v2/), over ``httpx``.

What it follows, section by section of the documentation:
- Base URL ``https://{account}.app.invoicexpress.com``; every call carries ``api_key`` as a query
  parameter ("Authentication"). The key is kept out of every error, exception text and log line:
  ours, and httpx's own request log (``_RedactingFilter``).
- Invoices › Create: ``POST /invoices.json`` with ``{"invoice": {...}}``; credit notes ›
  Create: ``POST /credit_notes.json`` with the same body and ``owner_invoice_id``. Request bodies
  use the key ``invoice`` for every document type, as the documentation's examples do; answers
  are wrapped in the document type's own key (``invoice``, ``credit_note``), both accepted.
- Invoices › Get: ``GET /invoices/{id}.json``; Change-state:
  ``PUT /{type}/{id}/change-state.json`` with ``{"invoice": {"state": "finalized"}}`` or
  ``{"state": "canceled", "message": reason}`` (a reason is required to cancel).
- Invoices › List all: ``GET /invoices.json?text=…&type[]=…&page=…&per_page=…`` answers
  ``{"invoices": [...], "pagination": {...}}``; the text search is fuzzy, so the reference is
  compared exactly here, page after page.
- Invoices › Generate PDF: ``GET /api/pdf/{id}.json`` answers 202 until the file is ready, then
  200 with ``{"output": {"pdfUrl": …}}``; the file is then read from that address.
- Error codes responses: 401 (the key), 404, 406 (invalid state), 422 with
  ``{"errors": [{"error": "…"}]}`` (or ``{"errors": {...}}``); 429 with ``Retry-After``.
- Dates are written ``dd/mm/yyyy``; amounts as decimal strings; the tax of a line by its name in
  the account (``{"tax": {"name": "IVA23"}}``), an exemption by its code in ``tax_exemption``.

Retries follow voluzi/go-invoicexpress (STYLE.md): 429 is retried after ``Retry-After`` (nothing
was done), a 5xx or a lost connection only for a request that is safe to repeat (GET); a POST that
got no answer is an ``UncertainSend``, and the caller looks for the document by its reference
before sending again.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import quote, quote_plus

import httpx
from babel import Locale

from app.i18n import _, ngettext
from app.invoicing.base import (
    DocumentKind,
    InvoicingError,
    LegalDraft,
    NotConfigured,
    ProgramRefused,
    ProgramUnreachable,
    RemoteDocument,
    RemoteState,
    UncertainSend,
)

log = logging.getLogger(__name__)

NAME = "invoicexpress"
#: An HTTP call gives up after this many seconds (issue 13).
TIMEOUT_SECONDS = 30.0
#: A JSON answer larger than this is refused unread; a PDF, larger than ``MAX_PDF_BYTES``.
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
MAX_PDF_BYTES = 30 * 1024 * 1024
#: Attempts of one call, the first included (429, and 5xx or lost connection when safe).
MAX_ATTEMPTS = 4
#: A ``Retry-After`` longer than this is waited no longer: the outbox tries again later.
MAX_RETRY_AFTER = 120.0
#: Polls of the PDF endpoint before giving up (it answers 202 while generating).
MAX_PDF_POLLS = 30
PDF_POLL_SECONDS = 2.0
PER_PAGE = 50
#: The catalogue item every line goes under; the line's own text is its description.
ITEM_NAME = "Assistência técnica"

_PATHS = {DocumentKind.INVOICE: "invoices", DocumentKind.CREDIT_NOTE: "credit_notes"}
_LIST_TYPES = {DocumentKind.INVOICE: "Invoice", DocumentKind.CREDIT_NOTE: "CreditNote"}
_STATES = {
    "draft": RemoteState.DRAFT,
    "final": RemoteState.FINALIZED,
    "finalized": RemoteState.FINALIZED,
    "settled": RemoteState.FINALIZED,
    "canceled": RemoteState.CANCELLED,
    "cancelled": RemoteState.CANCELLED,
}
_KEY_IN_TEXT = re.compile(r"(api_key=)[^&\s\"'>]*")


def redact(text: str, key: str | None = None) -> str:
    """``text`` without the API key: any ``api_key=…`` value, and the key itself as written or
    URL-encoded."""
    text = _KEY_IN_TEXT.sub(r"\1REDACTED", text)
    if key:
        for form in {key, quote(key, safe=""), quote_plus(key)}:
            text = text.replace(form, "REDACTED")
    return text


class _RedactingFilter(logging.Filter):
    """httpx logs each request with its full URL (``api_key`` included) at INFO: rewritten here
    before any handler sees it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


for _name in ("httpx", "httpcore"):
    logging.getLogger(_name).addFilter(_RedactingFilter())


def default_base_url(account: str) -> str:
    return f"https://{account}.app.invoicexpress.com"


def _money(value: Decimal) -> str:
    return format(value.quantize(Decimal("0.01")), "f")


def _quantity(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _date(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0"))
    except InvalidOperation:
        return Decimal("0")


def _country(code: str) -> str:
    """The API names countries in English ("Portugal"), not by code."""
    return str(Locale("en").territories.get(code.upper(), code))


def program_messages(body: bytes) -> list[str]:
    """The messages of an error body, in the shapes the API has used: ``{"errors": [{"error":
    …}]}``, ``{"errors": {"field": [...]}}``, ``{"errors": [...]}``, ``{"error": …}``."""
    try:
        parsed = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        return []
    found: list[str] = []

    def take(value: Any, prefix: str = "") -> None:
        if isinstance(value, str) and value.strip():
            found.append(prefix + value.strip())
        elif isinstance(value, list):
            for item in value:
                take(item, prefix)
        elif isinstance(value, dict):
            for key in ("error", "message"):
                if isinstance(value.get(key), str):
                    take(value[key], prefix)
                    return
            for key, item in value.items():
                take(item, f"{key}: ")

    if isinstance(parsed, dict):
        take(parsed.get("errors"))
        for key in ("error", "message"):
            if isinstance(parsed.get(key), str):
                take(parsed[key])
    return found


class InvoiceXpress:
    """The ``CertifiedProgram`` of an InvoiceXpress account."""

    name = NAME

    def __init__(
        self,
        account: str,
        api_key: Callable[[], str | None],
        *,
        base_url: str | None = None,
        tax_names: Mapping[str, str],
        timeout: float = TIMEOUT_SECONDS,
        sleep: Callable[[float], None] = time.sleep,
        pdf_poll_seconds: float = PDF_POLL_SECONDS,
    ) -> None:
        self.account = account
        self._api_key = api_key  # read at each call: a changed key works without a restart
        self.base_url = (base_url or default_base_url(account)).rstrip("/")
        #: VAT rate ("0.23") → the account's tax name ("IVA23"); "0" → the exempt tax's name.
        self.tax_names = dict(tax_names)
        self._timeout = httpx.Timeout(timeout)
        self._sleep = sleep
        self._pdf_poll_seconds = pdf_poll_seconds

    # --- the interface --------------------------------------------------------------------

    def create_draft(self, draft: LegalDraft) -> RemoteDocument:
        path = f"/{_PATHS[draft.kind]}.json"
        answer = self._call("POST", path, body={"invoice": self.body(draft)}, safe=False)
        return self._document(draft.kind, answer)

    def finalize(self, kind: DocumentKind, remote_id: str) -> RemoteDocument:
        return self._change_state(kind, remote_id, {"state": "finalized"}, RemoteState.FINALIZED)

    def cancel(self, kind: DocumentKind, remote_id: str, reason: str) -> RemoteDocument:
        state = {"state": "canceled", "message": reason}
        return self._change_state(kind, remote_id, state, RemoteState.CANCELLED)

    def get(self, kind: DocumentKind, remote_id: str) -> RemoteDocument:
        answer = self._call("GET", f"/{_PATHS[kind]}/{quote(remote_id)}.json", safe=True)
        return self._document(kind, answer)

    def find_by_reference(self, kind: DocumentKind, reference: str) -> RemoteDocument | None:
        page = 1
        while True:
            params = {
                "text": reference,
                "type[]": _LIST_TYPES[kind],
                "page": str(page),
                "per_page": str(PER_PAGE),
            }
            answer = self._call("GET", "/invoices.json", params=params, safe=True)
            rows = answer.get("invoices", answer.get(_PATHS[kind], []))
            for row in rows if isinstance(rows, list) else []:
                if not isinstance(row, dict) or str(row.get("reference", "")) != reference:
                    continue
                if str(row.get("status", "")).lower() == "deleted":
                    continue  # a draft deleted there is no document
                return self._parse(kind, row)
            pagination = answer.get("pagination") or {}
            total_pages = int(_decimal(pagination.get("total_pages", 1)))
            if not rows or page >= total_pages:
                return None
            page += 1

    def legal_pdf(self, kind: DocumentKind, remote_id: str) -> bytes:
        for poll in range(MAX_PDF_POLLS):
            status, answer = self._call_status("GET", f"/api/pdf/{quote(remote_id)}.json")
            if status == 202:
                log.info("the legal PDF of %s is not ready yet (poll %d)", remote_id, poll + 1)
                self._sleep(self._pdf_poll_seconds)
                continue
            output = answer.get("output") or {}
            url = output.get("pdfUrl") or output.get("pdf_url") if isinstance(output, dict) else ""
            if not url:
                raise InvoicingError(
                    _("The certified program answered without the address of the PDF.")
                )
            return self._download(str(url))
        raise InvoicingError(
            ngettext(
                "The certified program did not have the PDF ready after {count} try.",
                "The certified program did not have the PDF ready after {count} tries.",
                MAX_PDF_POLLS,
            ).format(count=MAX_PDF_POLLS)
        )

    def check_connection(self) -> None:
        self._call("GET", "/invoices.json", params={"page": "1", "per_page": "1"}, safe=True)

    # --- the body (P29) -------------------------------------------------------------------

    def tax_name(self, rate: Decimal) -> str:
        key = format(rate.normalize(), "f")
        for candidate, name in self.tax_names.items():
            if _decimal(candidate) == rate:
                return name
        raise NotConfigured(
            _(
                "No tax name of the certified program is set for the VAT rate {rate} %: set it "
                "in the invoicing settings."
            ).format(rate=format((rate * 100).normalize(), "f") if rate else key)
        )

    def body(self, draft: LegalDraft) -> dict[str, Any]:
        customer = draft.customer
        client: dict[str, Any] = {
            "name": customer.name,
            "address": customer.address,
            "postal_code": customer.postcode,
            "city": customer.city,
            "country": _country(customer.country),
        }
        if customer.nif:
            client["fiscal_id"] = customer.nif
            client["code"] = customer.nif  # the program finds the same client again by code
        # Without a NIF: no fiscal_id, which the program takes as its final consumer.
        items = [
            {
                "name": ITEM_NAME,
                "description": line.description,
                "unit_price": _money(line.unit_price),
                "quantity": _quantity(line.quantity),
                "tax": {"name": self.tax_name(line.vat_rate)},
            }
            for line in draft.lines
        ]
        body: dict[str, Any] = {
            "date": _date(draft.issue_date),
            "due_date": _date(draft.issue_date),
            "reference": draft.reference,
            "client": client,
            "items": items,
        }
        exemptions = sorted({line.exemption for line in draft.lines if line.exemption})
        if exemptions:
            body["tax_exemption"] = exemptions[0]  # the API takes one code per document
        observations = draft.observations
        if draft.kind is DocumentKind.CREDIT_NOTE:
            if draft.corrects_remote_id:
                body["owner_invoice_id"] = draft.corrects_remote_id
            observations = "\n".join(x for x in (draft.correction_reason, observations) if x)
        if observations:
            body["observations"] = observations
        return body

    # --- answers --------------------------------------------------------------------------

    def _document(self, kind: DocumentKind, answer: dict[str, Any]) -> RemoteDocument:
        key = kind.value  # "invoice" / "credit_note"
        payload = answer.get(key)
        if payload is None and len(answer) == 1:
            payload = next(iter(answer.values()))
        if not isinstance(payload, dict) or "id" not in payload:
            raise InvoicingError(
                _("The certified program answered without the document."),
                detail=f"keys: {sorted(answer)}",
            )
        return self._parse(kind, payload)

    def _parse(self, kind: DocumentKind, payload: dict[str, Any]) -> RemoteDocument:
        raw_state = str(payload.get("status", "")).lower()
        state = _STATES.get(raw_state, RemoteState.OTHER)
        number = ""
        if state is not RemoteState.DRAFT:
            # As the program writes it; the series/number order of SAF-T and the ATCUD first.
            number = str(
                payload.get("inverted_sequence_number") or payload.get("sequence_number") or ""
            )
        return RemoteDocument(
            remote_id=str(payload["id"]),
            kind=kind,
            state=state,
            raw_state=raw_state,
            reference=str(payload.get("reference") or ""),
            legal_number=number,
            atcud=str(payload.get("atcud") or "") if state is not RemoteState.DRAFT else "",
            net=_decimal(payload.get("before_taxes")),
            vat=_decimal(payload.get("taxes")),
            gross=_decimal(payload.get("total")),
        )

    def _change_state(
        self, kind: DocumentKind, remote_id: str, state: dict[str, str], wanted: RemoteState
    ) -> RemoteDocument:
        path = f"/{_PATHS[kind]}/{quote(remote_id)}/change-state.json"
        try:
            answer = self._call("PUT", path, body={"invoice": state}, safe=False)
        except ProgramRefused as refused:
            # A repeated change (the first one's answer was lost) is refused as an "invalid
            # state": the document may already be where it was asked to go.
            if refused.status not in (406, 422):
                raise
            current = self.get(kind, remote_id)
            if current.state is wanted:
                return current
            raise
        if not answer:
            return self.get(kind, remote_id)
        return self._document(kind, answer)

    # --- HTTP -----------------------------------------------------------------------------

    def _key(self) -> str:
        key = self._api_key()
        if not key:
            raise NotConfigured(
                _("The API key of the certified program is missing: set it in the settings.")
            )
        return key

    def _call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        safe: bool = True,
    ) -> dict[str, Any]:
        return self._call_status(method, path, params=params, body=body, safe=safe)[1]

    def _call_status(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        safe: bool = True,
    ) -> tuple[int, dict[str, Any]]:
        key = self._key()
        query = dict(params or {})
        query["api_key"] = key
        headers = {"Accept": "application/json"}
        for attempt in range(1, MAX_ATTEMPTS + 1):
            last = attempt == MAX_ATTEMPTS
            try:
                status, headers_in, content = self._send(method, path, query, body, headers)
            except httpx.ConnectError as error:  # nothing reached the program
                if safe and not last:
                    self._backoff(attempt)
                    continue
                raise ProgramUnreachable(
                    _("The certified program could not be reached: {detail}").format(
                        detail=redact(str(error), key) or type(error).__name__
                    ),
                    detail=redact(repr(error), key),
                ) from None
            except (httpx.TransportError, _TooLarge) as error:
                if safe and not last:
                    self._backoff(attempt)
                    continue
                text = redact(str(error), key) or type(error).__name__
                if safe:
                    raise ProgramUnreachable(
                        _("The certified program did not answer: {detail}").format(detail=text),
                        detail=redact(repr(error), key),
                    ) from None
                raise UncertainSend(
                    _(
                        "The certified program did not answer ({detail}); the document may "
                        "have been received there. It will be looked for before sending again."
                    ).format(detail=text),
                    detail=redact(repr(error), key),
                ) from None
            if status == 429 and not last:
                self._sleep(_retry_after(headers_in.get("retry-after"), attempt))
                continue
            if status >= 500 and safe and not last:
                self._backoff(attempt)
                continue
            if status >= 400:
                raise self._failure(status, content, key, safe)
            if not content.strip():
                return status, {}
            try:
                parsed = json.loads(content)
            except ValueError:
                raise InvoicingError(
                    _("The certified program answered something that is not JSON."),
                    detail=redact(content[:200].decode("utf-8", "replace"), key),
                ) from None
            return status, parsed if isinstance(parsed, dict) else {"items": parsed}
        raise AssertionError("unreachable")  # the loop returns or raises on its last attempt

    def _send(
        self,
        method: str,
        path: str,
        query: Mapping[str, str],
        body: Any,
        headers: Mapping[str, str],
        *,
        limit: int = MAX_RESPONSE_BYTES,
        absolute: bool = False,
    ) -> tuple[int, httpx.Headers, bytes]:
        url = path if absolute else self.base_url + path
        with (
            httpx.Client(timeout=self._timeout, follow_redirects=absolute) as client,
            client.stream(
                method, url, params=dict(query), json=body, headers=dict(headers)
            ) as response,
        ):
            length = response.headers.get("content-length")
            if length and length.isdigit() and int(length) > limit:
                raise _TooLarge(f"answer of {length} bytes")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise _TooLarge(f"answer over {limit} bytes")
                chunks.append(chunk)
            return response.status_code, response.headers, b"".join(chunks)

    def _download(self, url: str) -> bytes:
        key = self._key()
        try:
            status, _headers, content = self._send(
                "GET", url, {}, None, {}, limit=MAX_PDF_BYTES, absolute=True
            )
        except (httpx.HTTPError, _TooLarge) as error:
            raise ProgramUnreachable(
                _("The legal PDF could not be read: {detail}").format(
                    detail=redact(str(error), key) or type(error).__name__
                )
            ) from None
        if status != 200 or not content.startswith(b"%PDF"):
            raise InvoicingError(
                _("The legal PDF could not be read (answer {status}).").format(status=status)
            )
        return content

    def _failure(self, status: int, content: bytes, key: str, safe: bool) -> InvoicingError:
        said = "; ".join(redact(m, key) for m in program_messages(content))
        detail = f"HTTP {status}: " + redact(content[:500].decode("utf-8", "replace"), key)
        if status in (401, 404, 422) or status < 429:
            if status == 401:
                message = _(
                    "The certified program refused the API key ({said}). Check the account and "
                    "the key in the invoicing settings."
                ).format(said=said or _("access denied"))
            elif status == 422:
                message = _("The certified program refused the document: {said}").format(
                    said=said or _("some data were not accepted")
                )
            elif status == 404:
                message = _("The certified program does not know this document ({said}).").format(
                    said=said or _("not found")
                )
            else:
                message = _(
                    "The certified program refused the request (error {status}): {said}"
                ).format(status=status, said=said or "—")
            return ProgramRefused(message, status=status, program_message=said, detail=detail)
        if status == 429:
            return ProgramUnreachable(
                _("The certified program is busy (too many requests); it will be tried later."),
                detail=detail,
            )
        if status >= 500:
            if safe:
                return ProgramUnreachable(
                    _("The certified program failed (error {status}); try again later.").format(
                        status=status
                    ),
                    detail=detail,
                )
            return UncertainSend(
                _(
                    "The certified program failed (error {status}) and the document may have "
                    "been received there. It will be looked for before sending again."
                ).format(status=status),
                detail=detail,
            )
        return ProgramRefused(
            _("The certified program refused the request (error {status}): {said}").format(
                status=status, said=said or "—"
            ),
            status=status,
            program_message=said,
            detail=detail,
        )

    def _backoff(self, attempt: int) -> None:
        self._sleep(float(min(0.5 * 2 ** (attempt - 1), 10.0)))


class _TooLarge(Exception):
    """An answer over the bound: not read further."""


def _retry_after(value: str | None, attempt: int) -> float:
    """The seconds ``Retry-After`` asks for (a number or an HTTP date), at most
    ``MAX_RETRY_AFTER``; without one, a growing pause."""
    if value:
        text = value.strip()
        if text.isdigit():
            return min(float(text), MAX_RETRY_AFTER)
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError):
            when = None
        if when is not None and when.tzinfo is not None:
            from datetime import UTC, datetime

            return min(max((when - datetime.now(UTC)).total_seconds(), 0.0), MAX_RETRY_AFTER)
    return float(min(0.5 * 2 ** (attempt - 1), 10.0))
