"""Incremental calculation (DECISIONS.md B11, orchestration/omfang.py): after one more week of deliveries a run
recomputes only the borgere whose deliveries changed, and its tables and calculation files equal a
full recomputation's, row for row."""

from __future__ import annotations

import json
import shutil
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pytest

from orchestration import omfang
from orchestration.dbt import DBT_PROJECT, ensure_manifest
from orchestration.generator import Options, generate
from orchestration.generator.increment import next_week
from orchestration.ingestion.engine import ingest
from orchestration.ingestion.sources import SOURCES
from orchestration.lib.dbt_args import build_args
from orchestration.publish.beregningsfiler import publish
from orchestration.settings import ConfigError, Settings
from tests.calculation.harness import dbt

KEY = "test-incremental-key"
OPTIONS = Options(kommuner=("730", "101"), borgere=250, fra=date(2023, 7, 1), til=date(2024, 6, 30), seed=11)
AS_OF = "2024-09-30"
LATER = "2025-06-30"  # a later run date: running DFDG activities run on, open periods may close
SCHEMAS = ("intermediate", "marts", "lis")
PER_PARTI = 15  # borgere per part: the models built in parts are built in several here (B36)


def _settings(root: Path, as_of: str = AS_OF) -> Settings:
    return Settings.from_env({"YR_DATA_DIR": str(root), "YR_PSEUDONYM_KEY": KEY, "YR_AS_OF": as_of})


def _dbt(settings: Settings, args: list[str], env: dict[str, str] | None = None) -> None:
    result = dbt(settings, *args, env={"YR_PSEUDONYM_KEY": KEY, **(env or {})})
    assert result.returncode == 0, result.stdout[-4000:]


@cache
def _incremental_tables() -> list[str]:
    ensure_manifest()
    return omfang.incremental_tables(omfang.load_manifest(DBT_PROJECT.manifest_path))


def _run(settings: Settings) -> omfang.Plan:
    """Ingest what is new, plan, `dbt build` as the pipeline's dbt asset does, record. The models
    built in parts are built in parts of PER_PARTI borgere."""
    with duckdb.connect(str(settings.duckdb_path)) as con:
        for source in SOURCES.values():
            ingest(con, source, settings, "test")
        plan = omfang.plan(con, as_of=settings.as_of, whole=True, tables=_incremental_tables(), per_parti=PER_PARTI)
    _dbt(settings, build_args(full_refresh=plan.full_refresh), env=plan.dbt_env)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        omfang.record(con, plan)
    return plan


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [
        f"{s}.{t}"
        for s, t in con.execute(
            "select table_schema, table_name from information_schema.tables "
            "where table_catalog = current_database() and table_schema in ? and table_type = 'BASE TABLE'",
            [list(SCHEMAS)],
        ).fetchall()
    ]


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, omfang.Plan]:
    """The population after its first run, calculated in full and published."""
    root = tmp_path_factory.mktemp("incremental")
    settings = _settings(root)
    settings.ensure_dirs()
    generate(OPTIONS, settings.landing_dir, root / "generated")
    plan = _run(settings)
    _publish(settings)
    return root, plan


@pytest.fixture
def population(first_run: tuple[Path, omfang.Plan], tmp_path: Path) -> Path:
    """A copy of the first run's data folder for one test to go on from."""
    root = tmp_path / "population"
    shutil.copytree(first_run[0], root)
    return root


