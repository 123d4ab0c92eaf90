"""The YUMU screen end to end: a registration made on the screen reaches the next pipeline run's
calculation file as YUMU correction rows; the screen and the calculation agree on what is in
force; the January run reports in the warehouse's terms."""

import csv
import json
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings
from orchestration.yumu.events import Register
from orchestration.yumu.grundlag import Grundlag
from orchestration.yumu.validation import finalised_year
from tests.conftest import use_data_dir

pytestmark = pytest.mark.slow
YR = str(Path(sys.executable).with_name("yr"))
SMALL = ["--kommuner", "730,101", "--borgere", "150", "--fra", "2021-01-01", "--til", "2023-12-31", "--froe", "9"]


def yr(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([YR, *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        root = tmp_path_factory.mktemp("yumu-pipeline")
        use_data_dir(mp, root)
        mp.setenv("YR_AS_OF", "2024-03-01")
        assert yr("generate", *SMALL).returncode == 0
        first = yr("run")
        assert first.returncode == 0, first.stderr[-3000:]
        yield Settings.from_env()


def citizen_with_kontanthjaelp(settings: Settings) -> str:
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return con.execute(
            """select v.cpr
               from intermediate.int_beregningsperioder as p inner join vault.borgere as v using (borger_id)
               where p.ydelse_navn = 'Kontanthjælp' and p.kommunenummer = '730'
                 and p.periode_fra >= date '2023-03-01' and p.periode_til <= date '2023-03-31'
               group by v.cpr having sum(p.alloc_oere) > 100000 order by v.cpr limit 1"""
        ).fetchall()[0][0]


def test_a_registration_reaches_the_next_calculation_file(demo: Settings) -> None:
    cpr = citizen_with_kontanthjaelp(demo)
    created = yr("yumu", "opret", "--kommune", "730", "--cpr", cpr, "--ydelse", "Kontanthjælp", "--periodestart",
                 "01-03", "--aar", "2023", "--periodeslut", "31-03", "--beloeb", "50,00")  # fmt: skip
    assert created.returncode == 0, created.stderr
    reg_id = created.stdout.strip()
    second = yr("run")
    assert second.returncode == 0, second.stderr[-3000:]
    [new_file] = sorted((demo.published_dir / "beregning").glob("yr-ydelsesrefusion-beregning-730-0002-*.csv"))
    with new_file.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f, delimiter=";") if r["Indberetter Ekstern ID"] == f"YUMU-{reg_id}"]
    assert rows
    assert {r["CPR nummer"] for r in rows} == {cpr}
    assert sum(Decimal(r["Beregnet udbetalingsbeløb"].replace(",", ".")) for r in rows) == Decimal("-50.00")
    assert all(Decimal(r["Finansieringsbeløb"].replace(",", ".")) > 0 for r in rows)  # the refusion goes back


def test_the_screen_and_the_calculation_agree_on_what_is_in_force(demo: Settings) -> None:
    on_screen = {
        reg_id: (r.version.beloeb, r.version.periode_start, r.version.periode_slut)
        for reg_id, r in Register(demo).registrations().items()
        if r.version is not None
    }
    with duckdb.connect(str(demo.duckdb_path), read_only=True) as con:
        calculated = {
            reg_id: (beloeb, start, slut)
            for reg_id, beloeb, start, slut in con.execute(
                "select registrerings_id, beloeb, periode_start, periode_slut from intermediate.int_yumu__gaeldende"
            ).fetchall()
        }
    assert len(on_screen) >= 4  # the demo's own, the planted one and the one registered above
    assert on_screen == calculated


def test_the_january_run_reports_last_years_registrations(demo: Settings) -> None:
    assert finalised_year(date(2024, 3, 1), "01-15") == 2023
    assert finalised_year(date(2024, 1, 14), "01-15") == 2022
    report = json.loads((demo.data_dir / "yumu" / "januarkoersel-2023.json").read_text(encoding="utf-8"))
    assert report["aar"] == 2023
    with duckdb.connect(str(demo.duckdb_path), read_only=True) as con:
        expected = con.execute(
            """select registrerende_kommunenummer, count(*) from intermediate.int_yumu__gaeldende
               where year(oprettet) <= 2023 group by 1 order by 1"""
        ).fetchall()
    assert [(k["kommunenummer"], k["registreringer"]) for k in report["kommuner"]] == expected
    assert "1503" not in json.dumps(report)  # counts and amounts only


def test_the_published_base_gives_the_screen_what_the_warehouse_holds(demo: Settings) -> None:
    """The screen nets the lines' shares itself (B26): what it reads from grundlag.parquet is, for every
    citizen and ydelse, what the warehouse's beregningsperioder give, and the file is sorted by borger_id."""
    base = Grundlag(demo.published_dir)
    with duckdb.connect(str(demo.duckdb_path), read_only=True) as con:
        cases = con.execute(
            """select borger_id, kommunenummer, ydelse_navn, min(periode_fra) + 10, max(periode_til) - 10
               from intermediate.int_beregningsperioder group by 1, 2, 3 order by 1, 2, 3 limit 60"""
        ).fetchall()
        for borger_id, kommune, ydelse, start, end in cases:
            [(expected,)] = con.execute(
                """select coalesce(sum(netto), 0) from (
                       select sum(alloc_oere) as netto from intermediate.int_beregningsperioder
                       where borger_id = ? and kommunenummer = ? and ydelse_navn = ? and periode_fra <= ?
                         and periode_til >= ? and uge >= date '2016-01-04'
                       group by uge, maaned having sum(alloc_oere) > 0)""",
                [borger_id, kommune, ydelse, end, start],
            ).fetchall()
            assert base.received(borger_id, kommune, ydelse, start, end) == Decimal(int(expected)) / 100
            assert ydelse in base.ydelser(borger_id, kommune, start, end) or expected == 0
    ids = [b for (b,) in duckdb.sql(f"select borger_id from read_parquet('{base.path}')").fetchall()]
    assert ids == sorted(ids)
    assert len(cases) == 60
