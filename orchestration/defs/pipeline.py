"""The pipeline as a job, and what starts it: the landing sensor (when deliveries have landed and
settled) and the weekly schedule. Both end runs whose process died before they start anything
(orchestration/recovery.py), and their runs take only files that have stopped changing
(DELIVERIES.md "Complete files only")."""

import time
from hashlib import blake2b

import dagster as dg

from orchestration import recovery
from orchestration.alerts import failure, raise_alarm
from orchestration.defs.ingest import SETTLE_TAG, asset_key
from orchestration.ingestion.ledger import new_files
from orchestration.ingestion.sources import SOURCES
from orchestration.resources import RunSettings

PIPELINE = dg.define_asset_job(
    "yr_pipeline",
    selection=dg.AssetSelection.all(),
    description=(
        "The whole pipeline: ingest what has landed, calculate, check, publish (calculation files, LIS marts, "
        "YUMU base). The landing sensor runs the part after the folders with new files; the weekly schedule "
        "and `yr run` run it all."
    ),
)


def _run_selection(keys: list[dg.AssetKey]) -> dg.AssetSelection:
    """Everything but the ingestion of folders without new files: what follows ingestion needs the
    reference data, the quality gate and publication too, and a fresh warehouse must work."""
    return dg.AssetSelection.all() - (dg.AssetSelection.groups("ingest") - dg.AssetSelection.assets(*keys))


def _recover(instance: dg.DagsterInstance, log) -> None:
    """A run whose process died must not keep the runs this starts waiting (orchestration/recovery.py)."""
    for found in recovery.recover(instance):
        log.warning(found.describe())


@dg.sensor(
    name="landing",
    job=PIPELINE,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "Watches every landing folder (eindkomst, star, yumu, dfdg) and starts one run for the files that "
        "ingestion has not taken yet (the ledger's index, warehouse/leverancer/), once they have stopped "
        "changing (YR_LANDING_SETTLE_SECONDS): the ingestion of those sources and everything after it. "
        "A file whose run failed is taken again when it changes, or by the weekly schedule. Ends runs whose "
        "process died first, so that they block nothing."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext, run_settings: RunSettings):
    settings = run_settings.resolved()
    _recover(context.instance, context.log)
    settled_before = time.time() - settings.landing_settle_seconds
    new: dict[str, dict[str, tuple[int, int]]] = {}
    changing: list[str] = []
    for source in SOURCES.values():
        found, busy = new_files(settings.landing_dir, settings.warehouse_dir, source, settled_before)
        new.update({source.key: found} if found else {})
        changing += busy
    if not new:
        if changing:
            return dg.SkipReason(f"{len(changing)} filer skrives stadig (fx {sorted(changing)[0]}): de tages, når de "
                                 f"har været uændrede i {settings.landing_settle_seconds} s")  # fmt: skip
        return dg.SkipReason("Intet nyt i landing/: alle filer er indlæst (raw.leverancer).")
    names = sorted(f"{key}/{name}" for key, found in new.items() for name in found)
    stamps = sorted(
        f"{key}/{name}|{size}|{mtime}" for key, found in new.items() for name, (size, mtime) in found.items()
    )
    run_key = "landing:" + blake2b("|".join(stamps).encode(), digest_size=8).hexdigest()  # a file changed: a new key
    if context.cursor == run_key:  # its run is queued or running, or failed: the files must change first
        return dg.SkipReason(f"{len(names)} nye filer venter på kørslen, der blev bedt om (fx {names[0]}).")
    context.update_cursor(run_key)
    keys = [asset_key(SOURCES[key]) for key in new]
    folders = sorted({SOURCES[key].layout.folder for key in new})
    return dg.RunRequest(
        run_key=run_key,
        asset_selection=sorted(_run_selection(keys).resolve(context.repository_def.asset_graph), key=str),
        tags={
            "yr/landing": ",".join(folders),
            "yr/nye_filer": str(len(names)),
            SETTLE_TAG: str(settings.landing_settle_seconds),
        },
    )


@dg.schedule(
    name="yr_ugentlig",
    cron_schedule="0 6 * * 1",
    execution_timezone="Europe/Copenhagen",
    job=PIPELINE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "The whole pipeline every Monday at 06:00: whatever has landed and stopped changing is ingested, "
        "calculated and published. Ends runs whose process died first, so that they block nothing."
    ),
)
def weekly(context: dg.ScheduleEvaluationContext, run_settings: RunSettings) -> dg.RunRequest:
    _recover(context.instance, context.log)
    return dg.RunRequest(tags={SETTLE_TAG: str(run_settings.resolved().landing_settle_seconds)})


@dg.run_failure_sensor(
    name="yr_alarm",
    monitor_all_code_locations=True,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description=(
        "When a run fails: its alarm (run, job, failed steps and their reasons; never a citizen) is written to "
        "logs/alarm-<run>.json and sent to YR_ALARM_WEBHOOK and YR_ALARM_KOMMANDO when they are set. "
        "`yr run` raises the alarm of its own runs itself; each run's alarm is raised once."
    ),
)
def alarm_sensor(context: dg.RunFailureSensorContext, run_settings: RunSettings) -> None:
    settings = run_settings.resolved()
    raise_alarm(settings, failure(context.instance, context.dagster_run.run_id), context.log.warning)


@dg.definitions
def pipeline() -> dg.Definitions:
    return dg.Definitions(jobs=[PIPELINE], sensors=[landing_sensor, alarm_sensor], schedules=[weekly])
