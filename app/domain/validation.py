"""Checking and normalising what a technician types: NIF, email, phone, IBAN, hours, amounts.

Each ``normalize_*`` returns the one stored form of a value, so that the same customer or sender
typed two ways is found either way (P9); each failure is a ``ValidationError`` naming the field
and saying, in the user's language, what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parseaddr
from typing import Literal

from stdnum import iban
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.pt import nif

from app.i18n import _, format_decimal

NIF_DIGITS = 9

# Hours as typed in Portugal: "1,5" (or "1.5"), "2", "2 h", ",25"; or hours and minutes, "1:30".
_DECIMAL_HOURS = re.compile(r"(\d+(?:[.,]\d*)?|[.,]\d+)\s*h?", re.ASCII | re.IGNORECASE)
_CLOCK_HOURS = re.compile(r"(\d+):([0-5]\d)", re.ASCII)
_MINUS_SIGNS = ("-", "\N{MINUS SIGN}")
# Amounts as typed in Portugal: "45", "45,5", "1 234,50 €", "1.234,50", "45.50": a comma is the
# decimal mark; a dot is one too when no comma follows it (people type "45.50"), else it groups
# thousands.
_AMOUNT = re.compile(r"[-\N{MINUS SIGN}]?(\d+(?:[.,]\d*)?|[.,]\d+)")
_GROUPED = re.compile(r"[-\N{MINUS SIGN}]?\d{1,3}(?:\.\d{3})+,\d*")
_SPACES = re.compile(r"[\s\N{NO-BREAK SPACE}\N{NARROW NO-BREAK SPACE}]")
_PERCENT = Decimal(100)
#: More hours than anything typed means (the use cases set their own, lower, bounds).
_MAX_TYPED_HOURS = 1_000_000


class ValidationError(ValueError):
    """A value the user typed is wrong: ``field`` says which, ``message`` what (translated)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def normalize_nif(text: str) -> str:
    """A Portuguese NIF as its 9 digits; spaces, dots and a "PT" prefix are accepted."""
    number = nif.compact(text)
    if not number:
        raise ValidationError("nif", _("The NIF is empty."))
    if not (number.isascii() and number.isdigit()):
        raise ValidationError("nif", _("A NIF has only digits: {nif}.").format(nif=text.strip()))
    if len(number) != NIF_DIGITS:
        raise ValidationError(
            "nif",
            _("A NIF has 9 digits; {nif} has {count}.").format(nif=number, count=len(number)),
        )
    try:
        return nif.validate(number)
    except InvalidChecksum:
        message = _("The NIF {nif} is not valid: its check digit is wrong.")
    except InvalidFormat:
        message = _("The NIF {nif} is not valid: no NIF starts with 0.")
    except StdnumError:
        message = _("The NIF {nif} is not valid.")
    raise ValidationError("nif", message.format(nif=number))


def normalize_email(text: str) -> str:
    """An email address, normalised and lowercased: senders are matched case-insensitively."""
    # Imported when first needed: building its patterns takes a few tenths of the start.
    from email_validator import EmailNotValidError, validate_email

    address = text.strip()
    if not address:
        raise ValidationError("email", _("The email address is empty."))
    try:
        checked = validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise ValidationError(
            "email", _("{address} is not a valid email address.").format(address=address)
        ) from None
    return checked.normalized.lower()


def normalize_phone(text: str, region: str = "PT") -> str:
    """A phone number in E.164 (``+351912345678``); without a country code, ``region``'s."""
    import phonenumbers  # when first needed, as email_validator above

    typed = text.strip()
    if not typed:
        raise ValidationError("phone", _("The phone number is empty."))
    invalid = ValidationError(
        "phone", _("{number} is not a valid phone number.").format(number=typed)
    )
    try:
        number = phonenumbers.parse(typed, region)
    except phonenumbers.NumberParseException:
        raise invalid from None
    if not phonenumbers.is_valid_number(number):
        raise invalid
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_sender(text: str) -> tuple[Literal["email", "phone"], str]:
    """A sender as typed or pasted ("Maria <maria@empresa.pt>", "+351 912 345 678") → its kind
    and normalised form."""
    typed = text.strip()
    if "@" in typed:
        _name, address = parseaddr(typed)
        try:
            return "email", normalize_email(address or typed)
        except ValidationError as error:
            raise ValidationError("sender", error.message) from None
    try:
        return "phone", normalize_phone(typed)
    except ValidationError:
        raise ValidationError(
            "sender",
            _("{sender} is neither an email address nor a valid phone number.").format(
                sender=typed
            ),
        ) from None


