""" "Associar a um cliente…": an unknown sender's address into a customer's record.

The contact keeps its frozen terms (P19); the sender's next message is registered (P9).
"""

from __future__ import annotations

from app.i18n import _
from app.services.contacts import contact as contact_record
from app.services.context import Desk
from app.services.customers import CustomerResult, add_customer_email, customer
from app.services.errors import RuleError


def associate_sender(desk: Desk, contact_id: int, customer_id: int) -> CustomerResult:
    found = contact_record(contact_id)
    if not found.sender_normalised or "@" not in found.sender_normalised:
        raise RuleError(_("This contact's sender is not an email address."))
    record = customer(customer_id)
    return add_customer_email(
        desk, customer_id, record.version, found.sender_normalised, label=_("from email")
    )
