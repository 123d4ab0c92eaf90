"""A small generated population run through the whole pipeline on a persistent temporary Dagster
instance (the publication guard reads the instance's check history). One run for the package: each
test that changes the warehouse or the publication leaves it whole and published again."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration.generator import Options, generate
from orchestration.runner import load_definitions, prepare_environment, summarise
from orchestration.settings import Settings

OPTIONS = Options(kommuner=("730", "101"), borgere=150, fra=date(2021, 1, 1), til=date(2023, 12, 31), seed=21)


@dataclass
class Pipeline:
    settings: Settings
    instance: dg.DagsterInstance
    definitions: dg.Definitions

    def run(self, selection: dg.AssetSelection | None = None) -> dg.ExecuteInProcessResult:
        job = self.definitions.resolve_implicit_global_asset_job_def()
        keys = None
        if selection is not None:
            keys = list(selection.resolve(self.definitions.resolve_asset_graph()))
        return job.execute_in_process(instance=self.instance, asset_selection=keys, raise_on_error=False)


@pytest.fixture(scope="package")
def pipeline(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    root = tmp_path_factory.mktemp("pipeline")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("YR_DATA_DIR", str(root))
        mp.setenv("DAGSTER_HOME", str(root / "dagster"))
        mp.setenv("YR_AS_OF", "2024-03-01")
        mp.delenv("YR_POSTGRES_DSN", raising=False)
        settings = Settings.from_env()
        prepare_environment(settings)
        generate(OPTIONS, settings.landing_dir, settings.generated_dir)
        (root / "instance").mkdir()
        with dg.DagsterInstance.local_temp(str(root / "instance")) as instance:
            p = Pipeline(settings, instance, load_definitions())
            result = p.run()
            assert result.success, summarise(result)
            yield p


def published_version(settings: Settings) -> Path:
    return (settings.published_dir / "aktuel").resolve()
