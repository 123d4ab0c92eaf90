"""The Dagster code location loads, with the dbt project's seeds and models as assets."""

import json
import re
from pathlib import Path

import dagster as dg
import pytest

from orchestration.runner import load_definitions, prepare_environment
from orchestration.settings import REPO_ROOT, Settings
from orchestration.warehouse import connect
from tests.conftest import use_data_dir

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def definitions(tmp_path_factory: pytest.TempPathFactory):
    with pytest.MonkeyPatch.context() as mp:
        use_data_dir(mp, tmp_path_factory.mktemp("defs"))
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
    assert [s.name for s in definitions.sensors] == ["landing", "yr_alarm"]
    schedules = {s.name: s.cron_schedule for s in definitions.schedules}
    assert schedules == {"yr_ugentlig": "0 6 * * 1", "yumu_januarkoersel": "0 6 15 1 *"}  # from yumu_koersel_dato
    # each starts a named job, defined next to it, with a description
    jobs = {s.name: s.job_name for s in [*definitions.schedules, *definitions.sensors] if s.name != "yr_alarm"}
    assert jobs == {"yr_ugentlig": "yr_pipeline", "landing": "yr_pipeline", "yumu_januarkoersel": "yumu_januarkoersel"}
    for name in set(jobs.values()):
        assert definitions.resolve_job_def(name).description
    for automation in [*definitions.schedules, *definitions.sensors]:
        assert automation.description, automation.name


def test_a_failed_run_of_any_job_raises_the_alarm(definitions) -> None:
    [alarm] = [s for s in definitions.sensors if s.name == "yr_alarm"]
    assert alarm.default_status == dg.DefaultSensorStatus.RUNNING
    assert alarm.description


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


def test_a_new_instance_has_its_storage_before_its_configuration_appears(tmp_path: Path) -> None:
    """Whoever sees dagster.yaml may open the instance at once (a run's watcher, the UI): its tables
    must exist by then, or two processes create them together and one fails."""
    import sqlite3

    from orchestration.instance import ensure_instance

    ensure_instance(tmp_path / "dagster")
    assert sorted(p.name for p in (tmp_path / "dagster").iterdir() if p.is_file()) == ["dagster.yaml"]
    with sqlite3.connect(tmp_path / "dagster" / "history" / "runs.db") as con:
        assert con.execute("select count(*) from runs").fetchall() == [(0,)]


def test_the_dbt_resource_knows_the_version_dbt_itself_reports() -> None:
    """orchestration/dbt.py answers dagster-dbt's version question from the installed dbt-core
    instead of running `dbt --version` in every run; the executable must agree."""
    from dagster_dbt import DbtCliResource

    from orchestration.dbt import dbt_resource

    resource = dbt_resource()
    assert resource._cli_version == DbtCliResource._cli_version.func(resource)  # runs `dbt --version`


def test_the_dbt_resource_overrides_only_members_dagster_dbt_still_has(monkeypatch: pytest.MonkeyPatch) -> None:
    """The one use of dagster-dbt's private members (orchestration/dbt.py, DECISIONS.md B14): if an
    upgrade renames them, the overrides would silently stop saving their seconds; this says so."""
    import dagster_dbt.core.resource as dagster_dbt_resource
    from dagster_dbt import DbtCliResource

    from orchestration.dbt import YrDbtCliResource, dbt_resource

    for name in ("_cli_version", "_initialize_dbt_core_adapter"):
        assert name in vars(DbtCliResource), f"dagster-dbt no longer has {name}: remove the override"
        assert name in vars(YrDbtCliResource)

    def no_subprocess(*args, **kwargs):
        raise AssertionError("dbt --version was run")

    monkeypatch.setattr(dagster_dbt_resource, "check_output", no_subprocess)
    resource = dbt_resource()
    assert resource._cli_version.major == 1
    assert resource._initialize_dbt_core_adapter(["build"]) is None


