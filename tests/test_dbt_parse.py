"""dbt parses the project once per warehouse, not once per run (orchestration/dbt.py): the scope
of an incremental run does not count as a change, and each warehouse keeps its last parse."""

import os
import subprocess
from pathlib import Path

import pytest

from orchestration.dbt import DBT_EXECUTABLE, PARTIAL_PARSE, environment, prune_run_targets, restore_parse, save_parse
from orchestration.settings import DBT_PROJECT_DIR

FULL_PARSE = "Unable to do partial parsing"


def _parse(data: Path, target: Path, env: dict[str, str]) -> str:
    result = subprocess.run(
        [DBT_EXECUTABLE, "parse", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
         "--target-path", str(target)],
        env={**os.environ, "YR_DATA_DIR": str(data), "DBT_LOG_PATH": str(data / "logs"),
             "DBT_SEND_ANONYMOUS_USAGE_STATS": "False", **env},
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout[-3000:]
    return result.stdout


@pytest.mark.slow
def test_the_scope_of_a_run_does_not_make_dbt_parse_the_project_again(tmp_path: Path) -> None:
    (tmp_path / "warehouse").mkdir()
    target = tmp_path / "target"
    _parse(tmp_path, target, {"YR_OMFANG": "alle"})
    assert (target / PARTIAL_PARSE).is_file()
    assert FULL_PARSE not in _parse(tmp_path, target, {"YR_OMFANG": "borgere"})
    # another data folder is another profile: dbt parses again, which is why each warehouse keeps its own
    (tmp_path / "other" / "warehouse").mkdir(parents=True)
    assert FULL_PARSE in _parse(tmp_path / "other", target, {"YR_OMFANG": "borgere"})


def test_a_warehouse_keeps_the_parse_of_its_last_dbt_command(tmp_path: Path) -> None:
    saved, first, second = tmp_path / "warehouse" / "parse.msgpack", tmp_path / "run1", tmp_path / "run2"
    assert not restore_parse(saved, first)  # nothing kept yet: dbt parses as it would
    save_parse(first, saved)  # a command that failed before parsing leaves nothing to keep
    assert not saved.exists()
    first.mkdir()
    (first / PARTIAL_PARSE).write_bytes(b"parse 1")
    save_parse(first, saved)
    assert restore_parse(saved, second)
    assert (second / PARTIAL_PARSE).read_bytes() == b"parse 1"
    (second / PARTIAL_PARSE).write_bytes(b"parse 2")
    save_parse(second, saved)
    assert saved.read_bytes() == b"parse 2"
    assert sorted(p.name for p in saved.parent.iterdir()) == ["parse.msgpack"]  # no temporary file left


def test_the_scope_is_set_for_the_dbt_command_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YR_OMFANG", "before")
    monkeypatch.delenv("YR_UNSET_HERE", raising=False)
    with environment({"YR_OMFANG": "borgere", "YR_UNSET_HERE": "x"}):
        assert (os.environ["YR_OMFANG"], os.environ["YR_UNSET_HERE"]) == ("borgere", "x")
    assert os.environ["YR_OMFANG"] == "before"
    assert "YR_UNSET_HERE" not in os.environ


def test_only_the_newest_target_folders_of_pipeline_runs_are_kept(tmp_path: Path) -> None:
    """dagster-dbt leaves a target folder per dbt command (about 9 MB each): without pruning, one more
    per run for good. The newest are kept, by time; folders the pipeline did not write are left."""
    runs = [tmp_path / f"yr_dbt_models-{i:07d}-cafe" for i in range(13)]
    for age, folder in enumerate(runs):  # runs[0] is the newest
        (folder / "compiled").mkdir(parents=True)
        os.utime(folder, (1_700_000_000 - age, 1_700_000_000 - age))
    (tmp_path / "run").mkdir()
    (tmp_path / "manifest.json").write_text("{}")
    prune_run_targets(tmp_path, keep=9)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([*(r.name for r in runs[:9]), "run", "manifest.json"])
