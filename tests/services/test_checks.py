"""The service boundary's helpers (``app.services.checks``) over hostile values: amounts come
back as cents within the bound or are refused naming the field; a search never holds a character
that no stored text has."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.validation import MAX_AMOUNT, ValidationError
from app.services import checks
from app.services.context import use_case
from app.services.errors import InputError
from app.store.models import Technician
from tests.domain.test_input_bounds import hostile_decimals, hostile_text


@given(hostile_decimals | st.integers() | st.floats())
def test_an_amount_is_cents_within_the_bound_or_refused(value: object) -> None:
    try:
        checked = checks.amount("unit_price", value)
    except ValidationError as error:
        assert error.field == "unit_price"
        assert error.message.startswith("Preço unitário: ")
        return
    assert checked == checked.quantize(Decimal("0.01"))
    assert abs(checked) <= MAX_AMOUNT


@given(hostile_text)
def test_a_search_keeps_no_control_character(text: str) -> None:
    searched = checks.search_text(text)
    assert checks.check_text("search", searched, max_length=len(searched)) == searched


def test_every_field_is_named_in_portuguese() -> None:
    assert checks.label("notes") == "Notas"
    assert checks.label("rate_inside") == "Preço por hora"
    assert checks.label("unknown_field") == "unknown_field"


def test_an_overflow_that_slipped_through_reaches_the_user_as_a_sentence(
    database: object, nothing_written: Callable[[], AbstractContextManager[None]]
) -> None:
    with nothing_written(), pytest.raises(InputError, match="grande demais"), use_case():
        Technician.create(name="Ana", created_at=datetime.max.replace(tzinfo=UTC))
        raise OverflowError("date value out of range")
