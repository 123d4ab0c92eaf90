"""dbt command lines, built by small pure functions so they can be tested without dbt."""

from __future__ import annotations

import json


def build_args(*, full_refresh: bool = False, fail_fast: bool = False, dbt_vars: dict | None = None) -> list[str]:
    """`dbt build` over the selected assets (dagster-dbt adds the selection itself)."""
    args = ["build"]
    if full_refresh:
        args.append("--full-refresh")
    if fail_fast:
        args.append("--fail-fast")
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True)]
    return args
