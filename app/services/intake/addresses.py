"""The company's support addresses and the team's own (Definições › Correio; administrators).

A support address carries its channel (P24): the general one email/ticket, a dedicated one
priority email. The support addresses count as team addresses too (issue 11): a message from one
of them is the team talking (P26), a reply sent from one of them is the team's (P27).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.domain.sla import Channel
from app.domain.states import AddressKind
from app.domain.validation import ValidationError, normalize_email
from app.i18n import _
from app.services import changes
from app.services.changes import Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, NotFoundError, RuleError
from app.services.settings import require_admin
from app.store.models import SupportAddress


@dataclass(frozen=True)
class AddressRecord:
    id: int
    address: str
    kind: AddressKind
    created_at: datetime


@dataclass(frozen=True)
class KnownAddresses:
    """What the intake's rules need: support address → channel (P24), and the team (P26, P27)."""

    support: dict[str, Channel]
    team: frozenset[str]


def _kind(value: object) -> AddressKind:
    try:
        return AddressKind(str(value))
    except ValueError:
        raise InputError(
            _("Unknown kind of address: {kind} (email, priority_email or team).").format(
                kind=value
            ),
            field="kind",
        ) from None


def _address(value: object) -> str:
    try:
        return normalize_email(str(value))
    except ValidationError as error:
        raise InputError(error.message, field="address") from error


def _record(row: SupportAddress) -> AddressRecord:
    return AddressRecord(row.id, row.address, row.kind, row.created_at)


def addresses() -> tuple[AddressRecord, ...]:
    rows = SupportAddress.select().order_by(SupportAddress.kind, SupportAddress.address)
    return tuple(_record(row) for row in rows)


def known_addresses() -> KnownAddresses:
    support: dict[str, Channel] = {}
    team: set[str] = set()
    for row in SupportAddress.select():
        team.add(row.address)
        if row.kind is AddressKind.EMAIL:
            support[row.address] = Channel.EMAIL
        elif row.kind is AddressKind.PRIORITY_EMAIL:
            support[row.address] = Channel.PRIORITY_EMAIL
    return KnownAddresses(support, frozenset(team))


def add_address(desk: Desk, address: str, kind: AddressKind | str) -> AddressRecord:
    chosen = _kind(kind)
    normal = _address(address)
    with use_case():
        require_admin(desk)
        if SupportAddress.get_or_none(SupportAddress.address == normal) is not None:
            raise RuleError(_("The address {address} is already listed.").format(address=normal))
        row = SupportAddress.create(address=normal, kind=chosen, created_at=desk.now())
        changes.note(desk, {Topic.SETTINGS})
        return _record(row)


def remove_address(desk: Desk, address: str) -> None:
    normal = _address(address)
    with use_case():
        require_admin(desk)
        removed = SupportAddress.delete().where(SupportAddress.address == normal).execute()
        if not removed:
            raise NotFoundError(_("The address {address} is not listed.").format(address=normal))
        changes.note(desk, {Topic.SETTINGS})
