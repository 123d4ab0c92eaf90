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
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import dagster as dg

from orchestration import recovery
from orchestration.alerts import failure, raise_alarm
from orchestration.instance import ensure_instance
from orchestration.progress import RunWatcher
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


def supervise(settings: Settings, say: Callable[[str], None], show: Display | None = None) -> int:
    """`yr run`: recover, wait for the pool, run the worker; the worker's exit status, 130 or 143
    after SIGINT or SIGTERM. The worker's whole log goes to logs/koersel-<time>-<run>.log; `show`
    displays the run's progress (one line per stage) or, verbose, that log as it grows."""
    prepare_environment(settings)
    previous = {s: signal.signal(s, _raise_stop) for s in (signal.SIGTERM, signal.SIGINT)}
    worker = None
    run_id = str(uuid.uuid4())
    log = run_log(settings, run_id)
    show = show or Display(say)
    try:
        with instance_of(settings) as instance:
            for found in recovery.recover(instance):
                say(found.describe())
            _wait_for_pool(instance, say)
            with log.open("wb") as output:
                worker = subprocess.Popen(
                    [sys.executable, "-m", "orchestration.runner", run_id, str(log.with_suffix(".json"))],
                    env=settings.subprocess_env(),  # the worker reads exactly these settings
                    stdout=output,
                    stderr=subprocess.STDOUT,
                    preexec_fn=_die_with_parent,
                    start_new_session=True,  # a Ctrl+C in the terminal reaches the supervisor only
                )
                _watch(instance, worker, run_id, say, show, log)
            code = _worker_killed(settings, run_id, worker, say) if worker.returncode < 0 else worker.returncode
            if worker.returncode >= 0:
                show.summary(settings, log, code)
            if code:
                raise_alarm(settings, failure(instance, run_id), say)
            return code
    except StopRequestedError as stop:
        show.stop()
        say(f"yr run: {stop} modtaget: kørslen stoppes.")
        _stop(settings, worker, run_id, stop, say)
        return 128 + stop.signum
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


LOGS_KEPT = 100  # the newest run logs kept in logs/


def run_log(settings: Settings, run_id: str) -> Path:
    """A new log file for a run worker's whole output (no CPR number or pseudonym is ever logged);
    the oldest beyond LOGS_KEPT are removed."""
    folder = settings.data_dir / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    old = sorted(folder.glob("koersel-*.log"))
    for path in old[: max(len(old) - LOGS_KEPT + 1, 0)]:
        path.unlink(missing_ok=True)
        path.with_suffix(".json").unlink(missing_ok=True)
    return folder / f"koersel-{time.strftime('%Y%m%dT%H%M%S')}-{run_id[:8]}.log"


class Display:
    """How `yr run` shows a run: a progress bar and a line per stage as it ends, or (verbose) the
    worker's whole log as it grows; then the summary."""

    def __init__(self, say: Callable[[str], None], console=None, verbose: bool = False) -> None:
        self.say, self.console, self.verbose = say, console, verbose
        self.watcher: RunWatcher | None = None
        self.bar = None
        self._read = 0

    def start(self, run_id: str) -> None:
        self.watcher = RunWatcher(run_id)
        if self.console is not None and not self.verbose:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=self.console, transient=True)  # fmt: skip
            self.task = self.bar.add_task("starter", total=None)
            self.bar.start()

    def update(self, instance: dg.DagsterInstance, log: Path) -> None:
        if self.verbose:
            with log.open("rb") as f:
                f.seek(self._read)
                text = f.read()
            self._read += len(text)
            if text:
                sys.stderr.write(text.decode("utf-8", "replace"))
            return
        for stage in self.watcher.poll(instance):
            self.say(f"  {stage.line()}")
        if self.bar is not None and self.watcher.steps:
            self.bar.update(self.task, description=self.watcher.current(), total=self.watcher.steps,
                            completed=self.watcher.finished_steps)  # fmt: skip

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()
            self.bar = None

    def summary(self, settings: Settings, log: Path, returncode: int) -> None:
        from orchestration.cli import print_summary

        self.stop()
        found = log.with_suffix(".json")
        if found.exists():
            print_summary(settings, RunSummary(**json.loads(found.read_text(encoding="utf-8"))))
        else:  # the worker ended before its run did (e.g. the code location would not load)
            last = [line for line in log.read_text(encoding="utf-8", errors="replace").splitlines() if line.strip()]
            reason = next((line for line in reversed(last) if "Error" in line or "error" in line), "")
            self.say(f"yr run: the run ended without a summary (exit {returncode}). {reason.strip()}")
        self.say(f"  log:       {log}")
        report = settings.published_dir / "rapport" / "index.html"
        if report.exists():  # the current publication's overview report, last: the page to open
            self.say(f"  report:    {report} (open it in a browser: a page per municipality)")


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


def _watch(instance: dg.DagsterInstance, worker: subprocess.Popen, run_id: str, say: Callable[[str], None],
           show: Display, log: Path) -> None:  # fmt: skip
    """Until the worker exits: its progress, and when its run waits for the pool, for whom."""
    said = 0.0
    show.start(run_id)
    while worker.poll() is None:
        time.sleep(POLL_SECONDS)
        show.update(instance, log)
        if time.monotonic() - said < WAIT_REPEAT_SECONDS or not (steps := recovery.waiting(instance, run_id)):
            continue
        holders = [h for h in recovery.holders(instance) if h.run_id != run_id]
        if holders:
            say(f"Trinnet {steps[0]} venter på puljen duckdb; den holdes af "
                + ", ".join(h.describe() for h in holders) + ".")  # fmt: skip
            said = time.monotonic()
    show.update(instance, log)


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
    """The run worker: execute the run with the given id and leave its summary as JSON for the
    supervisor (its log is this process's output)."""
    run_id, summary_path = argv if argv is not None else sys.argv[1:]
    settings = Settings.from_env()
    summary = run_all(settings, run_id=run_id)
    Path(summary_path).write_text(json.dumps(asdict(summary), ensure_ascii=False), encoding="utf-8")
    return 0 if summary.success else 1


if __name__ == "__main__":
    sys.exit(main())
