"""The project's dbt unit tests (`models/**/*__unit.yml`), which pipeline runs leave out: run once per
session against a warehouse of empty tables, which is all they need of it."""

from __future__ import annotations

import json

import pytest

from orchestration.settings import Settings
from tests.calculation.harness import KEY, dbt

# the models the unit tests test, with everything they read
TESTED = ("+int_eindkomst__linjer", "+int_trappe_uger", "+lis_udsigt_borger", "+lis_udsigt_uge")


@pytest.fixture(scope="session")
def dbt_unit_tests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every dbt unit test's name → its status."""
    root = tmp_path_factory.mktemp("dbt-unit-tests")
    settings = Settings.from_env({"YR_DATA_DIR": str(root), "YR_PSEUDONYM_KEY": KEY})
    settings.ensure_dirs()
    target = root / "target"
    env = {"YR_PSEUDONYM_KEY": KEY}
    # one command: `dbt build` runs each model's unit tests once the tables it reads exist (empty)
    result = dbt(settings, "build", "--empty", "--select", *TESTED, "--exclude-resource-type", "test",
                 "--target-path", str(target), env=env)  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    return {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
