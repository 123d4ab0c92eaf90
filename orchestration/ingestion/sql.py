"""SQL macros for reading delivery fields set-based in DuckDB. Each mirrors a Python rule in
orchestration/lib (money.py, cpr.py); tests/ingestion/test_sql_macros.py keeps them in step."""

from __future__ import annotations

import duckdb

from orchestration.lib.money import MONEY_PATTERN

MACROS = [
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
    """create or replace temp macro yr_cpr_valid(c) as
        coalesce(
            regexp_full_match(c, '[0-9]{10}')
            and try_strptime(
                (yr_cpr_century(try_cast(substr(c, 7, 1) as integer), try_cast(substr(c, 5, 2) as integer))
                 + try_cast(substr(c, 5, 2) as integer))::varchar || substr(c, 3, 2) || substr(c, 1, 2),
                '%Y%m%d') is not null,
            false)""",
]


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    for macro in MACROS:
        con.execute(macro)