def test_one_more_week_recomputes_only_the_changed_borgere_and_equals_a_full_run(
    first_run: tuple[Path, omfang.Plan], population: Path, tmp_path: Path
) -> None:
    settings = _settings(population)
    first = first_run[1]
    assert first.mode == omfang.FULL
    assert first.borgere == first.i_alt > 100
    assert first.partier > 2  # ... and the full comparisons below are built in one part

    unchanged = _run(settings)  # nothing new: nothing to recompute
    assert (unchanged.mode, unchanged.borgere) == (omfang.SCOPED, 0)

    next_week(settings.landing_dir, seed=3)
    incremental = _run(settings)
    assert incremental.mode == omfang.SCOPED
    assert 0 < incremental.borgere < incremental.i_alt / 4, incremental.describe()
    assert incremental.partier > 1, incremental.describe()
    assert 0 < _groups(settings) < _groups(settings, "lis.lis_ydelse_uge") / 4, "LIS aggregates by changed groups"
    assert _assert_equals_full_run(settings, tmp_path / "full"), "the new week is in new calculation files"

    # months later with nothing new delivered: running activities run on, open periods close
    later = _settings(population, LATER)
    dated = _run(later)
    assert dated.mode == omfang.SCOPED
    assert 0 < dated.borgere < dated.i_alt, dated.describe()
    # this full recomputation in three parts replaces tables that exist (dbt's other way to build them)
    _assert_equals_full_run(later, tmp_path / "full-later", partier=3)


def _groups(settings: Settings, table: str = "intermediate.int_lis__aendringer") -> int:
    """How many kommune × week groups: those a scoped run recomputed, or those of a mart."""
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        return con.execute(f"select count(distinct (kommunenummer, uge)) from {table}").fetchall()[0][0]


def test_the_lis_aggregates_stay_right_after_a_failed_run_and_after_a_selection_rebuilt_their_inputs(
    population: Path, tmp_path: Path
) -> None:
    """The aggregated LIS marts are recomputed for the groups where rows changed since they were
    last built: a run that failed after rebuilding their inputs, or a selection that rebuilt the
    inputs whole, must not hide a change from the next run."""
    settings = _settings(population)

    next_week(settings.landing_dir, seed=3)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        for source in SOURCES.values():
            ingest(con, source, settings, "test")
        failed = omfang.plan(con, as_of=settings.as_of, whole=True, tables=_incremental_tables())
    assert failed.mode == omfang.SCOPED
    # as if the build stopped after the borgere's rows and before the aggregates; nothing recorded
    _dbt(settings, ["build", "--exclude", "tag:per_gruppe"], env=failed.dbt_env)
    again = _run(settings)
    assert (again.mode, again.borgere) == (omfang.SCOPED, failed.borgere)
    assert _groups(settings) > 0
    _assert_equals_full_run(settings, tmp_path / "after-failure")

    next_week(settings.landing_dir, seed=4)
    with duckdb.connect(str(settings.duckdb_path)) as con:
        for source in SOURCES.values():
            ingest(con, source, settings, "test")
    # a selection in the UI: the aggregates' inputs rebuilt whole with the new week, the aggregates not
    _dbt(settings, ["build", "--select", "+int_lis__raekker", "+int_dfdg__uger"])
    after = _run(settings)
    assert after.mode == omfang.SCOPED
    assert after.borgere > 0, after.describe()
    _assert_equals_full_run(settings, tmp_path / "after-selection")


def _publish(settings: Settings) -> list[str]:
    with duckdb.connect(str(settings.duckdb_path)) as con:
        result = publish(con, settings.published_dir / "beregning", settings.as_of)
    return [f.fil for f in result.files]


