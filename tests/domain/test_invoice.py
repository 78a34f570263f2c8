"""Invoice arithmetic (P20, P21): per-line rounding, VAT per rate, totals, credit notes."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.invoice import (
    VAT_AZORES,
    VAT_MADEIRA,
    VAT_MAINLAND,
    InvoiceLine,
    VatSummary,
    credit_lines,
    hours_quantity,
    round_cents,
    time_line,
    totals,
)

D = Decimal
EXEMPT = "Isento artigo 9.º do CIVA"


def line(quantity: str, price: str, rate: Decimal = VAT_MAINLAND, **kwargs: object) -> InvoiceLine:
    return InvoiceLine("Suporte", D(quantity), D(price), rate, **kwargs)  # type: ignore[arg-type]


def test_p21_round_cents_half_up() -> None:
    assert round_cents(D("0.005")) == D("0.01")  # half-even would give 0.00
    assert round_cents(D("0.015")) == D("0.02")
    assert round_cents(D("2.344999")) == D("2.34")
    assert round_cents(D("-0.005")) == D("-0.01")  # symmetric: credit notes negate exactly
    assert str(round_cents(D("-0.001"))) == "0.00"  # no "-0,00 €"


def test_p21_line_net_rounded_half_up_per_line() -> None:
    # 3 × 0.125 = 0.375 → 0.38 per line; three such lines are 1.14, not round(1.125) = 1.13.
    one = line("3", "0.125")
    assert one.net == D("0.38")
    assert totals([one, one, one]).net == D("1.14")


def test_p20_default_vat_23_percent() -> None:
    assert D("0.23") == VAT_MAINLAND
    # A time line without a rate bears the mainland rate.
    result = totals([time_line("Suporte remoto", 120, D("50.00"))])
    assert (result.net, result.vat, result.gross) == (D("100.00"), D("23.00"), D("123.00"))
    assert result.by_rate == (VatSummary(D("0.23"), D("100.00"), D("23.00")),)


def test_p21_vat_per_rate() -> None:
    # VAT is computed on each rate's base: 0.99 × 0.23 = 0.2277 → 0.23, where VAT per line would
    # give 3 × round(0.33 × 0.23 = 0.0759) = 0.24.
    small = line("1", "0.33")
    mixed = [
        small,
        small,
        small,
        line("1", "10.00", VAT_MADEIRA),
        line("1", "100.00", VAT_AZORES),
        line("1", "5.00", D("0"), exemption=EXEMPT),
    ]
    result = totals(mixed)
    assert result.by_rate == (
        VatSummary(D("0.23"), D("0.99"), D("0.23")),
        VatSummary(D("0.22"), D("10.00"), D("2.20")),
        VatSummary(D("0.16"), D("100.00"), D("16.00")),
        VatSummary(D("0"), D("5.00"), D("0.00"), exemption=EXEMPT),
    )
    assert result.net == D("115.99")
    assert result.vat == D("18.43")
    assert result.gross == D("134.42")


def test_p21_exempt_lines_grouped_by_reason() -> None:
    other = "Isento artigo 14.º do CIVA"
    result = totals(
        [line("1", "1", D("0"), exemption=EXEMPT), line("1", "2", D("0"), exemption=other)]
    )
    # One summary per reason, in the reasons' alphabetical order.
    assert [(summary.exemption, summary.base) for summary in result.by_rate] == [
        (other, D("2.00")),
        (EXEMPT, D("1.00")),
    ]


def test_p21_time_line_prices_the_exact_minutes() -> None:
    ten = time_line("Suporte remoto", 10, D("50.00"), service_date=date(2026, 3, 10))
    assert ten.quantity == D("0.17")  # shown in hours
    assert ten.net == D("8.33")  # 10 × 50 / 60 = 8.333…, not 0.17 × 50 = 8.50
    assert ten.service_date == date(2026, 3, 10)
    assert time_line("Suporte remoto", 45, D("40.00")).net == D("30.00")
    assert time_line("Fora de horas", 20, D("45.50")).net == D("15.17")  # 15.1666…


def test_p21_hours_quantity() -> None:
    assert hours_quantity(45) == D("0.75")
    assert hours_quantity(90) == D("1.50")
    assert hours_quantity(0) == D("0")
    with pytest.raises(ValueError):
        hours_quantity(-15)


def test_p21_line_checks() -> None:
    with pytest.raises(ValueError):
        line("1", "-10.00")
    with pytest.raises(ValueError):
        line("-1", "10.00")
    with pytest.raises(ValueError):
        line("1", "10.00", D("0"))  # an exempt line must say why
    with pytest.raises(ValueError):
        line("1", "10.00", VAT_MAINLAND, exemption=EXEMPT)
    with pytest.raises(ValueError):
        line("1", "10.00", D("1.23"))  # a rate, not a percentage
    with pytest.raises(ValueError):
        InvoiceLine(" ", D("1"), D("1"), VAT_MAINLAND)
    with pytest.raises(ValueError):
        line("0.50", "40.00", minutes=45)  # quantity and minutes disagree
    with pytest.raises(ValueError):
        line("NaN", "1")
    with pytest.raises(TypeError):
        InvoiceLine("Suporte", 1.5, D("1"), VAT_MAINLAND)  # type: ignore[arg-type]


def test_p21_negative_line_message_is_translated_text() -> None:
    with pytest.raises(ValueError) as error:
        line("1", "-10.00")
    assert str(error.value)


def test_p20_credit_note_negates_the_invoice() -> None:
    invoice = [
        line("3", "0.125"),
        time_line("Suporte remoto", 10, D("50.00")),
        line("1", "5.00", D("0"), exemption=EXEMPT),
        line("0", "5.00"),
    ]
    credit = credit_lines(invoice)
    assert [c.quantity for c in credit] == [D("-3"), D("-0.17"), D("-1"), D("0")]
    assert credit[1].minutes == -10
    assert all(c.credit for c in credit)
    original, cancelling = totals(invoice), totals(credit)
    assert (cancelling.net, cancelling.vat, cancelling.gross) == (
        -original.net,
        -original.vat,
        -original.gross,
    )
    with pytest.raises(ValueError):
        credit_lines(credit)  # a credit note is not credited again


def test_p20_credit_line_cannot_have_positive_quantity() -> None:
    with pytest.raises(ValueError):
        line("1", "10.00", credit=True)


def test_no_lines_total_zero() -> None:
    result = totals([])
    assert (result.net, result.vat, result.gross) == (D("0.00"), D("0.00"), D("0.00"))
    assert result.by_rate == ()


# --- properties -------------------------------------------------------------------------------

rates = st.sampled_from([VAT_MAINLAND, VAT_MADEIRA, VAT_AZORES, D("0.06"), D("0")])
prices = st.decimals(min_value=0, max_value=10_000, places=2)
quantities = st.decimals(min_value=0, max_value=1_000, places=3)


@st.composite
def invoice_lines(draw: st.DrawFn) -> InvoiceLine:
    rate = draw(rates)
    exemption = EXEMPT if rate == 0 else None
    if draw(st.booleans()):
        minutes = draw(st.integers(0, 24 * 60))
        return time_line("Suporte", minutes, draw(prices), rate, exemption=exemption)
    return InvoiceLine("Pack", draw(quantities), draw(prices), rate, exemption=exemption)


invoices = st.lists(invoice_lines(), max_size=12)


@given(invoices)
def test_p21_gross_is_net_plus_vat(lines: list[InvoiceLine]) -> None:
    result = totals(lines)
    assert result.gross == result.net + result.vat
    assert result.vat == sum((summary.vat for summary in result.by_rate), D(0))
    for summary in result.by_rate:
        assert summary.vat == round_cents(summary.base * summary.rate)
    assert [s.rate for s in result.by_rate] == sorted(
        (s.rate for s in result.by_rate), reverse=True
    )


@given(invoices)
def test_p21_totals_equal_the_sum_of_lines(lines: list[InvoiceLine]) -> None:
    result = totals(lines)
    assert result.net == sum((line.net for line in lines), D(0))
    for summary in result.by_rate:
        at_rate = [line for line in lines if line.vat_rate == summary.rate]
        assert summary.base == sum((line.net for line in at_rate), D(0))
    for item in lines:
        assert item.net == round_cents(item.net)  # whole cents
        if item.minutes is not None:
            assert item.net == round_cents(item.minutes * item.unit_price / 60)


@given(invoices)
def test_p20_credit_note_totals_are_the_exact_negation(lines: list[InvoiceLine]) -> None:
    invoice, credit = totals(lines), totals(credit_lines(lines))
    assert credit.net == -invoice.net
    assert credit.vat == -invoice.vat
    assert credit.gross == -invoice.gross
    assert [(s.rate, s.base, s.vat) for s in credit.by_rate] == [
        (s.rate, -s.base, -s.vat) for s in invoice.by_rate
    ]
