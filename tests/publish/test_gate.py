"""OUTPUTS.md: a failing blocking check stops publication, and the publication assets refuse to run
while the latest check on what they publish has failed."""

import dagster as dg
import pytest

from orchestration.runner import summarise
from orchestration.warehouse import connect
from tests.publish.conftest import NOT_INGESTION, BadRow, Pipeline, published_version

pytestmark = pytest.mark.slow


def test_a_bad_row_stops_every_publication(pipeline: Pipeline, bad_row: BadRow) -> None:
    settings = pipeline.settings
    assert bad_row.calculation_files
    result = bad_row.result
    assert not summarise(result).success  # `yr run` exits 1
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert ("staging/stg_eindkomst__linjer", "gx_stg_eindkomst__linjer") in {
        (e.asset_key.to_user_string(), e.check_name) for e in failed
    }
    materialized = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert not {k for k in materialized if k.startswith("published/")}
    assert published_version(settings) == bad_row.published
    assert sorted((settings.published_dir / "beregning").glob("*.csv")) == bad_row.calculation_files
    assert (settings.published_dir / "yumu" / "grundlag.parquet").stat().st_mtime_ns == bad_row.grundlag

    # asked on their own, the publication assets refuse while that check's latest result is a failure
    alone = pipeline.run(
        dg.AssetSelection.assets(["published", "lis"], ["published", "rapport"], ["published", "beregningsfiler"])
    )
    assert not alone.success
    failure = next(e for e in alone.all_events if e.event_type == dg.DagsterEventType.STEP_FAILURE)
    assert "Nothing is published" in str(failure.event_specific_data.error)
    assert published_version(settings) == bad_row.published

    # repaired, the next run publishes again
    with connect(settings) as con:
        con.execute("delete from raw.eindkomst_linjer where indberetnings_id = 'BAD-1'")
    assert pipeline.run(NOT_INGESTION).success
    assert published_version(settings) != bad_row.published
