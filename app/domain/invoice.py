"""Invoice arithmetic (P20, P21): line amounts, VAT per rate and totals, in ``Decimal``.

Each line's net amount is rounded half-up to the cent; VAT is computed once per rate on the sum
of the nets at that rate, and rounded the same way. Rounding half-up is symmetric around zero
(``ROUND_HALF_UP`` rounds ties away from zero), so a credit note's totals are exactly the negation
of the invoice's.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from app.i18n import _

VAT_MAINLAND = Decimal("0.23")  # P20, the default
VAT_MADEIRA = Decimal("0.22")  # P21
VAT_AZORES = Decimal("0.16")  # P21

_CENT = Decimal("0.01")
_MINUTES_PER_HOUR = 60


def round_cents(amount: Decimal) -> Decimal:
    """Half-up to the cent (P21); never a negative zero, which would print as "-0,00 €"."""
    rounded = amount.quantize(_CENT, rounding=ROUND_HALF_UP)
    return rounded if rounded else abs(rounded)


def _hours(minutes: int) -> Decimal:
    # The quantity shown on the invoice: exact for whole quarter hours, else to two decimals.
    return round_cents(Decimal(minutes) / _MINUTES_PER_HOUR)


def hours_quantity(minutes: int) -> Decimal:
    """Billed minutes as the hours shown on a time line: 45 → 0.75, 10 → 0.17.

    The quantity is for reading only; a time line's net comes from the exact minutes
    (``time_line``).
    """
    if minutes < 0:
        raise ValueError(_("Billed time cannot be negative."))
    return _hours(minutes)


def _check_amount(value: object, name: str) -> None:
    # A float would carry its binary error into the invoice; refuse it before it spreads.
    if not isinstance(value, Decimal):
        raise TypeError(f"{name} must be a Decimal, not {type(value).__name__}")
    if not value.is_finite():
        raise ValueError(_("An invoice amount must be a number."))


@dataclass(frozen=True)
class InvoiceLine:
    description: str
    quantity: Decimal
    unit_price: Decimal
    vat_rate: Decimal
    #: Why the line bears no VAT (the law's article); required when ``vat_rate`` is 0 (P21).
    exemption: str | None = None
    service_date: date | None = None
    #: A time line's exact billed minutes (``quantity`` is then those minutes in hours).
    minutes: int | None = None
    #: A credit note's line, made by ``credit_lines``: its quantity is negative.
    credit: bool = False

    def __post_init__(self) -> None:
        for name in ("quantity", "unit_price", "vat_rate"):
            _check_amount(getattr(self, name), name)
        if not self.description.strip():
            raise ValueError(_("An invoice line needs a description."))
        if self.unit_price < 0:
            raise ValueError(_("The unit price of an invoice line cannot be negative."))
        if self.credit and self.quantity > 0:
            raise ValueError(_("A credit note line cannot have a positive quantity."))
        if not self.credit and self.quantity < 0:
            raise ValueError(
                _("The quantity of an invoice line cannot be negative; issue a credit note.")
            )
        if not 0 <= self.vat_rate < 1:
            raise ValueError(_("A VAT rate must be between 0% and 100%."))
        if self.vat_rate == 0 and not (self.exemption or "").strip():
            raise ValueError(_("A line without VAT must state the reason for the exemption."))
        if self.vat_rate != 0 and self.exemption is not None:
            raise ValueError(_("A line that bears VAT cannot have an exemption reason."))
        if self.minutes is not None and self.quantity != _hours(self.minutes):
            raise ValueError(_("The quantity of a time line does not match its minutes."))

    @property
    def net(self) -> Decimal:
        """Quantity × unit price, rounded half-up per line (P21); a time line prices its exact
        minutes, so 10 min at 50 €/h is 8.33 €, not 0.17 × 50 = 8.50 €."""
        if self.minutes is not None:
            return round_cents(self.minutes * self.unit_price / _MINUTES_PER_HOUR)
        return round_cents(self.quantity * self.unit_price)


def time_line(
    description: str,
    minutes: int,
    hourly_rate: Decimal,
    vat_rate: Decimal = VAT_MAINLAND,
    service_date: date | None = None,
    *,
    exemption: str | None = None,
) -> InvoiceLine:
    """A line for billed time: ``minutes`` at ``hourly_rate``, shown as hours."""
    return InvoiceLine(
        description=description,
        quantity=hours_quantity(minutes),
        unit_price=hourly_rate,
        vat_rate=vat_rate,
        exemption=exemption,
        service_date=service_date,
        minutes=minutes,
    )


@dataclass(frozen=True)
class VatSummary:
    """The VAT of one rate (P21): the base is the sum of the line nets at that rate."""

    rate: Decimal
    base: Decimal
    vat: Decimal
    exemption: str | None = None


@dataclass(frozen=True)
class Totals:
    net: Decimal
    vat: Decimal
    gross: Decimal
    by_rate: tuple[VatSummary, ...]  # highest rate first


def totals(lines: Iterable[InvoiceLine]) -> Totals:
    """An invoice's totals: nets per line, VAT per rate (and per exemption reason at 0%)."""
    bases: dict[tuple[Decimal, str | None], Decimal] = {}
    for line in lines:
        group = (line.vat_rate, line.exemption)
        bases[group] = bases.get(group, Decimal("0.00")) + line.net
    by_rate = tuple(
        VatSummary(rate=rate, base=base, vat=round_cents(base * rate), exemption=exemption)
        for (rate, exemption), base in sorted(
            bases.items(), key=lambda item: (-item[0][0], item[0][1] or "")
        )
    )
    net = sum((summary.base for summary in by_rate), Decimal("0.00"))
    vat = sum((summary.vat for summary in by_rate), Decimal("0.00"))
    return Totals(net=net, vat=vat, gross=net + vat, by_rate=by_rate)


def credit_lines(lines: Iterable[InvoiceLine]) -> tuple[InvoiceLine, ...]:
    """The lines of a credit note that cancels an invoice: the same lines, quantities negated,
    so that its totals are exactly the negation of the invoice's (P20)."""
    credited = []
    for line in lines:
        if line.credit:
            raise ValueError(_("A credit note cannot be credited again."))
        credited.append(
            replace(
                line,
                # A zero quantity stays 0, not -0.
                quantity=-line.quantity if line.quantity else line.quantity,
                minutes=None if line.minutes is None else -line.minutes,
                credit=True,
            )
        )
    return tuple(credited)


def uncovered_time(
    uncovered_inside: int, uncovered_outside: int, rate_inside: Decimal, rate_outside: Decimal
) -> tuple[tuple[bool, int, Decimal], ...]:
    """(outside, minutes, hourly rate) of each time line a session's uncovered minutes make on
    an invoice (P16a, P20): business-hours time first, each part at the rate frozen on the
    session; a part with no minutes makes no line."""
    parts = ((False, uncovered_inside, rate_inside), (True, uncovered_outside, rate_outside))
    return tuple(part for part in parts if part[1])


def issue_date(issued_at: datetime, tz: ZoneInfo) -> date:
    """P20: a document's date of issue, the company's day at the instant it is issued; its number
    is the next of its series in that date's year."""
    if issued_at.utcoffset() is None:
        raise ValueError("issued_at must carry its time zone")
    return issued_at.astimezone(tz).date()