def normalize_iban(text: str) -> str:
    """An IBAN in its compact form (``PT50000201231234567890154``)."""
    typed = iban.compact(text)
    if not typed:
        raise ValidationError("iban", _("The IBAN is empty."))
    try:
        return iban.validate(typed)
    except InvalidChecksum:
        message = _("The IBAN {iban} is not valid: its check digits are wrong or it is incomplete.")
    except InvalidComponent:
        message = _("The IBAN {iban} is not valid: unknown country code.")
    except (InvalidFormat, InvalidLength):
        message = _("The IBAN {iban} is not valid: wrong length or format for its country.")
    except StdnumError:
        message = _("The IBAN {iban} is not valid.")
    raise ValidationError("iban", message.format(iban=typed))


def parse_hours(text: str) -> int:
    """Minutes from hours as typed: "1,5" or "1.5" → 90, "2" or "2 h" → 120, "1:30" → 90,
    "0,25" → 15.

    Decimal hours are rounded half-up to the minute ("0,01" → 1).
    """
    typed = text.strip()
    if not typed:
        raise ValidationError("hours", _("Enter a number of hours, such as 1,5 or 1:30."))
    negative = typed.startswith(_MINUS_SIGNS)
    minutes = _minutes(typed[1:].lstrip() if negative else typed)
    if minutes is not None and minutes > _MAX_TYPED_HOURS * 60:
        raise ValidationError(
            "hours",
            _("{text} is too many hours: at most {maximum}.").format(
                text=typed, maximum=format_number(_MAX_TYPED_HOURS)
            ),
        )
    if minutes is None:
        raise ValidationError(
            "hours",
            _("{text} is not a number of hours; write it as 1,5 or 1:30.").format(text=typed),
        )
    if negative and minutes:
        raise ValidationError("hours", _("The number of hours cannot be negative."))
    return minutes


def _minutes(unsigned: str) -> int | None:
    clock = _CLOCK_HOURS.fullmatch(unsigned)
    if clock:
        return int(clock[1]) * 60 + int(clock[2])
    decimal = _DECIMAL_HOURS.fullmatch(unsigned)
    if decimal:
        hours = Decimal(decimal[1].replace(",", "."))
        if hours > _MAX_TYPED_HOURS:  # before the arithmetic, which would outgrow the context
            return _MAX_TYPED_HOURS * 60 + 1
        return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return None


def parse_amount(text: str, field: str = "amount") -> Decimal:
    """A number as typed in Portugal (money, a quantity): ``"45,50"``, ``"1 234,50 €"`` → a
    ``Decimal``; its sign kept, so that the use case says why a negative amount is refused.

    Raises ``ValidationError(field, …)`` when the text is not a number.
    """
    typed = _SPACES.sub("", text).removesuffix("€").removeprefix("€")
    if not typed:
        raise ValidationError(field, _("Enter an amount, such as 45,50."))
    amount = _decimal(typed)
    if amount is None:
        raise ValidationError(
            field, _("{text} is not a number; write it as 45,50.").format(text=text.strip())
        )
    return amount


def parse_percent(text: str, field: str = "percent") -> Decimal:
    """A rate as typed: ``"23"``, ``"23%"``, ``"22,5 %"`` → ``Decimal("0.23")``; its sign kept
    (the use case says what range it must be in)."""
    rate = _decimal(_SPACES.sub("", text).removesuffix("%"))
    if rate is None:
        raise ValidationError(field, _("Write a percentage, such as 23%."))
    return rate / _PERCENT


def _decimal(typed: str) -> Decimal | None:
    """A number written the Portuguese way (no spaces left), or None."""
    if _GROUPED.fullmatch(typed):
        typed = typed.replace(".", "")
    if not _AMOUNT.fullmatch(typed):
        return None
    try:
        return Decimal(typed.replace(",", ".").replace("\N{MINUS SIGN}", "-"))
    except InvalidOperation:  # pragma: no cover - the pattern already refused it
        return None


# --- what any field may hold: the one check of text and numbers ----------------------------------
#
# Every use case passes what it is given through these (by way of ``app.services.checks``), so
# that a value the database cannot keep, or that no arithmetic should meet, is refused with a
# sentence that names the field, before anything is written.

#: Bounds far above any real use, well inside what the columns hold (64-bit cents, 32-bit
#: minutes on PostgreSQL) and what the calendar can compute with.
MAX_AMOUNT = Decimal("9999999.99")  # euros: a price, an hourly rate, a line's unit price
MAX_QUANTITY = Decimal(100_000)  # units or hours on an invoice line
MAX_PACK_MINUTES = 10_000 * 60  # a pack of 10 000 hours (per month, for a monthly pack)
MAX_RESPONSE_MINUTES = 366 * 24 * 60  # a contract's response time: a year
MAX_BLOCK_MINUTES = 24 * 60  # a billing block (P11): a day
MAX_BUSINESS_DAYS = 366  # a contract's "N-th business day" (P5)
MAX_COMPENSATION_HOURS = 1_000  # free hours a missed guarantee grants (P17)
MAX_REVIEW_HOURS = 24 * 366  # a session is flagged for review after at most a year

