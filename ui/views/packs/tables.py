"""The columns of the Packs view's tables: balances, packs expiring soon, the ledger, the
compensations. Rows are the services' dataclasses; the shared ``RowTableModel`` shows them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta

from PySide6.QtGui import QColor

from app.domain.packs import PackKind
from app.domain.states import LedgerKind
from app.i18n import (
    _,
    format_date,
    format_datetime,
    format_duration,
    format_minutes_as_hours,
    format_month,
    ngettext,
)
from app.services import packs
from app.services.compensation import GrantRecord
from app.services.labels import grant_state_text, ledger_kind_label, pack_kind_label
from app.services.packs import EXPIRY_WARNING_DAYS, ExpiringPack, LedgerRow, PackBalance
from ui.table_model import RIGHT, Column, RowTableModel

#: Expiring soon: the banner's warning colours (text, background).
AMBER = (QColor("#6b4a00"), QColor("#fff1cc"))
MUTED = QColor("#7a7a7a")
CREDIT = QColor("#1b6e2d")
NO_COLOUR: tuple[QColor | None, QColor | None] = (None, None)


def signed_hours(minutes: int) -> str:
    """A ledger movement: ``+10 h`` credited, ``−1 h 30 min`` drawn."""
    shown = format_minutes_as_hours(abs(minutes))
    return f"+{shown}" if minutes > 0 else f"\N{MINUS SIGN}{shown}"


def pack_name(kind: PackKind, pack_id: int) -> str:
    return _("{kind} #{id}").format(kind=pack_kind_label(kind), id=pack_id)


# --- a customer's balances --------------------------------------------------------------------


def _balance_colours(row: PackBalance) -> tuple[QColor | None, QColor | None]:
    return AMBER if row.expiring_soon else NO_COLOUR


def _balance_tooltip(row: PackBalance) -> str:
    if row.expiring_soon and row.valid_until is not None:
        return ngettext(
            "Expires within {count} day: what is left lapses after {date}.",
            "Expires within {count} days: what is left lapses after {date}.",
            EXPIRY_WARNING_DAYS,
        ).format(count=EXPIRY_WARNING_DAYS, date=format_date(row.valid_until))
    return ""


def _given(row: PackBalance) -> str:
    hours = format_minutes_as_hours(row.minutes)
    return _("{hours} a month").format(hours=hours) if row.kind is PackKind.MONTHLY else hours


def _last_day(row: PackBalance) -> str:
    return _("never expires") if row.valid_until is None else format_date(row.valid_until)


def _validity(row: PackBalance) -> str:
    if row.month is not None:
        return format_month(row.month.year, row.month.month)
    return format_date(row.valid_from)


def balance_model() -> RowTableModel[PackBalance]:
    def colour(row: PackBalance) -> tuple[QColor | None, QColor | None]:
        return _balance_colours(row)

    return RowTableModel(
        [
            Column(_("Kind"), lambda r: pack_kind_label(r.kind), colours=colour),
            Column(_("Pack"), lambda r: f"#{r.pack_id}", lambda r: r.pack_id, colours=colour),
            Column(_("Valid from / month"), _validity, lambda r: r.valid_from, colours=colour),
            Column(
                _("Last day"),
                _last_day,
                lambda r: r.valid_until or date.max,
                tooltip=_balance_tooltip,
                colours=colour,
            ),
            Column(_("Hours"), _given, lambda r: r.minutes, RIGHT, colours=colour),
            Column(
                _("Used"),
                lambda r: format_minutes_as_hours(r.used),
                lambda r: r.used,
                RIGHT,
                colours=colour,
            ),
            Column(
                _("Left"),
                lambda r: format_minutes_as_hours(r.remaining),
                lambda r: r.remaining,
                RIGHT,
                tooltip=_balance_tooltip,
                colours=colour,
            ),
        ],
        key=lambda r: r.pack_id,
    )


# --- expiring packs, every customer -----------------------------------------------------------


#: The column of the expiring packs' last day: the order ``packs.expiring_packs`` reads in.
EXPIRING_LAST_DAY_COLUMN = 2


def expiring_model() -> RowTableModel[ExpiringPack]:
    return RowTableModel(
        [
            Column(
                _("Customer"),
                lambda r: r.customer_name,
                lambda r: r.customer_name.casefold(),
                tooltip=lambda r: r.customer_name,
            ),
            Column(_("Pack"), lambda r: f"#{r.pack_id}", lambda r: r.pack_id),
            Column(
                _("Last day"),
                lambda r: format_date(r.valid_until),
                lambda r: r.valid_until,
                colours=lambda r: AMBER,
            ),
            Column(
                _("Left"),
                lambda r: _("{left} of {hours}").format(
                    left=format_minutes_as_hours(r.remaining),
                    hours=format_minutes_as_hours(r.minutes),
                ),
                lambda r: r.remaining,
                RIGHT,
            ),
        ],
        key=lambda r: r.pack_id,
    )


# --- the ledger -------------------------------------------------------------------------------


def _ledger_pack(row: LedgerRow) -> str:
    name = pack_name(row.pack_kind, row.pack_id)
    if row.month is None:
        return name
    return _("{pack}, {month}").format(
        pack=name, month=format_month(row.month.year, row.month.month)
    )


def _linked(row: LedgerRow) -> str:
    parts = []
    if row.session_id is not None:
        parts.append(_("Session #{id}").format(id=row.session_id))
    if row.contact_id is not None:
        parts.append(_("Contact #{id}").format(id=row.contact_id))
    return " · ".join(parts)


def _why(row: LedgerRow) -> str:
    parts = [row.reason] if row.reason else []
    if row.outside:
        parts.append(_("outside business hours"))
    if row.reverses_id is not None:
        parts.append(_("reverses entry #{id}").format(id=row.reverses_id))
    if row.reversed_by_id is not None:
        parts.append(_("reversed by entry #{id}").format(id=row.reversed_by_id))
    return " · ".join(parts)


def _ledger_colours(row: LedgerRow) -> tuple[QColor | None, QColor | None]:
    return (MUTED, None) if row.reversed_by_id is not None else NO_COLOUR


def _minutes_colours(row: LedgerRow) -> tuple[QColor | None, QColor | None]:
    if row.reversed_by_id is not None:
        return (MUTED, None)
    return (CREDIT, None) if row.minutes > 0 else NO_COLOUR


#: The ledger's customer column, hidden while the ledger shows one customer.
LEDGER_CUSTOMER_COLUMN = 1


def ledger_model() -> RowTableModel[LedgerRow]:
    return RowTableModel(
        [
            Column(
                _("When"),
                lambda r: format_datetime(r.created_at),
                lambda r: r.created_at,
                colours=_ledger_colours,
            ),
            Column(
                _("Customer"),
                lambda r: r.customer_name,
                lambda r: r.customer_name.casefold(),
                tooltip=lambda r: r.customer_name,
                colours=_ledger_colours,
            ),
            Column(_("Movement"), lambda r: ledger_kind_label(r.kind), colours=_ledger_colours),
            Column(_("Pack"), _ledger_pack, lambda r: r.pack_id, colours=_ledger_colours),
            Column(
                _("Hours"),
                lambda r: signed_hours(r.minutes),
                lambda r: r.minutes,
                RIGHT,
                colours=_minutes_colours,
            ),
            Column(
                _("Who"),
                lambda r: r.created_by_name or _("the program"),
                colours=_ledger_colours,
            ),
            Column(
                _("Session / contact"),
                _linked,
                lambda r: (r.session_id or 0, r.contact_id or 0),
                tooltip=lambda r: _("Double-click to open it.") if _linked(r) else "",
                colours=_ledger_colours,
            ),
            Column(_("Why"), _why, tooltip=_why, colours=_ledger_colours),
        ],
        key=lambda r: r.id,
    )


# --- compensations ----------------------------------------------------------------------------


def _grant_colours(row: GrantRecord) -> tuple[QColor | None, QColor | None]:
    return (MUTED, None) if row.revoked else NO_COLOUR


def grant_model() -> RowTableModel[GrantRecord]:
    return RowTableModel(
        [
            Column(
                _("Granted"),
                lambda r: format_datetime(r.granted_at),
                lambda r: r.granted_at,
                colours=_grant_colours,
            ),
            Column(
                _("Hours"),
                lambda r: format_duration(timedelta(hours=r.hours)),
                lambda r: r.hours,
                RIGHT,
                colours=_grant_colours,
            ),
            Column(
                _("Contact"),
                lambda r: _("#{id} {subject}").format(id=r.contact_id, subject=r.contact_subject),
                lambda r: r.contact_id,
                colours=_grant_colours,
            ),
            Column(
                _("Deadline missed"),
                lambda r: "" if r.contact_deadline is None else format_datetime(r.contact_deadline),
                lambda r: r.contact_deadline or r.granted_at,
                colours=_grant_colours,
            ),
            Column(_("State"), grant_state_text, tooltip=grant_state_text, colours=_grant_colours),
        ],
        key=lambda r: r.id,
    )


# --- reading a page at a time (``RowTableModel.set_pages``) -------------------------------------


def expiring_pages(today: date) -> Callable[[int, int], tuple[ExpiringPack, ...]]:
    """The unit packs expiring soon as of ``today``, a page at a time (soonest first)."""

    def page(offset: int, limit: int) -> tuple[ExpiringPack, ...]:
        return packs.expiring_packs(today, offset=offset, limit=limit)

    return page


def ledger_pages(
    customer_id: int | None,
    kind: LedgerKind | None,
    since: datetime | None,
    until: datetime | None,
    *,
    at_most: int,
) -> Callable[[int, int], tuple[LedgerRow, ...]]:
    """The newest ``at_most`` ledger entries with these filters, a page at a time."""

    def page(offset: int, limit: int) -> tuple[LedgerRow, ...]:
        limit = min(limit, at_most - offset)
        if limit <= 0:
            return ()  # past the newest ``at_most``: no query
        return packs.ledger(
            customer_id=customer_id,
            kind=kind,
            since=since,
            until=until,
            offset=offset,
            limit=limit,
        )

    return page