def _assert_equals_full_run(settings: Settings, copy: Path, partier: int = 1) -> list[str]:
    """Every table of the warehouse equals, row for row, the same warehouse recomputed in full (the
    models built in parts in `partier` parts); and the calculation files published from it (a diff
    of the recomputed borgere only) equal those published from the full recomputation (a diff of
    everyone)."""
    full = _settings(copy, settings.as_of.isoformat())
    shutil.copytree(settings.data_dir, full.data_dir)
    # the models only: the seeds came with the copy, and dbt's tests ran in the pipeline's builds
    _dbt(full, ["run", "--full-refresh"], env={omfang.PARTIER_ENV: str(partier)})
    files = _publish(settings)
    assert _publish(full) == files
    for fil in files:
        lines = (settings.published_dir / "beregning" / fil).read_text(encoding="utf-8").splitlines()
        again = (full.published_dir / "beregning" / fil).read_text(encoding="utf-8").splitlines()
        differ = len(set(lines) ^ set(again))  # a count, never the lines: they hold CPR numbers
        assert (differ, len(lines)) == (0, len(again)), f"{fil}: {differ} lines differ"
    with duckdb.connect(str(settings.duckdb_path), read_only=True) as con:
        con.execute(f"attach '{full.duckdb_path}' as fuld (read_only)")
        # int_lis__aendringer lists what this run changed: of a run, not of the data
        tables = [t for t in _tables(con) if t != "intermediate.int_lis__aendringer"]
        tables.append("publicering.beregning_raekker")
        assert {"marts.fct_beregning", "intermediate.int_taelleperioder", "lis.lis_borger_uge"} <= set(tables)
        for table in tables:
            for a, b in ((table, f"fuld.{table}"), (f"fuld.{table}", table)):
                query = f"select count(*) from (select * from {a} except all select * from {b})"
                [(extra,)] = con.execute(query).fetchall()
                assert extra == 0, f"{table}: {extra} rows of {a.split('.')[0]} not in the other"
        # rows were recomputed, not merely kept
        [(recomputed,)] = con.execute(
            "select count(*) from marts.fct_beregning where borger_id in (select borger_id from omfang.borgere)"
        ).fetchall()
        assert recomputed > 0
    return files


def test_the_largest_models_are_built_in_parts_of_at_most_yr_parti_borgere(monkeypatch: pytest.MonkeyPatch) -> None:
    assert [omfang.partier(n, 200_000) for n in (0, 1, 200_000, 200_001, 1_400_000)] == [1, 1, 1, 2, 7]
    assert Settings.from_env({}).parti_borgere == omfang.PARTI_BORGERE
    assert Settings.from_env({"YR_PARTI_BORGERE": "50000"}).parti_borgere == 50_000
    for bad in ("0", "-5", "mange"):
        with pytest.raises(ConfigError, match="YR_PARTI_BORGERE"):
            Settings.from_env({"YR_PARTI_BORGERE": bad})
    plan = omfang.Plan(omfang.SCOPED, "leverancer ændret", "g", date(2024, 9, 30), 120_000, 1_400_000, 50_000)
    assert plan.dbt_env == {"YR_OMFANG": "borgere", "YR_BORGER_PARTIER": "3"}
    assert plan.describe().endswith("De største modeller bygges i 3 dele.")
    small = omfang.Plan(omfang.FULL, "ingen tidligere beregning", "g", date(2024, 9, 30), 900, 900)
    assert small.dbt_env == {"YR_OMFANG": "alle", "YR_BORGER_PARTIER": "1"}
    assert "dele" not in small.describe()


