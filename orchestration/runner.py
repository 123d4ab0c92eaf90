"""`yr run`: materialise every asset once, headless, on the persistent Dagster instance (so the runs
also show in the UI), and summarise what happened.

`yr run` is two processes. The supervisor (`supervise`) ends what dead runs left behind
(orchestration/recovery.py), waits, saying for whom, while a live run holds the warehouse's pool,
and then starts the run worker (`python -m orchestration.runner RUN_ID`), which executes the run
in-process. The supervisor stays responsive while the worker works: on SIGTERM or SIGINT it stops
the worker, marks the run canceled and frees its slots, so that an interrupted `yr run` never
leaves the pool held. The worker dies with the supervisor (a kill -9 of `yr run` kills both), and
what a killed worker leaves behind is recovered by the next run.
"""

from __future__ import annotations

import ctypes
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import dagster as dg

from orchestration import recovery
from orchestration.instance import ensure_instance
from orchestration.settings import Settings

RUN_CONFIG = {"loggers": {"console": {"config": {"log_level": "INFO"}}}}
STOP_GRACE_SECONDS = 10  # a stopped worker gets this long to end by itself before it is killed
POLL_SECONDS = 1.0
WAIT_REPEAT_SECONDS = 60  # how often a run that waits for the pool says so again


@dataclass
class RunSummary:
    run_id: str
    success: bool
    materialized: list[str] = field(default_factory=list)
    checks_passed: int = 0
    checks_failed: list[str] = field(default_factory=list)
    checks_warned: list[str] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    reasons: dict[str, str] = field(default_factory=dict)  # failed step → the first line of its error


def prepare_environment(settings: Settings) -> None:
    """The data folder's directories and the Dagster instance."""
    settings.ensure_dirs()
    ensure_instance(settings.dagster_home)


def instance_of(settings: Settings) -> dg.DagsterInstance:
    """The persistent Dagster instance of the data folder (DAGSTER_HOME)."""
    return dg.DagsterInstance.from_config(str(settings.dagster_home))


def load_definitions() -> dg.Definitions:
    from orchestration.dbt import ensure_manifest

    ensure_manifest()
    from orchestration.definitions import defs

    return defs()


def run_all(settings: Settings, instance: dg.DagsterInstance | None = None, run_id: str | None = None) -> RunSummary:
    """Execute every asset once in this process (the run worker's work)."""
    prepare_environment(settings)
    definitions = load_definitions()
    job = definitions.resolve_job_def("yr_pipeline")
    with _instance(instance, settings) as inst:
        result = job.execute_in_process(
            instance=inst, run_config=RUN_CONFIG, raise_on_error=False, run_id=run_id, tags=recovery.own_tags()
        )
        return summarise(result)


@contextmanager
def _instance(given: dg.DagsterInstance | None, settings: Settings) -> Iterator[dg.DagsterInstance]:
    """The given instance, or the data folder's persistent one (disposed afterwards)."""
    if given is not None:
        yield given
    else:
        with instance_of(settings) as instance:
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
            summary.reasons[event.step_key] = failure_reason(event.event_specific_data)
    # A failed check with an error is a failed run, even where Dagster only skipped what followed it.
    summary.success = summary.success and not summary.checks_failed
    return summary


def failure_reason(data) -> str:
    """What went wrong in a step, in one line: a raised dg.Failure's description, else the innermost
    error's message (an error raised inside a step comes wrapped in Dagster's own)."""
    error = getattr(data, "error", None)
    if error is None:
        return ""
    while error.cause is not None and error.cls_name in (
        "DagsterExecutionStepExecutionError",
        "DagsterUserCodeExecutionError",
    ):
        error = error.cause
    if error.cls_name == "DagsterExecutionInterruptedError":
        return "afbrudt (SIGTERM eller SIGINT)"
    first = error.message.strip().splitlines()[0] if error.message.strip() else error.cls_name
    marker = f"{error.cls_name}: "  # the message starts with the error's (qualified) class name
    return first[first.index(marker) + len(marker) :] if marker in first else first


