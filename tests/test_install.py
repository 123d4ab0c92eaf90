"""The environment `make install` builds (B23): its packages' bytecode compiled at install, since where
PYTHONDONTWRITEBYTECODE is set Python never caches it and every process compiled them again."""

import importlib
import importlib.util
from pathlib import Path

import pytest


@pytest.mark.parametrize("module", ["dagster", "dagster_dbt", "dbt.cli.main", "great_expectations", "duckdb"])
def test_the_packages_every_run_imports_are_compiled(module: str) -> None:
    source = importlib.util.find_spec(module).origin
    assert Path(importlib.util.cache_from_source(source)).is_file(), f"{module}: no bytecode; run make install"
