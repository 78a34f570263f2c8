"""The InvoiceXpress adapter against a local server that plays the API v2; each test names the
documentation section (https://invoicexpress.com/api-v2/) it follows."""

from __future__ import annotations

import logging
from datetime import date
from decimal import Decimal
from urllib.parse import quote, quote_plus

import pytest

from app.invoicing.base import (
    Customer,
    DocumentKind,
    LegalDraft,
    Line,
    ProgramRefused,
    ProgramUnreachable,
    RemoteState,
    UncertainSend,
)
from app.invoicing.invoicexpress import PER_PAGE, InvoiceXpress
from tests.invoicing.fake_invoicexpress import API_KEY, PDF, Fake, answer

TAX_NAMES = {"0.23": "IVA23", "0.22": "IVA22", "0.16": "IVA16", "0": "IVA0"}
KEY_FORMS = (API_KEY, quote(API_KEY, safe=""), quote_plus(API_KEY))


class Sleeps(list[float]):
    """A fake ``sleep``: records the pauses asked for, waits for none."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def program(fake: Fake, sleeps: Sleeps | None = None, *, key: str = API_KEY, timeout: float = 5):
    return InvoiceXpress(
        "acme",
        lambda: key,
        base_url=fake.server.url_for("/").rstrip("/"),
        tax_names=TAX_NAMES,
        timeout=timeout,
        sleep=sleeps if sleeps is not None else Sleeps(),
    )


def draft(reference: str = "FT 2026/7", nif: str | None = "501964843") -> LegalDraft:
    return LegalDraft(
        kind=DocumentKind.INVOICE,
        reference=reference,
        customer=Customer("Loja do Bairro, Lda.", nif, "Rua Direita 1", "1100-001", "Lisboa", "PT"),
        lines=(
            Line(
                "Assistência remota, 10/03/2026",
                Decimal("1.25"),
                Decimal("40.00"),
                Decimal("0.23"),
                None,
            ),
            Line("Pack de 10 horas", Decimal(1), Decimal("350.00"), Decimal("0.23"), None),
        ),
        issue_date=date(2026, 3, 31),
        net=Decimal("400.00"),
        vat=Decimal("92.00"),
        gross=Decimal("492.00"),
    )


def no_key_in(*texts: str) -> None:
    for text in texts:
        for form in KEY_FORMS:
            assert form not in text


def test_invoices_create_sends_the_documented_body_and_reads_back_a_draft(fake: Fake) -> None:
    """Invoices › Create: ``POST /invoices.json`` with ``{"invoice": …}``, dates dd/mm/yyyy,
    taxes by name, Balcão's number in ``reference``."""
    made = program(fake).create_draft(draft())
    sent = fake.documents[int(made.remote_id)]
    assert sent["date"] == "31/03/2026"
    assert sent["reference"] == "FT 2026/7"
    assert sent["client"]["fiscal_id"] == "501964843"
    assert sent["client"]["country"] == "Portugal"
    assert [(i["quantity"], i["unit_price"], i["tax"]["name"]) for i in sent["items"]] == [
        ("1.25", "40.00", "IVA23"),
        ("1", "350.00", "IVA23"),
    ]
    assert (made.state, made.legal_number, made.atcud) == (RemoteState.DRAFT, "", "")
    assert (made.net, made.vat, made.gross) == (Decimal("400.0"), Decimal("92.0"), Decimal("492.0"))


def test_clients_final_consumer_goes_without_a_fiscal_id(fake: Fake) -> None:
    """Clients: a customer without a NIF is sent with no ``fiscal_id`` (the final consumer)."""
    made = program(fake).create_draft(draft(nif=None))
    assert "fiscal_id" not in fake.documents[int(made.remote_id)]["client"]


def test_change_state_finalizes_and_reads_the_legal_number_as_written(fake: Fake) -> None:
    """Change-state: draft → final with ``{"invoice": {"state": "finalized"}}``; Invoices › Get."""
    ix = program(fake)
    made = ix.create_draft(draft())
    final = ix.finalize(DocumentKind.INVOICE, made.remote_id)
    assert (final.state, final.legal_number, final.atcud) == (
        RemoteState.FINALIZED,
        "FT A2026/1",
        "JJ7B9XKQ-1",
    )
    assert ix.get(DocumentKind.INVOICE, made.remote_id) == final
    # A repeated finalize (its first answer lost) is refused there as an invalid state: the
    # document is already final, and that is the answer.
    assert ix.finalize(DocumentKind.INVOICE, made.remote_id) == final


def test_error_codes_401_is_shown_with_the_programs_own_message(fake: Fake) -> None:
    """Error codes responses: 401, the API key missing or wrong."""
    with pytest.raises(ProgramRefused) as refused:
        program(fake, key="wrong-key").create_draft(draft())
    assert refused.value.status == 401
    assert "Access denied: invalid API key" in str(refused.value)
    assert fake.documents == {}


