"""Invoices and credit notes (P20–P22).

One module a concern: ``queries`` (reading), ``drafting`` (a draft and its lines), ``lifecycle``
(issue, cancel), ``records`` (the steps they share) and ``types`` (what they return). The use
cases are named here too, as ``invoices.draft_invoice`` and so on, the way their callers know them.

A draft lists, for one customer and period, the packs bought and not invoiced yet, and the time
of stopped sessions that no pack covered, priced at the rates frozen on each session. Issuing
gives it the next number of its series and year (gapless, ``next_invoice_number``), refreshes the
supplier's and the customer's data, freezes it for good and marks its sessions invoiced. A
mistake is put right by cancelling: a credit note with its own numbering negates every line, and
the sessions become invoiceable again.

Decisions:
- The period: a unit pack is invoiced once, in the period its purchase date falls in; a monthly
  pack once per month, in the period the month's first day falls in (so consecutive periods never
  bill a month twice); a session's time in the period its start falls in (company time zone).
  A pack whose credit entry was reversed in the ledger (sold by mistake) is not invoiced.
- Items are taken by an issued invoice only: two drafts may list the same item, and issuing the
  second is refused (RuleError) once the first is issued. A draft whose sessions changed since
  it was made is refused too; it is deleted and made again.
- A customer without NIF is a final consumer: the invoice may be issued, and prints
  "Consumidor final" (``Party.nif_text``). A NIF that is present must pass its check digit, and
  the company's name, NIF and address must be filled in (CIVA art. 36.º n.º 5, P21).
- P22: no ATCUD and no QR code are ever made up. Every document carries ``NOT_CERTIFIED_NOTICE``
  (``InvoiceDocument.notice``), printed whatever the company's own legal mention says: the PDF is
  the company's billing record, and the legal invoice comes from its certified software.
"""

from app.services.invoices.drafting import (
    add_line,
    delete_draft,
    draft_invoice,
    monthly_pack_description,
    remove_line,
    time_description,
    unit_pack_description,
)
from app.services.invoices.lifecycle import cancel_invoice, issue_invoice
from app.services.invoices.queries import (
    count_invoices,
    invoice,
    invoice_by_number,
    invoice_row,
    invoice_years,
    invoices,
    issued_invoices,
)
from app.services.invoices.types import (
    NOT_CERTIFIED_NOTICE,
    DocumentLine,
    DraftDeleted,
    InvoiceCancelled,
    InvoiceDocument,
    InvoiceRef,
    InvoiceRow,
    Party,
)

__all__ = [
    "NOT_CERTIFIED_NOTICE",
    "DocumentLine",
    "DraftDeleted",
    "InvoiceCancelled",
    "InvoiceDocument",
    "InvoiceRef",
    "InvoiceRow",
    "Party",
    "add_line",
    "cancel_invoice",
    "count_invoices",
    "delete_draft",
    "draft_invoice",
    "invoice",
    "invoice_by_number",
    "invoice_row",
    "invoice_years",
    "invoices",
    "issue_invoice",
    "issued_invoices",
    "monthly_pack_description",
    "remove_line",
    "time_description",
    "unit_pack_description",
]
