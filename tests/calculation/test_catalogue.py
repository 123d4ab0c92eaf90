"""RULES.md 4 and 7: a line's ydelse in the catalogue version valid on its PeriodeStart, and a week's
trin and rates in the staircase version valid on its Monday. The reference data has one version of
each, so the cases are dbt unit tests with two (`models/intermediate/*__unit.yml`), which pipeline
runs leave out; here they run against a warehouse of empty tables, which is all they need of it."""

import json
import subprocess
from pathlib import Path

from orchestration.settings import Settings
from tests.calculation.harness import KEY, dbt


def _dbt(settings: Settings, target: Path, *args: str) -> subprocess.CompletedProcess:
    return dbt(settings, *args, "--target-path", str(target), env={"YR_PSEUDONYM_KEY": KEY})


def test_the_versions_of_the_catalogue_and_the_staircase_are_those_valid_on_the_date(tmp_path: Path) -> None:
    settings = Settings.from_env({"YR_DATA_DIR": str(tmp_path), "YR_PSEUDONYM_KEY": KEY})
    settings.ensure_dirs()
    target = tmp_path / "target"
    empty = _dbt(settings, target, "build", "--empty", "--select", "+int_eindkomst__linjer", "+int_trappe_uger",
                 "--exclude-resource-type", "test", "--exclude-resource-type", "unit_test")  # fmt: skip
    assert empty.returncode == 0, empty.stdout[-3000:]
    result = _dbt(settings, target, "test", "--select", "test_type:unit")
    assert result.returncode == 0, result.stdout[-3000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    ran = {r["unique_id"].rsplit(".", 1)[-1]: r["status"] for r in results if r["unique_id"].startswith("unit_test.")}
    assert ran == {"the_catalogue_version_valid_on_periode_start": "pass",
                   "the_staircase_version_valid_on_the_weeks_monday": "pass"}  # fmt: skip
