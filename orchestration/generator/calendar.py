"""Fast date helpers on proleptic ordinals (date.toordinal()), cached: the generator handles
tens of millions of dates for a national population."""

from __future__ import annotations

from datetime import date
from functools import cache


def weekday(o: int) -> int:
    """0 = Monday (ordinal 1, 0001-01-01, is a Monday)."""
    return (o - 1) % 7


def monday(o: int) -> int:
    return o - (o - 1) % 7


@cache
def iso(o: int) -> str:
    return date.fromordinal(o).isoformat()


@cache
def next_month_start(o: int) -> int:
    d = date.fromordinal(o)
    return (date(d.year + 1, 1, 1) if d.month == 12 else date(d.year, d.month + 1, 1)).toordinal()


def month_end(o: int) -> int:
    return next_month_start(o) - 1


@cache
def year_of(o: int) -> int:
    return date.fromordinal(o).year


def last_weekday_on_or_before(o: int) -> int:
    wd = weekday(o)
    return o - (wd - 4) if wd > 4 else o
