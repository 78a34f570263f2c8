"""Hour packs: the ledger, read page by page, and an administrator's correction of an entry."""

from __future__ import annotations

from datetime import datetime

from peewee import JOIN, fn

from app.domain.packs import PackKind, balance_after
from app.domain.states import LedgerKind
from app.i18n import _
from app.services import changes, checks
from app.services.changes import Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, RuleError
from app.services.packs.types import LEDGER_PAGE, EntryCorrected, LedgerRow
from app.services.queries import get_or_missing, rows_of
from app.services.settings.technicians import require_admin
from app.store.database import locking
from app.store.models import Customer, LedgerEntry, Pack, Technician

# --- the ledger -------------------------------------------------------------------------------


def _ledger_rows(query_filter: object | None, *, limit: int, offset: int) -> tuple[LedgerRow, ...]:
    reversal = LedgerEntry.alias("reversal")
    query = (
        LedgerEntry.select(
            LedgerEntry,
            Customer.name.alias("customer_name"),
            Pack.kind.alias("pack_kind"),
            Technician.name.alias("created_by_name"),
            reversal.id.alias("reversed_by_id"),
        )
        .join(Customer, on=LedgerEntry.customer == Customer.id)
        .switch(LedgerEntry)
        .join(Pack, on=LedgerEntry.pack == Pack.id)
        .switch(LedgerEntry)
        .join(Technician, JOIN.LEFT_OUTER, on=LedgerEntry.created_by == Technician.id)
        .switch(LedgerEntry)
        .join(reversal, JOIN.LEFT_OUTER, on=reversal.reverses == LedgerEntry.id)
    )
    if query_filter is not None:
        query = query.where(query_filter)
    query = query.order_by(LedgerEntry.id.desc()).limit(limit).offset(offset)
    return tuple(
        LedgerRow(
            id=row.id,
            created_at=row.created_at,
            customer_id=row.customer_id,
            customer_name=row.customer_name,
            pack_id=row.pack_id,
            pack_kind=PackKind(row.pack_kind),
            kind=row.kind,
            minutes=row.minutes,
            month=row.month,
            outside=row.outside,
            session_id=row.session_id,
            contact_id=row.contact_id,
            reverses_id=row.reverses_id,
            reversed_by_id=row.reversed_by_id,
            reason=row.reason,
            created_by_id=row.created_by_id,
            created_by_name=row.created_by_name,
        )
        for row in rows_of(query.objects())
    )


def _ledger_filter(
    customer_id: int | None,
    pack_id: int | None,
    kind: LedgerKind | None,
    since: datetime | None,
    until: datetime | None,
) -> object | None:
    conditions = []
    if customer_id is not None:
        conditions.append(LedgerEntry.customer == customer_id)
    if pack_id is not None:
        conditions.append(LedgerEntry.pack == pack_id)
    if kind is not None:
        conditions.append(LedgerEntry.kind == kind)
    if since is not None:
        conditions.append(LedgerEntry.created_at >= since)
    if until is not None:
        conditions.append(LedgerEntry.created_at < until)
    combined = None
    for condition in conditions:
        combined = condition if combined is None else combined & condition
    return combined


def ledger(
    customer_id: int | None = None,
    pack_id: int | None = None,
    kind: LedgerKind | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    limit: int = LEDGER_PAGE,
    offset: int = 0,
) -> tuple[LedgerRow, ...]:
    """Ledger entries, newest first, filtered by customer, pack, kind and ``[since, until)``;
    ``offset``/``limit``: one page of them (one query a page)."""
    combined = _ledger_filter(customer_id, pack_id, kind, since, until)
    return _ledger_rows(combined, limit=limit, offset=offset)


def count_ledger(
    customer_id: int | None = None,
    pack_id: int | None = None,
    kind: LedgerKind | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    *,
    at_most: int = LEDGER_PAGE,
) -> int:
    """How many entries ``ledger`` would find with these filters, counting no further than
    ``at_most`` (whether a list is cut short): one aggregate query over at most that many."""
    query = LedgerEntry.select(LedgerEntry.id)
    combined = _ledger_filter(customer_id, pack_id, kind, since, until)
    if combined is not None:
        query = query.where(combined)
    return int(query.limit(at_most).count())


def _pack_sum(entry: LedgerEntry) -> int:
    """The balance the entry counts in: its pack's, or for a monthly pack its month's."""
    query = LedgerEntry.select(fn.COALESCE(fn.SUM(LedgerEntry.minutes), 0)).where(
        LedgerEntry.pack == entry.pack_id
    )
    if entry.month is not None:
        query = query.where(LedgerEntry.month == entry.month)
    return int(query.scalar())


def correct_entry(desk: Desk, entry_id: int, reason: str) -> EntryCorrected:
    """Reverses a ledger entry recorded by mistake (a pack sold twice, a wrong allotment) with a
    ``CORRECTION`` entry of the opposite minutes. Administrators only; a written reason is
    required. A session's entries are corrected by editing or discarding the session, a
    compensation by revoking it; an entry is reversed at most once; no balance goes negative."""
    with use_case():
        why = checks.check_text("reason", reason, max_length=checks.LONG_TEXT, multiline=True)
        if not why:
            raise InputError(_("Write why the entry is corrected."), field="reason")
        require_admin(desk)
        entry = get_or_missing(
            LedgerEntry, entry_id, _("The ledger entry {id} does not exist.").format(id=entry_id)
        )
        if entry.session_id is not None:
            raise RuleError(
                _("This entry belongs to a session: edit or discard the session instead.")
            )
        if entry.kind in (LedgerKind.COMPENSATION, LedgerKind.REVOCATION):
            raise RuleError(
                _("Free hours of a missed guarantee are taken back by revoking the compensation.")
            )
        list(locking(Pack.select(Pack.id).where(Pack.id == entry.pack_id)))
        if LedgerEntry.select().where(LedgerEntry.reverses == entry.id).exists():
            raise RuleError(_("This entry has already been reversed."))
        try:
            balance_after(_pack_sum(entry), -entry.minutes)
        except ValueError as error:
            raise RuleError(
                _("Reversing this entry would leave the pack below zero: {detail}").format(
                    detail=error
                )
            ) from error
        correction = LedgerEntry.create(
            customer=entry.customer_id,
            pack=entry.pack_id,
            kind=LedgerKind.CORRECTION,
            minutes=-entry.minutes,
            month=entry.month,
            outside=entry.outside,
            contact=entry.contact_id,
            reverses=entry.id,
            reason=why,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
        done = changes.note(desk, {Topic.PACKS}, entry.pack_id)
        (row,) = _ledger_rows(LedgerEntry.id == correction.id, limit=1, offset=0)
        return EntryCorrected(row, changes=done)
