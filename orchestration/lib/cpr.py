"""CPR numbers (RULES.md 8): 10 digits `DDMMYYSSSS`, valid when `DDMMYY` is a real date in the
century that digit 7 gives. No modulus-11 check: valid numbers without it are issued since 2007.

The same rule exists in SQL for set-based ingestion (`orchestration/ingestion/sql.py`, macros
`yr_cpr_form` and `yr_cpr_valid`); tests/reliability/test_precise_reasons.py keeps the two in step.
"""

from __future__ import annotations

from datetime import date


def century(digit7: int, yy: int) -> int:
    """The century (1800, 1900 or 2000) of a birth year `yy`, from CPR digit 7 (RULES.md 8)."""
    if digit7 <= 3:
        return 1900
    if digit7 in (4, 9):
        return 2000 if yy <= 36 else 1900
    return 2000 if yy <= 57 else 1800


def is_well_formed(cpr: str) -> bool:
    """10 ASCII digits: the form, before the date in it is judged."""
    return len(cpr) == 10 and cpr.isascii() and cpr.isdigit()


def birth_date(cpr: str) -> date | None:
    """The birth date a CPR number encodes, or None when the number is not valid."""
    if not is_well_formed(cpr):
        return None
    day, month, yy, digit7 = int(cpr[0:2]), int(cpr[2:4]), int(cpr[4:6]), int(cpr[6])
    try:
        return date(century(digit7, yy) + yy, month, day)
    except ValueError:
        return None


def is_valid(cpr: str) -> bool:
    return birth_date(cpr) is not None


def century_digits(year: int) -> tuple[int, ...]:
    """The values of digit 7 that place a birth in `year` (the inverse of `century`)."""
    yy = year % 100
    return tuple(d for d in range(10) if century(d, yy) + yy == year)