# ---- the supervisor --------------------------------------------------------------------------------
class StopRequestedError(Exception):
    """SIGTERM or SIGINT reached the supervisor."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_stop(signum: int, _frame) -> None:
    raise StopRequestedError(signum)


def _die_with_parent() -> None:
    """In the worker, before it starts: the kernel kills it when the supervisor dies (Linux)."""
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def supervise(settings: Settings, say: Callable[[str], None]) -> int:
    """`yr run`: recover, wait for the pool, run the worker; the worker's exit status, 130 or 143
    after SIGINT or SIGTERM."""
    prepare_environment(settings)
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    worker = None
    run_id = str(uuid.uuid4())
    try:
        with instance_of(settings) as instance:
            for found in recovery.recover(instance):
                say(found.describe())
            _wait_for_pool(instance, say)
            worker = subprocess.Popen(
                [sys.executable, "-m", "orchestration.runner", run_id],
                env=settings.subprocess_env(),  # the worker reads exactly these settings
                preexec_fn=_die_with_parent,
                start_new_session=True,  # a Ctrl+C in the terminal reaches the supervisor only
            )
            _watch(instance, worker, run_id, say)
            return worker.returncode if worker.returncode >= 0 else _worker_killed(settings, run_id, worker, say)
    except StopRequestedError as stop:
        say(f"yr run: {stop} modtaget: kørslen stoppes.")
        _stop(settings, worker, run_id, stop, say)
        return 128 + stop.signum
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


def _wait_for_pool(instance: dg.DagsterInstance, say: Callable[[str], None]) -> None:
    """Wait here, asleep, while a live run holds the pool. (Dagster's own wait for a slot polls
    without pausing: a worker started now would spin a core for as long as it waits.)"""
    said = 0.0
    while holders := recovery.holders(instance):
        if time.monotonic() - said >= WAIT_REPEAT_SECONDS:
            say("Venter på puljen duckdb (én skriver af lageret ad gangen); den holdes af "
                + ", ".join(h.describe() for h in holders) + ".")  # fmt: skip
            said = time.monotonic()
        time.sleep(POLL_SECONDS)
        for found in recovery.recover(instance):  # a holder that dies meanwhile
            say(found.describe())


def _watch(instance: dg.DagsterInstance, worker: subprocess.Popen, run_id: str, say: Callable[[str], None]) -> None:
    """Until the worker exits: say when its run waits for the pool, and for whom."""
    said = 0.0
    while worker.poll() is None:
        time.sleep(POLL_SECONDS)
        if time.monotonic() - said < WAIT_REPEAT_SECONDS or not (steps := recovery.waiting(instance, run_id)):
            continue
        holders = [h for h in recovery.holders(instance) if h.run_id != run_id]
        if holders:
            say(f"Trinnet {steps[0]} venter på puljen duckdb; den holdes af "
                + ", ".join(h.describe() for h in holders) + ".")  # fmt: skip
            said = time.monotonic()


def _end_run(settings: Settings, run_id: str, canceled: bool, message: str) -> bool:
    """Give the worker's run a final status and free its slots; False when it had one already."""
    with instance_of(settings) as instance:
        run = instance.get_run_by_id(run_id)
        ended = run is not None and run.status not in recovery.FINISHED
        if run is not None:
            recovery.end_helpers(run)  # a dbt the dead worker started would go on writing the warehouse
        if ended:
            (instance.report_run_canceled if canceled else instance.report_run_failed)(run, message)
        if instance.event_log_storage.supports_global_concurrency_limits:
            instance.event_log_storage.free_concurrency_slots_for_run(run_id)
        return ended


def _stop(
    settings: Settings,
    worker: subprocess.Popen | None,
    run_id: str,
    stop: StopRequestedError,
    say: Callable[[str], None],
) -> None:
    # A second signal while stopping must not leave the run marked as running: ignore it.
    for s in (signal.SIGTERM, signal.SIGINT):
        signal.signal(s, signal.SIG_IGN)
    if worker is None:
        return
    if worker.poll() is None:
        worker.terminate()  # Dagster ends the step it is in, dbt included
        try:
            worker.wait(STOP_GRACE_SECONDS)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)  # the worker and what it started (dbt)
            worker.wait()
    _end_run(settings, run_id, True, f"Stoppet af {stop} til yr run.")
    say(f"Kørsel {run_id[:8]} er stoppet, og puljen duckdb er fri. Det, der var udgivet før, står uændret "
        "(en udgivelse skiftes ind helt eller slet ikke); kør `yr run` igen for at fortsætte.")  # fmt: skip


def _worker_killed(settings: Settings, run_id: str, worker: subprocess.Popen, say: Callable[[str], None]) -> int:
    name = signal.Signals(-worker.returncode).name
    _end_run(settings, run_id, False, f"Kørslens proces blev stoppet af {name}.")
    say(f"yr run: kørslens proces blev stoppet af {name} (fx af OOM-killeren). Kørsel {run_id[:8]} er markeret "
        "som fejlet og puljen frigivet; kør `yr run` igen.")  # fmt: skip
    return 1


def main(argv: list[str] | None = None) -> int:
    """The run worker: execute the run with the given id and print its summary."""
    from orchestration.cli import console, print_summary

    [run_id] = argv if argv is not None else sys.argv[1:]
    settings = Settings.from_env()
    summary = run_all(settings, run_id=run_id)
    print_summary(settings, summary)
    console.file.flush()
    return 0 if summary.success else 1


if __name__ == "__main__":
    sys.exit(main())
