"""The Beregnings ID is DuckDB's hash() of a row's typed values (RULES.md 8, macro beregnings_id).

Published ids are compared across runs, so they must not change while the input does not. hash()
is deterministic for a DuckDB version; this canary pins its value for one fixed row, so a DuckDB
upgrade that changes it fails here, before it re-ids every published row."""

import duckdb

from orchestration.publish.beregningsfiler import beregnings_id_sql

ROW = (
    "'eindkomst', 'abc:12', date '2024-01-01', 1234567890123::bigint, 101, 3::integer, "
    "12345.67::decimal(18, 2), 40.00::decimal(5, 2), null::bigint"
)


def _macro_expression() -> str:
    return beregnings_id_sql(ROW)  # the dbt macro's expression, as the publication uses it


def test_the_hash_of_a_fixed_row_is_what_it_was_when_ids_were_first_published() -> None:
    [(value,)] = duckdb.sql(f"select {_macro_expression()}").fetchall()
    assert value == 7242765030474403846, (
        "DuckDB's hash() changed: every Beregnings ID would change with this DuckDB version"
    )


def test_ids_are_positive_63_bit_and_differ_when_one_value_differs() -> None:
    one, other = (duckdb.sql(f"select {_macro_expression().replace('12345.67', v)}").fetchall()[0][0]
                  for v in ("12345.67", "12345.68"))  # fmt: skip
    assert 0 < one < 2**63
    assert one != other
