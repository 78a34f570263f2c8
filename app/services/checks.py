"""The one check of what a use case is given: text, amounts, counts.

Every service passes its input through these before writing anything; the rules themselves
(control characters, ``NaN``, bounds) are ``app.domain.validation``'s. Here each field gets the
name the user knows it by, so that a refusal says which field is wrong (``ValidationError``,
which ``use_case()`` turns into an ``InputError`` for that field).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from app.domain import validation
from app.domain.validation import MAX_AMOUNT, ValidationError
from app.i18n import N_, _, format_money
from app.services.errors import InputError

__all__ = ["LONG_TEXT", "NAME_MAX", "ValidationError", "amount", "check_decimal", "check_text"]

NAME_MAX = 255
LONG_TEXT = 5000

#: What the user calls each field the services check (English source; translated when shown).
_LABELS = {
    "address": N_("Address"),
    "anydesk": N_("AnyDesk address"),
    "anydesk_path": N_("AnyDesk program"),
    "business_response_minutes": N_("Response time"),
    "city": N_("City"),
    "compensation_hours": N_("Compensation hours"),
    "country": N_("Country"),
    "credit_note_series": N_("Credit note series"),
    "description": N_("Description"),
    "email": N_("Email"),
    "exemption": N_("Exemption reason"),
    "holiday_district": N_("Municipal holiday"),
    "iban": N_("IBAN"),
    "inside_block_minutes": N_("Billing block"),
    "intervals": N_("Periods"),
    "pauses": N_("Pauses"),
    "start": N_("Start"),
    "end": N_("End"),
    "last_month": N_("Last month"),
    "period_end": N_("End of the period"),
    "period_start": N_("Start of the period"),
    "purchased_on": N_("Purchase date"),
    "received_at": N_("Received at"),
    "service_date": N_("Service date"),
    "since": N_("Since"),
    "starts_on": N_("First day"),
    "at": N_("Time of the response"),
    "day": N_("Date"),
    "invoice_legal_mention": N_("Legal mention"),
    "invoice_series": N_("Invoice series"),
    "label": N_("Label"),
    "minutes": N_("Hours"),
    "name": N_("Name"),
    "next_business_days": N_("Business days to respond"),
    "nif": N_("NIF"),
    "note": N_("Note"),
    "notes": N_("Notes"),
    "outside_block_minutes": N_("Out-of-hours billing block"),
    "phone": N_("Phone"),
    "postcode": N_("Postcode"),
    "price": N_("Price"),
    "quantity": N_("Quantity"),
    "rate_inside": N_("Hourly rate"),
    "rate_outside": N_("Out-of-hours rate"),
    "reason": N_("Reason"),
    "sender": N_("Sender"),
    "session_review_hours": N_("Review sessions longer than"),
    "subject": N_("Subject"),
    "time_zone": N_("Time zone"),
    "unit_price": N_("Unit price"),
    "urgent_response_minutes": N_("Urgent response time"),
    "vat_rate": N_("VAT rate"),
}
#: What a search box may hold that no stored text does: left out of the search.
_UNSEARCHABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff\u2028\u2029]")


def label(field: str) -> str:
    """The field's name as the user knows it, in the user's language."""
    known = _LABELS.get(field)
    return field if known is None else _(known)


def check_text(
    field: str,
    value: object,
    *,
    max_length: int = NAME_MAX,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Text as typed, stripped; control characters refused, and tabs and line breaks unless the
    field holds several lines (``multiline``: notes, reasons, addresses)."""
    return validation.check_text(
        field,
        label(field),
        value,
        max_length=max_length,
        required=required,
        multiline=multiline,
    )


def check_decimal(
    field: str, value: object, places: int, *, maximum: Decimal = MAX_AMOUNT
) -> Decimal:
    """A number with at most ``places`` decimals and at most ``maximum`` either way."""
    number = validation.check_number(field, label(field), value, maximum=maximum)
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(
            field,
            _("{field}: at most {places} decimal places, please.").format(
                field=label(field), places=places
            ),
        )
    return number


def number(field: str, value: object, *, maximum: Decimal, money: bool = False) -> Decimal:
    """A number (not ``NaN`` nor infinite) at most ``maximum`` either way (shown as euros when
    ``money``); its sign and decimals are the caller's to judge, in the caller's words."""
    return validation.check_number(
        field,
        label(field),
        value,
        maximum=maximum,
        shown_maximum=format_money(maximum) if money else None,
    )


def amount(field: str, value: object, *, places: int = 2) -> Decimal:
    """Euros: a number, at most ``MAX_AMOUNT`` (shown as money), at most ``places`` decimals;
    the sign is the caller's to judge."""
    return check_decimal(field, number(field, value, maximum=MAX_AMOUNT, money=True), places)


def whole(
    field: str,
    value: object,
    *,
    minimum: int,
    maximum: int,
    shown: Callable[[int], str] | None = None,
) -> int:
    """A whole number from ``minimum`` to ``maximum`` (``shown`` writes the bounds)."""
    return validation.check_whole(
        field, label(field), value, minimum=minimum, maximum=maximum, shown=shown
    )


def day(field: str, value: object) -> date:
    """A date within the years the program keeps (``validation.FIRST_DAY`` to ``LAST_DAY``)."""
    return validation.check_day(field, label(field), value)


def instant(field: str, value: object) -> datetime:
    """An instant with its time zone, within the years the program keeps."""
    return validation.check_instant(field, label(field), value)


@contextmanager
def refusing() -> Iterator[None]:
    """For checks made before a use case opens its transaction: a refusal becomes the
    ``InputError`` the use case would have raised."""
    try:
        yield
    except ValidationError as error:
        raise InputError(error.message, field=error.field) from error


def search_text(value: str) -> str:
    """What a search box holds, without the characters no stored text has (a NUL would even be
    refused by PostgreSQL): a search is never refused."""
    return _UNSEARCHABLE.sub("", value).strip()
