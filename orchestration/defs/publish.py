"""Publication: the municipalities' calculation files (OUTPUTS.md section 1)."""

import dagster as dg

from orchestration.publish.beregningsfiler import publish
from orchestration.settings import Settings
from orchestration.warehouse import Warehouse

FCT_BEREGNING = dg.AssetKey(["marts", "fct_beregning"])


@dg.asset(
    key=["published", "beregningsfiler"],
    deps=[FCT_BEREGNING],
    group_name="publish",
    pool="duckdb",  # records what each file published in the warehouse
    kinds={"csv"},
    description=(
        "published/beregning/yr-ydelsesrefusion-beregning-KKK-NNNN-YYYY-MM-DD.csv: per municipality, "
        "what changed since its previous file (cancelling rows, then new rows), so that the sum of all "
        "of its files is the current calculation. CPR numbers come back from the vault here only."
    ),
)
def beregningsfiler(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    settings = Settings.from_env()
    folder = settings.published_dir / "beregning"
    with warehouse.connect() as con:
        result = publish(con, folder, settings.as_of, context.run.run_id)
    table = ["| fil | nye rækker | annullerede rækker |", "|---|---:|---:|"]
    table += [f"| {f.fil} | {f.nye} | {f.annullerede} |" for f in result.files]
    if not result.files:
        context.log.info("Ingen ændringer siden sidste beregningsfil: ingen nye filer.")
    return dg.MaterializeResult(
        metadata={
            "filer": len(result.files),
            "rækker": result.rows,
            "mappe": dg.MetadataValue.path(str(folder)),
            "nye filer": dg.MetadataValue.md("\n".join(table)),
        }
    )


@dg.asset(
    key=["published", "yumu_grundlag"],
    deps=[dg.AssetKey(["intermediate", "int_beregningsperioder"])],
    group_name="publish",
    pool="duckdb",
    kinds={"parquet"},
    description=(
        "published/yumu/grundlag.parquet: the net of every eIndkomst beregningsperiode per borger_id, ydelse "
        "and period, sorted by borger_id. The YUMU screen reads it, read-only, to list the ydelser a citizen "
        "received and to check that an amount is not more than was calculated (RULES.md 6)."
    ),
)
def yumu_grundlag(context: dg.AssetExecutionContext, warehouse: Warehouse) -> dg.MaterializeResult:
    settings = Settings.from_env()
    target = settings.published_dir / "yumu" / "grundlag.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with warehouse.connect() as con:
        con.execute(
            f"""copy (
                    select borger_id, ydelse_navn, uge, maaned, kommunenummer, periode_fra, periode_til,
                           cast(sum(alloc_oere) as bigint) as netto_oere
                    from intermediate.int_beregningsperioder
                    group by all
                    order by borger_id, periode_fra
                ) to '{tmp}' (format parquet, compression zstd)"""
        )
        rows = con.execute(f"select count(*) from read_parquet('{tmp}')").fetchall()[0][0]
    tmp.replace(target)  # readers see the old file or the new one, never half of one
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "fil": dg.MetadataValue.path(str(target))})
