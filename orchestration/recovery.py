"""Runs whose process died (kill -9, power loss, the OOM killer) must never block the pipeline.

Every step that writes the warehouse holds a slot of the Dagster pool `duckdb` (one writer at a
time, orchestration/instance.py). A run whose process is killed never frees its slot, and never
reaches a final status: every later run would wait for it for ever. `recover` finds such runs and
ends them: a run in progress whose process is gone is marked failed, and the slots of every run
that can no longer use them are freed. `yr run`, the landing sensor and the weekly schedule call it
before they start anything.

A run's process is known by its pid: `yr run` tags its runs with the pid and start time of the
process that executes them; a run launched from the Dagster UI logs its process's pid when it
starts (Dagster's "Started process for run" event). A pid alone could be reused by a later process,
so a process counts as the run's only if it started no later than the run recorded it.
"""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import dagster as dg

POOL = "duckdb"
PID_TAG = "yr/pid"
STARTED_TAG = "yr/proces_start"  # the process's start, in clock ticks after boot (/proc/<pid>/stat)
HELPER_TAG = "yr/hjaelpeproces"  # a process the run started (dbt): "pid:start"
IN_PROGRESS = [dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.CANCELING]
STATUS_DA = {"STARTING": "starter", "STARTED": "i gang", "CANCELING": "annulleres", "QUEUED": "i kø"}
FINISHED = {dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED}


@dataclass(frozen=True)
class Recovered:
    run_id: str
    status: str  # the run's status as found
    marked_failed: bool
    freed: bool

    def describe(self) -> str:
        what = "dens proces findes ikke længere; kørslen er markeret som fejlet" if self.marked_failed else (
            f"kørslen er afsluttet ({self.status.lower()})")  # fmt: skip
        freed = ", og dens plads i puljen duckdb er frigivet" if self.freed else ""
        return f"Kørsel {self.run_id[:8]}: {what}{freed}."


@dataclass(frozen=True)
class Holder:
    run_id: str
    step_key: str
    status: str
    started: datetime | None

    def describe(self) -> str:
        since = f", startet {self.started:%Y-%m-%d %H:%M:%S}" if self.started else ""
        status = STATUS_DA.get(self.status, self.status.lower())
        return f"kørsel {self.run_id[:8]} (trin {self.step_key}, {status}{since})"


# ---- processes -----------------------------------------------------------------------------------
def _ticks() -> int:
    return os.sysconf("SC_CLK_TCK")


def _boot_time() -> float:
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith("btime "):
            return float(line.split()[1])
    raise RuntimeError("/proc/stat has no btime")


def process_start(pid: int) -> int | None:
    """The process's start in clock ticks after boot, or None when there is no such (live) process."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = stat[stat.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    if fields[0] in ("Z", "X"):  # a zombie has exited: only its parent has not collected it yet
        return None
    return int(fields[19])


def own_tags() -> dict[str, str]:
    """Tags that tie a run to this process (for `yr run`, which executes its run in-process)."""
    pid = os.getpid()
    return {PID_TAG: str(pid), STARTED_TAG: str(process_start(pid))}


def helper_tags(pid: int) -> dict[str, str]:
    """Tags naming a process the run started (dbt), so that a recovery can end it when the run's own
    process died: it would otherwise go on writing the warehouse, holding its lock."""
    return {HELPER_TAG: f"{pid}:{process_start(pid)}"}


def end_helpers(run: dg.DagsterRun) -> None:
    pid, _, started = run.tags.get(HELPER_TAG, "").partition(":")
    if pid.isdigit() and started.isdigit() and process_start(int(pid)) == int(started):
        os.kill(int(pid), signal.SIGKILL)
        for _ in range(100):  # its exit releases the warehouse's lock
            if process_start(int(pid)) != int(started):
                return
            time.sleep(0.05)


def _process_of(instance: dg.DagsterInstance, run: dg.DagsterRun) -> tuple[int, float | None, int | None] | None:
    """(pid, latest start as a timestamp, exact start in ticks) of the run's process, or None if not known."""
    tags = run.tags
    if tags.get(PID_TAG, "").isdigit():
        exact = tags.get(STARTED_TAG, "")
        return int(tags[PID_TAG]), None, int(exact) if exact.isdigit() else None
    records = instance.get_records_for_run(run.run_id, of_type=dg.DagsterEventType.ENGINE_EVENT).records
    for record in records:
        data = record.event_log_entry.dagster_event.event_specific_data
        pid = getattr(data, "metadata", {}).get("pid")
        if pid is not None and str(pid.value).isdigit():
            return int(pid.value), record.event_log_entry.timestamp, None
    return None


def is_alive(instance: dg.DagsterInstance, run: dg.DagsterRun) -> bool | None:
    """Whether the run's process still runs; None when the run names no process (not known)."""
    known = _process_of(instance, run)
    if known is None:
        return None
    pid, latest, exact = known
    started = process_start(pid)
    if started is None:
        return False
    if exact is not None:
        return started == exact
    return latest is None or _boot_time() + started / _ticks() <= latest + 1


# ---- runs and the pool ---------------------------------------------------------------------------
def holders(instance: dg.DagsterInstance, pool: str = POOL) -> list[Holder]:
    """The runs holding a slot of the pool now."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    found = []
    for slot in info.claimed_slots:
        record = instance.get_run_record_by_id(slot.run_id)
        status = record.dagster_run.status.value if record else "UKENDT"
        started = datetime.fromtimestamp(record.start_time) if record and record.start_time else None
        found.append(Holder(slot.run_id, slot.step_key, status, started))
    return found


def waiting(instance: dg.DagsterInstance, run_id: str, pool: str = POOL) -> list[str]:
    """The steps of a run that wait for a slot of the pool."""
    info = instance.event_log_storage.get_concurrency_info(pool)
    return [s.step_key for s in info.pending_steps if s.run_id == run_id and s.assigned_timestamp is None]


def recover(instance: dg.DagsterInstance) -> list[Recovered]:
    """End the runs whose process is gone and free the slots that no live run can use."""
    storage = instance.event_log_storage
    run_ids = set(storage.get_concurrency_run_ids()) if storage.supports_global_concurrency_limits else set()
    run_ids |= {r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=IN_PROGRESS))}
    recovered = []
    for run_id in sorted(run_ids):
        run = instance.get_run_by_id(run_id)
        if run is None:
            continue
        holds = run_id in storage.get_concurrency_run_ids() if storage.supports_global_concurrency_limits else False
        dead = run.status not in FINISHED and is_alive(instance, run) is False
        if dead:
            end_helpers(run)
            if run.status == dg.DagsterRunStatus.CANCELING:
                instance.report_run_canceled(run, "Kørslens proces findes ikke længere: den er annulleret.")
            else:
                instance.report_run_failed(
                    run, "Kørslens proces findes ikke længere (stoppet med kill -9, strømsvigt eller OOM?)."
                )
        if holds and (dead or run.status in FINISHED):
            storage.free_concurrency_slots_for_run(run_id)
        if dead or (holds and run.status in FINISHED):
            recovered.append(Recovered(run_id, run.status.value, marked_failed=dead, freed=holds))
    return recovered
