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
