"""Hand-written deliveries for the calculation tests: one citizen per scenario, all in one landing
folder, ingested and calculated once (ingestion engine + `dbt build`), then queried per citizen."""

from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb

from orchestration.ingestion.engine import ingest
from orchestration.ingestion.sources import SOURCES
from orchestration.lib.dbt_args import build_args
from orchestration.lib.layouts import LAYOUTS
from orchestration.lib.pseudonym import borger_id
from orchestration.lib.reference import ydelser
from orchestration.settings import DBT_PROJECT_DIR, Settings

KEY = "calculation-tests-key-0123456789"
DBT = str(Path(sys.executable).with_name("dbt"))
KONTO = {"KTH": "kl:konto:5.57.73.007", "SDP": "kl:konto:5.57.71.013", "DAG": "star:konto:01.01",
         "LTS": "kl:konto:5.58.81.017", "HST": "kl:konto:5.57.72.001", "FLG": "kl:konto:5.58.81.013"}  # fmt: skip


# every field of a line is required (DELIVERIES.md): the catalogue's Indtægtsart (none for løntilskud)
INDTAEGTSART = {y.yr_kontonummer: y.indtaegtsart for y in ydelser()}


def kr(amount: Decimal | str | int) -> str:
    return f"{Decimal(amount):.2f}".replace(".", ",")


@dataclass
class Scenario:
    lines: list[dict[str, str]] = field(default_factory=list)
    maf: list[dict[str, str]] = field(default_factory=list)
    yumu: list[tuple[str, dict[str, str]]] = field(default_factory=list)  # (file date, event)
    citizens: dict[str, str] = field(default_factory=dict)
    _ids: int = 0

    def citizen(self, name: str) -> str:
        """A distinct valid CPR number for each scenario name (born in 1970–71, digit 7 = 1)."""
        if name in self.citizens:
            return self.citizens[name]
        n = len(self.citizens)
        cpr = f"{1 + n % 28:02d}{1 + n // 28 % 12:02d}7{n // 336}1{n:03d}"
        self.citizens[name] = cpr
        return cpr

    def line(self, cpr: str, kode: str, start: date, end: date, amount: Decimal | str, *, kommune: str = "730",
             art: str = "I", reverses: str = "", delivered: date | None = None) -> str:  # fmt: skip
        self._ids += 1
        ident = str(100_000 + self._ids)
        kontoart = "2" if kode in ("LTS", "FLG") else "1"
        self.lines.append({
            "IndberetningsID": ident, "Indberetningsart": art, "TilbageførtID": reverses, "SENummer": "29189811",
            "Kommunenummer": kommune, "CPRNummer": "" if kontoart == "2" else cpr,
            "UdløsendeCPR": cpr if kontoart == "2" else "", "Indtægtsart": INDTAEGTSART[KONTO[kode]],
            "YRKontonummer": KONTO[kode],
            "KontoArt": kontoart, "PeriodeStart": start.isoformat(), "PeriodeSlut": end.isoformat(),
            "Beløb": kr(amount), "Dispositionsdato": end.isoformat(),
            "_delivered": (delivered or end + timedelta(days=5)).strftime("%Y%m%d"),
        })  # fmt: skip
        return ident

    def weekly(self, cpr: str, kode: str, first_monday: date, weeks: int, amount: str = "1000", **kw) -> date:
        """One line per ISO week, Monday to Sunday; returns the Monday after the last week."""
        assert first_monday.weekday() == 0
        for i in range(weeks):
            monday = first_monday + timedelta(weeks=i)
            self.line(cpr, kode, monday, monday + timedelta(days=6), amount, **kw)
        return first_monday + timedelta(weeks=weeks)

    def maf_line(self, cpr: str, start: date, end: date, amount: str, kommune: str = "730") -> None:
        self.maf.append({"Kommunenummer": kommune, "CPR nummer": cpr, "Ydelse": "Dagpenge",
                         "Periode start": start.isoformat(), "Periode slut": end.isoformat(),
                         "Indberetning udbetalingsbeløb": f"{kr(amount)} kr.",
                         "Posteringskonto for indberetning": "star:konto:01.02"})  # fmt: skip

    def yumu_event(self, exported: date, reg: str, handling: str, created: date, cpr: str = "",
                   start: date | None = None, end: date | None = None, ydelse: str = "", amount: str = "",
                   kommune: str = "730", save: int = 1) -> None:  # fmt: skip
        """`save` > 1: the day's further saves of the screen, in files of their own (`…-002.csv`)."""
        day = exported.strftime("%Y%m%d") + (f"-{save:03d}" if save > 1 else "")
        self.yumu.append((day, {
            "RegistreringsID": reg, "Handling": handling, "Oprettet": created.isoformat(), "Kommunenummer": kommune,
            "Cpr": cpr, "Periode start": start.isoformat() if start else "",
            "Periode slut": end.isoformat() if end else "", "Ydelsesnavn": ydelse,
            "Beløb": kr(amount) if amount else "",
        }))  # fmt: skip

    # ---- writing and running -------------------------------------------------------------------
    def write(self, landing: Path) -> None:
        by_file: dict[str, list[dict[str, str]]] = {}
        for line in self.lines:
            by_file.setdefault(f"eindkomst/eindkomst-yr-{line['_delivered']}-001.csv", []).append(line)
        if self.maf:
            by_file["star/MAF20230503.txt"] = self.maf
        for exported, event in self.yumu:
            by_file.setdefault(f"yumu/yumu-{event['Kommunenummer']}-{exported}.csv", []).append(event)
        for relative, rows in by_file.items():
            folder, name = relative.split("/")
            layout = next(lay for lay in LAYOUTS.values() if lay.folder == folder and lay.matches(name))
            text = (
                ";".join(layout.columns)
                + "\n"
                + "".join(";".join(row.get(c, "") for c in layout.columns) + "\n" for row in rows)
            )
            (landing / folder).mkdir(parents=True, exist_ok=True)
            (landing / relative).write_text(text, encoding="utf-8")