def test_error_codes_422_is_shown_with_the_error_body(fake: Fake) -> None:
    """Error codes responses: 422 with ``{"errors": [{"error": …}]}`` (Create or Update)."""
    ix = InvoiceXpress(
        "acme",
        lambda: API_KEY,
        base_url=fake.server.url_for("/").rstrip("/"),
        tax_names={"0.23": "IVA-NORMAL"},
        sleep=Sleeps(),
    )
    with pytest.raises(ProgramRefused) as refused:
        ix.create_draft(draft())
    assert refused.value.status == 422
    assert (
        refused.value.program_message
        == "Tax IVA-NORMAL was not found; Tax IVA-NORMAL was not found"
    )
    assert "Tax IVA-NORMAL was not found" in str(refused.value)


def test_429_is_retried_after_retry_after(fake: Fake) -> None:
    """Error codes responses: 429 Too Many Requests with ``Retry-After``; nothing was done, so
    even a create is sent again, after the pause asked for."""
    fake.faults[("POST", "/invoices.json")] = [
        answer({"errors": [{"error": "Rate limit"}]}, 429, {"Retry-After": "7"})
    ]
    sleeps = Sleeps()
    program(fake, sleeps).create_draft(draft())
    assert sleeps == [7.0]
    assert fake.creates() == 2
    assert len(fake.documents) == 1


def test_5xx_is_retried_on_a_get_but_not_on_a_create(fake: Fake) -> None:
    """A 5xx to a GET is retried; to a POST it is an uncertain send (the program may have made
    the document), never sent again blindly."""
    ix = program(fake)
    made = ix.create_draft(draft())
    fake.faults[("GET", "/invoices/")] = [answer({}, 502), answer({}, 503)]
    assert ix.get(DocumentKind.INVOICE, made.remote_id).remote_id == made.remote_id
    fake.faults[("POST", "/invoices.json")] = [answer({}, 500)]
    with pytest.raises(UncertainSend):
        ix.create_draft(draft("FT 2026/8"))
    assert fake.creates() == 2


def test_generate_pdf_answers_202_until_ready(fake: Fake) -> None:
    """Invoices › Generate PDF: ``GET /api/pdf/{id}.json`` answers 202 until the file is ready
    (here after three polls), then its address."""
    ix = program(fake, sleeps := Sleeps())
    made = ix.create_draft(draft())
    ix.finalize(DocumentKind.INVOICE, made.remote_id)
    fake.pdf_polls_before_ready = 3
    assert ix.legal_pdf(DocumentKind.INVOICE, made.remote_id) == PDF
    assert fake.pdf_polls == 4
    assert len(sleeps) == 3


def test_list_all_search_is_fuzzy_so_the_reference_is_compared_exactly_page_by_page(
    fake: Fake,
) -> None:
    """Invoices › List all: ``text`` finds FT 2026/7 among FT 2026/70…; paged."""
    ix = program(fake)
    made = ix.create_draft(draft("FT 2026/7"))
    fake.add_decoys([f"FT 2026/7{n}" for n in range(PER_PAGE + 5)])
    found = ix.find_by_reference(DocumentKind.INVOICE, "FT 2026/7")
    assert found is not None and found.remote_id == made.remote_id
    assert sum(1 for m, p in fake.requests if (m, p) == ("GET", "/invoices.json")) == 2
    assert ix.find_by_reference(DocumentKind.INVOICE, "FT 2026/9") is None
    assert ix.find_by_reference(DocumentKind.CREDIT_NOTE, "FT 2026/7") is None


def test_a_create_that_times_out_after_the_program_made_it_is_uncertain(fake: Fake) -> None:
    """An HTTP call gives up after its timeout; a create without an answer may have been made."""
    fake.create_delay = 1.0
    with pytest.raises(UncertainSend):
        program(fake, timeout=0.2).create_draft(draft())
    assert len(fake.by_reference("FT 2026/7")) == 1


def test_the_api_key_is_in_no_error_and_no_log_line(
    fake: Fake, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    texts: list[str] = []
    fake.faults[("POST", "/invoices.json")] = [
        answer({"errors": [{"error": f"echo /invoices.json?api_key={API_KEY}"}]}, 422)
    ]
    unreachable = InvoiceXpress(
        "acme", lambda: API_KEY, base_url="http://127.0.0.1:9", tax_names=TAX_NAMES, sleep=Sleeps()
    )
    for call in (
        lambda: program(fake).create_draft(draft()),
        lambda: program(fake, timeout=0.2).get(DocumentKind.INVOICE, "1"),
        lambda: unreachable.create_draft(draft()),
        lambda: unreachable.get(DocumentKind.INVOICE, "1"),
    ):
        with pytest.raises((ProgramRefused, ProgramUnreachable, UncertainSend)) as caught:
            call()
        texts += [str(caught.value), repr(caught.value), caught.value.detail]
        texts += [str(caught.value.__cause__), str(caught.value.__context__)]
    program(fake).check_connection()  # a request that succeeds is logged by httpx too
    # Ours and httpx's lines; werkzeug's are the test server's own (the program's side).
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name != "werkzeug")
    assert "HTTP Request" in logged
    no_key_in(logged, *texts)
