"""The Dagster instance folder (DAGSTER_HOME): telemetry off, one writer per DuckDB file."""

from __future__ import annotations

import os
from pathlib import Path

DAGSTER_YAML = """\
# Written by `yr` (orchestration/instance.py). Edit freely; it is only written when missing.
telemetry:
  enabled: false
concurrency:
  pools:
    # Every asset that writes the warehouse is in pool "duckdb": DuckDB allows one writer
    # process per file, so at most one such step runs at a time across all runs.
    default_limit: 1
    granularity: op
"""


def ensure_instance(dagster_home: Path) -> Path:
    """The instance's configuration, written when missing, and its storage. The configuration appears
    only once the storage is created: two processes that open a new instance at once (the UI and a
    run, a run and its watcher) would both create its tables and one would fail."""
    import dagster as dg

    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        draft = dagster_home / f".dagster.yaml.{os.getpid()}"
        draft.write_text(DAGSTER_YAML, encoding="utf-8")
        with dg.DagsterInstance.from_config(str(dagster_home), config_filename=draft.name):
            pass
        os.replace(draft, config)
    return config
