"""The Dagster code location loads, with the dbt project's seeds and models as assets."""

from pathlib import Path

import dagster as dg
import pytest

from orchestration.runner import load_definitions, prepare_environment
from orchestration.settings import Settings

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        data = tmp_path_factory.mktemp("defs")
        mp.setenv("YR_DATA_DIR", str(data))
        mp.setenv("DAGSTER_HOME", str(data / "dagster"))
        prepare_environment(Settings.from_env())
        yield load_definitions()


def test_definitions_load_with_every_seed_and_model(definitions) -> None:
    keys = {key.to_user_string() for key in definitions.resolve_all_asset_keys()}
    seeds = {p.stem for p in (Path(__file__).parent.parent / "dbt_project" / "seeds").glob("*.csv")}
    assert seeds == {"kommuner", "kontering", "parametre", "trappe", "ydelser", "leveranceregler", "kvalitetsregler"}
    # dbt's schema is the first part of the asset key: reference/ydelser, staging/stg_…
    assert {f"reference/{seed}" for seed in seeds} | {"staging/stg_reference__parametre"} <= keys


def test_dbt_sources_are_the_ingestion_assets(definitions) -> None:
    """One lineage from landing/ to the marts: staging depends on the raw/* ingestion assets."""
    graph = definitions.resolve_asset_graph()
    deps = {key.to_user_string() for key in graph.get(dg.AssetKey(["staging", "stg_eindkomst__linjer"])).parent_keys}
    assert deps == {"raw/eindkomst_linjer"}
    assert graph.get(dg.AssetKey(["raw", "eindkomst_linjer"])).group_name == "ingest"


def test_a_sensor_watches_the_landing_folders_and_there_is_a_weekly_schedule(definitions) -> None:
    assert [s.name for s in definitions.sensors] == ["landing"]
    schedules = {s.name: s.cron_schedule for s in definitions.schedules}
    assert schedules == {"yr_ugentlig": "0 6 * * 1", "yumu_januarkoersel": "0 6 15 1 *"}  # from yumu_koersel_dato


def test_assets_are_grouped_by_dbt_layer(definitions) -> None:
    groups = {spec.key.to_user_string(): spec.group_name for spec in definitions.resolve_all_asset_specs()}
    assert groups["reference/ydelser"] == "reference"
    assert groups["staging/stg_reference__ydelser"] == "staging"


def test_the_warehouse_writers_share_one_pool(definitions) -> None:
    job = definitions.resolve_implicit_global_asset_job_def()
    pools = {name: node.definition.pool for name, node in job.graph.node_dict.items()}
    # every step that touches the warehouse file; the gate only reads Dagster's own records
    assert {name for name, pool in pools.items() if pool != "duckdb"} == {"kvalitet__port"}


def test_the_instance_has_telemetry_off_and_a_pool_of_one(definitions) -> None:
    import os

    config = (Path(os.environ["DAGSTER_HOME"]) / "dagster.yaml").read_text(encoding="utf-8")
    assert "telemetry:\n  enabled: false" in config
    assert "default_limit: 1" in config


def test_the_dbt_resource_knows_the_version_dbt_itself_reports() -> None:
    """orchestration/dbt.py answers dagster-dbt's version question from the installed dbt-core
    instead of running `dbt --version` in every run; the executable must agree."""
    from dagster_dbt import DbtCliResource

    from orchestration.dbt import dbt_resource

    resource = dbt_resource()
    assert resource._cli_version == DbtCliResource._cli_version.func(resource)  # runs `dbt --version`
