"""Read helpers the use cases share: a record by id or a clear "not found", and who owns a sender.

Internal to ``app.services``: they return peewee rows, which never leave the services.
"""

from __future__ import annotations

from typing import Literal, TypeVar

from app.services.errors import NotFoundError
from app.store.base import BaseModel
from app.store.database import locking
from app.store.models import CustomerEmail, CustomerPhone

_M = TypeVar("_M", bound=BaseModel)

SenderKind = Literal["email", "phone"]


def get_or_missing(model: type[_M], record_id: int, missing: str) -> _M:
    """The row ``record_id`` of ``model``, or ``NotFoundError(missing)``."""
    row: _M | None = model.get_or_none(model.id == record_id)
    if row is None:
        raise NotFoundError(missing)
    return row


def locked_or_missing(model: type[_M], record_id: int, missing: str) -> _M:
    """Like ``get_or_missing``, locked until the transaction ends (call inside ``use_case``)."""
    row: _M | None = locking(model.select().where(model.id == record_id)).first()
    if row is None:
        raise NotFoundError(missing)
    return row


def sender_owner(kind: SenderKind, normalised: str) -> int | None:
    """The customer whose record registers this email or phone (P9), if any."""
    if kind == "email":
        found = (
            CustomerEmail.select(CustomerEmail.customer)
            .where(CustomerEmail.email == normalised)
            .scalar()
        )
    else:
        found = (
            CustomerPhone.select(CustomerPhone.customer)
            .where(CustomerPhone.number == normalised)
            .scalar()
        )
    return None if found is None else int(found)
