"""A local InvoiceXpress (API v2) for the tests: the documented endpoints, shapes and errors,
on ``pytest-httpserver``.

Sections of https://invoicexpress.com/api-v2/ it follows:
- Invoices › Create (``POST /invoices.json``, ``{"invoice": {...}}`` in, ``{"invoice": {...}}``
  out, status ``draft``); Credit notes › Create (``POST /credit_notes.json``, out
  ``{"credit_note": {...}}``);
- Invoices › Get (``GET /{type}/{id}.json``);
- Change-state (``PUT /{type}/{id}/change-state.json``: draft → final with ``finalized``,
  final → canceled with ``canceled`` and a message; anything else 422 "Invalid state");
- Invoices › List all (``GET /invoices.json?text&type[]&page&per_page``: a fuzzy text search,
  paged, ``{"invoices": [...], "pagination": {...}}``);
- Invoices › Generate PDF (``GET /api/pdf/{id}.json``: 202 until ready, then
  ``{"output": {"pdfUrl": …}}``);
- Error codes responses (401 without the right ``api_key``; 422 ``{"errors": [{"error": …}]}``).
Dates ``dd/mm/yyyy``; taxes by name (``IVA23`` = 23 %…).
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

API_KEY = "s3cr3t-KEY+with/odd=chars"
TAXES = {"IVA23": Decimal("23"), "IVA22": Decimal("22"), "IVA16": Decimal("16"), "IVA0": Decimal(0)}
CENT = Decimal("0.01")
PDF = b"%PDF-1.4\n% legal PDF of the certified program\n%%EOF\n"


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Fake:
    """The account's documents and the faults the next requests meet."""

    server: HTTPServer
    documents: dict[int, dict[str, Any]] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    next_id: int = 1000
    finalized: int = 0
    #: Seconds the next create answers late (after the document is made).
    create_delay: float = 0.0
    #: Set when a create has made its document (the answer may still be on its way).
    created: threading.Event = field(default_factory=threading.Event)
    #: When set, a create waits for it before answering (a crash between request and answer).
    hold_create: threading.Event | None = None
    #: Answers served before the documented ones: (method, path prefix) → list of responses.
    faults: dict[tuple[str, str], list[Response]] = field(default_factory=dict)
    pdf_polls_before_ready: int = 0
    pdf_polls: int = 0
    #: Added to each document's VAT (a program that rounds otherwise).
    vat_skew: Decimal = Decimal(0)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def creates(self) -> int:
        return sum(1 for method, path in self.requests if method == "POST")

    def by_reference(self, reference: str) -> list[dict[str, Any]]:
        return [d for d in self.documents.values() if d["reference"] == reference]

    def add_decoys(self, references: list[str], kind: str = "invoice") -> None:
        """Other documents the fuzzy search also finds."""
        for reference in references:
            self._make(kind, {"reference": reference, "items": [], "client": {"name": "X"}})

    # --- the endpoints ------------------------------------------------------------------

    def handle(self, request: Request) -> Response:  # noqa: PLR0911  (one route a return)
        with self.lock:
            self.requests.append((request.method, request.path))
        if request.args.get("api_key") != API_KEY and not request.path.startswith("/files/"):
            return _json({"errors": [{"error": "Access denied: invalid API key"}]}, 401)
        for (method, prefix), answers in self.faults.items():
            if request.method == method and request.path.startswith(prefix) and answers:
                return answers.pop(0)
        path = request.path
        if request.method == "POST" and (
            found := re.fullmatch(r"/(invoices|credit_notes)\.json", path)
        ):
            return self._create(found.group(1), request)
        if request.method == "GET" and path == "/invoices.json":
            return self._list(request)
        if request.method == "GET" and (found := re.fullmatch(r"/api/pdf/(\d+)\.json", path)):
            return self._pdf(int(found.group(1)))
        if request.method == "GET" and re.fullmatch(r"/files/\d+\.pdf", path):
            return Response(PDF, 200, content_type="application/pdf")
        found = re.fullmatch(r"/(invoices|credit_notes)/(\d+)(/change-state)?\.json", path)
        if found is None or int(found.group(2)) not in self.documents:
            return _json({"errors": [{"error": "Not found"}]}, 404)
        document = self.documents[int(found.group(2))]
        if request.method == "GET" and not found.group(3):
            return _json({_key(document): document})
        if request.method == "PUT" and found.group(3):
            return self._change_state(document, request)
        return _json({"errors": [{"error": "Not found"}]}, 404)

    def _make(self, kind: str, body: dict[str, Any]) -> dict[str, Any]:
        net = vat = Decimal(0)
        for item in body.get("items", []):
            subtotal = _cents(Decimal(item["quantity"]) * Decimal(item["unit_price"]))
            rate = TAXES[item["tax"]["name"]]
            net += subtotal
            vat += _cents(subtotal * rate / 100)
        vat += self.vat_skew
        with self.lock:
            self.next_id += 1
            number = self.next_id
        document = {
            "id": number,
            "status": "draft",
            "type": "Invoice" if kind == "invoice" else "CreditNote",
            "kind": kind,
            "sequence_number": "draft",
            "inverted_sequence_number": "draft",
            "atcud": "",
            "date": body.get("date", ""),
            "reference": body.get("reference", ""),
            "client": body.get("client", {}),
            "items": body.get("items", []),
            "before_taxes": float(net),  # the API writes numbers
            "taxes": float(vat),
            "total": float(net + vat),
            "owner_invoice_id": body.get("owner_invoice_id"),
            "tax_exemption": body.get("tax_exemption"),
        }
        self.documents[number] = document
        return document

    def _create(self, plural: str, request: Request) -> Response:
        body = json.loads(request.data)["invoice"]
        problems = []
        if not re.fullmatch(r"\d{2}/\d{2}/\d{4}", body.get("date", "")):
            problems.append("Date is invalid")
        for item in body.get("items", []):
            if item.get("tax", {}).get("name") not in TAXES:
                problems.append(f"Tax {item.get('tax', {}).get('name')} was not found")
            if Decimal(item["quantity"]) <= 0:
                problems.append("Quantity must be a number greater than 0")
        if problems:
            return _json({"errors": [{"error": p} for p in problems]}, 422)
        kind = "invoice" if plural == "invoices" else "credit_note"
        document = self._make(kind, body)
        self.created.set()
        if self.hold_create is not None:
            self.hold_create.wait(30)
        if self.create_delay:
            time.sleep(self.create_delay)
        return _json({kind: document}, 201)

    def _change_state(self, document: dict[str, Any], request: Request) -> Response:
        change = json.loads(request.data)["invoice"]
        if change.get("state") == "finalized" and document["status"] == "draft":
            with self.lock:
                self.finalized += 1
                number = self.finalized
            series = "FT" if document["kind"] == "invoice" else "NC"
            document.update(
                status="final",
                sequence_number=f"{number}/A2026",
                inverted_sequence_number=f"{series} A2026/{number}",
                atcud=f"JJ7B9XKQ-{number}",
            )
            return _json({_key(document): document})
        if change.get("state") == "canceled" and document["status"] == "final":
            if not change.get("message"):
                return _json({"errors": [{"error": "Cancel message can't be blank"}]}, 422)
            document["status"] = "canceled"
            return _json({_key(document): document})
        return _json({"errors": [{"error": "Invalid state"}]}, 422)

    def _list(self, request: Request) -> Response:
        text = request.args.get("text", "")
        wanted = request.args.get("type[]")
        words = [w for w in re.split(r"\W+", text) if w]
        # Fuzzy, as the real search: any document that shares a word with the text.
        found = [
            d
            for d in sorted(self.documents.values(), key=lambda d: -d["id"])
            if (not wanted or d["type"] == wanted)
            and (not words or any(w in d["reference"] for w in words))
        ]
        per_page = int(request.args.get("per_page", "10"))
        page = int(request.args.get("page", "1"))
        pages = max(1, -(-len(found) // per_page))
        chunk = found[(page - 1) * per_page : page * per_page]
        return _json(
            {
                "invoices": chunk,
                "pagination": {
                    "total_entries": len(found),
                    "current_page": page,
                    "total_pages": pages,
                    "per_page": per_page,
                },
            }
        )

    def _pdf(self, number: int) -> Response:
        if number not in self.documents or self.documents[number]["status"] == "draft":
            return _json({"errors": [{"error": "Invalid state"}]}, 406)
        self.pdf_polls += 1
        if self.pdf_polls <= self.pdf_polls_before_ready:
            return Response(b"", 202)
        return _json({"output": {"pdfUrl": self.server.url_for(f"/files/{number}.pdf")}})


def _key(document: dict[str, Any]) -> str:
    return str(document["kind"])


def _json(value: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(value), status, headers=headers, content_type="application/json")


def answer(value: Any, status: int, headers: dict[str, str] | None = None) -> Response:
    """A response to queue in ``Fake.faults``."""
    return _json(value, status, headers)


def start() -> tuple[HTTPServer, Fake]:
    server = HTTPServer(threaded=True)
    server.start()
    fake = Fake(server)
    server.expect_request(re.compile(".*")).respond_with_handler(fake.handle)
    return server, fake


@pytest.fixture
def fake() -> Iterator[Fake]:
    """A fresh local InvoiceXpress for one test."""
    server, made = start()
    try:
        yield made
    finally:
        if made.hold_create is not None:
            made.hold_create.set()
        server.clear()
        server.stop()
