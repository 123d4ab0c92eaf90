"""YUMU's January run (RULES.md 6): once a year, on yumu_koersel_dato, the registrations
made up to 31 December of the previous year become final; the run's result shows in the UI."""

import json

import dagster as dg

from orchestration.lib import private
from orchestration.lib.markdown import markdown
from orchestration.lib.reference import kommuner, parametre
from orchestration.resources import RunSettings
from orchestration.yumu.validation import finalised_year

KEY = dg.AssetKey(["yumu", "januarkoersel"])


@dg.asset(
    key=KEY,
    deps=[dg.AssetKey(["intermediate", "int_yumu__gaeldende"])],
    group_name="yumu",
    pool="duckdb",
)
def januarkoersel(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
    """The January run: the registrations in force whose opret is dated up to 31 December of the last
    finalised year, per municipality (count and amount). From yumu_koersel_dato they can no longer
    be edited or deleted, and the screen's list of editable registrations starts again."""
    settings = run_settings.resolved()
    year = finalised_year(settings.as_of, parametre()["yumu_koersel_dato"])  # RULES.md 6, the January run
    with run_settings.warehouse() as con:
        rows = con.execute(
            """select registrerende_kommunenummer, count(*), sum(beloeb)
               from intermediate.int_yumu__gaeldende where year(oprettet) <= ?
               group by 1 order by 1""",
            [year],
        ).fetchall()
    names = kommuner()
    summary = {
        "aar": year,
        "koerselsdato": settings.as_of.isoformat(),
        "kommuner": [
            {"kommunenummer": k, "kommunenavn": names.get(k, k), "registreringer": n, "beloeb": f"{b:.2f}"}
            for k, n, b in rows
        ],
    }
    target = settings.data_dir / "yumu" / f"januarkoersel-{year}.json"
    private.replace(target, json.dumps(summary, ensure_ascii=False, indent=1).encode("utf-8"))
    table = ["| kommune | registreringer | beløb |", "|---|---:|---:|"]
    table += [
        f"| {k['kommunenummer']} {k['kommunenavn']} | {k['registreringer']} | {k['beloeb']} |"
        for k in summary["kommuner"]
    ]
    context.log.info(f"Januarkørslen: registreringerne til og med 31. december {year} er afsluttede.")
    return dg.MaterializeResult(
        metadata={
            "afsluttet år": year,
            "registreringer": sum(n for _, n, _ in rows),
            "beløb": dg.MetadataValue.text(f"{sum((b for *_, b in rows), 0):.2f} kr."),
            "pr. kommune": markdown("\n".join(table)),
        }
    )


januar_job = dg.define_asset_job(
    "yumu_januarkoersel",
    selection=dg.AssetSelection.assets(KEY).upstream(),
    description="YUMU's January run, after ingesting and calculating what has landed.",
)


def _cron(koersel_dato: str) -> str:
    month, day = (int(x) for x in koersel_dato.split("-"))
    return f"0 6 {day} {month} *"


@dg.definitions
def yumu() -> dg.Definitions:
    schedule = dg.ScheduleDefinition(
        name="yumu_januarkoersel",
        job=januar_job,
        cron_schedule=_cron(parametre()["yumu_koersel_dato"]),  # the parameter, not a literal date
        execution_timezone="Europe/Copenhagen",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="The January run every year on yumu_koersel_dato (parametre.csv) at 06:00: the registrations "
        "made up to 31 December of the year before become final (RULES.md 6).",
    )
    return dg.Definitions(assets=[januarkoersel], jobs=[januar_job], schedules=[schedule])
