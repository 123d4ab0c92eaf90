"""dbt models and seeds as Dagster assets (dagster-dbt), one group per dbt layer.

No `from __future__ import annotations` here: Dagster reads the config annotation at run time.
"""

from collections.abc import Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, dbt_assets

from orchestration import omfang, recovery
from orchestration.dbt import (
    DBT_PROJECT,
    RUN_TARGETS_KEPT,
    ensure_manifest,
    environment,
    prune_run_targets,
    restore_parse,
    run_target_path,
    save_parse,
    with_row_counts,
)
from orchestration.lib.dbt_args import build_args, dbt_environment
from orchestration.lib.markdown import escape_placeholders
from orchestration.publish import diagrammer
from orchestration.quality.suites import warm_up
from orchestration.resources import RunSettings

SCOPE = dg.AssetKey(["omfang", "beregningsomfang"])
ensure_manifest()
MANIFEST = omfang.load_manifest(DBT_PROJECT.manifest_path)  # read once: the assets and the scope use it


class YrTranslator(DagsterDbtTranslator):
    """Groups follow the dbt layers (reference, staging, intermediate, marts, lis); dbt sources
    are the ingestion assets, so the asset graph reads end to end from landing/ to the marts."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            if dbt_resource_props["source_name"] == "omfang":
                return SCOPE  # the scope's tables are what the asset omfang/beregningsomfang writes
            # source('raw', 'eindkomst_linjer') is what orchestration/defs/ingest.py materialises
            return dg.AssetKey([dbt_resource_props["source_name"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        return dbt_resource_props["fqn"][1] if len(dbt_resource_props["fqn"]) > 2 else "dbt"

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        """The YAML description next to the model, seed or source, and nothing more (dagster-dbt appends
        the model's SQL as a code block: pages long for a model, empty for a seed), as Markdown that
        keeps its <placeholders>. The YAML stays plain text: the data dictionary publishes it too."""
        return escape_placeholders(dbt_resource_props["description"].strip())


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    fail_fast: bool = False


# Without `project=`: dagster-dbt would put the DbtProject in every asset's metadata, which the UI
# can only show as "(unserializable)"; the resource already knows the project's folder.
@dbt_assets(
    manifest=MANIFEST,
    dagster_dbt_translator=YrTranslator(),
    pool="duckdb",  # one writer of the warehouse file at a time
)
def yr_dbt_models(
    context: dg.AssetExecutionContext,
    dbt: DbtCliResource,
    run_settings: RunSettings,
    config: DbtBuildConfig,
):
    """`dbt build`: seeds, models and their data tests, in dependency order. The per-borger models
    recompute only the borgere whose deliveries changed since the last calculation, the aggregated LIS marts
    only the groups where their rows changed (orchestration/omfang.py)."""
    warm_up()  # the quality checks come next, in this process: import GX while dbt runs
    diagrammer.warm_up()  # and the overview report's charts after them: start Vega while dbt runs
    settings = run_settings.resolved()
    whole = set(context.selected_asset_keys) >= INCREMENTAL_KEYS
    with run_settings.warehouse() as con:
        plan = omfang.planned(con, context.run.run_id) if whole else None
        if plan is None:  # the scope was not planned in this run: the selected models are rebuilt whole
            plan = omfang.plan(con, as_of=settings.as_of, whole=False, per_parti=settings.parti_borgere)
    context.log.info(plan.describe())
    refresh = plan.full_refresh or config.full_refresh  # a selection rebuilt from scratch on request
    args = build_args(full_refresh=refresh, fail_fast=config.fail_fast)
    target, parse = run_target_path(context.run.run_id), settings.warehouse_dir / "dbt_partial_parse.msgpack"
    prune_run_targets(target.parent, keep=RUN_TARGETS_KEPT - 1)  # and this run's makes ten
    restore_parse(parse, target)  # dbt parses only what changed since this warehouse's last command
    with environment(dbt_environment(settings, plan.dbt_env)):  # dagster-dbt hands dbt this process's environment
        invocation = dbt.cli(args, context=context, target_path=target)
    context.instance.add_run_tags(context.run.run_id, recovery.helper_tags(invocation.process.pid))
    try:
        yield from with_row_counts(invocation)
    finally:
        save_parse(target, parse)
    with run_settings.warehouse() as con:  # only after dbt succeeded (a failure raises above)
        omfang.record(con, plan)


@dg.asset(
    key=SCOPE,
    deps=[dg.AssetKey(["raw", t]) for t in omfang.RAW_TABLES],
    group_name="omfang",
    pool="duckdb",
    kinds={"duckdb"},
)
def beregningsomfang(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
    """What this run's calculation recomputes (DECISIONS.md B11): the borgere whose raw rows changed
    since the last successful calculation (a fingerprint per borger), those sharing a line,
    reversal, DFDG or YUMU id with them, and those a later YR_AS_OF reaches; or everyone, when the
    code, the reference data or DuckDB changed, YR_AS_OF moved back or there is no calculation yet.
    Written to omfang.borgere, which every per-borger model reads through `per_borger_scope`. Counts
    only: no borger_id leaves it."""
    settings = run_settings.resolved()
    selected = context.run.asset_selection  # empty or None: the whole job
    whole = not selected or set(selected) >= INCREMENTAL_KEYS
    with run_settings.warehouse() as con:
        plan = omfang.plan(con, as_of=settings.as_of, whole=whole, full_refresh=False, tables=INCREMENTAL_TABLES,
                           per_parti=settings.parti_borgere)  # fmt: skip
        omfang.save(con, plan, context.run.run_id)
    context.log.info(plan.describe())
    return dg.MaterializeResult(
        metadata={
            "omfang": plan.mode,
            "årsag": plan.reason,
            "borgere genberegnes": plan.borgere,
            "borgere i alt": plan.i_alt,
            "dele": plan.partier,
        }
    )


# a run is scoped only when it builds every model that is recomputed in part (omfang.plan)
INCREMENTAL_KEYS = {YrTranslator().get_asset_key(node) for node in omfang.incremental_models(MANIFEST)}
INCREMENTAL_TABLES = omfang.incremental_tables(MANIFEST)
