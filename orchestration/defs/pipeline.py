"""The pipeline as a job, and what starts it: the landing sensor (when deliveries have landed and
settled) and the weekly schedule. Both end runs whose process died before they start anything
(orchestration/recovery.py), and their runs take only files that have stopped changing
(DELIVERIES.md "Complete files only")."""

import json
import time
from hashlib import blake2b

import dagster as dg

from orchestration import recovery
from orchestration.defs.ingest import SETTLE_TAG, asset_key
from orchestration.ingestion.sources import SOURCES
from orchestration.resources import RunSettings
from orchestration.settings import SOURCES as FOLDERS
from orchestration.settings import Settings

PIPELINE = dg.define_asset_job(
    "yr_pipeline",
    selection=dg.AssetSelection.all(),
    description=(
        "The whole pipeline: ingest what has landed, calculate, check, publish (calculation files, LIS marts, "
        "YUMU base). The landing sensor runs the part after the folders with new files; the weekly schedule "
        "and `yr run` run it all."
    ),
)


def _landed(settings: Settings, folder: str, now: float) -> tuple[list[str], list[str]]:
    """Short fingerprints (name, size, modification time) of the files in a landing folder that have
    settled (unchanged for YR_LANDING_SETTLE_SECONDS), and the names of those still changing."""
    base = settings.landing_dir / folder
    if not base.is_dir():
        return [], []
    settled, changing = [], []
    for path in base.iterdir():
        if path.is_file() and not path.name.startswith("."):
            stat = path.stat()
            if now - stat.st_mtime < settings.landing_settle_seconds:
                changing.append(path.name)
            else:
                key = f"{path.name}|{stat.st_size}|{stat.st_mtime_ns}"
                settled.append(blake2b(key.encode(), digest_size=6).hexdigest())
    return sorted(settled), sorted(changing)


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
        "Watches every landing folder (eindkomst, star, yumu, dfdg) and starts one run for what landed, once "
        "it has stopped changing (YR_LANDING_SETTLE_SECONDS): the ingestion of the folders with new files "
        "and everything after it. Ends runs whose process died first, so that they block nothing."
    ),
)
def landing_sensor(context: dg.SensorEvaluationContext, run_settings: RunSettings):
    settings = run_settings.resolved()
    _recover(context.instance, context.log)
    seen: dict[str, list[str]] = json.loads(context.cursor) if context.cursor else {}
    now = time.time()
    landed = {folder: _landed(settings, folder, now) for folder in FOLDERS}
    current = {folder: settled for folder, (settled, _) in landed.items()}
    changing = sorted(name for _, names in landed.values() for name in names)
    changed = sorted(f for f in FOLDERS if set(current[f]) - set(seen.get(f, [])))
    context.update_cursor(json.dumps(current))
    if not changed:
        if changing:
            return dg.SkipReason(f"{len(changing)} filer skrives stadig (fx {changing[0]}): de tages, når de "
                                 f"har været uændrede i {settings.landing_settle_seconds} s")  # fmt: skip
        return dg.SkipReason("no new files in landing/")
    keys = [asset_key(s) for s in SOURCES.values() if s.layout.folder in changed]
    new = sorted(fp for f in changed for fp in set(current[f]) - set(seen.get(f, [])))
    return dg.RunRequest(
        run_key="landing:" + blake2b("|".join(new).encode(), digest_size=8).hexdigest(),
        asset_selection=sorted(_run_selection(keys).resolve(context.repository_def.asset_graph), key=str),
        tags={
            "yr/landing": ",".join(changed),
            "yr/nye_filer": str(len(new)),
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


@dg.definitions
def pipeline() -> dg.Definitions:
    return dg.Definitions(jobs=[PIPELINE], sensors=[landing_sensor], schedules=[weekly])