#: Characters never stored: C0 and C1 control characters (NUL, ESC, DEL…) other than tab and
#: line breaks, and lone surrogates (not UTF-8: PostgreSQL refuses them, SQLite would keep them).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
#: Tabs and line breaks: only in fields of several lines (notes, reasons, addresses).
_LAYOUT = re.compile("[\t\n\r\u2028\u2029]")


def _named(label: str, message: str) -> str:
    return _("{field}: {problem}").format(field=label, problem=message)


def check_text(
    field: str,
    label: str,
    value: object,
    *,
    max_length: int,
    required: bool = False,
    multiline: bool = False,
) -> str:
    """Text as typed, stripped of surrounding spaces. Refused (``ValidationError`` naming the
    field by ``label``): anything but text, control characters (NUL, escape…), tabs and line
    breaks unless ``multiline``, an empty value when ``required``, more than ``max_length``
    characters."""
    if not isinstance(value, str):
        raise ValidationError(field, _named(label, _("expected text.")))
    control = _CONTROL.search(value)
    if control is not None:
        raise ValidationError(
            field,
            _named(
                label,
                _(
                    "contains a control character ({code}), which cannot be stored; remove it."
                ).format(code=f"U+{ord(control[0]):04X}"),
            ),
        )
    if not multiline and _LAYOUT.search(value):
        raise ValidationError(
            field, _named(label, _("write it on one line, without tabs or line breaks."))
        )
    text = value.strip()
    if required and not text:
        raise ValidationError(field, _named(label, _("cannot be empty.")))
    if len(text) > max_length:
        raise ValidationError(
            field,
            _named(
                label,
                _("at most {count} characters ({typed} typed).").format(
                    count=max_length, typed=len(text)
                ),
            ),
        )
    return text


def check_number(
    field: str, label: str, value: object, *, maximum: Decimal, shown_maximum: str | None = None
) -> Decimal:
    """A ``Decimal`` (or ``int``) that is a number and at most ``maximum`` either way; the
    caller then says what sign and decimals it takes. Floats are refused: money never is one.
    ``NaN`` and infinities are "not a number", never "negative"."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(field, _named(label, _("expected a number.")))
    number = Decimal(value)
    if not number.is_finite():
        raise ValidationError(
            field, _named(label, _("{value} is not a number.").format(value=value))
        )
    if number.copy_abs() > maximum:  # copy_abs: exact, where abs() may overflow the context
        raise ValidationError(
            field,
            _named(
                label,
                _("too large: at most {maximum}.").format(
                    maximum=shown_maximum or format_number(maximum)
                ),
            ),
        )
    return number


def check_whole(
    field: str,
    label: str,
    value: object,
    *,
    minimum: int,
    maximum: int,
    shown: Callable[[int], str] | None = None,
) -> int:
    """A whole number (``int``, never ``bool``) from ``minimum`` to ``maximum``; ``shown``
    writes a bound in the field's unit (hours for minutes, say)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(field, _named(label, _("expected a whole number.")))
    write = shown or format_number
    if value > maximum:
        raise ValidationError(
            field, _named(label, _("too large: at most {maximum}.").format(maximum=write(maximum)))
        )
    if value < minimum:
        raise ValidationError(
            field, _named(label, _("at least {minimum}.").format(minimum=write(minimum)))
        )
    return value


def format_number(value: Decimal | int) -> str:
    """A bound as the messages write it: ``9 999 999,99``."""
    return format_decimal(Decimal(value), digits=2)


#: The dates a use case takes: enough for any record kept, and far from where the calendar's
#: arithmetic would leave Python's dates (year 1 to 9999).
FIRST_DAY = date(1990, 1, 1)
LAST_DAY = date(2199, 12, 31)


def check_day(field: str, label: str, value: object) -> date:
    """A calendar date from ``FIRST_DAY`` to ``LAST_DAY``."""
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(field, _named(label, _("expected a date.")))
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValidationError(
            field,
            _named(
                label,
                _("{day} is out of range: from {first} to {last}.").format(
                    day=value.isoformat(), first=FIRST_DAY.year, last=LAST_DAY.year
                ),
            ),
        )
    return value


def check_instant(field: str, label: str, value: object) -> datetime:
    """An instant with its time zone, on a day from ``FIRST_DAY`` to ``LAST_DAY``."""
    if not isinstance(value, datetime):
        raise ValidationError(field, _named(label, _("expected a date and time.")))
    if value.utcoffset() is None:
        raise ValidationError(field, _named(label, _("a time must carry its time zone.")))
    check_day(field, label, value.date())
    return value
