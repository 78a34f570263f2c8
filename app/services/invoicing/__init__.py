"""Handing Balcão's issued documents to the certified invoicing program (P22, P29).

- ``setup``: the company's program (administrators), its API key (an environment variable's
  name, or the system keyring: never a file of ours), and the adapter built from them;
- ``mapping``: an issued document → what the program is sent (P29);
- ``push``: send once whatever fails, finalize (deliberate or automatic), the legal PDF;
- ``outbox``: the sends waiting, retried with back-off by the background runner;
- ``cancel``: an invoice cancelled in Balcão, cancelled there too where the program allows it;
- ``queries``: the legal state each document shows (Faturas, ``balcao invoices``, the PDF).

The HTTP calls are made outside any database transaction: each state change before and after
a call is its own short transaction, so a crash in between leaves a trace (``uncertain``) that
the next attempt reads before sending again.
"""
