"""Ingestion: one asset per delivery layout (raw/<table>), landing-folder sensors, the weekly schedule.

The work is in orchestration/ingestion (unit-tested without Dagster); here it is only wired up.
Metadata and check texts carry counts, amounts, file names and line numbers: never a CPR number
or a pseudonym.
"""

import json
import time
from hashlib import blake2b

import dagster as dg

from orchestration import recovery
from orchestration.ingestion.engine import IngestResult, ingest
from orchestration.ingestion.ledger import reconcile
from orchestration.ingestion.sources import SOURCES, Source
from orchestration.lib.deliveries import strangers
from orchestration.resources import RunSettings
from orchestration.settings import SOURCES as FOLDERS
from orchestration.settings import Settings

DEMO_KEY_WARNING = (
    "YR_PSEUDONYM_KEY er ikke sat: pseudonymerne laves med den indbyggede DEMO-nøgle, som alle med "
    "kildekoden kan gætte. Brug den aldrig med rigtige CPR-numre."
)
MAX_FILES_IN_METADATA = 60
SETTLE_TAG = "yr/afklaring_sekunder"  # automatic runs take only files unchanged for this long


def asset_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.table])


def _markdown_files(result: IngestResult) -> str:
    rows = [
        "| fil | status | læst | accepteret | karantæne | beløb læst | beløb accepteret | beløb karantæne |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f in result.files[:MAX_FILES_IN_METADATA]:
        amounts = [
            f"{a:.2f}" if a is not None else "" for a in (f.beloeb_laest, f.beloeb_accepteret, f.beloeb_karantaene)
        ]
        rows.append(
            f"| {f.fil} | {f.status}{' (' + f.besked + ')' if f.besked else ''} | {f.linjer_laest} | "
            f"{f.linjer_accepteret} | {f.linjer_karantaene} | " + " | ".join(amounts) + " |"
        )
    if len(result.files) > MAX_FILES_IN_METADATA:
        rows.append(f"| … og {len(result.files) - MAX_FILES_IN_METADATA} filer mere | | | | | | | |")
    return "\n".join(rows)


def build_ingest_asset(source: Source) -> dg.AssetsDefinition:
    key = asset_key(source)

    @dg.asset(
        key=key,
        group_name="ingest",
        pool="duckdb",
        kinds={"duckdb"},
        description=(
            f"Deliveries in landing/{source.layout.folder}/ named like `{source.layout.name_pattern.pattern}` → "
            f"raw.{source.table}, exactly once per file content, every line accepted or quarantined with a "
            "reason (DELIVERIES.md). Restricted: holds CPR numbers; staging passes on pseudonyms only."
        ),
        check_specs=[
            dg.AssetCheckSpec(
                "alle_filer_laest", asset=key, blocking=True,
                description="Every delivery in the folder could be read (one that cannot is named with its problem).",
            ),
            dg.AssetCheckSpec(
                "hovedbog_afstemt", asset=key, blocking=True,
                description="Per file: lines and amounts read = accepted + quarantined, and equal to what is stored.",
            ),
            dg.AssetCheckSpec(
                "ingen_fremmede_filer", asset=key,
                description="No file in the folder has a name that follows no delivery layout (it would be ignored).",
            ),
        ],
    )  # fmt: skip
    def _ingest(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
        settings = run_settings.resolved()
        if settings.pseudonym_key_is_demo:
            context.log.warning(DEMO_KEY_WARNING)
        settle = context.run.tags.get(SETTLE_TAG)  # automatic runs: only files that have stopped changing
        settled_before = time.time() - int(settle) if settle and settle.isdigit() else None
        with run_settings.warehouse() as con:
            result = ingest(con, source, settings, context.run.run_id, context.log.info, settled_before)
            problems = reconcile(con, source)
            rows = con.execute(f"select count(*) from raw.{source.table}").fetchall()[0][0]
        if result.unsettled:
            context.log.info(f"{len(result.unsettled)} filer ændrer sig stadig og tages i en senere kørsel, "
                             f"fx {result.unsettled[0]}")  # fmt: skip
        unknown = [p.name for p in strangers(settings.landing_dir, source.layout.folder)]
        metadata = {
            "dagster/row_count": rows,
            "nye leverancer": len(result.new_files),
            "linjer læst": result.total("linjer_laest"),
            "linjer accepteret": result.total("linjer_accepteret"),
            "linjer i karantæne": result.total("linjer_karantaene"),
            "tilbageførsler frigivet": result.released,
            "linjer erstattet": result.replaced,
            "filer der stadig skrives": len(result.unsettled),
            "karantæne efter årsag": dg.MetadataValue.json(dict(sorted(result.reasons.items()))),
            "leverancer": dg.MetadataValue.md(_markdown_files(result)),
        }
        if source.amount:
            for label, attribute in (("beløb læst", "beloeb_laest"), ("beløb accepteret", "beloeb_accepteret"),
                                     ("beløb i karantæne", "beloeb_karantaene")):  # fmt: skip
                metadata[label] = dg.MetadataValue.text(f"{result.total(attribute):.2f} kr.")
        return dg.MaterializeResult(
            metadata=metadata,
            check_results=[
                dg.AssetCheckResult(
                    check_name="alle_filer_laest",
                    passed=not result.failed,
                    metadata={"fejlede filer": dg.MetadataValue.json({f.fil: f.besked for f in result.failed})},
                ),
                dg.AssetCheckResult(
                    check_name="hovedbog_afstemt",
                    passed=not problems,
                    metadata={"afvigelser": dg.MetadataValue.json(problems[:50])},
                ),
                dg.AssetCheckResult(
                    check_name="ingen_fremmede_filer",
                    passed=not unknown,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"fremmede filer": dg.MetadataValue.json(unknown[:50])},
                ),
            ],
        )

    return _ingest


INGEST_ASSETS = [build_ingest_asset(source) for source in SOURCES.values()]


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
    target=dg.AssetSelection.assets(*(asset_key(s) for s in SOURCES.values())).downstream(),
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
    target=dg.AssetSelection.all(),
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
def ingestion() -> dg.Definitions:
    return dg.Definitions(assets=INGEST_ASSETS, sensors=[landing_sensor], schedules=[weekly])
