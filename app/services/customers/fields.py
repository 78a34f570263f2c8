"""Customers: checking what is typed: country, NIF, postcode, plan, the contract's terms (P18)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from app.domain.contract import ContractTerms
from app.domain.sla import Plan
from app.domain.validation import (
    MAX_BLOCK_MINUTES,
    MAX_BUSINESS_DAYS,
    MAX_COMPENSATION_HOURS,
    MAX_RESPONSE_MINUTES,
    ValidationError,
    normalize_nif,
)
from app.i18n import _, format_minutes_as_hours
from app.services.checks import amount, check_text, whole
from app.services.customers.types import PT_POSTCODE
from app.services.errors import InputError

# --- checking what is typed -----------------------------------------------------------------------


def check_country(value: object) -> str:
    country = check_text("country", value, max_length=2, required=True).upper()
    if len(country) != 2 or not (country.isascii() and country.isalpha()):
        raise ValidationError("country", _("A country is its two-letter code, such as PT or ES."))
    return country


def check_nif(value: object, country: str) -> str | None:
    """A Portuguese NIF checked by its check digit (P21); a foreign one is kept as typed,
    compacted, since its format is its own country's."""
    if value is None:
        return None
    text = check_text("nif", value, max_length=32)
    if not text:
        return None
    if country == "PT" or text.upper().startswith("PT"):
        return normalize_nif(text)
    return re.sub(r"[\s.\-]", "", text).upper()


def check_postcode(value: object, country: str) -> str:
    text = check_text("postcode", value, max_length=16)
    if country != "PT" or not text:
        return text
    typed = PT_POSTCODE.fullmatch(text)
    if typed is None:
        raise ValidationError(
            "postcode",
            _("A Portuguese postcode is written 1234-567, not {postcode}.").format(postcode=text),
        )
    return f"{typed[1]}-{typed[2]}"


def check_plan(value: object) -> Plan:
    try:
        return Plan(str(value))
    except ValueError:
        raise ValidationError("plan", _("Unknown plan: {plan}.").format(plan=value)) from None


#: The largest value of each contract term, in its column's unit.
_TERM_MAXIMUM = {
    "next_business_days": MAX_BUSINESS_DAYS,
    "business_response_minutes": MAX_RESPONSE_MINUTES,
    "urgent_response_minutes": MAX_RESPONSE_MINUTES,
    "compensation_hours": MAX_COMPENSATION_HOURS,
    "inside_block_minutes": MAX_BLOCK_MINUTES,
    "outside_block_minutes": MAX_BLOCK_MINUTES,
}


def _term(field: str, value: int | None) -> int | None:
    """A whole-number contract term within its bound (its sign is ``ContractTerms``'s to judge)."""
    if value is None:
        return None
    shown = format_minutes_as_hours if field.endswith("_minutes") else None
    maximum = _TERM_MAXIMUM[field]
    return whole(field, value, minimum=-(2**63), maximum=maximum, shown=shown)


def _whole_minutes(duration: timedelta | None, field: str) -> int | None:
    if duration is None:
        return None
    if not isinstance(duration, timedelta) or duration % timedelta(minutes=1):
        raise ValidationError(field, _("A response time must be a whole number of minutes."))
    return _term(field, duration // timedelta(minutes=1))


def _cents(value: Decimal | None, field: str) -> Decimal | None:
    return None if value is None else amount(field, value)


def contract_columns(contract: object) -> dict[str, Any]:
    """The Customer columns of a contract's terms (P18)."""
    if not isinstance(contract, ContractTerms):
        raise ValidationError("contract", _("Expected the contract's terms."))
    return {
        "next_business_days": _term("next_business_days", contract.next_business_days),
        "business_response_minutes": _whole_minutes(
            contract.business_response, "business_response_minutes"
        ),
        "urgent_response_minutes": _whole_minutes(
            contract.urgent_response, "urgent_response_minutes"
        ),
        "compensation_hours": _term("compensation_hours", contract.compensation_hours),
        "inside_block_minutes": _whole_minutes(contract.inside_block, "inside_block_minutes"),
        "outside_block_minutes": _whole_minutes(contract.outside_block, "outside_block_minutes"),
        "rate_inside": _cents(contract.rate_inside, "rate_inside"),
        "rate_outside": _cents(contract.rate_outside, "rate_outside"),
    }


def make_contract_terms(
    *,
    next_business_days: int | None = None,
    business_response_minutes: int | None = None,
    urgent_response_minutes: int | None = None,
    compensation_hours: int | None = None,
    inside_block_minutes: int | None = None,
    outside_block_minutes: int | None = None,
    rate_inside: Decimal | None = None,
    rate_outside: Decimal | None = None,
) -> ContractTerms:
    """Contract terms (P18) from what a form holds (minutes, hours, euros; ``None``: the plan's
    default). A refused term raises ``InputError`` naming its field."""

    def minutes(value: int | None) -> timedelta | None:
        return None if value is None else timedelta(minutes=value)

    # Each term alone first, so that a refusal names its field.
    checks: list[tuple[str, Callable[[], ContractTerms]]] = [
        (
            "next_business_days",
            lambda: ContractTerms(
                next_business_days=_term("next_business_days", next_business_days)
            ),
        ),
        (
            "business_response_minutes",
            lambda: ContractTerms(
                business_response=minutes(
                    _term("business_response_minutes", business_response_minutes)
                )
            ),
        ),
        (
            "urgent_response_minutes",
            lambda: ContractTerms(
                urgent_response=minutes(_term("urgent_response_minutes", urgent_response_minutes))
            ),
        ),
        (
            "compensation_hours",
            lambda: ContractTerms(
                compensation_hours=_term("compensation_hours", compensation_hours)
            ),
        ),
        (
            "inside_block_minutes",
            lambda: ContractTerms(
                inside_block=minutes(_term("inside_block_minutes", inside_block_minutes))
            ),
        ),
        (
            "outside_block_minutes",
            lambda: ContractTerms(
                outside_block=minutes(_term("outside_block_minutes", outside_block_minutes))
            ),
        ),
        ("rate_inside", lambda: ContractTerms(rate_inside=_cents(rate_inside, "rate_inside"))),
        ("rate_outside", lambda: ContractTerms(rate_outside=_cents(rate_outside, "rate_outside"))),
    ]
    for field, check in checks:
        try:
            check()
        except ValueError as error:  # ValidationError included
            message = error.message if isinstance(error, ValidationError) else str(error)
            raise InputError(message, field=field) from None
    return ContractTerms(
        next_business_days=next_business_days,
        business_response=minutes(business_response_minutes),
        urgent_response=minutes(urgent_response_minutes),
        compensation_hours=compensation_hours,
        inside_block=minutes(inside_block_minutes),
        outside_block=minutes(outside_block_minutes),
        rate_inside=rate_inside,
        rate_outside=rate_outside,
    )
