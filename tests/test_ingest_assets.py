"""The ingestion assets in Dagster: one materialisation per source with counts and amounts, blocking
checks, sensors that start runs for new files, and no personal data in metadata or logs."""

import json
import os
import re
import time
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.ingest import INGEST_ASSETS
from orchestration.defs.pipeline import landing_sensor
from orchestration.generator import Options, generate
from orchestration.resources import RunSettings
from orchestration.runner import load_definitions
from orchestration.settings import Settings
from orchestration.warehouse import connect

OPTIONS = Options(kommuner=("730", "376"), borgere=60, fra=date(2020, 1, 1), til=date(2021, 12, 31), seed=5)


def _materialize(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        INGEST_ASSETS, resources={"run_settings": RunSettings()}, instance=instance, raise_on_error=False
    )


@pytest.fixture
def generated(data_dir: Path) -> dict:
    return generate(OPTIONS, data_dir / "landing", data_dir / "generated")


def test_each_source_materialises_with_counts_amounts_and_passing_checks(generated: dict) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        result = _materialize(instance)
        assert result.success
        eindkomst = result.asset_materializations_for_node("raw__eindkomst_linjer")[0].metadata
        assert (
            eindkomst["linjer læst"].value
            == eindkomst["linjer accepteret"].value + eindkomst["linjer i karantæne"].value
        )
        assert eindkomst["dagster/row_count"].value == eindkomst["linjer accepteret"].value
        assert eindkomst["beløb læst"].value.endswith(" kr.")
        checks = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in result.get_asset_check_evaluations()}
        assert checks[("raw/eindkomst_linjer", "hovedbog_afstemt")]
        assert checks[("raw/yumu_haendelser", "alle_filer_laest")]
        assert len(checks) == 3 * len(INGEST_ASSETS)


def test_no_cpr_number_or_pseudonym_reaches_metadata_or_logs(generated: dict, data_dir: Path) -> None:
    with dg.DagsterInstance.ephemeral() as instance:
        result = _materialize(instance)
        logged = json.dumps([str(entry) for entry in instance.all_logs(result.run_id)], ensure_ascii=False)
    with connect(Settings.from_env(), read_only=True) as con:
        cprs = {c for (c,) in con.execute("select cpr from vault.borgere").fetchall()}
        ids = {str(b) for (b,) in con.execute("select borger_id from vault.borgere").fetchall()}
    found = set(re.findall(r"\d{10,19}", logged))
    assert cprs
    assert not found & cprs
    assert not found & ids
    assert "DEMO" in logged  # the demo key is announced loudly


def test_an_unreadable_file_fails_its_blocking_check_and_stops_what_follows(generated: dict, data_dir: Path) -> None:
    (data_dir / "landing/eindkomst/eindkomst-yr-20991231-001.csv").write_bytes(b"")
    with dg.DagsterInstance.ephemeral() as instance:
        result = _materialize(instance)
    assert not result.success
    failed = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert [(e.asset_key.to_user_string(), e.check_name) for e in failed] == [
        ("raw/eindkomst_linjer", "alle_filer_laest")
    ]
    assert failed[0].metadata["fejlede filer"].value == {"eindkomst-yr-20991231-001.csv": "filen er tom (0 bytes)"}


def test_a_stranger_in_a_landing_folder_is_a_warning(generated: dict, data_dir: Path) -> None:
    (data_dir / "landing/star/MAF-maj.xlsx").write_bytes(b"PK")
    with dg.DagsterInstance.ephemeral() as instance:
        result = _materialize(instance)
    assert result.success
    [warning] = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert (warning.check_name, warning.severity) == ("ingen_fremmede_filer", dg.AssetCheckSeverity.WARN)


def settle(*paths: Path) -> None:
    """As if written a minute ago: past the settling period."""
    for path in paths:
        then = time.time() - 60
        os.utime(path, (then, then))


