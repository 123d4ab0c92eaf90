"""The dbt project as Dagster sees it (dagster-dbt's DbtProject), and its manifest preparation."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from packaging.version import Version

from orchestration.settings import DBT_PROJECT_DIR

DBT_PROJECT = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# The dbt of this environment, whether or not the virtualenv is activated.
DBT_EXECUTABLE = str(Path(sys.executable).with_name("dbt"))
SOURCE_SUFFIXES = {".sql", ".yml", ".yaml", ".csv"}
OUTPUT_DIRS = {"target", "logs", "dbt_packages"}


class YrDbtCliResource(DbtCliResource):
    """dagster-dbt's resource without its two start-up costs this project does not need (about 5 s
    of every run, measured):

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
