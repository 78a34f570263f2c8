"""Validation and normalisation of what a technician types (NIF P21, senders P9, hours)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.validation import (
    ValidationError,
    normalize_email,
    normalize_iban,
    normalize_nif,
    normalize_phone,
    normalize_sender,
    parse_amount,
    parse_hours,
    parse_percent,
)


def rejected(check: Callable[[str], object], text: str, field: str) -> ValidationError:
    """The error ``check`` raises for ``text``, after checking its field and message."""
    with pytest.raises(ValidationError) as caught:
        check(text)
    error = caught.value
    assert isinstance(error, ValueError)
    assert error.field == field
    assert error.message
    assert str(error) == error.message
    return error


# --- NIF ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["501964843", "501 964 843", "501.964.843", "PT501964843", "pt 501 964 843 "]
)
def test_p21_nif_normalised_to_nine_digits(typed: str) -> None:
    assert normalize_nif(typed) == "501964843"


def test_p21_nif_with_a_wrong_check_digit_is_refused() -> None:
    error = rejected(normalize_nif, "501 964 842", "nif")
    assert "501964842" in error.message


@pytest.mark.parametrize(
    "typed", ["", "   ", "PT", "50196484", "5019648430", "50196484X", "012345678"]
)
def test_p21_invalid_nif_is_refused(typed: str) -> None:
    rejected(normalize_nif, typed, "nif")


def test_p21_nif_errors_say_what_is_wrong() -> None:
    messages = {
        rejected(normalize_nif, text, "nif").message
        for text in ("", "50196484X", "50196484", "501964842")
    }
    assert len(messages) == 4  # empty, not digits, wrong length, check digit: four messages


@given(st.integers(10_000_000, 99_999_999))
def test_p21_exactly_one_check_digit_makes_a_valid_nif(first_eight: int) -> None:
    valid = []
    for digit in range(10):
        try:
            valid.append(normalize_nif(f"{first_eight}{digit}"))
        except ValidationError as error:
            assert error.field == "nif"
    assert len(valid) == 1


# --- email ------------------------------------------------------------------------------------


def test_p9_email_normalised_and_lowercased() -> None:
    assert normalize_email("  Maria.Silva@Empresa.PT ") == "maria.silva@empresa.pt"
    assert normalize_email("JOAO@exemplo.pt") == normalize_email("joao@EXEMPLO.pt")


@pytest.mark.parametrize(
    "typed", ["", "maria", "maria@", "@empresa.pt", "maria@empresa", "ma ria@empresa.pt", "a@@b.pt"]
)
def test_p9_invalid_email_is_refused(typed: str) -> None:
    rejected(normalize_email, typed, "email")


# --- phone ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["912345678", "912 345 678", "+351 912 345 678", "00351 912 345 678", "+351-912-345-678"],
)
def test_p9_phone_normalised_to_e164(typed: str) -> None:
    assert normalize_phone(typed) == "+351912345678"


def test_p9_phone_landline_and_foreign_numbers() -> None:
    assert normalize_phone("21 234 5678") == "+351212345678"
    assert normalize_phone("+44 20 7946 0958") == "+442079460958"
    assert normalize_phone("020 7946 0958", region="GB") == "+442079460958"


@pytest.mark.parametrize("typed", ["", "12345", "abc", "+351 12", "9123456789999"])
def test_p9_invalid_phone_is_refused(typed: str) -> None:
    rejected(normalize_phone, typed, "phone")


# --- sender -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Maria <Maria@Empresa.pt>", ("email", "maria@empresa.pt")),
        ('"Silva, Maria" <maria@empresa.pt>', ("email", "maria@empresa.pt")),
        ("maria@empresa.pt", ("email", "maria@empresa.pt")),
        ("+351 912 345 678", ("phone", "+351912345678")),
        ("912345678", ("phone", "+351912345678")),
    ],
)
def test_p9_sender_as_typed_or_pasted(typed: str, expected: tuple[str, str]) -> None:
    assert normalize_sender(typed) == expected


@pytest.mark.parametrize("typed", ["", "Maria", "Maria <maria@>", "12345"])
def test_p9_sender_neither_email_nor_phone_is_refused(typed: str) -> None:
    rejected(normalize_sender, typed, "sender")


# --- IBAN -------------------------------------------------------------------------------------


def test_iban_normalised_to_compact_form() -> None:
    assert normalize_iban("PT50 0002 0123 1234 5678 9015 4") == "PT50000201231234567890154"
    assert normalize_iban("pt50000201231234567890154") == "PT50000201231234567890154"
    assert normalize_iban("GB82 WEST 1234 5698 7654 32") == "GB82WEST12345698765432"


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "PT50 0002 0123 1234 5678 9015 5",  # wrong check digits
        "PT50 0002",  # incomplete
        "XX50 0002 0123 1234 5678 9015 4",  # no such country
    ],
)
def test_invalid_iban_is_refused(typed: str) -> None:
    rejected(normalize_iban, typed, "iban")


# --- hours ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("1,5", 90),
        ("1.5", 90),
        ("2", 120),
        (" 2 h ", 120),
        ("1:30", 90),
        ("0:05", 5),
        ("0,25", 15),
        (",5", 30),
        ("10", 600),
        ("0", 0),
        ("1,33", 80),  # 79.8 min, rounded to the minute
    ],
)
def test_parse_hours(typed: str, minutes: int) -> None:
    assert parse_hours(typed) == minutes


@pytest.mark.parametrize("typed", ["-1", "-0,5", "\N{MINUS SIGN}1:30"])
def test_negative_hours_are_refused(typed: str) -> None:
    rejected(parse_hours, typed, "hours")


@pytest.mark.parametrize("typed", ["", "abc", "1,5,5", "1:60", "1:3", "1 30", "h", "1e3", "١"])
def test_hours_that_are_not_a_number_are_refused(typed: str) -> None:
    rejected(parse_hours, typed, "hours")


def test_negative_and_not_a_number_have_different_messages() -> None:
    assert (
        rejected(parse_hours, "-1", "hours").message != rejected(parse_hours, "x", "hours").message
    )


@given(st.integers(0, 10_000), st.integers(0, 59))
def test_clock_and_decimal_hours_agree(hours: int, minutes: int) -> None:
    total = hours * 60 + minutes
    assert parse_hours(f"{hours}:{minutes:02d}") == total
    if minutes % 15 == 0:
        decimal = f"{hours},{minutes * 100 // 60:02d}"
        assert parse_hours(decimal) == total


# --- amounts and percentages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "amount"),
    [
        ("400", Decimal("400")),
        ("45,5", Decimal("45.5")),
        ("1 234,50 €", Decimal("1234.50")),
        ("1.234,50", Decimal("1234.50")),
        ("45.50", Decimal("45.50")),
        (",25", Decimal("0.25")),
        ("-3", Decimal("-3")),
    ],
)
def test_amounts_are_read_as_typed_in_portugal(typed: str, amount: Decimal) -> None:
    assert parse_amount(typed, "price") == amount


@pytest.mark.parametrize("typed", ["", " ", "€", "dez euros", "45,5,5", "1e3", "4 5x"])
def test_amounts_that_are_not_a_number_are_refused(typed: str) -> None:
    rejected(lambda text: parse_amount(text, "price"), typed, "price")


def test_an_empty_amount_and_a_wrong_one_have_different_messages() -> None:
    empty = rejected(lambda text: parse_amount(text, "price"), "", "price")
    wrong = rejected(lambda text: parse_amount(text, "price"), "dez", "price")
    assert empty.message != wrong.message
    assert "dez" in wrong.message


@given(st.decimals(min_value=-(10**9), max_value=10**9, places=2, allow_nan=False))
def test_an_amount_written_the_portuguese_way_reads_back(amount: Decimal) -> None:
    assert parse_amount(f"{amount:f}".replace(".", ",") + " €") == amount


@pytest.mark.parametrize(
    ("typed", "rate"),
    [
        ("23", Decimal("0.23")),
        ("23%", Decimal("0.23")),
        ("22,5 %", Decimal("0.225")),
        ("16\N{NO-BREAK SPACE}%", Decimal("0.16")),
        ("0", Decimal(0)),
        ("-5", Decimal("-0.05")),
    ],
)
def test_percentages_are_read_as_typed_in_portugal(typed: str, rate: Decimal) -> None:
    assert parse_percent(typed, "vat_rate") == rate


@pytest.mark.parametrize("typed", ["", "%", "vinte", "23%%", "2,3,4"])
def test_percentages_that_are_not_a_number_are_refused(typed: str) -> None:
    rejected(lambda text: parse_percent(text, "vat_rate"), typed, "vat_rate")
