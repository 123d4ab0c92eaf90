"""The raw layer has one definition: the ingestion's (orchestration/ingestion), and dbt's source
declarations say the same, so dbt can create the tables empty (`dbt build` on its own)."""

from pathlib import Path

import yaml

from orchestration.ingestion.schema import raw_columns
from orchestration.ingestion.sources import SOURCES
from orchestration.settings import DBT_PROJECT_DIR


def test_dbt_source_declarations_equal_the_ingestion_schema() -> None:
    declared = yaml.safe_load(Path(DBT_PROJECT_DIR / "models/staging/_raw__sources.yml").read_text(encoding="utf-8"))
    [raw] = [s for s in declared["sources"] if s["name"] == "raw"]
    tables = {t["name"]: [(c["name"], c["data_type"]) for c in t["columns"]] for t in raw["tables"]}
    assert tables == {source.table: raw_columns(source) for source in SOURCES.values()}


def test_every_source_has_a_layout_and_checks_name_known_reasons() -> None:
    for source in SOURCES.values():
        assert [c.source for c in source.columns] == list(source.layout.columns)
        assert source.checks
