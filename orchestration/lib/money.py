"""Danish money text ↔ exact Decimal kroner (DELIVERIES.md "Money", OUTPUTS.md section 1).

Never a float: amounts are `Decimal` with two places, rounded half away from zero.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

# DELIVERIES.md: -?(\d+|\d{1,3}(\.\d{3})+)(,\d{1,2})?( kr\.)?
MONEY_PATTERN = r"-?(\d+|\d{1,3}(\.\d{3})+)(,\d{1,2})?( kr\.)?"
_MONEY = re.compile(MONEY_PATTERN)
ØRE = Decimal("0.01")


class MoneyError(ValueError):
    """The text is not an amount in a format DELIVERIES.md accepts."""


def parse(text: str) -> Decimal:
    """`1.740,96 kr.` → Decimal('1740.96'). Raises MoneyError for anything else."""
    if not _MONEY.fullmatch(text):
        raise MoneyError(f"not a Danish amount: {text!r}")
    body = text.removesuffix(" kr.").replace(".", "").replace(",", ".")
    return Decimal(body).quantize(ØRE)


def round_øre(value: Decimal) -> Decimal:
    """Round to øre, half away from zero (RULES.md 2.2). ROUND_HALF_UP is away from zero in Decimal."""
    return value.quantize(ØRE, rounding=ROUND_HALF_UP)


class Style(StrEnum):
    """How a delivery writes amounts; every style parses back with `parse`."""

    PLAIN = "plain"  # 1740,96 and 120 for whole kroner
    THOUSANDS = "thousands"  # 1.740,96
    KRONER = "kroner"  # 1.740,96 kr. (STAR's table)


def format_øre(øre: int, style: Style = Style.PLAIN) -> str:
    """Format an integer number of øre in a delivery style (the generator's fast path)."""
    sign = "-" if øre < 0 else ""
    kroner, rest = divmod(abs(øre), 100)
    if style is Style.PLAIN:
        return f"{sign}{kroner}" if rest == 0 else f"{sign}{kroner},{rest:02d}"
    text = f"{sign}{kroner:,}".replace(",", ".") + f",{rest:02d}"
    return text + " kr." if style is Style.KRONER else text


def format_output(value: Decimal) -> str:
    """OUTPUTS.md section 1: decimal comma, two decimals, no thousands separator: `-1740,96`."""
    return f"{round_øre(value):.2f}".replace(".", ",")
