"""Which borgere a calculation run recomputes (incremental runs; docs/DECISIONS.md B11).

Every dbt model tagged `per_borger` (dbt_project.yml) is a function of one borger's raw rows, the
reference data, the code and YR_AS_OF. So before `dbt build` a run compares a fingerprint of each
borger's raw rows with the fingerprints the last successful calculation read:

- the dbt project's files (code and reference data) and the DuckDB version form the *grundlag*;
  when it differs from the last calculation's, or there is none, or YR_AS_OF moved back, the run is
  full (`--full-refresh`);
- otherwise the scope is the borgere whose fingerprint changed, appeared or vanished, widened by the
  borgere whose rows share an id with theirs (a reversal, or a later version of a DFDG activity or
  a YUMU registration, may carry another CPR number), and, when YR_AS_OF moved on, by the borgere
  the date reaches (a running DFDG activity; in a new week, an open tælleperiode that now closes).
  The per-borger models delete and recompute exactly those (macros/omfang.sql), and the
  aggregated LIS marts the kommune × week groups where those borgere's rows changed.

Raw tables are append-only (ingestion never deletes an accepted row), and the fingerprint covers
every column, so nothing that reaches raw escapes it: a delivery, a released quarantine, the YUMU
screen. The fingerprints are recorded only after `dbt build` succeeded; a failed run leaves its
scope to the next one. Counts only are logged: no borger_id leaves the warehouse.

The run also decides in how many parts the largest per-borger models are built (B36): one part per
YR_PARTI_BORGERE borgere it recomputes, so that no query outgrows DuckDB's memory limit.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

import duckdb

from orchestration.dbt import DBT_PROJECT_DIR, project_files

# raw table → the id columns that tie its rows together across borgere (the rows of one id are
# read together by the calculation: versions, reversals)
RAW_TABLES: dict[str, tuple[str, ...]] = {
    "eindkomst_linjer": ("indberetnings_id", "tilbagefoert_id"),
    "maf_linjer": (),
    "yumu_haendelser": ("registrerings_id",),
    "dfdg_aktiviteter": ("aktivitet_id",),
    "dfdg_samtaler": ("samtale_id",),
}

FULL, SCOPED, PARTIAL = "fuld", "borgere", "delvis"
SCOPE_ENV = "YR_OMFANG"  # read by dbt: macros/omfang.sql
PARTIER_ENV = "YR_BORGER_PARTIER"  # read by dbt: macros/omfang.sql
# Borgere per part (YR_PARTI_BORGERE), for DuckDB's 5 GB (B36): fct_beregning over 700,000 borgere
# spilled 18 GB and took 244 s; in parts of 175,000 each part still spilled, in parts of 87,500 none
# did (136 s in all; 155 s in the bench, in 7 parts of 100,000).
PARTI_BORGERE = 100_000


def partier(borgere: int, per_parti: int) -> int:
    """The number of parts for a run that recomputes `borgere`: at most `per_parti` in each."""
    return max(1, -(-borgere // max(1, per_parti)))


@dataclass(frozen=True)
class Plan:
    mode: str  # FULL: rebuild everything; SCOPED: the borgere in omfang.borgere; PARTIAL: see plan()
    reason: str
    grundlag: str
    as_of: date
    borgere: int  # borgere recomputed (all of them unless SCOPED)
    i_alt: int  # borgere in the raw tables
    per_parti: int = PARTI_BORGERE  # borgere per part of the models built in parts

    @property
    def partier(self) -> int:
        return partier(self.borgere, self.per_parti)

    @property
    def full_refresh(self) -> bool:
        return self.mode == FULL

    @property
    def dbt_env(self) -> dict[str, str]:
        """For dbt (macros/omfang.sql): whether the per-borger models read the scope, and in how
        many parts the models built in parts are built."""
        return {SCOPE_ENV: "borgere" if self.mode == SCOPED else "alle", PARTIER_ENV: str(self.partier)}

    def describe(self) -> str:
        dele = f" De største modeller bygges i {self.partier} dele." if self.partier > 1 else ""
        if self.mode == SCOPED:
            text = f"Inkrementel beregning: {self.borgere:,} af {self.i_alt:,} borgere genberegnes ({self.reason})."
        elif self.mode == FULL:
            text = f"Fuld beregning af {self.i_alt:,} borgere ({self.reason})."
        else:
            text = f"Delvis kørsel: de valgte modeller genberegnes helt ({self.reason})."
        return text + dele


def grundlag() -> str:
    """What every borger's result depends on besides their own rows and YR_AS_OF: the dbt project's
    files and DuckDB's version (hash() makes the beregnings-id)."""
    digest = hashlib.sha256()
    for path in project_files():
        digest.update(str(path.relative_to(DBT_PROJECT_DIR)).encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(f"duckdb={duckdb.__version__}".encode())
    return digest.hexdigest()


def fingerprints_sql() -> str:
    """Per borger: an order-independent hash of all their raw rows, and how many there are."""
    rows = " union all ".join(f"select borger_id, hash('{t}', r) as h from raw.{t} as r" for t in RAW_TABLES)
    return f"select borger_id, sum(h)::hugeint as fingeraftryk, count(*) as raekker from ({rows}) group by borger_id"


# Where YR_AS_OF reaches a borger's result (grep as_of_date in the models): a running DFDG activity
# counts up to its week, and a close after its week is not known yet (int_taelleperioder).
NEW_DATE = "select borger_id from raw.dfdg_aktiviteter where slutdato is null"
NEW_WEEK = "select borger_id from intermediate.int_taelleperioder where luk_nr is null and beregnet_luk_nr <= {uge}"


def week_no(day: date) -> int:
    """The consecutive week number of macros/weeks.sql: 0 is the week of Monday 1970-01-05."""
    return (day - date(1970, 1, 5)).days // 7


def scope_sql(*, new_date: bool = False, new_week: int | None = None) -> str:
    """The borgere whose fingerprint differs from the recorded one, those sharing an id with them,
    and, when YR_AS_OF moved on, those whose result the date reaches: a running DFDG activity, and
    in a new week (`new_week`, its number) an open tælleperiode whose close the data already fix
    at or before that week (int_taelleperioder.beregnet_luk_nr)."""
    linked = []
    for table, ids in RAW_TABLES.items():
        if not ids:
            continue
        keys = " union ".join(
            f"select {c}::varchar from raw.{table} where borger_id in (select * from aendret)" for c in ids
        )
        matches = " or ".join(f"{c}::varchar in (select * from noegler_{table})" for c in ids)
        linked.append((table, keys, matches))
    ctes = "".join(f",\nnoegler_{t} as ({keys})" for t, keys, _ in linked)
    unions = "".join(f"\n    union select borger_id from raw.{t} where {m}" for t, _, m in linked)
    unions += f"\n    union {NEW_DATE}" if new_date else ""
    unions += f"\n    union {NEW_WEEK.format(uge=int(new_week))}" if new_week is not None else ""
    return f"""
        with aendret as (
            select borger_id from (
                (select * from omfang.fingeraftryk_ny except select * from omfang.fingeraftryk)
                union all
                (select * from omfang.fingeraftryk except select * from omfang.fingeraftryk_ny)
            )
        ){ctes}
        select borger_id from (select borger_id from aendret{unions})
        where borger_id is not null
    """


def plan(
    con: duckdb.DuckDBPyConnection,
    *,
    as_of: date,
    whole: bool,
    full_refresh: bool = False,
    tables: list[str] = (),
    per_parti: int | None = None,
) -> Plan:
    """Decide the run and leave its scope in omfang.borgere. `whole`: every model recomputed in part
    (per borger, or per group for the aggregated LIS marts) is in this run. A run of only some of
    them (a selection in the Dagster UI) recomputes those whole from their inputs as they stand, and
    records nothing: the next whole run still sees every change.
    `tables`: those models' tables (schema.name); a run is scoped only when all exist, so that every
    one of them is built incrementally in a scoped run (the scoped tests rely on it).
    `per_parti`: borgere per part of the models built in parts (default YR_PARTI_BORGERE)."""
    basis, per_parti = grundlag(), per_parti or PARTI_BORGERE
    con.execute("create schema if not exists omfang")
    con.execute("create table if not exists omfang.grundlag (grundlag varchar, as_of date, beregnet timestamp)")
    con.execute(
        "create table if not exists omfang.fingeraftryk (borger_id bigint, fingeraftryk hugeint, raekker bigint)"
    )
    con.execute(f"create or replace table omfang.fingeraftryk_ny as {fingerprints_sql()}")
    [(total,)] = con.execute("select count(*) from omfang.fingeraftryk_ny").fetchall()
    previous = con.execute("select grundlag, as_of from omfang.grundlag").fetchall()
    if not whole:
        return Plan(PARTIAL, "ikke alle beregningsmodeller er valgt", basis, as_of, total, total, per_parti)
    existing = {f"{s}.{t}" for s, t in con.execute(
        "select table_schema, table_name from information_schema.tables where table_catalog = current_database()"
    ).fetchall()}  # fmt: skip
    missing = sorted(set(tables) - existing)
    if full_refresh or not previous or previous[0][0] != basis or as_of < previous[0][1] or missing:
        reason = (
            "fuld genberegning bestilt" if full_refresh
            else "ingen tidligere beregning" if not previous
            else "koden eller referencedata er ændret" if previous[0][0] != basis
            else "YR_AS_OF er flyttet tilbage" if as_of < previous[0][1]
            else f"tabellen {missing[0]} mangler"
        )  # fmt: skip
        con.execute("create or replace table omfang.borgere as select borger_id from omfang.fingeraftryk_ny")
        return Plan(FULL, reason, basis, as_of, total, total, per_parti)
    before = previous[0][1]
    new_week = week_no(as_of) if week_no(as_of) != week_no(before) else None
    con.execute(f"create or replace table omfang.borgere as {scope_sql(new_date=as_of != before, new_week=new_week)}")
    [(scoped,)] = con.execute("select count(*) from omfang.borgere").fetchall()
    reason = ("leverancer ændret" if scoped else "ingen ændringer siden sidste beregning") + (
        f", YR_AS_OF {before} → {as_of}" if as_of != before else ""
    )
    return Plan(SCOPED, reason, basis, as_of, scoped, total, per_parti)


def save(con: duckdb.DuckDBPyConnection, plan: Plan, run_id: str) -> None:
    """Keep the plan of a run for its dbt step (the asset omfang/beregningsomfang plans, the dbt
    assets build by it)."""
    con.execute(
        """create or replace table omfang.plan as
           select ? as koersel, ? as mode, ? as reason, ? as grundlag, ?::date as as_of, ?::bigint as borgere,
                  ?::bigint as i_alt, ?::bigint as per_parti""",
        [run_id, plan.mode, plan.reason, plan.grundlag, plan.as_of, plan.borgere, plan.i_alt, plan.per_parti],
    )


def planned(con: duckdb.DuckDBPyConnection, run_id: str) -> Plan | None:
    """The plan this run made, or None when its scope was not planned in this run."""
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'omfang' and table_name = 'plan'"
    ).fetchall()[0][0]
    if not exists:
        return None
    rows = con.execute("select * exclude (koersel) from omfang.plan where koersel = ?", [run_id]).fetchall()
    return Plan(*rows[0]) if rows else None


