"""What the Dagster UI shows of a run's dbt build."""

import pytest

from orchestration.warehouse import connect
from tests.publish.conftest import Pipeline

pytestmark = pytest.mark.slow


def test_every_table_the_dbt_build_wrote_shows_its_row_count(pipeline: Pipeline) -> None:
    """Each table, incremental model and seed: the rows it holds after the build (incremental and
    built-in-parts ones included), as `dagster/row_count` on its latest materialization."""
    tables = {
        spec.key: spec.metadata["dagster/table_name"]
        for spec in pipeline.definitions.resolve_all_asset_specs()
        if spec.metadata.get("dagster-dbt/materialization_type") in ("table", "incremental", "seed")
    }
    assert len(tables) > 20
    with connect(pipeline.settings, read_only=True) as con:
        for key, table in tables.items():
            event = pipeline.instance.get_latest_materialization_event(key)
            assert event is not None, key.to_user_string()
            shown = event.asset_materialization.metadata.get("dagster/row_count")
            assert shown is not None, key.to_user_string()
            assert [(shown.value,)] == con.execute(f"select count(*) from {table}").fetchall(), key.to_user_string()
