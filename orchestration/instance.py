"""The Dagster instance folder (DAGSTER_HOME): telemetry off, one writer per DuckDB file."""

from __future__ import annotations

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
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(DAGSTER_YAML, encoding="utf-8")
    return config