@dataclass
class Calculated:
    con: duckdb.DuckDBPyConnection
    scenario: Scenario
    root: Path

    def bid(self, name: str) -> int:
        return borger_id(KEY, self.scenario.citizens[name])

    def staircase(self, name: str) -> dict[date, tuple[int, int]]:
        """uge → (counter, trin)."""
        rows = self.con.execute(
            "select uge, taeller, trin from intermediate.int_trappe_uger where borger_id = ? order by uge",
            [self.bid(name)],
        ).fetchall()
        return {uge: (taeller, trin) for uge, taeller, trin in rows}

    def periods(self, name: str) -> list[tuple[date, date | None]]:
        return self.con.execute(
            "select start_uge, luk_uge from intermediate.int_taelleperioder where borger_id = ? order by periode_nr",
            [self.bid(name)],
        ).fetchall()

    def weekly_sums(self, name: str, column: str, kilde: str | None = None) -> dict[date, Decimal]:
        where = "and kilde = ?" if kilde else ""
        rows = self.con.execute(
            f"select uge, sum({column}) from marts.fct_beregning where borger_id = ? {where} group by uge order by uge",
            [self.bid(name), *([kilde] if kilde else [])],
        ).fetchall()
        return dict(rows)

    def rows(self, name: str, kilde: str | None = None) -> list[dict]:
        where = "and kilde = ?" if kilde else ""
        cursor = self.con.execute(
            f"select * from marts.fct_beregning where borger_id = ? {where} order by uge, beregningsperiode_fra",
            [self.bid(name), *([kilde] if kilde else [])],
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def run(scenario: Scenario, root: Path, as_of: str = "2026-06-30") -> Settings:
    """Land the scenario's deliveries (files already there are rewritten identically), ingest what
    is new and run `dbt build` with the pipeline's arguments (dbt's unit tests are left out, as in
    the pipeline; test_catalogue.py runs them)."""
    env = {"YR_DATA_DIR": str(root), "YR_PSEUDONYM_KEY": KEY, "YR_AS_OF": as_of}
    settings = Settings.from_env(env)
    settings.ensure_dirs()
    scenario.write(settings.landing_dir)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        for source in SOURCES.values():
            ingest(con, source, settings, "test")
    result = dbt(settings, *build_args(), env=env)
    assert result.returncode == 0, result.stdout[-4000:]
    return settings


def dbt(settings: Settings, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """The project's dbt on the settings' data folder, as the pipeline calls it (output captured).
    Each data folder has a target folder of its own, as each warehouse keeps its own parse in the
    pipeline: the warehouse's path is in dbt's profile, and dbt parses the whole project again (3 s)
    when its last parse was for another profile."""
    if "--target-path" not in args:
        args = (*args, "--target-path", str(settings.data_dir / "dbt-target"))
    return subprocess.run(
        [DBT, *args, "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR)],
        env={**settings.subprocess_env(), **(env or {})},
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def calculate(scenario: Scenario, root: Path, as_of: str = "2026-06-30") -> Calculated:
    settings = run(scenario, root, as_of)
    return Calculated(duckdb.connect(str(settings.duckdb_path), read_only=True), scenario, root)


def mondays(first: date, n: int) -> list[date]:
    return [first + timedelta(weeks=i) for i in range(n)]
