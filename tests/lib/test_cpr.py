"""RULES.md 8: a CPR is 10 digits whose DDMMYY is a real date in the century digit 7 gives."""

from datetime import date

import pytest

from orchestration.lib import cpr


@pytest.mark.parametrize(
    ("digit7", "yy", "century"),
    [
        (0, 0, 1900), (3, 99, 1900),                    # 0–3 → 1900–1999
        (4, 0, 2000), (4, 36, 2000), (4, 37, 1900),     # 4 and 9 → 2000–2036, else 1937–1999
        (9, 36, 2000), (9, 99, 1900),
        (5, 0, 2000), (8, 57, 2000), (5, 58, 1800),     # 5–8 → 2000–2057, else 1858–1899
        (8, 99, 1800),
    ],
)  # fmt: skip
def test_rule_8_century_from_digit_7(digit7: int, yy: int, century: int) -> None:
    assert cpr.century(digit7, yy) == century


def test_rule_8_seed_cpr_is_valid_although_it_fails_modulus_11() -> None:
    weights = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
    assert sum(int(d) * w for d, w in zip("1503451237", weights, strict=True)) % 11 != 0
    assert cpr.birth_date("1503451237") == date(1945, 3, 15)


@pytest.mark.parametrize(
    "text",
    ["150345-1237", "150345123", "15034512370", "3102451234", "0000000000", "15034512a7", "١٥٠٣٤٥١٢٣٧", ""],
)
def test_rule_8_invalid_cprs(text: str) -> None:
    assert not cpr.is_valid(text)


def test_rule_8_birth_dates_in_the_future_are_valid() -> None:
    assert cpr.birth_date("0101304000") == date(2030, 1, 1)


def test_rule_8_leap_days_follow_the_century() -> None:
    assert cpr.birth_date("2902004000") == date(2000, 2, 29)  # digit 7 = 4: 2000, a leap year
    assert not cpr.is_valid("2902000000")  # digit 7 = 0: 1900, not a leap year


@pytest.mark.parametrize("year", [1858, 1899, 1900, 1936, 1937, 1999, 2000, 2036, 2037, 2057])
def test_century_digits_invert_century(year: int) -> None:
    digits = cpr.century_digits(year)
    assert digits
    assert all(cpr.century(d, year % 100) + year % 100 == year for d in digits)
