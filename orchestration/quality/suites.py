"""The data-quality gate (OUTPUTS.md section 4): Great Expectations 1.x suites under expectations/, reviewed like
code, each with the SQL of the frame it validates.

DuckDB does the heavy lifting: every suite's SQL turns a (possibly national) table into a small
frame of counts, differences and keys, so no national table is ever loaded into pandas and no row
value of a citizen ever reaches Great Expectations or its results. A frame's row is a place: the
columns of LOCATION it has (municipality, week, month, delivered file, source) say which, so a
finding names where it is; its other columns are counts and differences. GX validates the frame and
returns, for each expectation that does not hold, how many rows break it and the first STEDER of them
by their place and value (result format SUMMARY). A suite passes when all its expectations hold; a
failed `critical` expectation is an error (it blocks publication), a failed `warning` expectation a
warning. The SQL can read the run date (YR_AS_OF) as `getvariable('koerselsdato')`.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
# The columns of a frame that say where a row belongs, in the order the report shows them
LOCATION = ("kilde", "kommunenummer", "uge", "maaned", "fil")
# The places of a failed expectation that GX returns and the report lists; the count covers them all
STEDER = 50
# Validation results kept per suite (B33): GX read every stored result at every validation, so an
# unbounded history made each run's checks slower. Twelve is a quarter of weekly runs; Dagster's
# event log keeps every check's outcome and counts for good.
HISTORY = 12


@dataclass(frozen=True)
class Suite:
    name: str
    asset: tuple[str, ...]  # the asset key it guards
    blocking: bool = True

    @property
    def definition(self) -> dict:
        return json.loads((EXPECTATIONS_DIR / f"{self.name}.json").read_text(encoding="utf-8"))

    @property
    def sql(self) -> str:
        return (EXPECTATIONS_DIR / self.definition["meta"]["sql"]).read_text(encoding="utf-8")

    @property
    def description(self) -> str:
        """What the suite guards, in Danish (the suite's `meta.beskrivelse`)."""
        return self.definition["meta"]["beskrivelse"]


SUITES = (
    Suite("stg_eindkomst__linjer", ("staging", "stg_eindkomst__linjer")),
    Suite("leverancer", ("staging", "stg_eindkomst__linjer")),
    Suite("stg_star__maf_linjer", ("staging", "stg_star__maf_linjer")),
    Suite("stg_yumu__haendelser", ("staging", "stg_yumu__haendelser")),
    Suite("stg_dfdg__aktiviteter", ("staging", "stg_dfdg__aktiviteter")),
    Suite("stg_dfdg__samtaler", ("staging", "stg_dfdg__samtaler")),
    Suite("fct_beregning", ("marts", "fct_beregning")),
    Suite("beregning_afstemning", ("marts", "fct_beregning")),
    Suite("lis_ydelse_uge", ("lis", "lis_ydelse_uge")),
    Suite("lis_trappetrin_uge", ("lis", "lis_trappetrin_uge")),
    Suite("lis_aktivitet_uge", ("lis", "lis_aktivitet_uge")),
    Suite("lis_borger_uge", ("lis", "lis_borger_uge")),
    Suite("lis_finansiering_maaned", ("lis", "lis_finansiering_maaned")),
    Suite("lis_udsigt_uge", ("lis", "lis_udsigt_uge")),
    Suite("lis_udsigt_borger", ("lis", "lis_udsigt_borger")),
    Suite("lis_anomali", ("lis", "lis_ydelse_uge"), blocking=False),
)


@dataclass(frozen=True)
class Sted:
    """One row of a frame that breaks an expectation: its place (LOCATION columns) and its value."""

    sted: dict[str, str]
    vaerdi: str | None


@dataclass(frozen=True)
class Outcome:
    regel: str  # what the expectation guards, in Danish (its `meta.regel`)
    expectation: str
    column: str | None
    success: bool
    severity: str  # critical or warning
    unexpected: int | None
    checked: int | None
    enhed: str | None = None  # what the column counts (`meta.enhed`): linjer, rækker, kr.
    steder: tuple[Sted, ...] = ()  # the first STEDER rows that break it


@dataclass
class SuiteResult:
    suite: str
    rows: int
    outcomes: list[Outcome] = field(default_factory=list)
    places: tuple[str, ...] = ()  # the frame's LOCATION columns: what one of its rows is

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]


def frame_of(con: duckdb.DuckDBPyConnection, suite: Suite, as_of: date) -> pd.DataFrame:
    """The suite's frame, computed by DuckDB, with the run date as the variable koerselsdato; sorted
    by its places, so that the places GX lists come in their order."""
    con.execute("set variable koerselsdato = ?", [as_of])
    frame = con.execute(suite.sql).df()
    places = [c for c in LOCATION if c in frame.columns]
    return frame.sort_values(places, ignore_index=True) if places else frame


