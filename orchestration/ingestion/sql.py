"""SQL macros for reading delivery fields set-based in DuckDB. Each mirrors a Python rule in
orchestration/lib (text.py, money.py, cpr.py); tests/reliability/test_quoted_fields.py and
test_precise_reasons.py run the same values through both and keep them in step."""

from __future__ import annotations

import contextlib

import duckdb

from orchestration.lib.money import MONEY_PATTERN
from orchestration.lib.text import LINE_PATTERN

MACROS = [
    # DELIVERIES.md "Text format", as lib/text.py split_fields: a line's fields without their quotes,
    # null when the line is not made of fields alone. In a well-formed line every other piece between
    # quotes is outside them: its `;` are the separators, marked with NUL (never in a delivery, whose
    # NUL bytes fail the file) and split there. A regexp extracting each field took 5 times as long.
    f"""create or replace temp macro yr_fields(l) as
        case when not contains(l, '"') then string_split(l, ';')
             when regexp_full_match(l, '{LINE_PATTERN}')
             then [case when starts_with(f, '"') then replace(f[2:-2], '""', '"') else f end
                   for f in string_split(
                       array_to_string(
                           list_transform(string_split(l, '"'),
                                          lambda piece, i: case when i % 2 = 1 then replace(piece, ';', chr(0))
                                                                else piece end),
                           '"'),
                       chr(0))] end""",
    # An empty field is a missing value.
    "create or replace temp macro yr_text(v) as nullif(v, '')",
    # ISO dates only, and only real ones (2021-02-30 is null).
    """create or replace temp macro yr_date(v) as
        case when regexp_full_match(v, '[0-9]{4}-[0-9]{2}-[0-9]{2}')
             then try_strptime(v, '%Y-%m-%d')::date end""",
    # DELIVERIES.md money: decimal comma, optional thousands dots and ' kr.'; exact decimal.
    f"""create or replace temp macro yr_money(v) as
        case when regexp_full_match(v, '{MONEY_PATTERN}')
             then try_cast(replace(replace(replace(v, ' kr.', ''), '.', ''), ',', '.') as decimal(18, 2)) end""",
    # RULES.md 8: 10 digits and DDMMYY a real date in the century digit 7 gives; no modulus 11.
    """create or replace temp macro yr_cpr_century(d7, yy) as
        case when d7 <= 3 then 1900
             when d7 in (4, 9) then case when yy <= 36 then 2000 else 1900 end
             else case when yy <= 57 then 2000 else 1800 end end""",
    "create or replace temp macro yr_cpr_form(c) as coalesce(regexp_full_match(c, '[0-9]{10}'), false)",
    """create or replace temp macro yr_cpr_valid(c) as
        coalesce(
            yr_cpr_form(c)
            and try_strptime(
                (yr_cpr_century(try_cast(substr(c, 7, 1) as integer), try_cast(substr(c, 5, 2) as integer))
                 + try_cast(substr(c, 5, 2) as integer))::varchar || substr(c, 3, 2) || substr(c, 1, 2),
                '%Y%m%d') is not null,
            false)""",
]


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    for macro in MACROS:
        con.execute(macro)


def install_yumu_rule(con: duckdb.DuckDBPyConnection, ydelser: set[str], years_back: int) -> None:
    """yr_yumu_regel(handling, oprettet, cpr, start, slut, ydelsesnavn, beloeb): the reason code of the
    first YUMU screen rule a line fails, or null (RULES.md 6; the rules' one home is
    orchestration/yumu/validation.py `screen_rule`). YUMU lines are few: a Python function per line
    costs nothing next to a delivery's parsing."""
    from orchestration.yumu.validation import screen_rule

    def rule(handling, oprettet, cpr, start, end, ydelsesnavn, beloeb):
        if oprettet is None:
            return None  # its own check (DATO_UGYLDIG) comes first
        reason = screen_rule(handling, oprettet, cpr, start, end, ydelsesnavn, beloeb, years_back, ydelser)
        return reason.value if reason else None

    with contextlib.suppress(duckdb.InvalidInputException):  # not there yet
        con.remove_function("yr_yumu_regel")
    con.create_function(
        "yr_yumu_regel",
        rule,
        ["VARCHAR", "DATE", "VARCHAR", "DATE", "DATE", "VARCHAR", "DECIMAL(18, 2)"],
        "VARCHAR",
        null_handling="special",
        side_effects=False,
    )
