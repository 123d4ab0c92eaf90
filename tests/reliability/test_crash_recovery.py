"""A run killed with kill -9 (power loss, the OOM killer) never blocks the pipeline: the next `yr run`
ends what it left behind (its run, its slot of the `duckdb` pool, the dbt it started) and publishes
exactly what an uninterrupted run publishes. A run that waits for the pool says for whom, and
`yr run` stops cleanly on SIGTERM and SIGINT."""

from __future__ import annotations

import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest

from orchestration import recovery
from orchestration.instance import ensure_instance
from tests.reliability.pipeline import Clean, fresh, published, start

pytestmark = pytest.mark.slow
DBT_STEP = "yr_dbt_models"


def _instance(root: Path) -> dg.DagsterInstance:
    return dg.DagsterInstance.from_config(str(root / "dagster"))


def _run_in_step(root: Path, proc: subprocess.Popen, step: str, timeout: float = 180) -> dg.DagsterRun:
    """The newest run once `step` has started in it (and, for dbt, dbt has started)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read()[-3000:]
        if (root / "dagster" / "dagster.yaml").exists():
            with _instance(root) as instance:
                runs = instance.get_runs(limit=1)
                if runs and runs[0].status == dg.DagsterRunStatus.STARTED:
                    starts = instance.get_records_for_run(runs[0].run_id, of_type=dg.DagsterEventType.STEP_START)
                    started = {r.event_log_entry.step_key for r in starts.records}
                    if step in started and (step != DBT_STEP or recovery.HELPER_TAG in runs[0].tags):
                        return runs[0]
        time.sleep(0.05)
    raise AssertionError(f"{step} did not start within {timeout} s")


def _succeeded_steps(root: Path, run_id: str) -> set[str]:
    with _instance(root) as instance:
        records = instance.get_records_for_run(run_id, of_type=dg.DagsterEventType.STEP_SUCCESS).records
        return {r.event_log_entry.step_key for r in records}


def _slot_holders(root: Path) -> list:
    with _instance(root) as instance:
        return instance.event_log_storage.get_concurrency_info(recovery.POOL).claimed_slots


def _status(root: Path, run_id: str) -> dg.DagsterRunStatus:
    with _instance(root) as instance:
        return instance.get_run_by_id(run_id).status


def _slow_ingestion(landing: Path) -> None:
    """A large eIndkomst delivery of lines that all go to quarantine (an unknown municipality): it
    keeps the ingestion step busy long enough to be killed in it, and changes nothing published."""
    header = (landing / "eindkomst").glob("*.csv").__next__().read_text(encoding="utf-8").splitlines()[0]
    line = "{};I;;29189811;999;1503451237;;0041;kl:konto:5.57.73.007;1;2021-03-01;2021-03-31;100,00;2021-03-01"
    body = "\n".join(line.format(f"9{n:09d}") for n in range(300_000))
    (landing / "eindkomst" / "eindkomst-yr-20000101-001.csv").write_text(f"{header}\n{body}\n", encoding="utf-8")


def test_a_run_killed_in_ingestion_and_in_dbt_blocks_nothing_and_the_next_run_publishes_what_a_clean_run_does(
    tmp_path: Path, landing: Path, clean: Clean
) -> None:
    root = fresh(tmp_path, landing)
    _slow_ingestion(root / "landing")

    # The OOM killer kills the run's process in the middle of ingestion.
    first = start(root, "run")
    run = _run_in_step(root, first, "raw__eindkomst_linjer")
    os.kill(int(run.tags[recovery.PID_TAG]), signal.SIGKILL)
    out = first.communicate(timeout=60)[0]
    assert first.returncode == 1
    assert "SIGKILL" in out
    assert "raw__eindkomst_linjer" not in _succeeded_steps(root, run.run_id)  # killed in that step
    assert _status(root, run.run_id) == dg.DagsterRunStatus.FAILURE
    assert _slot_holders(root) == []

    # kill -9 of `yr run` itself while dbt writes the warehouse: its worker dies with it, dbt does not.
    second = start(root, "run")
    run = _run_in_step(root, second, DBT_STEP)
    time.sleep(1.5)
    second.kill()
    second.wait(30)
    dbt_pid = int(run.tags[recovery.HELPER_TAG].split(":")[0])
    assert _slot_holders(root), "the killed run still holds its slot"

    # The next run ends the dead run and its dbt, and runs through.
    third = start(root, "run")
    out = third.communicate(timeout=300)[0]
    assert third.returncode == 0, out[-3000:]
    assert f"Kørsel {run.run_id[:8]}: dens proces findes ikke længere" in out
    assert recovery.process_start(dbt_pid) is None
    assert _status(root, run.run_id) == dg.DagsterRunStatus.FAILURE
    assert _slot_holders(root) == []
    assert published(root) == clean.published


def test_a_run_that_waits_for_the_pool_says_for_whom_and_stops_at_once_on_sigint(tmp_path: Path) -> None:
    root = tmp_path / "data"
    ensure_instance(root / "dagster")
    with _instance(root) as instance:  # a live run (this test's process) holds the pool
        holder = dg.DagsterRun(job_name="holder", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED,
                               tags=recovery.own_tags())  # fmt: skip
        instance.add_run(holder)
        instance.event_log_storage.initialize_concurrency_limit_to_default(recovery.POOL)
        assert instance.event_log_storage.claim_concurrency_slot(recovery.POOL, holder.run_id, "skriver").is_claimed
    proc = start(root, "run")
    said = ""
    while "Venter på puljen duckdb" not in said:
        line = proc.stdout.readline()
        assert line, said
        said += line
    assert f"kørsel {holder.run_id[:8]} (trin skriver, i gang" in said
    proc.send_signal(signal.SIGINT)
    said += proc.communicate(timeout=30)[0]
    assert proc.returncode == 130, said
    assert [s.run_id for s in _slot_holders(root)] == [holder.run_id]  # the live holder is left alone


def test_yr_run_stops_cleanly_on_sigterm(tmp_path: Path, landing: Path) -> None:
    root = fresh(tmp_path, landing)
    proc = start(root, "run")
    run = _run_in_step(root, proc, DBT_STEP)
    dbt_pid = int(run.tags[recovery.HELPER_TAG].split(":")[0])
    proc.send_signal(signal.SIGTERM)
    out = proc.communicate(timeout=60)[0]
    assert proc.returncode == 143, out[-3000:]
    assert "er stoppet, og puljen duckdb er fri" in out
    assert _status(root, run.run_id) in recovery.FINISHED
    assert _slot_holders(root) == []
    assert recovery.process_start(dbt_pid) is None
    assert not (root / "published" / "aktuel").exists()  # nothing half-published
