"""The data-quality gate (OUTPUTS.md section 4): Great Expectations 1.x suites under expectations/, reviewed like
code, each with the SQL of the frame it validates.

DuckDB does the heavy lifting: every suite's SQL turns a (possibly national) table into a small
frame of counts, differences and keys, so no national table is ever loaded into pandas and no row
value of a citizen ever reaches Great Expectations, its results or its Data Docs. GX validates the
frame (result format BASIC, no sample values) and renders the report under $YR_DATA_DIR/quality/.
A suite passes when all its expectations hold; a failed `critical` expectation is an error (it
blocks publication), a failed `warning` expectation a warning.
"""

from __future__ import annotations

import importlib
import json
import os
import shutil
import threading
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import duckdb
import pandas as pd

from orchestration.settings import REPO_ROOT

EXPECTATIONS_DIR = REPO_ROOT / "expectations"
RESULT_FORMAT = {"result_format": "BASIC", "partial_unexpected_count": 0}  # counts, never values
# Validation results kept per suite, with their Data Docs pages (B33): GX rebuilds the Data Docs index
# from every stored result at every validation, so each run made every later check slower. Twelve
# is a quarter of weekly runs; Dagster's event log keeps every check's outcome and counts for good.
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
    Suite("lis_anomali", ("lis", "lis_ydelse_uge"), blocking=False),
)


@dataclass(frozen=True)
class Outcome:
    regel: str
    expectation: str
    column: str | None
    success: bool
    severity: str  # critical or warning
    unexpected: int | None
    checked: int | None


@dataclass
class SuiteResult:
    suite: str
    rows: int
    outcomes: list[Outcome] = field(default_factory=list)
    docs: Path | None = None

    @property
    def success(self) -> bool:
        return all(o.success for o in self.outcomes)

    @property
    def errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity == "critical"]

    @property
    def warnings(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.success and o.severity != "critical"]


def run_suite(con: duckdb.DuckDBPyConnection, suite: Suite, quality_dir: Path) -> SuiteResult:
    frame = con.execute(suite.sql).df()
    return validate(frame, suite, quality_dir)


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


class _CompiledTemplates:
    """Jinja's bytecode for Great Expectations' Data Docs templates, kept for the process.

    GX renders every page of the Data Docs with a new Jinja environment, so it parsed and compiled
    the same templates again for every page: 756 compilations, 4 of the 9 s that 14 suites spent
    in GX (B25). Jinja checks each template's source against the checksum of its bytecode, so a
    changed template is compiled again, never served stale."""

    def __init__(self) -> None:
        import jinja2

        class Cache(jinja2.BytecodeCache):
            def __init__(self) -> None:
                self.code: dict[str, bytes] = {}

            def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                if (code := self.code.get(bucket.key)) is not None:
                    bucket.bytecode_from_string(code)

            def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
                self.code[bucket.key] = bucket.bytecode_to_string()

        self.cache = Cache()

    def install(self) -> bool:
        """Give every GX view this cache; False (and the docs merely slower) if GX has no such view."""
        from great_expectations.render.view import view

        jinja_view = getattr(view, "DefaultJinjaView", None)
        if jinja_view is None or getattr(jinja_view.__init__, "yr_cache", None) is self.cache:
            return jinja_view is not None
        original = jinja_view.__init__
        cache = self.cache

        def __init__(self, *args, **kwargs) -> None:  # noqa: N807
            original(self, *args, **kwargs)
            self.env.bytecode_cache = cache

        __init__.yr_cache = cache
        jinja_view.__init__ = __init__
        return True


@cache
def compiled_templates() -> _CompiledTemplates:
    templates = _CompiledTemplates()
    templates.install()
    return templates


@cache
def _context(gx_root: str):
    _import_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    compiled_templates()

    context = gx.get_context(mode="file", project_root_dir=gx_root)
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    # No config variables: GX parsed its (comments-only) config_variables.yml with ruamel at every
    # access to its configuration, about 1 s of a run's 14 suites (B25). Without the file it reads nothing.
    context.variables.config_variables_file_path = None
    context.variables.save()
    (Path(context.root_directory) / "uncommitted" / "config_variables.yml").unlink(missing_ok=True)
    return context


def validate(frame: pd.DataFrame, suite: Suite, quality_dir: Path) -> SuiteResult:
    """Validate a frame with the suite's expectations and update the Data Docs."""
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
            actions=[gx.checkpoint.UpdateDataDocsAction(name="data_docs")],
            result_format=RESULT_FORMAT,
        )
    )
    _prune(Path(context.root_directory), suite.name, keep=HISTORY - 1)
    run = checkpoint.run(batch_parameters={"dataframe": frame})
    [validation] = run.run_results.values()
    result = SuiteResult(suite.name, len(frame))
    for r in validation.results:
        config = r.expectation_config
        result.outcomes.append(
            Outcome(
                regel=(config.meta or {}).get("regel", config.type),
                expectation=config.type,
                column=config.kwargs.get("column"),
                success=bool(r.success),
                severity=str(getattr(config, "severity", "critical")).lower().split(".")[-1],
                unexpected=r.result.get("unexpected_count"),
                checked=r.result.get("element_count"),
            )
        )
    result.docs = quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    return result


def _prune(gx_root: Path, suite: str, keep: int) -> None:
    """Keep the newest `keep` validation results of a suite, and their Data Docs pages (GX leaves the
    pages of results no longer stored). GX stores each result as
    uncommitted/validations/<suite>/<run name>/<run time>/…, its page under data_docs/local_site/
    validations/ the same way, the run time a sortable UTC stamp."""
    uncommitted = gx_root / "uncommitted"
    for base in (uncommitted / "validations", uncommitted / "data_docs" / "local_site" / "validations"):
        runs = sorted((p for p in (base / suite).glob("*/*") if p.is_dir()), key=lambda p: p.name)
        for old in runs[: max(len(runs) - keep, 0)]:
            shutil.rmtree(old)
