"""dbt command lines, built by small pure functions so they can be tested without dbt."""

from __future__ import annotations


def build_args(*, full_refresh: bool = False, fail_fast: bool = False) -> list[str]:
    """`dbt build` over the selected assets (dagster-dbt adds the selection itself)."""
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if fail_fast:
        args.append("--fail-fast")
    return args
