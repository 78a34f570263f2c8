"""Hour packs: selling one (P14, P15), ending a subscription, reading a customer's packs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from app.domain.months import Month
from app.domain.packs import PackKind, unit_pack_valid_until
from app.domain.states import LedgerKind
from app.domain.validation import MAX_AMOUNT, MAX_PACK_MINUTES
from app.i18n import _, format_minutes_as_hours
from app.services import changes, checks
from app.services.changes import Topic
from app.services.context import Desk, use_case
from app.services.errors import InputError, RuleError
from app.services.packs.sweeps import record_allotments
from app.services.packs.types import PackResult, info_of, missing_pack
from app.services.queries import customer_row, locked_or_missing
from app.services.settings.calendar import company_today
from app.store.base import save_versioned
from app.store.models import LedgerEntry, Pack

# --- selling ----------------------------------------------------------------------------------


def _check_sale(minutes: int, price: Decimal, kind: PackKind) -> None:
    """Raises ``ValidationError`` (run it inside the use case) or ``InputError``."""
    if kind is PackKind.FREE:
        raise InputError(_("Free hours are granted by a missed guarantee, not sold."), field="kind")
    minutes = checks.whole(
        "minutes",
        minutes,
        minimum=-MAX_PACK_MINUTES,
        maximum=MAX_PACK_MINUTES,
        shown=format_minutes_as_hours,
    )
    if minutes <= 0:
        raise InputError(_("A pack must have more than zero hours."), field="minutes")
    price = checks.number("price", price, maximum=MAX_AMOUNT, money=True)
    if price < 0:
        raise InputError(_("The price of a pack cannot be negative."), field="price")
    if price != price.quantize(Decimal("0.01")):
        raise InputError(_("A price has at most two decimal places (cents)."), field="price")


def sell_pack(
    desk: Desk,
    *,
    customer_id: int,
    kind: PackKind,
    minutes: int,
    price: Decimal,
    purchased_on: date | None = None,
    starts_on: date | None = None,
    last_month: date | None = None,
    note: str = "",
) -> PackResult:
    """Sells a unit pack (P14) or a monthly subscription (P15) to a customer.

    ``minutes``: the hours bought (unit) or given each month (monthly), as minutes
    (``validation.parse_hours`` reads what the technician typed). ``price``: net; per month for a
    monthly pack. ``purchased_on``: today when omitted; may be in the past (recording an earlier
    sale), never in the future.

    Unit: valid from ``starts_on`` (default: the purchase date) until ``unit_pack_valid_until``;
    its ``PURCHASE`` entry is recorded now. Monthly: ``starts_on`` and ``last_month`` name months
    (any day of them); the first month is not before the purchase; ``last_month`` ``None`` runs
    until ended (``end_monthly_pack``). The allotments of the months already begun are recorded
    at once.
    """
    with use_case():
        _check_sale(minutes, price, kind)
        for field, day in (
            ("purchased_on", purchased_on),
            ("starts_on", starts_on),
            ("last_month", last_month),
        ):
            if day is not None:
                checks.day(field, day)
        text = checks.check_text("note", note)
        customer_row(customer_id)
        today = company_today(desk.now())
        bought = purchased_on or today
        if bought > today:
            raise InputError(_("The purchase date cannot be in the future."), field="purchased_on")
        valid_until: date | None = None
        if kind is PackKind.UNIT:
            valid_until = unit_pack_valid_until(bought)
            first = starts_on or bought
            if not bought <= first <= valid_until:
                raise InputError(
                    _("A unit pack starts between its purchase and its last day."),
                    field="starts_on",
                )
            last = None
        else:
            first = Month.of(starts_on or bought).first_day
            if first < Month.of(bought).first_day:
                raise InputError(
                    _("A monthly pack cannot start before the month it is bought in."),
                    field="starts_on",
                )
            last = None if last_month is None else Month.of(last_month).first_day
            if last is not None and last < first:
                raise InputError(
                    _("The last month of a monthly pack cannot come before its first."),
                    field="last_month",
                )
        pack = Pack.create(
            customer=customer_id,
            kind=kind,
            minutes=minutes,
            price=price,
            purchased_on=bought,
            starts_on=first,
            valid_until=valid_until,
            last_month=last,
            note=text,
            created_at=desk.now(),
            created_by=desk.technician_id,
        )
        if kind is PackKind.UNIT:
            LedgerEntry.create(
                customer=customer_id,
                pack=pack,
                kind=LedgerKind.PURCHASE,
                minutes=minutes,
                created_at=desk.now(),
                created_by=desk.technician_id,
            )
        else:
            record_allotments(desk, until=today, pack_ids=[pack.id])
        done = changes.note(desk, {Topic.PACKS}, pack.id)
        return PackResult(info_of(pack), changes=done)


def end_monthly_pack(desk: Desk, pack_id: int, version: int, *, last_month: date) -> PackResult:
    """Ends a monthly subscription after ``last_month`` (any day of it).

    The months already begun are not taken back (P15, no refunds): ``last_month`` cannot be
    before the current month.
    """
    with use_case():
        pack = locked_or_missing(Pack, pack_id, missing_pack(pack_id))
        if pack.kind is not PackKind.MONTHLY:
            raise RuleError(_("Only a monthly pack has a last month."))
        last = Month.of(checks.day("last_month", last_month)).first_day
        this_month = Month.of(company_today(desk.now())).first_day
        if last < max(this_month, pack.starts_on):
            raise InputError(
                _("A subscription can end this month at the earliest: {month}.").format(
                    month=max(this_month, pack.starts_on).strftime("%m/%Y")
                ),
                field="last_month",
            )
        pack.last_month = last
        save_versioned(pack, version, only=[Pack.last_month])
        done = changes.note(desk, {Topic.PACKS}, pack.id)
        return PackResult(info_of(pack), changes=done)
