"""OUTPUTS.md: a failing blocking check stops publication, and the publication assets refuse to run
while the latest check on what they publish has failed."""

import dagster as dg
import pytest

from orchestration.runner import summarise
from orchestration.warehouse import connect
from tests.publish.conftest import Pipeline, published_version

pytestmark = pytest.mark.slow
NOT_INGESTION = dg.AssetSelection.all() - dg.AssetSelection.groups("ingest")


def test_a_bad_row_stops_every_publication(pipeline: Pipeline) -> None:
    settings = pipeline.settings
    before = published_version(settings)
    calculation_files = sorted((settings.published_dir / "beregning").glob("*.csv"))
    grundlag = (settings.published_dir / "yumu" / "grundlag.parquet").stat().st_mtime_ns
    assert calculation_files

    # An implausible amount slips into the raw layer: dbt's tests do not look at amounts' size,
    # the quality gate does (expectations/stg_eindkomst__linjer.json: beloeb_urimeligt).
    with connect(settings) as con:
        con.execute(
            """insert into raw.eindkomst_linjer
               select * replace ('BAD-1' as indberetnings_id, 20000000.00 as beloeb, 999999 as linje_nr)
               from raw.eindkomst_linjer where indberetningsart = 'I' limit 1"""
        )
    result = pipeline.run(NOT_INGESTION)
    assert not summarise(result).success  # `yr run` exits 1
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert ("staging/stg_eindkomst__linjer", "gx_stg_eindkomst__linjer") in {
        (e.asset_key.to_user_string(), e.check_name) for e in failed
    }
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert not {k for k in materialized if k.startswith("published/")}
    assert published_version(settings) == before
    assert sorted((settings.published_dir / "beregning").glob("*.csv")) == calculation_files
    assert (settings.published_dir / "yumu" / "grundlag.parquet").stat().st_mtime_ns == grundlag

    # asked on their own, the publication assets refuse while that check's latest result is a failure
    alone = pipeline.run(dg.AssetSelection.assets(["published", "lis"], ["published", "beregningsfiler"]))
    assert not alone.success
    failure = next(e for e in alone.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    assert "Nothing is published" in str(failure.event_specific_data.error)
    assert published_version(settings) == before

    # repaired, the next run publishes again
    with connect(settings) as con:
        con.execute("delete from raw.eindkomst_linjer where indberetnings_id = 'BAD-1'")
    assert pipeline.run(NOT_INGESTION).success
    assert published_version(settings) != before


def test_the_quality_report_holds_counts_and_rules_never_a_citizen(pipeline: Pipeline) -> None:
    settings = pipeline.settings
    with connect(settings, read_only=True) as con:
        citizens = {c for (c,) in con.execute("select cpr from vault.borgere").fetchall()}
        citizens |= {str(b) for (b,) in con.execute("select borger_id from vault.borgere").fetchall()}
    report = settings.quality_dir / "gx" / "uncommitted" / "data_docs" / "local_site" / "index.html"
    assert report.exists()
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in settings.quality_dir.rglob("*")
             if p.is_file() and p.suffix in (".html", ".json", ".yml")]  # fmt: skip
    assert len(texts) > 10
    assert not [c for c in citizens if any(c in t for t in texts)]
    assert any("beloeb_urimeligt" in t for t in texts)  # the rules are named
