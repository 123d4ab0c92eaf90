"""Reference data (RULES.md 7): the seeds are the contract's tables, and dbt guards them."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.settings import DBT_PROJECT_DIR, SEEDS_DIR, Settings

DBT = str(Path(sys.executable).with_name("dbt"))


# Seeds of the project's own (not in ../shared/reference): the ingestion limits.
OWN_SEEDS = {"leveranceregler.csv", "kvalitetsregler.csv"}


def test_seeds_are_in_step_with_the_shared_reference(shared_dir: Path) -> None:
    shared = sorted(p.name for p in (shared_dir / "reference").glob("*.csv"))
    assert shared == sorted(p.name for p in SEEDS_DIR.glob("*.csv") if p.name not in OWN_SEEDS)
    for name in shared:
        assert (SEEDS_DIR / name).read_bytes() == (shared_dir / "reference" / name).read_bytes(), name


def test_placeholder_rows_stay_marked() -> None:
    kontering = (SEEDS_DIR / "kontering.csv").read_text(encoding="utf-8")
    assert kontering.count("pladsholder") >= 20


def _dbt(project: Path, data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = Settings.from_env({"YR_DATA_DIR": str(data_dir)}).subprocess_env()
    return subprocess.run(
        [DBT, *args, "--profiles-dir", str(project), "--project-dir", str(project)],
        cwd=project, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip


@pytest.mark.slow
def test_dbt_build_works_on_its_own(data_dir: Path) -> None:
    result = _dbt(DBT_PROJECT_DIR, data_dir, "build")
    assert result.returncode == 0, result.stdout[-3000:]
    assert "ERROR=0" in result.stdout
    assert (data_dir / "warehouse" / "yr.duckdb").exists()


@pytest.mark.slow
def test_dbt_tests_catch_broken_reference_data(data_dir: Path, tmp_path: Path) -> None:
    project = tmp_path / "dbt_project"
    shutil.copytree(DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs"))
    seeds = project / "seeds"
    trappe = (seeds / "trappe.csv").read_text(encoding="utf-8").splitlines()
    (seeds / "trappe.csv").write_text("\n".join(line for line in trappe if not line.startswith("2;")) + "\n")
    kontering = (seeds / "kontering.csv").read_text(encoding="utf-8").splitlines()
    (seeds / "kontering.csv").write_text("\n".join(line for line in kontering if not line.startswith("SDP;3;")) + "\n")
    parametre = (
        (seeds / "parametre.csv").read_text(encoding="utf-8").replace("genoptjening_uger;52", "genoptjening_uger;200")
    )
    (seeds / "parametre.csv").write_text(parametre, encoding="utf-8")

    result = _dbt(project, data_dir, "build")
    assert result.returncode != 0
    failed = set(re.findall(r" of \d+ FAIL \d+ (\S+)", result.stdout))
    assert "assert_trappe_steps_are_contiguous" in failed
    assert "assert_kontering_covers_every_ydelse" in failed
    assert any(name.startswith("expression_is_true_stg_reference__parametre_genoptjening") for name in failed)
