"""dbt command lines, built by small pure functions so they can be tested without dbt."""

from __future__ import annotations


def build_args(*, full_refresh: bool = False, fail_fast: bool = False) -> list[str]:
    """`dbt build` over the selected assets (dagster-dbt adds the selection itself). dbt's unit tests
    are left out, as dbt advises for production: they test the SQL, not the data, and the test suite
    runs them (tests/calculation/test_catalogue.py)."""
    args = ["build", "--exclude-resource-type", "unit_test"]
    if full_refresh:
        args.append("--full-refresh")
    if fail_fast:
        args.append("--fail-fast")
    return args
