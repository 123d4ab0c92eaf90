"""The dbt project as Dagster sees it (dagster-dbt's DbtProject), and its manifest preparation."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

import dagster as dg
from dagster_dbt import DbtCliInvocation, DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.lib.private import replace
from orchestration.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt of this environment, whether or not the virtualenv is activated.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv"}
OUTPUT_DIRS = {"target", "logs", "dbt_packages"}
PARTIAL_PARSE = "partial_parse.msgpack"


class YrDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without its two start-up costs this project does not need (about 5 s
    of every run, measured; DECISIONS.md B14). The only place that touches dagster-dbt's private
    members: tests/test_definitions.py fails when an upgrade renames them.

    - it asks the dbt executable for its version (`dbt --version`, a subprocess that imports dbt,
      3 s). The executable is this environment's, so its version is that of the dbt-core installed
      here (tests/test_definitions.py checks that they agree);
    - it opens a dbt adapter in this process (profile, project, macros: 2 s), which serves only
      `fetch_row_counts()` and `fetch_column_metadata()`, which the dbt assets do not call."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


ROW_COUNT = re.compile(r"rækker: (\d+)")  # what macros/raekker.sql logs after each table


def with_row_counts(invocation: DbtCliInvocation) -> Iterator:
    """The Dagster events of a dbt command (dagster-dbt's `stream()`, converted the same way), each
    table's materialization carrying the rows the table holds as `dagster/row_count`, which its dbt
    post-hook logged (macros/raekker.sql). dagster-dbt's own `fetch_row_counts()` queries the warehouse
    from this process while dbt builds, which DuckDB refuses: one process at a time opens the file."""
    counts: dict[str, int] = {}
    for event in invocation.stream_raw_events():
        unique_id = event.raw_event["data"].get("node_info", {}).get("unique_id")
        info = event.raw_event["info"]
        found = ROW_COUNT.fullmatch(info["msg"]) if info["name"] == "JinjaLogInfo" else None
        if found and unique_id:
            counts[unique_id] = int(found[1])
            continue
        for asset_event in event.to_default_asset_events(
            manifest=invocation.manifest,
            dagster_dbt_translator=invocation.dagster_dbt_translator,
            context=invocation.context,
            target_path=invocation.target_path,
            project=invocation.project,
        ):
            if isinstance(asset_event, dg.Output) and unique_id in counts:
                rows = counts.pop(unique_id)
                asset_event = asset_event.with_metadata({**asset_event.metadata, "dagster/row_count": rows})
            yield asset_event


def dbt_resource() -> DbtCliResource:
    return YrDbtCliResource(project_dir=DBT_PROJECT, dbt_executable=DBT_EXECUTABLE)


def manifest_is_stale() -> bool:
    """True when target/manifest.json is missing or older than any file of the dbt project."""
    manifest = DBT_PROJECT.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime
    return any(p.stat().st_mtime > built for p in project_files())


def project_files() -> list[Path]:
    """The dbt project's own files (models, macros, seeds, configuration), sorted; not its output
    (target/ holds a folder per Dagster run: walking it took seconds)."""
    found = []
    for folder, subfolders, names in os.walk(DBT_PROJECT_DIR):
        subfolders[:] = [d for d in subfolders if not (folder == str(DBT_PROJECT_DIR) and d in OUTPUT_DIRS)]
        found += [Path(folder, n) for n in names if Path(n).suffix in SOURCE_SUFFIXES]
    return sorted(found)


def ensure_manifest() -> None:
    """Write target/manifest.json (`dbt parse`) when it is missing or stale: Dagster builds the dbt
    assets from it. Every process that loads the code location calls this, so it must be cheap when
    there is nothing to do (run steps, sensors) and right when a model changed (`yr ui`, `yr run`)."""
    if manifest_is_stale():
        dbt_resource().cli(["parse", "--quiet"], target_path=DBT_PROJECT.target_path).wait()


# ---- dbt's parse, kept per warehouse ------------------------------------------------------------
# dbt parses the whole project (2 s here) unless the target folder holds the parse of a command
# with the same project files, profile and vars. dagster-dbt gives every command a new target
# folder with a copy of dbt_project/target's parse, which `dbt parse` wrote for whatever data folder
# and vars it ran with: a different profile (YR_DATA_DIR is in it), so every run parsed again. Each
# warehouse keeps the parse of its own last command instead. dbt checks it before it uses it and
# parses again what changed, so an outdated one costs the parse it replaces, never a wrong result.


def run_target_path(run_id: str) -> Path:
    """A target folder of its own for one dbt command (artifacts and logs), named as dagster-dbt names
    them: the run's id, then a random part."""
    # absolute: dbt reads a relative one from the project folder, this process from its own
    return DBT_PROJECT_DIR / "target" / f"yr_dbt_models-{run_id[:7]}-{secrets.token_hex(4)}"


RUN_TARGETS_KEPT = 10  # the target folders of the pipeline's last dbt commands, to look into


def prune_run_targets(target_dir: Path, keep: int) -> None:
    """Keep the newest `keep` target folders of the pipeline's dbt commands. Each holds a manifest,
    the compiled SQL and the run results (about 9 MB), and dagster-dbt leaves them all: one more per
    run, for good, in the project's folder. Other folders (`dbt parse`, dbt by hand) are not touched."""
    runs = sorted((p for p in target_dir.glob("yr_dbt_models-*") if p.is_dir()), key=lambda p: p.stat().st_mtime)
    for old in runs[: max(len(runs) - keep, 0)]:
        shutil.rmtree(old, ignore_errors=True)


def restore_parse(saved: Path, target: Path) -> bool:
    """Put the warehouse's last parse where the next dbt command will look for it."""
    if not saved.is_file():
        return False
    target.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(saved, target / PARTIAL_PARSE)
    return True


def save_parse(target: Path, saved: Path) -> None:
    """Keep the parse a dbt command wrote (atomically: a reader sees the old or the new one)."""
    fresh = target / PARTIAL_PARSE
    if fresh.is_file():
        saved.parent.mkdir(parents=True, exist_ok=True)
        replace(saved, fresh.read_bytes())  # in the warehouse's folder: restricted like it


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """These environment variables while a dbt command starts (it takes this process's environment),
    the previous ones afterwards."""
    before = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in before.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
