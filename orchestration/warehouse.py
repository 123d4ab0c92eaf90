"""The DuckDB warehouse file the pipeline writes. DuckDB allows one writing process per file, so
every asset that writes it is in the Dagster pool "duckdb" (limit 1, see orchestration/instance.py);
BI tools never open this file but the published copy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

from orchestration.lib.private import private_file, private_folder
from orchestration.settings import Settings

# No extension may be downloaded at run time: only the built-in ones (parquet, json, icu).
DUCKDB_CONFIG = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}


@contextmanager
def connect(settings: Settings, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    private_folder(settings.warehouse_dir)  # the raw layer and the vault hold CPR numbers
    config = {**DUCKDB_CONFIG, "memory_limit": settings.duckdb_memory, "preserve_insertion_order": False}
    con = duckdb.connect(str(settings.duckdb_path), read_only=read_only, config=config)
    private_file(settings.duckdb_path)
    try:
        yield con
    finally:
        con.close()
