"""dbt command lines, built by small pure functions so they can be tested without dbt."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from orchestration.settings import Settings


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


def dbt_environment(settings: Settings, scope: Mapping[str, str]) -> dict[str, str]:
    """What dbt reads of a run, as the variables its profile and macros read (dbt_project/profiles.yml:
    the warehouse and DuckDB's memory limit; dbt_project.yml: the run date; macros/omfang.sql: the
    scope): environment variables rather than `--vars`, because dbt parses the whole project again
    whenever its vars change (DECISIONS.md B18)."""
    return {
        "YR_DATA_DIR": str(settings.data_dir),
        "YR_AS_OF": settings.as_of.isoformat(),
        "YR_DUCKDB_MEMORY": settings.duckdb_memory,
        "DBT_LOG_PATH": str(settings.data_dir / "logs"),
        **scope,
    }
