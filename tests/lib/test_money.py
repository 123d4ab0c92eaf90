"""DELIVERIES.md "Money" and OUTPUTS.md section 1: Danish amounts in, exact decimals, Danish out."""

from decimal import Decimal

import pytest

from orchestration.lib import money
from orchestration.lib.money import Style


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1740,96", "1740.96"),
        ("1.740,96", "1740.96"),
        ("1.740,96 kr.", "1740.96"),
        ("-145,54 kr.", "-145.54"),
        ("120", "120.00"),
        ("0,5", "0.50"),
        ("1.000.000,00", "1000000.00"),
    ],
)
def test_deliveries_money_accepts_the_danish_formats(text: str, value: str) -> None:
    assert money.parse(text) == Decimal(value)


@pytest.mark.parametrize(
    "text", ["1,740.96", "1740.96", "12,345", "+5,00", "1 740,96", "1740,96kr.", "", "1.74,96", "1.7400,96"]
)
def test_deliveries_money_rejects_everything_else(text: str) -> None:
    with pytest.raises(money.MoneyError):
        money.parse(text)


@pytest.mark.parametrize(
    ("value", "rounded"),
    [
        ("0.005", "0.01"),
        ("-0.005", "-0.01"),
        ("2.675", "2.68"),
        ("-145.544", "-145.54"),
        ("1.004999", "1.00"),
    ],
)
def test_rule_2_2_rounding_is_half_away_from_zero(value: str, rounded: str) -> None:
    assert money.round_øre(Decimal(value)) == Decimal(rounded)


@pytest.mark.parametrize(
    ("øre", "style", "text"),
    [
        (174096, Style.PLAIN, "1740,96"),
        (12000, Style.PLAIN, "120"),
        (174096, Style.THOUSANDS, "1.740,96"),
        (-14554, Style.KRONER, "-145,54 kr."),
        (100000000, Style.THOUSANDS, "1.000.000,00"),
        (5, Style.KRONER, "0,05 kr."),
    ],
)
def test_generator_styles_format_and_parse_back(øre: int, style: Style, text: str) -> None:
    assert money.format_øre(øre, style) == text
    assert money.parse(text) == Decimal(øre) / 100


@pytest.mark.parametrize(("value", "text"), [("-1740.96", "-1740,96"), ("0", "0,00"), ("1234567.5", "1234567,50")])
def test_outputs_amounts_have_two_decimals_and_no_thousands_separator(value: str, text: str) -> None:
    assert money.format_output(Decimal(value)) == text