def test_the_landing_sensor_requests_one_run_for_the_folders_with_new_files(data_dir: Path) -> None:
    definitions = load_definitions()
    landing = data_dir / "landing"

    def tick(cursor: str | None):
        with dg.DagsterInstance.ephemeral() as instance:
            context = dg.build_sensor_context(
                instance=instance, cursor=cursor, definitions=definitions, resources={"run_settings": RunSettings()}
            )
            return landing_sensor(context), context.cursor

    result, cursor = tick(None)
    assert isinstance(result, dg.SkipReason)
    (landing / "star/MAF20230503.txt").write_text("Kommunenummer\n", encoding="utf-8")
    (landing / "yumu/yumu-730-20230401.csv").write_text("RegistreringsID\n", encoding="utf-8")
    waiting, cursor = tick(cursor)  # just written: they may still be being written
    assert isinstance(waiting, dg.SkipReason)
    assert "2 filer skrives stadig" in waiting.skip_message
    settle(landing / "star/MAF20230503.txt", landing / "yumu/yumu-730-20230401.csv")
    first, cursor = tick(cursor)
    assert isinstance(first, dg.RunRequest)
    selected = {k.to_user_string() for k in first.asset_selection}
    assert {"raw/maf_linjer", "raw/yumu_haendelser", "staging/stg_star__maf_linjer", "reference/kommuner"} <= selected
    assert "raw/eindkomst_linjer" not in selected  # nothing new there
    assert first.tags["yr/landing"] == "star,yumu"

    again, cursor = tick(cursor)  # its run has not ingested them yet: no second request
    assert isinstance(again, dg.SkipReason)
    assert "venter på kørslen" in again.skip_message
    assert len(cursor) < 40  # the sensor page shows a short cursor, not the files' fingerprints
    (landing / "star/MAF20231101.txt").write_text("Kommunenummer\n", encoding="utf-8")
    settle(landing / "star/MAF20231101.txt")
    second, _ = tick(cursor)
    assert isinstance(second, dg.RunRequest)
    assert second.run_key != first.run_key


def _tick(definitions: dg.Definitions, cursor: str | None = None):
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(
            instance=instance, cursor=cursor, definitions=definitions, resources={"run_settings": RunSettings()}
        )
        return landing_sensor(context)


def test_after_a_run_the_sensor_sees_nothing_new_and_a_second_run_keeps_the_ledger_figures(
    generated: dict, data_dir: Path
) -> None:
    """The sensor, the schedule and `yr run` share one notion of what is ingested: the ledger. A fresh
    sensor (no cursor) after a run starts nothing, and a run with nothing new says so and shows the
    ledger's figures, not zeros."""
    definitions = load_definitions()
    for path in (data_dir / "landing").rglob("*"):
        settle(path)
    with dg.DagsterInstance.ephemeral() as instance:
        first = _materialize(instance).asset_materializations_for_node("raw__eindkomst_linjer")[0].metadata
        again = _materialize(instance)
        second = again.asset_materializations_for_node("raw__eindkomst_linjer")[0].metadata
        logged = [e.message for e in instance.all_logs(again.run_id) if e.message]
    nothing = _tick(definitions)
    assert isinstance(nothing, dg.SkipReason), nothing
    assert "Intet nyt" in nothing.skip_message
    assert first["nye leverancer"].value > 0
    assert second["nye leverancer"].value == 0
    for label in ("leverancer", "linjer læst", "linjer accepteret", "beløb accepteret", "dagster/row_count"):
        assert second[label].value == first[label].value, label
    assert any("Intet nyt i landing/eindkomst/" in m for m in logged)

    # A re-export: the same name with new content is new again; the run after it makes it known.
    path = data_dir / "landing/yumu" / sorted(p.name for p in (data_dir / "landing/yumu").iterdir())[0]
    path.write_bytes(path.read_bytes() + b"\n")
    settle(path)
    request = _tick(definitions)
    assert isinstance(request, dg.RunRequest)
    assert request.tags["yr/landing"] == "yumu"