def record(con: duckdb.DuckDBPyConnection, plan: Plan) -> None:
    """After a successful `dbt build`: the fingerprints, grundlag and run date it computed from."""
    if plan.mode == PARTIAL:
        return
    con.execute("begin")
    con.execute("create or replace table omfang.fingeraftryk as select * from omfang.fingeraftryk_ny")
    con.execute("delete from omfang.grundlag")
    con.execute("insert into omfang.grundlag values (?, ?, current_timestamp)", [plan.grundlag, plan.as_of])
    # the aggregated LIS marts were rebuilt from these: what their inputs held before is history now
    # (dbt creates the tables again, empty, when a run starts: macros/omfang.sql)
    con.execute("drop table if exists omfang.lis_foer")
    con.execute("drop table if exists omfang.lis_foer_borgere")
    con.execute("commit")


def incremental_models(manifest: dict) -> list[dict]:
    """The manifest nodes of the models a scoped run recomputes in part: per borger (tag `per_borger`)
    and, for the aggregated LIS marts, per group (tag `per_gruppe`)."""
    return [
        n
        for n in manifest["nodes"].values()
        if n["resource_type"] == "model" and {"per_borger", "per_gruppe"} & set(n["tags"])
    ]


def incremental_tables(manifest: dict) -> list[str]:
    """Their tables, as schema.name."""
    return sorted(f"{n['schema']}.{n['alias']}" for n in incremental_models(manifest))


def load_manifest(path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
