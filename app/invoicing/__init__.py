"""Adapters to the company's certified invoicing program (P22, P29), InvoiceXpress first.

- ``base``: the small interface every program implements (``CertifiedProgram``), what is sent
  (``LegalDraft``) and what comes back (``RemoteDocument``), and the errors, sorted by whether a
  send may have happened (``UncertainSend``) or surely did not (``ProgramRefused``…).
- ``invoicexpress``: the InvoiceXpress API v2 adapter over ``httpx``.

No Qt and no database here: the services (``app.services.invoicing``) map Balcão's documents to a
``LegalDraft`` and keep what comes back.
"""
