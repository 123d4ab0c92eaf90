"""`yr run`: materialise every asset once, headless, in this process, on the persistent Dagster
instance (so the runs also show in the UI), and summarise what happened."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg

from orchestration.instance import ensure_instance
from orchestration.settings import Settings

RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}


@dataclass
class RunSummary:
    run_id: str
    success: bool
    materialized: list[str] = field(default_factory=list)
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)


def prepare_environment(settings: Settings) -> None:
    """Directories, the Dagster instance and the child-process environment (dbt reads YR_DATA_DIR)."""
    settings.ensure_dirs()
    ensure_instance(settings.dagster_home)
    os.environ.update(settings.subprocess_env())


def load_definitions() -> dg.Definitions:
    from orchestration.dbt import ensure_manifest

    ensure_manifest()
    from orchestration.definitions import defs

    return defs()


def run_all(settings: Settings, instance: dg.DagsterInstance | None = None) -> RunSummary:
    prepare_environment(settings)
    definitions = load_definitions()
    job = definitions.resolve_implicit_global_asset_job_def()
    with _instance(instance) as inst:
        result = job.execute_in_process(instance=inst, run_config=RUN_CONFIG, raise_on_error=False)
        return summarise(result)


@contextmanager
def _instance(given: dg.DagsterInstance | None) -> Iterator[dg.DagsterInstance]:
    """The given instance, or the persistent one at DAGSTER_HOME (disposed afterwards)."""
    if given is not None:
        yield given
    else:
        with dg.DagsterInstance.get() as instance:
            yield instance


def summarise(result: dg.ExecuteInProcessResult) -> RunSummary:
    summary = RunSummary(run_id=result.run_id, success=result.success)
    for event in result.all_events:
        if event.event_type == dg.DagsterEventType.ASSET_MATERIALIZATION:
            summary.materialized.append(event.asset_key.to_user_string())
        elif event.event_type == dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.event_specific_data
            name = f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
            if evaluation.passed:
                summary.checks_passed += 1
            elif evaluation.severity == dg.AssetCheckSeverity.WARN:
                summary.checks_warned.append(name)
            else:
                summary.checks_failed.append(name)
        elif event.event_type == dg.DagsterEventType.STEP_FAILURE:
            summary.failed_steps.append(event.step_key)
    # A failed check with an error is a failed run, even where Dagster only skipped what followed it.
    summary.success = summary.success and not summary.checks_failed
    return summary
