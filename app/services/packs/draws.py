"""Hour packs: the steps of the session use cases, drawing billed time (P16a) and giving it back."""

from __future__ import annotations

from datetime import date

from app.domain.packs import Allocation, allocate
from app.domain.states import LedgerKind
from app.services.context import Desk
from app.services.packs.balances import pack_balances
from app.services.packs.sweeps import record_allotments
from app.services.settings.calendar import company_today
from app.store.database import current_database, locking
from app.store.models import LedgerEntry, Pack


def require_transaction() -> None:
    # The draws and reversals below are steps of a caller's use case, never use cases of their own.
    if not current_database().in_transaction():
        raise RuntimeError("this runs inside the caller's use_case()")


# --- steps of the session use cases -----------------------------------------------------------


def plan_draws(
    customer_id: int,
    inside_minutes: int,
    outside_minutes: int,
    on: date,
    *,
    pending_allotments: bool = False,
) -> tuple[Allocation, dict[int, date | None]]:
    """Which of the customer's balances usable on ``on`` would pay these billed minutes (P16a),
    and the month each monthly balance is of; reads only. ``draw_for_session`` records it; a
    preview (``pending_allotments``: this month's allotment counted before the sweep records it,
    as the draw would record it first) shows it."""
    found = pack_balances(customer_id, on, pending_allotments=pending_allotments)
    allocation = allocate(inside_minutes, outside_minutes, [b.as_balance() for b in found], on)
    return allocation, {b.pack_id: b.month for b in found}


def draw_for_session(
    desk: Desk,
    *,
    customer_id: int,
    session_id: int,
    contact_id: int | None,
    inside_minutes: int,
    outside_minutes: int,
    on: date,
    today: date | None = None,
) -> tuple[Allocation, dict[int, date | None]]:
    """Pays a session's billed minutes from the customer's balances usable on ``on`` (P16a) and
    records a ``CONSUMPTION`` entry per draw. A step of a session use case (inside its
    ``use_case()``): the customer's pack rows are locked first, so no balance is ever overdrawn
    by two desks at once, and this month's allotments are recorded before anything is drawn.
    ``today``: the company's date now, when the caller knows it (one query fewer). The
    allocation recorded, and the month each monthly balance drawn is of (as ``plan_draws``)."""
    require_transaction()
    list(locking(Pack.select(Pack.id).where(Pack.customer == customer_id).order_by(Pack.id)))
    until = today or company_today(desk.now())
    record_allotments(desk, until=until, customer_id=customer_id)
    allocation, month_of = plan_draws(customer_id, inside_minutes, outside_minutes, on)
    if allocation.draws:
        # One statement for every draw (a long session may draw on many packs). Each pack is
        # one of ``customer_id``'s, read just above: what ``LedgerEntry.save`` checks one entry
        # at a time holds by construction.
        LedgerEntry.insert_many(
            [
                {
                    "customer": customer_id,
                    "pack": draw.key,
                    "kind": LedgerKind.CONSUMPTION,
                    "minutes": -draw.minutes,
                    "month": month_of[draw.key],
                    "outside": draw.outside,
                    "session": session_id,
                    "contact": contact_id,
                    "created_at": desk.now(),
                    "created_by": desk.technician_id,
                }
                for draw in allocation.draws
            ]
        ).execute()
    return allocation, month_of


def reverse_session_draws(desk: Desk, session_id: int, reason: str) -> int:
    """Gives back what a session drew, with one reversing entry per draw not yet reversed; a step
    of a session use case. Returns the number of entries reversed."""
    require_transaction()
    already = LedgerEntry.select(LedgerEntry.reverses).where(LedgerEntry.reverses.is_null(False))
    draws = list(
        LedgerEntry.select()
        .where(
            (LedgerEntry.session == session_id)
            & (LedgerEntry.kind == LedgerKind.CONSUMPTION)
            & LedgerEntry.id.not_in(already)
        )
        .order_by(LedgerEntry.id)
    )
    if not draws:
        return 0
    list(
        locking(
            Pack.select(Pack.id).where(Pack.id.in_({d.pack_id for d in draws})).order_by(Pack.id)
        )
    )
    for draw in draws:
        LedgerEntry.create(
            customer=draw.customer_id,
            pack=draw.pack_id,
            kind=LedgerKind.CORRECTION,
            minutes=-draw.minutes,
            month=draw.month,
            outside=draw.outside,
            session=session_id,
            contact=draw.contact_id,
            reverses=draw.id,
            reason=reason,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
    return len(draws)
