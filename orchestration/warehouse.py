"""The DuckDB warehouse file the pipeline writes. DuckDB allows one writing process per file, so
every asset that writes it is in the Dagster pool "duckdb" (limit 1, see orchestration/instance.py);
BI tools never open this file but the published copy."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from orchestration.lib.private import private_file, private_folder
from orchestration.settings import Settings

# No extension may be downloaded at run time: only the built-in ones (parquet, json, icu).
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
DEFAULT_MEMORY = "5GB"  # YR_DUCKDB_MEMORY: beyond it DuckDB spills to disk (issue 7: ≤ 8 GiB in all)


@contextmanager
def connect(settings: Settings, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    private_folder(settings.warehouse_dir)  # the raw layer and the vault hold CPR numbers
    config = {**DUCKDB_CONFIG, "memory_limit": os.environ.get("YR_DUCKDB_MEMORY") or DEFAULT_MEMORY,
              "preserve_insertion_order": False}  # fmt: skip
    con = duckdb.connect(str(settings.duckdb_path), read_only=read_only, config=config)
    private_file(settings.duckdb_path)
    try:
        yield con
    finally:
        con.close()


class Warehouse(dg.ConfigurableResource):
    """Connections to $YR_DATA_DIR/warehouse/yr.duckdb (the location is read when connecting)."""

    @contextmanager
    def connect(self, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
        with connect(Settings.from_env(), read_only=read_only) as con:
            yield con
