"""The generator's deliveries end exactly as its manifest says: every planted bad line quarantined
with the expected reason (or accepted, where planted as good), every other line accepted, and the
ledger reconciles (DELIVERIES.md "Nothing lost, nothing invented")."""

from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.generator import Options, generate
from orchestration.ingestion.engine import ingest
from orchestration.ingestion.ledger import reconcile
from orchestration.ingestion.sources import SOURCES
from orchestration.lib.reasons import DECIDED_IN_CALCULATION
from orchestration.settings import Settings

# Ingestion accepts these; the calculation rejects them (RULES.md 6, tested there).
ACCEPTED_HERE = {"accepted", "blank", *DECIDED_IN_CALCULATION}

OPTIONS = Options(kommuner=("730", "101"), borgere=120, fra=date(2019, 1, 1), til=date(2021, 12, 31), seed=11)


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("generated")
    manifest = generate(OPTIONS, root / "landing", root / "generated")
    settings = Settings.from_env({"YR_DATA_DIR": str(root)})
    con = duckdb.connect(str(root / "warehouse.duckdb"))
    results = {key: ingest(con, source, settings, "run") for key, source in SOURCES.items()}
    yield manifest, con, results
    con.close()


def test_every_source_reconciles_and_nothing_failed(ingested) -> None:
    _, con, results = ingested
    for key, source in SOURCES.items():
        assert reconcile(con, source) == [], key
        assert results[key].failed == [], key


def test_every_planted_line_ends_as_expected(ingested) -> None:
    manifest, con, _ = ingested
    quarantined = {
        (fil, linje): aarsag
        for fil, linje, aarsag in con.execute("select fil, linje_nr, aarsag from raw.karantaene").fetchall()
    }
    for planted in manifest["planted"]:
        where = (planted["file"], planted["line"])
        if planted["expect"] in ACCEPTED_HERE:
            assert where not in quarantined, planted
        else:
            assert quarantined.get(where) == planted["expect"], planted


def test_only_planted_lines_are_quarantined_and_all_others_accepted(ingested) -> None:
    manifest, con, _ = ingested
    expected_bad = sum(1 for p in manifest["planted"] if p["expect"] not in ACCEPTED_HERE)
    assert con.execute("select count(*) from raw.karantaene").fetchall() == [(expected_bad,)]
    read = con.execute("select sum(linjer_laest), sum(linjer_accepteret) from raw.leverancer").fetchall()[0]
    assert read[0] == sum(f["lines"] for f in manifest["files"])
    assert read[1] == read[0] - expected_bad


def test_every_delivered_file_is_in_the_ledger_once(ingested) -> None:
    manifest, con, _ = ingested
    ledger = con.execute("select fil, kontrolsum, status from raw.leverancer order by fil").fetchall()
    assert ledger == sorted((f["name"], f["sha256"], "indlaest") for f in manifest["files"])


def test_citizens_are_pseudonymised_consistently_across_sources(ingested) -> None:
    _, con, _ = ingested
    mismatched = con.execute(
        """select count(*) from (
               select cpr, borger_id from raw.eindkomst_linjer union select cpr, borger_id from raw.dfdg_samtaler
               union select cpr, borger_id from raw.maf_linjer
           ) as x inner join vault.borgere as v using (cpr) where x.borger_id <> v.borger_id"""
    ).fetchall()
    assert mismatched == [(0,)]
    assert con.execute("select count(*) = count(distinct borger_id) from vault.borgere").fetchall() == [(True,)]


def test_a_second_run_over_the_same_landing_changes_nothing(ingested, tmp_path: Path) -> None:
    _, con, _ = ingested
    before = con.execute("select count(*), sum(linjer_laest) from raw.leverancer").fetchall()
    settings = Settings.from_env(
        {"YR_DATA_DIR": str(Path(con.execute("pragma database_list").fetchall()[0][2]).parent)}
    )
    for source in SOURCES.values():
        assert ingest(con, source, settings, "again").files == []
    assert con.execute("select count(*), sum(linjer_laest) from raw.leverancer").fetchall() == before


def test_the_planted_maf_correction_replaces_its_line(ingested) -> None:
    _, con, _ = ingested
    assert con.execute("select count(*) from raw.maf_linjer where erstattet_koersel is not null").fetchall() == [(1,)]
    assert con.execute("select sum(linjer_erstattet) from raw.leverancer where kilde = 'maf'").fetchall() == [(1,)]
