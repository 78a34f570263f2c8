"""Customers: their record (ficha), plan, contract terms (P18) and registered senders (P9).

One module a concern: ``queries`` (reading), ``editing`` (the use cases that change a record),
``fields`` (checking what is typed) and ``types`` (what they return). The use cases are named
here too, as ``customers.create_customer`` and so on, the way their callers know them.

An email address or phone number registered in a customer's record is what gives that customer's
contacts their guarantee (P9); each belongs to one customer only. Contacts keep the terms they
were received with (P19), so changing a customer's plan or contract rewrites no history.
"""

from app.services.customers.editing import (
    add_customer_email,
    add_customer_phone,
    archive_customer,
    change_plan,
    create_customer,
    remove_customer_email,
    remove_customer_phone,
    unarchive_customer,
    update_customer,
)
from app.services.customers.fields import make_contract_terms
from app.services.customers.queries import (
    customer,
    find_customer_by_sender,
    open_contact_counts,
    search_customers,
)
from app.services.customers.types import (
    DEFAULT_SEARCH_LIMIT,
    OPEN_STATES,
    CustomerFields,
    CustomerRecord,
    CustomerResult,
    CustomerRow,
    RegisteredEmail,
    RegisteredPhone,
    SenderMatch,
)

__all__ = [
    "DEFAULT_SEARCH_LIMIT",
    "OPEN_STATES",
    "CustomerFields",
    "CustomerRecord",
    "CustomerResult",
    "CustomerRow",
    "RegisteredEmail",
    "RegisteredPhone",
    "SenderMatch",
    "add_customer_email",
    "add_customer_phone",
    "archive_customer",
    "change_plan",
    "create_customer",
    "customer",
    "find_customer_by_sender",
    "make_contract_terms",
    "open_contact_counts",
    "remove_customer_email",
    "remove_customer_phone",
    "search_customers",
    "unarchive_customer",
    "update_customer",
]