def test_a_run_is_full_without_a_record_on_request_for_new_code_or_an_earlier_date(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    con = duckdb.connect()
    _raw_tables(con)
    con.execute("insert into raw.eindkomst_linjer values ('A', '1', null, 100)")
    first = omfang.plan(con, as_of=date(2024, 9, 30), whole=True)
    assert (first.mode, first.reason) == (omfang.FULL, "ingen tidligere beregning")
    omfang.record(con, first)
    again = omfang.plan(con, as_of=date(2024, 9, 30), whole=True)
    assert (again.mode, again.borgere) == (omfang.SCOPED, 0)
    assert again.reason == "ingen ændringer siden sidste beregning"
    assert omfang.plan(con, as_of=date(2024, 9, 30), whole=True, full_refresh=True).mode == omfang.FULL
    assert omfang.plan(con, as_of=date(2024, 9, 29), whole=True).reason == "YR_AS_OF er flyttet tilbage"
    partial = omfang.plan(con, as_of=date(2024, 9, 29), whole=False)
    assert partial.mode == omfang.PARTIAL
    assert partial.dbt_env == {"YR_OMFANG": "alle", "YR_BORGER_PARTIER": "1"}
    assert not partial.full_refresh
    omfang.record(con, partial)  # records nothing: the next whole run still sees the earlier date
    assert omfang.plan(con, as_of=date(2024, 9, 29), whole=True).mode == omfang.FULL
    missing = omfang.plan(con, as_of=date(2024, 9, 30), whole=True, tables=["marts.fct_beregning"])
    assert missing.reason == "tabellen marts.fct_beregning mangler"
    monkeypatch.setattr(omfang, "grundlag", lambda: "a changed model or seed")
    assert omfang.plan(con, as_of=date(2024, 9, 30), whole=True).reason == "koden eller referencedata er ændret"


def test_a_later_run_date_takes_in_running_activities_and_in_a_new_week_the_periods_it_closes() -> None:
    con = duckdb.connect()
    _raw_tables(con)
    con.execute("insert into raw.dfdg_aktiviteter values ('D', 'akt-1', null), ('E', 'akt-2', date '2024-05-01')")
    con.execute("create schema intermediate")
    con.execute(
        "create table intermediate.int_taelleperioder "
        "(borger_id varchar, periode_nr int, luk_nr int, beregnet_luk_nr int)"
    )
    week = omfang.week_no(date(2024, 10, 7))  # the close the data fix for P's open period; R's is later
    periods = [("P", 1, 10, 10), ("P", 2, None, week), ("Q", 1, 12, 12), ("R", 1, None, week + 1)]
    con.executemany("insert into intermediate.int_taelleperioder values (?, ?, ?, ?)", periods)
    omfang.record(con, omfang.plan(con, as_of=date(2024, 9, 30), whole=True))

    def scope(as_of: date) -> set[str]:
        assert omfang.plan(con, as_of=as_of, whole=True).mode == omfang.SCOPED
        return {b for (b,) in con.execute("select borger_id from omfang.borgere").fetchall()}

    assert scope(date(2024, 9, 30)) == set()
    assert scope(date(2024, 10, 2)) == {"D"}, "the same week: only a running activity reaches further"
    assert scope(date(2024, 10, 7)) == {"D", "P"}, "a new week: P's open period closes"
    assert scope(date(2024, 10, 14)) == {"D", "P", "R"}


def test_the_scope_takes_in_borgere_that_share_an_id_with_a_changed_borger() -> None:
    con = duckdb.connect()
    _raw_tables(con)
    con.execute("insert into raw.eindkomst_linjer values ('A', '1', null, 100), ('B', '2', null, 50)")
    con.execute("insert into raw.eindkomst_linjer values ('C', '3', null, 10)")
    con.execute("insert into raw.dfdg_aktiviteter values ('D', 'akt-1', null), ('E', 'akt-2', null)")
    first = omfang.plan(con, as_of=date(2024, 9, 30), whole=True)
    omfang.record(con, first)

    # a reversal of A's line filed under another CPR number, and a later version of D's activity under E
    con.execute("insert into raw.eindkomst_linjer values ('F', '4', '1', -100)")
    con.execute("insert into raw.dfdg_aktiviteter values ('E', 'akt-1', null)")
    plan = omfang.plan(con, as_of=date(2024, 9, 30), whole=True)
    scope = {b for (b,) in con.execute("select borger_id from omfang.borgere").fetchall()}
    assert scope == {"A", "F", "D", "E"}, "B and C are untouched"
    assert plan.borgere == 4
    assert plan.i_alt == 6


def test_every_raw_table_is_fingerprinted() -> None:
    assert set(omfang.RAW_TABLES) == {s.table for s in SOURCES.values()}


def _raw_tables(con: duckdb.DuckDBPyConnection) -> None:
    """The raw tables reduced to what the scope reads: borger_id, the linking ids, a value or date."""
    con.execute("create schema raw")
    con.execute(
        "create table raw.eindkomst_linjer "
        "(borger_id varchar, indberetnings_id varchar, tilbagefoert_id varchar, beloeb decimal(18, 2))"
    )
    con.execute("create table raw.maf_linjer (borger_id varchar, beloeb decimal(18, 2))")
    con.execute("create table raw.yumu_haendelser (borger_id varchar, registrerings_id varchar)")
    con.execute("create table raw.dfdg_aktiviteter (borger_id varchar, aktivitet_id varchar, slutdato date)")
    con.execute("create table raw.dfdg_samtaler (borger_id varchar, samtale_id varchar)")


def test_a_scoped_run_tests_per_borger_models_on_its_scope(tmp_path: Path) -> None:
    settings = _settings(tmp_path)
    settings.ensure_dirs()
    target = tmp_path / "target"
    names = ("unique", "unique_combination_of_columns", "allocations_sum_to_line", "expression_is_true")
    selection = ["--select", *(f"test_name:{name}" for name in names), "--target-path", str(target)]
    _dbt(settings, ["compile", *selection], env={"YR_OMFANG": "borgere"})
    nodes = json.loads((target / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    compiled = {r["unique_id"]: r["compiled_code"] for r in json.loads(
        (target / "run_results.json").read_text(encoding="utf-8"))["results"]}  # fmt: skip
    scoped = {uid for uid, code in compiled.items() if '"omfang"."borgere"' in code}  # source('omfang', 'borgere')
    expected = {uid for uid in compiled if "per_borger" in nodes[nodes[uid]["attached_node"]]["tags"]}
    assert len(compiled) > len(expected) >= 20  # the staging and reference tests read everything
    assert scoped == expected

    # What the scoped tests still find: every fault with at least one row of a recomputed borger (1),
    # also against a row of a borger not recomputed (2); a fault among rows of borgere not
    # recomputed (3, 4) was there before this run, and that run's tests found it.
    def test_sql(name: str, model: str) -> str:
        [uid] = [u for u in compiled if nodes[u]["test_metadata"]["name"] == name and nodes[u]["attached_node"]
                 == f"model.yr.{model}" and (name != "unique" or nodes[u]["column_name"] != "borger_id")]  # fmt: skip
        return compiled[uid]

    with duckdb.connect(str(settings.duckdb_path)) as con:
        con.execute("""
            create schema if not exists omfang; create schema if not exists marts;
            create schema if not exists intermediate;
            create or replace table omfang.borgere as select 1::bigint as borger_id;
            create or replace table marts.fct_beregning as select * from (values
                (10, 1), (10, 2), (11, 1), (20, 3), (20, 4)) t(beregnings_id, borger_id);
            create or replace table intermediate.int_eindkomst__linjer as select * from (values
                ('L1', 1, 10.00), ('L3', 3, 10.00)) t(indberetnings_id, borger_id, beloeb);
            create or replace table intermediate.int_beregningsperioder as select * from (values
                ('L1', 1, date '2024-01-01', 600), ('L1', 2, date '2024-01-01', 300),
                ('L3', 3, date '2024-01-08', 500), ('L3', 3, date '2024-01-08', 400))
                t(indberetnings_id, borger_id, periode_fra, alloc_oere);
            create or replace table intermediate.int_taelleperioder as select * from (values
                (1, 1, 10, 12), (1, 2, 20, 18), (3, 1, 30, 25)) t(borger_id, periode_nr, start_nr, luk_nr);
        """)
        assert con.execute(test_sql("unique", "fct_beregning")).fetchall() == [(10, 2)]
        duplicated = con.execute(test_sql("unique_combination_of_columns", "int_beregningsperioder")).fetchall()
        assert duplicated == [("L1", date(2024, 1, 1), 2)]
        short = con.execute(test_sql("allocations_sum_to_line", "int_beregningsperioder")).fetchall()
        assert [row[0] for row in short] == ["L1"]  # 600 øre of 1,000 on borger 1's rows; L3 not read
        # a row that breaks an expression is a recomputed borger's, or was there before (borger 3's)
        closed_before_start = con.execute(test_sql("expression_is_true", "int_taelleperioder")).fetchall()
        assert [(row[0], row[1]) for row in closed_before_start] == [(1, 2)]
