"""Ingestion: one asset per delivery layout (raw/<table>). The landing sensor and the weekly schedule
that start runs of them are in pipeline.py.

The work is in orchestration/ingestion (unit-tested without Dagster); here it is only wired up.
Metadata and check texts carry counts, amounts, file names and line numbers: never a CPR number
or a pseudonym.
"""

import time

import dagster as dg

from orchestration.ingestion.engine import FileOutcome, ingest
from orchestration.ingestion.ledger import reconcile, state, write_index
from orchestration.ingestion.sources import SOURCES, Source
from orchestration.lib.deliveries import strangers
from orchestration.lib.markdown import markdown
from orchestration.resources import RunSettings

DEMO_KEY_WARNING = (
    "YR_PSEUDONYM_KEY er ikke sat: pseudonymerne laves med den indbyggede DEMO-nøgle, som alle med "
    "kildekoden kan gætte. Brug den aldrig med rigtige CPR-numre."
)
MAX_FILES_IN_METADATA = 60
SETTLE_TAG = "yr/afklaring_sekunder"  # automatic runs take only files unchanged for this long


def asset_key(source: Source) -> dg.AssetKey:
    return dg.AssetKey(["raw", source.table])


def _markdown_files(files: list[FileOutcome], total: int) -> str:
    rows = [
        "| fil | status | læst | accepteret | karantæne | beløb læst | beløb accepteret | beløb karantæne |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for f in files:
        amounts = [
            f"{a:.2f}" if a is not None else "" for a in (f.beloeb_laest, f.beloeb_accepteret, f.beloeb_karantaene)
        ]
        rows.append(
            f"| {f.fil} | {f.status}{' (' + f.besked + ')' if f.besked else ''} | {f.linjer_laest} | "
            f"{f.linjer_accepteret} | {f.linjer_karantaene} | " + " | ".join(amounts) + " |"
        )
    if total > len(files):
        rows.append(f"| … og {total - len(files)} filer mere | | | | | | | |")
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
            ledger = state(con, source, newest=MAX_FILES_IN_METADATA)
            rows = con.execute(f"select count(*) from raw.{source.table}").fetchall()[0][0]
            known = con.execute("select count(*) from raw.leverancer where kilde = ?", [source.key]).fetchall()[0][0]
        write_index(settings.warehouse_dir, source, result.seen)
        if result.unsettled:
            context.log.info(f"{len(result.unsettled)} filer ændrer sig stadig og tages i en senere kørsel, "
                             f"fx {result.unsettled[0]}")  # fmt: skip
        if not result.files:
            context.log.info(f"Intet nyt i landing/{source.layout.folder}/: raw.{source.table} er uændret.")
        unknown = [p.name for p in strangers(settings.landing_dir, source.layout.folder)]
        # The ledger's state, whatever this run added (a run with nothing new shows the same figures),
        # and apart what this run added.
        metadata = {
            "dagster/row_count": rows,
            "leverancer": ledger.files,
            "nye leverancer": len(result.new_files),
            "linjer læst": ledger.lines["linjer_laest"],
            "linjer accepteret": ledger.lines["linjer_accepteret"],
            "linjer i karantæne": ledger.lines["linjer_karantaene"],
            "nye linjer accepteret": result.total("linjer_accepteret"),
            "tilbageførsler frigivet": result.released,
            "linjer erstattet": result.replaced,
            "filer der stadig skrives": len(result.unsettled),
            "karantæne efter årsag": dg.MetadataValue.json(ledger.reasons),
            "seneste leverancer": markdown(_markdown_files(ledger.newest, known)),
        }
        if source.amount:
            for label, attribute in (("beløb læst", "beloeb_laest"), ("beløb accepteret", "beloeb_accepteret"),
                                     ("beløb i karantæne", "beloeb_karantaene")):  # fmt: skip
                metadata[label] = dg.MetadataValue.text(f"{ledger.amounts[attribute]:.2f} kr.")
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


@dg.definitions
def ingestion() -> dg.Definitions:
    return dg.Definitions(assets=INGEST_ASSETS)
