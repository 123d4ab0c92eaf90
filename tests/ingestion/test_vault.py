"""The vault keeps CPR ↔ borger_id; a changed key is refused rather than mixing pseudonyms."""

import pytest

from orchestration.ingestion.engine import PseudonymKeyError, ingest
from orchestration.ingestion.sources import SOURCES
from orchestration.lib.pseudonym import borger_id
from orchestration.settings import Settings
from tests.ingestion.conftest import Warehouse, line, text


def test_accepted_lines_carry_the_pseudonym_of_the_configured_key(wh: Warehouse, monkeypatch) -> None:
    monkeypatch.setenv("YR_PSEUDONYM_KEY", "k" * 32)
    wh.settings = Settings.from_env()
    wh.land("eindkomst-yr-20210405-001.csv", text("eindkomst", [line()]))
    wh.ingest()
    assert wh.rows("select borger_id from raw.eindkomst_linjer") == [(borger_id("k" * 32, "1503451237"),)]
    assert wh.rows("select cpr, borger_id from vault.borgere") == [("1503451237", borger_id("k" * 32, "1503451237"))]


def test_another_key_is_refused(wh: Warehouse, monkeypatch) -> None:
    wh.land("eindkomst-yr-20210405-001.csv", text("eindkomst", [line()]))
    wh.ingest()  # with the demo key
    monkeypatch.setenv("YR_PSEUDONYM_KEY", "another-key-entirely")
    with pytest.raises(PseudonymKeyError, match="YR_PSEUDONYM_KEY"):
        ingest(wh.con, SOURCES["eindkomst"], Settings.from_env(), "r2")
