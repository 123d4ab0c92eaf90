"""Running `yr` on a data folder of its own, and what a run published, for the fault tests."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import duckdb

YR = str(Path(sys.executable).with_name("yr"))
AS_OF = "2024-03-01"
SMALL = ["--kommuner", "730,101", "--borgere", "150", "--fra", "2021-01-01", "--til", "2023-12-31", "--froe", "9"]


def env(root: Path, **extra: str) -> dict[str, str]:
    values = dict(os.environ, YR_DATA_DIR=str(root), DAGSTER_HOME=str(root / "dagster"), YR_AS_OF=AS_OF)
    values.pop("YR_POSTGRES_DSN", None)
    return values | extra


def yr(root: Path, *args: str, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([YR, *args], capture_output=True, text=True, check=False, env=env(root, **extra))


def start(root: Path, *args: str, **extra: str) -> subprocess.Popen:
    return subprocess.Popen([YR, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env=env(root, **extra))  # fmt: skip


def published(root: Path) -> dict:
    """Every calculation file (its lines, sorted: rows within a file have no order) and every LIS mart
    (its rows, sorted) that the data folder holds."""
    folder = root / "published"
    files = {p.name: sorted(p.read_text(encoding="utf-8").splitlines()) for p in (folder / "beregning").glob("*.csv")}
    marts = {}
    with duckdb.connect() as con:
        for mart in sorted((folder / "lis").iterdir()):
            marts[mart.name] = sorted(con.execute(f"select * from read_parquet('{mart}/*.parquet')").fetchall())
    return {"beregning": files, "lis": marts}


@dataclass(frozen=True)
class Clean:
    root: Path
    published: dict

    def copy(self, tmp_path: Path) -> Path:
        """A data folder of its own where the clean run has run."""
        root = tmp_path / "data"
        shutil.copytree(self.root, root, symlinks=True)
        return root


def fresh(tmp_path: Path, landing: Path) -> Path:
    """A data folder of its own, holding a copy of the landing folder."""
    root = tmp_path / "data"
    shutil.copytree(landing, root / "landing")
    return root
