"""The data-quality gate: one Dagster asset check per Great Expectations suite (orchestration/quality/suites.py).

Blocking checks stop the steps after their asset in the same run; the publication assets also
refuse to run while the latest evaluation of any check on what they publish has failed with an
error (`refuse_unless_checks_passed`). Metadata carries counts and rule names only; every check also
writes its outcome into the data-quality report (orchestration/quality/report.py).
"""

from functools import cache
from pathlib import Path

import dagster as dg

from orchestration.quality import report
from orchestration.quality.suites import SUITES, Suite, SuiteResult, run_suite
from orchestration.resources import RunSettings


def _metadata(result: SuiteResult, page: Path) -> dict:
    return {
        "forventninger": len(result.outcomes),
        "fejl": len(result.errors),
        "advarsler": len(result.warnings),
        "rækker i rammen": result.rows,
        "fejlede regler": dg.MetadataValue.json([f"{o.column}: {o.regel}" for o in result.errors]),
        "advarselsregler": dg.MetadataValue.json([f"{o.column}: {o.regel} ({o.unexpected})" for o in result.warnings]),
        "rapport": dg.MetadataValue.path(str(page)),
    }


def build_check(suite: Suite) -> dg.AssetChecksDefinition:
    @dg.asset_check(
        asset=dg.AssetKey(list(suite.asset)),
        name=f"gx_{suite.name}",
        blocking=suite.blocking,
        pool="duckdb",
        description=f"Great Expectations: {suite.description} (expectations/{suite.name}.json)",
    )
    def _check(context: dg.AssetCheckExecutionContext, run_settings: RunSettings) -> dg.AssetCheckResult:
        settings = run_settings.resolved()
        with run_settings.warehouse(read_only=True) as con:
            result = run_suite(con, suite, settings.quality_dir, settings.as_of)
        page = report.record(settings.quality_dir, context.run.run_id, settings.as_of, suite, result)
        severity = dg.AssetCheckSeverity.ERROR if result.errors else dg.AssetCheckSeverity.WARN
        return dg.AssetCheckResult(passed=result.success, severity=severity, metadata=_metadata(result, page))

    return _check


QUALITY_CHECKS = [build_check(suite) for suite in SUITES]


class ChecksFailed(dg.Failure):
    pass


@cache
def full_asset_graph():
    """The whole code location's asset graph: a run of a few assets has only those in its own."""
    from orchestration.definitions import defs

    return defs().resolve_asset_graph()


def refuse_unless_checks_passed(context: dg.AssetExecutionContext, inputs: list[dg.AssetKey]) -> None:
    """Nothing is published while the latest evaluation of a check (GX or dbt) on an input, or on
    anything upstream of it, failed with an error."""
    graph = full_asset_graph()
    keys = set(inputs).union(*(graph.get_ancestor_asset_keys(key) for key in inputs))
    check_keys = [ck for ck in graph.asset_check_keys if ck.asset_key in keys]
    latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    failed = []
    for check_key, record in latest.items():
        if record.status.value != "FAILED":
            continue  # passed, or planned in this run and not evaluated yet
        if record.evaluation is None or record.evaluation.severity == dg.AssetCheckSeverity.ERROR:
            failed.append(f"{check_key.asset_key.to_user_string()}:{check_key.name}")
    if failed:
        raise ChecksFailed(
            description="Nothing is published: the latest data-quality check failed for " + ", ".join(sorted(failed)),
            metadata={"fejlede tjek": dg.MetadataValue.json(sorted(failed))},
        )


GATE = dg.AssetKey(["kvalitet", "port"])
GUARDED = sorted({dg.AssetKey(list(suite.asset)) for suite in SUITES}, key=str)


@dg.asset(
    key=GATE,
    deps=GUARDED,
    group_name="kvalitet",
)
def kvalitetsport(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
    """The quality gate: every asset guarded by an expectation suite is a direct input, so this waits
    for their blocking checks and is skipped when one fails; it also refuses when the latest check
    on any input or anything before it failed. Everything published comes after it."""
    refuse_unless_checks_passed(context, GUARDED)
    settings = run_settings.resolved()
    page = report.run_page(settings.quality_dir, context.run.run_id)
    return dg.MaterializeResult(metadata={"suiter": len(SUITES), "rapport": dg.MetadataValue.path(str(page))})


@dg.definitions
def quality() -> dg.Definitions:
    return dg.Definitions(assets=[kvalitetsport], asset_checks=QUALITY_CHECKS)