def test_configuration_flows_one_way_from_the_run_settings_resource() -> None:
    """Assets, sensors and schedules read the run's settings from the `run_settings` resource only."""
    for path in sorted((REPO_ROOT / "orchestration" / "defs").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for reading in ("os.environ", "getenv", "Settings.from_env"):
            assert reading not in text, path.name


def test_a_runs_launchpad_sets_its_run_date(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("YR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("YR_AS_OF", "2023-06-01")
    settings = Settings.from_env()
    prepare_environment(settings)
    with connect(settings) as con:
        con.execute("create schema intermediate")
        con.execute(
            "create table intermediate.int_yumu__gaeldende as select '730' as registrerende_kommunenummer, "
            "date '2023-05-01' as oprettet, 100.00::decimal(18, 2) as beloeb"
        )
    job = load_definitions().resolve_implicit_global_asset_job_def()
    config = {"resources": {"run_settings": {"config": {"as_of": "2024-02-01"}}}}
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance, run_config=config, asset_selection=[dg.AssetKey(["yumu", "januarkoersel"])]
        )
    assert result.success
    report = json.loads((tmp_path / "yumu" / "januarkoersel-2023.json").read_text(encoding="utf-8"))
    assert report["koerselsdato"] == "2024-02-01"  # not the environment's 2023-06-01


def test_the_calculations_scope_is_an_asset_every_per_borger_model_reads(definitions) -> None:
    """What a run recomputes shows in the lineage: omfang/beregningsomfang, after ingestion, before
    every per-borger model (DECISIONS.md B11)."""
    from orchestration.defs.transform import INCREMENTAL_KEYS, SCOPE

    graph = definitions.resolve_asset_graph()
    assert {k.to_user_string() for k in graph.get(SCOPE).parent_keys} >= {"raw/eindkomst_linjer", "raw/maf_linjer"}
    per_borger = {k for k in INCREMENTAL_KEYS if k.path[0] == "intermediate" and k.path[1] != "int_lis__aendringer"}
    assert per_borger
    for key in per_borger:
        assert SCOPE in graph.get(key).parent_keys, key.to_user_string()


# Markdown drops what looks like an HTML tag: `published/lis/<mart>/` showed as published/lis//.
# Text in code (`…`) is shown as it is; elsewhere a placeholder must be escaped (\<mart\>).
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_PLACEHOLDER = re.compile(r"(?<!\\)<[A-Za-zÆØÅæøå_][\w.-]*>")


def unescaped_placeholders(markdown: str) -> list[str]:
    return _PLACEHOLDER.findall(_CODE.sub("", markdown))


def test_the_ui_shows_each_assets_own_description_and_only_metadata_it_can_show(definitions) -> None:
    """A dbt asset's description is its YAML description, without dagster-dbt's copy of the model's
    SQL (long for a model, an empty block for a seed); no description loses a <placeholder> to the
    Markdown renderer; no metadata shows as "(unserializable)" (dagster-dbt's DbtProject)."""
    from dagster_dbt import DbtProject

    from orchestration.dbt import DBT_PROJECT

    specs = {spec.key.to_user_string(): spec for spec in definitions.resolve_all_asset_specs()}
    nodes = json.loads(DBT_PROJECT.manifest_path.read_text(encoding="utf-8"))["nodes"]
    yaml = {n["name"]: n["description"].strip() for n in nodes.values() if n["resource_type"] in ("model", "seed")}
    assert specs["lis/lis_ydelse_uge"].description == yaml["lis_ydelse_uge"]
    assert specs["reference/ydelser"].description == yaml["ydelser"]
    assert "published/lis/\\<mart\\>/" in specs["published/lis"].description
    for key, spec in specs.items():
        assert spec.description, key
        assert "Raw SQL" not in spec.description, key
        assert unescaped_placeholders(spec.description) == [], key
        assert not [name for name, value in spec.metadata.items() if isinstance(value, DbtProject)], key
    graph = definitions.resolve_asset_graph()
    for check in graph.asset_check_keys:
        assert unescaped_placeholders(graph.get_check_spec(check).description or "") == [], check
