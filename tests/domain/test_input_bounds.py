"""The one check of text and numbers (``validation.check_text``, ``check_number``,
``check_whole``, ``check_day``), over hostile strings and numbers: each value is either returned
in a form the database keeps, or refused with a ``ValidationError`` naming the field, never with
another exception (no ``OverflowError``, no ``InvalidOperation``)."""

from __future__ import annotations

import unicodedata
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.validation import (
    FIRST_DAY,
    LAST_DAY,
    MAX_AMOUNT,
    MAX_PACK_MINUTES,
    ValidationError,
    check_day,
    check_number,
    check_text,
    check_whole,
    parse_amount,
    parse_hours,
    parse_percent,
)

LABEL = "Notas"
#: Text as an attacker would type or paste it: every code point, surrogates and controls too.
hostile_text = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=80)
#: Decimals of any size and precision, NaN and infinities included.
hostile_decimals = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.builds(
        lambda digits, exponent: Decimal(f"{digits}E{exponent}"),  # exact, no context
        st.integers(min_value=-(10**40), max_value=10**40),
        st.integers(min_value=-999_999, max_value=999_999),
    ),
    st.sampled_from([Decimal("NaN"), Decimal("-NaN"), Decimal("sNaN"), Decimal("Infinity")]),
)


def _stored_safely(text: str, *, multiline: bool) -> bool:
    allowed = "\t\n\r\u2028\u2029" if multiline else ""
    return all(
        char in allowed or unicodedata.category(char) not in ("Cc", "Cs", "Zl", "Zp")
        for char in text
    )


def _refused(error: ValidationError, field: str) -> None:
    assert error.field == field
    assert error.message.startswith(f"{LABEL}: ")


@given(hostile_text, st.booleans())
def test_text_is_returned_clean_or_refused_naming_the_field(text: str, multiline: bool) -> None:
    try:
        checked = check_text("notes", LABEL, text, max_length=40, multiline=multiline)
    except ValidationError as error:
        _refused(error, "notes")
        return
    assert _stored_safely(checked, multiline=multiline)
    assert len(checked) <= 40
    assert checked == text.strip()
    checked.encode("utf-8")  # PostgreSQL stores UTF-8: no lone surrogate got through


@given(st.text(max_size=30), st.sampled_from("\x00\x01\x07\x1b\x7f\x85\x9f\ud800\udfff"))
def test_a_control_character_anywhere_is_refused(text: str, control: str) -> None:
    for position in (0, len(text) // 2, len(text)):
        typed = text[:position] + control + text[position:]
        for multiline in (False, True):
            with pytest.raises(ValidationError, match="U\\+") as caught:
                check_text("name", LABEL, typed, max_length=1000, multiline=multiline)
            assert caught.value.field == "name"


@pytest.mark.parametrize("layout", ["\t", "\n", "\r", "\u2028"])
def test_tabs_and_line_breaks_only_in_fields_of_several_lines(layout: str) -> None:
    typed = f"Rua do Ouro{layout}10"
    assert check_text("notes", LABEL, typed, max_length=99, multiline=True) == typed
    with pytest.raises(ValidationError, match="numa só linha"):
        check_text("name", LABEL, typed, max_length=99)


def test_text_that_is_not_text_is_refused() -> None:
    for value in (None, 12, b"bytes", ["a"]):
        with pytest.raises(ValidationError, match="era esperado texto"):
            check_text("name", LABEL, value, max_length=10)


@given(hostile_decimals | st.integers() | st.floats() | st.booleans())
def test_numbers_are_finite_and_bounded_or_refused(value: object) -> None:
    try:
        checked = check_number("price", LABEL, value, maximum=MAX_AMOUNT)
    except ValidationError as error:
        _refused(error, "price")
        return
    assert isinstance(checked, Decimal)
    assert checked.is_finite()
    assert abs(checked) <= MAX_AMOUNT
    assert not isinstance(value, bool | float)


@pytest.mark.parametrize("value", [Decimal("NaN"), Decimal("sNaN"), Decimal("-Infinity")])
def test_p16a_nan_and_infinity_are_not_numbers_never_negative(value: Decimal) -> None:
    with pytest.raises(ValidationError, match="não é um número") as caught:
        check_number("price", LABEL, value, maximum=MAX_AMOUNT)
    assert "negativ" not in caught.value.message


@pytest.mark.parametrize("value", [Decimal("1e20"), Decimal("-1e20"), 10**30, Decimal("1e999999")])
def test_amounts_have_an_upper_bound(value: object) -> None:
    with pytest.raises(ValidationError, match="grande demais: no máximo 9\u00a0999\u00a0999,99"):
        check_number("price", LABEL, value, maximum=MAX_AMOUNT)


@given(st.integers() | st.booleans() | st.floats() | st.none())
def test_whole_numbers_are_bounded_or_refused(value: object) -> None:
    try:
        checked = check_whole("minutes", LABEL, value, minimum=1, maximum=MAX_PACK_MINUTES)
    except ValidationError as error:
        _refused(error, "minutes")
        return
    assert type(checked) is int
    assert 1 <= checked <= MAX_PACK_MINUTES


def test_a_pack_of_10_12_minutes_is_too_large() -> None:
    with pytest.raises(ValidationError, match="grande demais"):
        check_whole("minutes", LABEL, 10**12, minimum=1, maximum=MAX_PACK_MINUTES)


@given(st.dates())
def test_dates_stay_within_the_years_kept(day: date) -> None:
    try:
        checked = check_day("day", LABEL, day)
    except ValidationError as error:
        _refused(error, "day")
        assert not FIRST_DAY <= day <= LAST_DAY
        return
    assert FIRST_DAY <= checked <= LAST_DAY


#: What a hurried or hostile hand types in an hours or amount box.
typed_numbers = st.one_of(
    hostile_text,
    st.from_regex(r"\A-?[0-9]{0,60}([.,:][0-9]{0,60})?\s*(h|%|€)?\Z"),
)


@given(typed_numbers)
def test_typed_hours_amounts_and_rates_are_read_or_refused(text: str) -> None:
    """No ``InvalidOperation`` from forty nines: every reader answers or says what is wrong."""
    for read in (parse_hours, parse_amount, parse_percent):
        try:
            value = read(text)
        except ValidationError:
            continue
        if read is parse_hours:
            assert 0 <= int(value) <= 1_000_000 * 60


def test_forty_nines_are_too_many_hours() -> None:
    with pytest.raises(ValidationError, match="horas"):
        parse_hours("9" * 40)
