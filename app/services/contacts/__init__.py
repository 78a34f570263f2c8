"""Contacts (tickets, emails, calls): receipt with frozen terms (P9, P10, P10a, P19), the first
response, closing, and the queue sorted by time left.

At receipt the sender is normalised and looked up among the registered emails and phones (P9);
the customer's plan and contract give the terms (``app.domain.sla.response_terms``), and all of
it is frozen on the contact (P19): later edits of the customer rewrite no history. A contact on a
dedicated channel from a sender not registered for a priority plan is rejected (P10a): kept for
audit in ``rejected_contacts()``, out of the queue.

States: open (waiting for its first response) → answered → closed; closed → reopened (answered).
Closing a contact that had no first response records the closing as its first response: a
request is not closed without telling the customer. A first response after the deadline grants
the compensation at once (P17) — the sweep would grant it anyway.

One module a concern: ``registering`` (receipt and its preview), ``lifecycle`` (responses,
closing, reopening, editing), ``assigning`` (the technician who looks after it),
``corrections`` (undoing and correcting a first response), ``queries`` (the queue and the other
read models) and ``types`` (what they return). The use cases are named here too, as
``contacts.register_contact`` and so on, the way their callers know them.
"""

from app.services.contacts.assigning import assign_technician
from app.services.contacts.corrections import (
    CorrectionRecord,
    correct_response,
    response_history,
    undo_first_response,
)
from app.services.contacts.lifecycle import (
    close_contact,
    record_first_response,
    record_response_seen,
    reopen_contact,
    update_contact,
)
from app.services.contacts.queries import (
    all_contacts,
    contact,
    contacts_of_customer,
    open_contacts,
    queue_rows,
    rejected_contacts,
)
from app.services.contacts.registering import preview_contact_terms, register_contact
from app.services.contacts.types import (
    QUEUE_STATES,
    ContactRecord,
    ContactResult,
    ContactRow,
    ContactTermsPreview,
)

__all__ = [
    "QUEUE_STATES",
    "ContactRecord",
    "ContactResult",
    "ContactRow",
    "ContactTermsPreview",
    "CorrectionRecord",
    "all_contacts",
    "assign_technician",
    "close_contact",
    "contact",
    "contacts_of_customer",
    "correct_response",
    "open_contacts",
    "preview_contact_terms",
    "queue_rows",
    "record_first_response",
    "record_response_seen",
    "register_contact",
    "rejected_contacts",
    "reopen_contact",
    "response_history",
    "undo_first_response",
    "update_contact",
]
