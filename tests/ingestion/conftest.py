"""Helpers to land hand-written deliveries and ingest them into a throw-away warehouse."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from orchestration.ingestion.engine import IngestResult, ingest
from orchestration.ingestion.ledger import reconcile
from orchestration.ingestion.sources import SOURCES
from orchestration.lib.layouts import LAYOUTS
from orchestration.settings import Settings

# A valid eIndkomst line: kontanthjælp for March 2021, citizen 1503451237 (the seed's fake CPR).
EINDKOMST = {
    "IndberetningsID": "1001",
    "Indberetningsart": "I",
    "TilbageførtID": "",
    "SENummer": "29189811",
    "Kommunenummer": "730",
    "CPRNummer": "1503451237",
    "UdløsendeCPR": "",
    "Indtægtsart": "0041",
    "YRKontonummer": "kl:konto:5.57.73.007",
    "KontoArt": "1",
    "PeriodeStart": "2021-03-01",
    "PeriodeSlut": "2021-03-31",
    "Beløb": "12.500,00",
    "Dispositionsdato": "2021-02-26",
}


def line(layout: str = "eindkomst", **fields: str) -> dict[str, str]:
    base = dict(EINDKOMST) if layout == "eindkomst" else {}
    base.update({k.replace("_", " ") if k not in LAYOUTS[layout].columns else k: v for k, v in fields.items()})
    return base


def text(layout: str, rows: list[dict[str, str] | str], columns: list[str] | None = None, newline: str = "\n") -> str:
    """A delivery's text: header and rows (a str row is written as is)."""
    columns = columns or list(LAYOUTS[layout].columns)
    out = [";".join(columns)]
    for row in rows:
        out.append(row if isinstance(row, str) else ";".join(row.get(c, "") for c in columns))
    return newline.join(out) + newline


@dataclass
class Warehouse:
    settings: Settings
    con: duckdb.DuckDBPyConnection

    def land(self, name: str, content: str | bytes, encoding: str = "utf-8", folder: str | None = None) -> Path:
        folder = folder or _folder_for(name)
        path = self.settings.landing_dir / folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))
        return path

    def ingest(self, source: str = "eindkomst", run_id: str = "run") -> IngestResult:
        result = ingest(self.con, SOURCES[source], self.settings, run_id)
        assert reconcile(self.con, SOURCES[source]) == []  # every run leaves a reconciled ledger
        return result

    def rows(self, sql: str, *params) -> list[tuple]:
        return self.con.execute(sql, list(params)).fetchall()

    def reasons(self, source: str = "eindkomst") -> list[tuple]:
        return self.rows(
            "select fil, linje_nr, aarsag, status from raw.karantaene where kilde = ? order by fil, linje_nr", source
        )


def _folder_for(name: str) -> str:
    for layout in LAYOUTS.values():
        if layout.matches(name):
            return layout.folder
    return "eindkomst"


@pytest.fixture
def wh(data_dir: Path) -> Iterator[Warehouse]:
    settings = Settings.from_env()
    con = duckdb.connect(str(settings.duckdb_path))
    try:
        yield Warehouse(settings, con)
    finally:
        con.close()


Lander = Callable[..., Path]
