"""Publication, after the quality gate: the municipalities' calculation files (OUTPUTS.md section 1),
the YUMU screen's base, and the LIS publication with its data dictionary and overview report."""

import functools
import inspect
from contextlib import contextmanager

import dagster as dg
import psycopg

from orchestration.defs.quality import GATE, full_asset_graph, refuse_unless_checks_passed
from orchestration.lib.markdown import escape_placeholders, markdown
from orchestration.publish import lis, postgres, rapport
from orchestration.publish.beregningsfiler import publish
from orchestration.resources import RunSettings

FCT_BEREGNING = dg.AssetKey(["marts", "fct_beregning"])
BEREGNINGSPERIODER = dg.AssetKey(["intermediate", "int_beregningsperioder"])
LIS_MARTS = [dg.AssetKey(["lis", mart]) for mart in lis.MARTS]


def publication(name: str, inputs: list[dg.AssetKey], kinds: set[str]):
    """An asset that publishes `inputs`: after the quality gate, and only while the latest check on
    them and on everything before them passed (refuse_unless_checks_passed). It writes the
    warehouse's record or reads it, so it takes the warehouse's pool."""

    def decorate(fn):
        @dg.asset(
            key=["published", name],
            deps=[*inputs, GATE],
            group_name="publish",
            pool="duckdb",
            kinds=kinds,
            description=escape_placeholders(inspect.getdoc(fn)),
        )
        @functools.wraps(fn)
        def guarded(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
            refuse_unless_checks_passed(context, [*inputs, GATE])
            return fn(context, run_settings)

        return guarded

    return decorate


@publication(
    "beregningsfiler",
    inputs=[FCT_BEREGNING],
    kinds={"csv"},
)
def beregningsfiler(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
    """published/beregning/yr-ydelsesrefusion-beregning-KKK-NNNN-YYYY-MM-DD.csv: per municipality, what
    changed since its previous file (cancelling rows and new rows), so that the sum of all of its
    files is the current calculation. CPR numbers come back from the vault here only."""
    settings = run_settings.resolved()
    folder = settings.published_dir / "beregning"
    with run_settings.warehouse() as con:
        result = publish(con, folder, settings.as_of, context.run.run_id, settings.pseudonym_key)
    if result.adopted.files:
        context.log.warning(
            f"{result.adopted.files} beregningsfiler i {folder} var ikke i lagerets register (et tabt eller "
            f"genskabt lager): deres {result.adopted.rows:,} rækker er læst tilbage i registret, så intet "
            "udgives to gange, og numrene fortsætter."
        )
    table = ["| fil | nye rækker | annullerede rækker |", "|---|---:|---:|"]
    table += [f"| {f.fil} | {f.nye} | {f.annullerede} |" for f in result.files]
    if not result.files:
        context.log.info("Ingen ændringer siden sidste beregningsfil: ingen nye filer.")
    return dg.MaterializeResult(
        metadata={
            "filer": len(result.files),
            "rækker": result.rows,
            "filer læst tilbage i registret": result.adopted.files,
            "mappe": dg.MetadataValue.path(str(folder)),
            "nye filer": markdown("\n".join(table)),
        }
    )


@publication(
    "yumu_grundlag",
    inputs=[BEREGNINGSPERIODER],
    kinds={"parquet"},
)
def yumu_grundlag(context: dg.AssetExecutionContext, run_settings: RunSettings) -> dg.MaterializeResult:
    """published/yumu/grundlag.parquet: every eIndkomst line's share of a beregningsperiode
    (netto_oere) per borger_id, ydelse, kommune and period from beregning_start on, sorted by
    borger_id. The YUMU screen reads it, read-only, and nets the shares per week and month of the
    user's own municipality, to list the ydelser it paid a citizen and to check that an amount is
    not more than it paid (RULES.md 6)."""
    settings = run_settings.resolved()
    target = settings.published_dir / "yumu" / "grundlag.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    with run_settings.warehouse() as con:
        con.execute(
            # The lines' shares as they are: the screen nets them itself (orchestration/yumu/grundlag.py),
            # and netting them here first left 97.5 % of the rows and doubled the time (6.9 s → 3.3 s
            # at 10 %, B26). Sorted by borger_id, so that the screen reads one citizen's row groups.
            f"""copy (
                    select borger_id, ydelse_navn, uge, maaned, kommunenummer, periode_fra, periode_til,
                           cast(alloc_oere as bigint) as netto_oere
                    from intermediate.int_beregningsperioder
                    -- weeks before beregning_start give no calculation rows: no YUMU share goes there
                    where uge >= (select beregning_start from staging.stg_reference__parametre)
                    order by borger_id
                ) to '{tmp}' ({lis.PARQUET})"""
        )
        rows = con.execute(f"select count(*) from read_parquet('{tmp}')").fetchall()[0][0]
    tmp.replace(target)  # readers see the old file or the new one, never half of one
    return dg.MaterializeResult(metadata={"dagster/row_count": rows, "fil": dg.MetadataValue.path(str(target))})


def kvalitetsstatus(context: dg.AssetExecutionContext) -> rapport.Kvalitet:
    """The latest result of every check (Great Expectations suites and dbt tests) as publication
    finds it: what the gate passed. Counts and rule names only, as the checks' own metadata."""
    graph = full_asset_graph()
    keys = sorted(graph.asset_check_keys, key=lambda k: (k.asset_key.to_user_string(), k.name))
    latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(keys)
    tjek = []
    for key in keys:
        record, gx = latest.get(key), key.name.startswith("gx_")
        evaluation = record.evaluation if record is not None else None
        if record is None or evaluation is None:
            status = "ikke kørt"
        elif evaluation.passed:
            status = "bestået"
        else:
            status = "advarsel" if evaluation.severity == dg.AssetCheckSeverity.WARN else "fejl"
        advarsler: tuple[str, ...] = ()
        if gx and status == "advarsel" and "advarselsregler" in evaluation.metadata:
            advarsler = tuple(str(r) for r in evaluation.metadata["advarselsregler"].value)
        description = graph.get_check_spec(key).description or ""
        description = description.removeprefix("Great Expectations: ").split(" (expectations/")[0]
        tjek.append(rapport.Tjek(key.name.removeprefix("gx_"), description, status, advarsler, gx))
    return rapport.Kvalitet(tuple(tjek))


LIS = dg.AssetKey(["published", "lis"])
RAPPORT = dg.AssetKey(["published", "rapport"])


@dg.multi_asset(
    specs=[
        dg.AssetSpec(LIS, deps=[*LIS_MARTS, GATE], group_name="publish", kinds={"parquet", "csv", "duckdb", "postgres"},
                     description=escape_placeholders(
                         "The LIS marts for Power BI and Excel, after the quality gate: published/lis/<mart>/"
                         "*.parquet, published/lis-csv/<mart>.csv (Excel: `;`, decimal comma, UTF-8 with BOM), "
                         "published/lis.duckdb and the data dictionary, and PostgreSQL schema lis with row-level "
                         "security per municipality when YR_POSTGRES_DSN is set.")),
        dg.AssetSpec(RAPPORT, deps=[*LIS_MARTS, GATE], group_name="publish", kinds={"html"},
                     description="The overview report for those without Power BI: published/rapport/index.html and "
                     "a page per municipality (headline figures, weekly series per ydelse, the staircase, "
                     "activities, Finansieringsbeløb per month, the udsigt, the data-quality status), "
                     "self-contained for a file share, from the marts of the same publication."),
    ],
    name="published__lis",  # the step key yr run's stages, yr bench and the alarms know the publication by
    pool="duckdb",
    can_subset=False,  # one publication: the report switches in with the marts it shows, or not at all
)  # fmt: skip
def lis_publicering(context: dg.AssetExecutionContext, run_settings: RunSettings):
    """The LIS publication: marts, data dictionary and overview report written into one new folder,
    and PostgreSQL loaded when YR_POSTGRES_DSN is set, all switched in together or, when one fails,
    none; after the quality gate, and only while the latest check on the marts and on everything
    before them passed."""
    refuse_unless_checks_passed(context, [*LIS_MARTS, GATE])
    settings = run_settings.resolved()
    loaded: dict[str, int] = {}
    grundlag = rapport.Grundlag(settings.as_of, kvalitetsstatus(context))

    @contextmanager
    def into_postgres(publication: lis.LisPublication):
        with postgres.loaded(con, settings.postgres_dsn, publication.docs) as rows:
            loaded.update(rows)
            yield

    with run_settings.warehouse() as con:
        try:
            published = lis.publish(con, settings.published_dir, context.run.run_id,
                                    into_postgres if settings.postgres_dsn else None, grundlag)  # fmt: skip
        except psycopg.Error as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            raise dg.Failure(
                description=f"PostgreSQL (YR_POSTGRES_DSN) kunne ikke opdateres: {first}. Intet er udgivet: "
                "published/aktuel og PostgreSQL viser fortsat den forrige udgivelse."
            ) from None
    if settings.postgres_dsn:
        target = f"{len(loaded)} marts loaded into schema lis"
    else:
        target = "skipped: YR_POSTGRES_DSN is not set"
        context.log.info("PostgreSQL: YR_POSTGRES_DSN er ikke sat, så marts udgives ikke til PostgreSQL.")
    yield dg.MaterializeResult(
        asset_key=LIS,
        metadata={
            "udgave": dg.MetadataValue.path(str(published.folder)),
            "dataordbog": dg.MetadataValue.path(str(settings.published_dir / "dokumentation" / "index.html")),
            "rækker pr. mart": dg.MetadataValue.json(published.rows),
            "PostgreSQL": target,
        },
    )
    report = published.rapport
    index = settings.published_dir / "rapport" / "index.html"  # the stable name, through published/aktuel
    context.log.info(f"Overbliksrapport: {index} ({len(report.sider)} kommuner).")
    yield dg.MaterializeResult(
        asset_key=RAPPORT,
        metadata={
            "forside": dg.MetadataValue.path(str(index)),
            "åbn": dg.MetadataValue.url(index.as_uri()),
            "kommuner": len(report.sider),
            "seneste hele uge": rapport.uge_tekst(report.reference_uge) if report.reference_uge else "ingen",
            "udsigt": "beregnet" if report.udsigt else "ikke beregnet",
            "sekunder i alt": round(report.sekunder, 1),
            "sekunder pr. kommuneside": round(report.sekunder_pr_side, 2),
        },
    )