def run_suite(con: duckdb.DuckDBPyConnection, suite: Suite, quality_dir: Path, as_of: date) -> SuiteResult:
    return validate(frame_of(con, suite, as_of), suite, quality_dir)


def _import_gx() -> None:
    os.environ["GX_ANALYTICS_ENABLED"] = "False"  # before the import: GX reads it then
    importlib.import_module("great_expectations")


def warm_up() -> threading.Thread:
    """Import Great Expectations in the background. The import alone takes about 9 s (scipy,
    pandas, its 300 expectation classes); started while dbt works in its own process, it is done by
    the time the first check needs it, and a check that comes earlier simply waits for it."""
    thread = threading.Thread(target=_import_gx, name="gx-import", daemon=True)
    thread.start()
    return thread


@cache
def _context(gx_root: str):
    _import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=gx_root)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # No config variables: GX parsed its (comments-only) config_variables.yml with ruamel at every
    # access to its configuration, about 1 s of a run's 14 suites (B25). Without the file it reads nothing.
    context.variables.config_variables_file_path = None
    context.variables.save()
    (Path(context.root_directory) / "uncommitted" / "config_variables.yml").unlink(missing_ok=True)
    # GX's own Data Docs are not built: their pages load scripts, styles and a logo from the internet
    # and show nothing without it. The report is orchestration/quality/report.py; pages an older
    # version left would only go stale.
    shutil.rmtree(Path(context.root_directory) / "uncommitted" / "data_docs", ignore_errors=True)
    return context


def validate(frame: pd.DataFrame, suite: Suite, quality_dir: Path) -> SuiteResult:
    """Validate a frame with the suite's expectations (GX keeps the result under quality_dir/gx)."""
    import great_expectations as gx

    context = _context(str(quality_dir))
    expectation_suite = context.suites.add_or_update(gx.ExpectationSuite(**suite.definition))
    source = context.data_sources.add_or_update_pandas("warehouse")
    asset = next((a for a in source.assets if a.name == suite.name), None) or source.add_dataframe_asset(suite.name)
    batch = next((b for b in asset.batch_definitions if b.name == "frame"), None)
    batch = batch or asset.add_batch_definition_whole_dataframe("frame")
    definition = context.validation_definitions.add_or_update(
        gx.ValidationDefinition(name=suite.name, data=batch, suite=expectation_suite)
    )
    checkpoint = context.checkpoints.add_or_update(
        gx.Checkpoint(
            name=suite.name,
            validation_definitions=[definition],
            actions=[],
            result_format=result_format(frame),
        )
    )
    _prune(Path(context.root_directory), suite.name, keep=HISTORY - 1)
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    [validation] = run.run_results.values()
    result = SuiteResult(suite.name, len(frame), places=tuple(c for c in LOCATION if c in frame.columns))
    for r in validation.results:
        config = r.expectation_config
        meta = config.meta or {}
        column = config.kwargs.get("column")
        result.outcomes.append(
            Outcome(
                regel=meta.get("regel", config.type),
                expectation=config.type,
                column=column,
                success=bool(r.success),
                severity=str(getattr(config, "severity", "critical")).lower().split(".")[-1],
                unexpected=r.result.get("unexpected_count"),
                checked=r.result.get("element_count"),
                enhed=meta.get("enhed"),
                steder=tuple(_sted(row, column) for row in r.result.get("partial_unexpected_index_list") or ()),
            )
        )
    return result


def result_format(frame: pd.DataFrame) -> dict:
    """GX's SUMMARY: per failed expectation its count and its first STEDER rows, each named by the
    frame's LOCATION columns (a frame without any: counts only)."""
    places = [c for c in LOCATION if c in frame.columns]
    return {
        "result_format": "SUMMARY" if places else "BASIC",
        "partial_unexpected_count": STEDER if places else 0,
        **({"unexpected_index_column_names": places} if places else {}),
    }


def _sted(row: dict, column: str | None) -> Sted:
    """A row of GX's partial_unexpected_index_list: its LOCATION columns and the expectation's column."""
    value = row.get(column) if column else None
    return Sted({c: str(row[c]) for c in LOCATION if c in row}, None if value is None else str(value))


def _prune(gx_root: Path, suite: str, keep: int) -> None:
    """Keep the newest `keep` validation results of a suite. GX stores each result as
    uncommitted/validations/<suite>/<run name>/<run time>/…, the run time a sortable UTC stamp."""
    base = gx_root / "uncommitted" / "validations"
    runs = sorted((p for p in (base / suite).glob("*/*") if p.is_dir()), key=lambda p: p.name)
    for old in runs[: max(len(runs) - keep, 0)]:
        shutil.rmtree(old)
