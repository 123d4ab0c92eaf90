"""Files are taken only once complete (DELIVERIES.md "Complete files only"), and the sensor and the
schedule end runs whose process died before they start anything."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest

from orchestration import recovery
from orchestration.defs.pipeline import SETTLE_TAG, landing_sensor, weekly
from orchestration.ingestion.engine import ingest
from orchestration.ingestion.sources import SOURCES
from orchestration.resources import RunSettings
from orchestration.runner import load_definitions
from orchestration.settings import Settings
from tests.ingestion.conftest import Warehouse, text


def _dead_run_holding_the_pool(instance: dg.DagsterInstance) -> dg.DagsterRun:
    """A run in progress whose process is gone (a pid that no process has), holding the pool."""
    dead = dg.DagsterRun(job_name="killed", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED,
                         tags={recovery.PID_TAG: "4194303", recovery.STARTED_TAG: "1"})  # fmt: skip
    instance.add_run(dead)
    instance.event_log_storage.initialize_concurrency_limit_to_default(recovery.POOL)
    assert instance.event_log_storage.claim_concurrency_slot(recovery.POOL, dead.run_id, "raw__maf_linjer").is_claimed
    return dead


@pytest.fixture
def instance(data_dir: Path):
    from orchestration.instance import ensure_instance

    ensure_instance(data_dir / "dagster")
    inst = dg.DagsterInstance.from_config(str(data_dir / "dagster"))
    try:  # not `with`: entering an instance makes it the process's current one, past this test
        yield inst
    finally:
        inst.dispose()


def test_deliveries_the_sensor_ends_a_dead_run_that_holds_the_pool(instance: dg.DagsterInstance) -> None:
    dead = _dead_run_holding_the_pool(instance)
    context = dg.build_sensor_context(
        instance=instance, definitions=load_definitions(), resources={"run_settings": RunSettings()}
    )
    landing_sensor(context)
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert instance.event_log_storage.get_concurrency_info(recovery.POOL).claimed_slots == []


def test_deliveries_the_weekly_schedule_ends_a_dead_run_first_and_takes_only_settled_files(
    instance: dg.DagsterInstance,
) -> None:
    dead = _dead_run_holding_the_pool(instance)
    request = weekly(dg.build_schedule_context(instance=instance, resources={"run_settings": RunSettings()}))
    assert instance.get_run_by_id(dead.run_id).status == dg.DagsterRunStatus.FAILURE
    assert request.tags[SETTLE_TAG] == "30"


def test_deliveries_a_live_run_keeps_its_slot(instance: dg.DagsterInstance) -> None:
    live = dg.DagsterRun(job_name="live", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED,
                         tags=recovery.own_tags())  # fmt: skip
    instance.add_run(live)
    instance.event_log_storage.initialize_concurrency_limit_to_default(recovery.POOL)
    instance.event_log_storage.claim_concurrency_slot(recovery.POOL, live.run_id, "skriver")
    assert recovery.recover(instance) == []
    assert instance.get_run_by_id(live.run_id).status == dg.DagsterRunStatus.STARTED


def test_deliveries_a_reused_pid_is_not_the_runs_process(instance: dg.DagsterInstance) -> None:
    # This test's own process, but with another start time: a later process that got the dead run's pid.
    tags = {recovery.PID_TAG: str(os.getpid()), recovery.STARTED_TAG: "1"}
    run = dg.DagsterRun(job_name="old", run_id=str(uuid.uuid4()), status=dg.DagsterRunStatus.STARTED, tags=tags)
    instance.add_run(run)
    assert [r.run_id for r in recovery.recover(instance)] == [run.run_id]


def test_deliveries_an_automatic_run_leaves_a_file_still_being_written_for_later(wh: Warehouse) -> None:
    settings = Settings.from_env()
    folder = settings.landing_dir / "star"
    folder.mkdir(parents=True, exist_ok=True)
    line = {"Kommunenummer": "730", "CPR nummer": "1503451237", "Ydelse": "Dagpenge", "Periode start": "2020-09-01",
            "Periode slut": "2020-09-30", "Indberetning udbetalingsbeløb": "909,60 kr.",
            "Posteringskonto for indberetning": "star:konto:01.02"}  # fmt: skip
    done, writing = folder / "MAF20230503.txt", folder / "MAF20230601.txt"
    for path in (done, writing):
        path.write_text(text("maf", [line | {"CPR nummer": "0101901234"}] if path == writing else [line]), "utf-8")
    then = time.time() - 60
    os.utime(done, (then, then))
    result = ingest(wh.con, SOURCES["maf"], settings, settled_before=time.time() - 30)
    assert [f.fil for f in result.files] == ["MAF20230503.txt"]
    assert result.unsettled == ["MAF20230601.txt"]
    later = ingest(wh.con, SOURCES["maf"], settings)  # `yr run`: what is there now
    assert [f.fil for f in later.files] == ["MAF20230601.txt"]
