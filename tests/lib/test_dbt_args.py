"""dbt command lines are built by pure functions (orchestration/lib/dbt_args.py)."""

from orchestration.lib.dbt_args import build_args


def test_build_by_default_without_dbt_unit_tests() -> None:
    # unit tests test the SQL, not the data: the test suite runs them, not every pipeline run
    assert build_args() == ["build", "--exclude-resource-type", "unit_test"]


def test_full_refresh_and_fail_fast_are_flags() -> None:
    assert build_args(full_refresh=True, fail_fast=True)[-2:] == ["--full-refresh", "--fail-fast"]


def test_the_incremental_scope_is_not_a_dbt_variable() -> None:
    # dbt parses the whole project again whenever its vars change: the scope goes in YR_OMFANG
    assert "--vars" not in build_args(full_refresh=True, fail_fast=True)
